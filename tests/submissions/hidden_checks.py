"""A teacher's hidden check for l1.sequential, run on the measuring side only: the saved
weights of the first layer must not be all equal (the network was initialised randomly)."""
import numpy as np

from aml.grading.checks import CheckResult


def hidden_checks(artifacts, quick=False):
    weights = artifacts.weights("model") if artifacts.has("model") else []
    spread = float(np.std(weights[0])) if weights else 0.0
    return [CheckResult("random initial weights", bool(spread > 0), round(spread, 4), "> 0",
                        "keep Keras's default initialisers", points=2)]
