"""Checks of the lecture 1 exercises: the iris network built with a given Keras API.

Contract for a student file: a function `build_model()` returning an uncompiled
`keras.Model` with 4 inputs, Dense(8, relu) and Dense(3, softmax). The parameter count and
the test accuracy are graded against the exercise's targets in the lecture spec.

Split (see aml.sandbox.protocol): the student's jail builds the model (Keras on the numpy
backend: building needs no TensorFlow) and returns its configuration, its weights and its
outputs on random inputs it has never seen. The measuring side rebuilds the network from
the configuration (or, for a subclass, the expected network from the weights), counts the
parameters of the saved weights, checks that the rebuilt network computes what the
student's model computed, and trains and tests the rebuilt network itself.
Trusted from the student's side: only the API the configuration names (one point); a
subclass can pass as another API by faking get_config, but not with a different network.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from aml.grading.checks import INVALID, CheckResult, against, call_student, read_specs, target_of
from aml.sandbox.protocol import ArtifactError, Checker, assign_weights

read_specs()  # the targets this module grades against, fixed before student code runs

LAYERS = [(8, "relu"), (3, "softmax")]  # the network of the notes: the exercise's contract
EXERCISE_OF_API = {"sequential": "l1.sequential", "functional": "l1.functional",
                   "subclass": "l1.subclassing"}
PROBE_ROWS = 16
SEED = 0  # the split and initialisation every submission is trained with: same for all
_API_OF = {"Sequential": "sequential", "Functional": "functional", "Model": "functional"}
_HINTS = {"sequential": "use keras.Sequential([layer, layer, ...])",
          "functional": "use keras.Model(inputs=..., outputs=...)",
          "subclass": "write class Network(keras.Model) with call()"}


def iris_inputs(quick: bool, seed: int, secret: int) -> dict:
    # From the run's secret (not the public seed): the student cannot know them, so
    # agreeing outputs mean the student's model computes what the rebuilt network does.
    rng = np.random.default_rng(secret)
    return {"probe": rng.normal(0, 2, (PROBE_ROWS, 4)).astype("float32")}


def produce_iris(module, inputs, record, quick: bool) -> None:
    import keras

    model = call_student(module, "build_model")
    record.value("returned", type(model).__name__)
    if not isinstance(model, keras.Model):
        return
    try:
        record.array("probe_output", keras.ops.convert_to_numpy(model(inputs["probe"])))
    except Exception as err:  # noqa: BLE001 - a model that cannot be called is a failed check
        record.value("call_error", f"{type(err).__name__}: {err}"[:160])
    record.model("model", model)


def _expected_network(weights):
    """The exercise's network with the saved weights, when their shapes are its shapes."""
    from aml.models.iris import iris_classifier

    model = iris_classifier("sequential", hidden=8)
    return model if assign_weights(model, weights) else None


def _dense_layers(model):
    import keras

    from aml.models.walk import all_layers

    layers = [(layer.units, keras.activations.serialize(layer.activation))
              for layer in all_layers(model) if isinstance(layer, keras.layers.Dense)]
    return [(units, act if isinstance(act, str) else act.get("config", act))
            for units, act in layers]


def measure_iris(art, api: str, quick: bool) -> list[CheckResult]:
    from aml.lectures.lecture1.iris import IrisConfig, train_iris

    returned = art.value("returned", "nothing")
    is_model = art.has("model")
    results = [CheckResult("build_model() returns a keras.Model", is_model, returned,
                           "keras.Model",
                           "return the model at the end of build_model(), e.g. `return model`")]
    if not is_model:
        return results
    weights = art.weights("model")
    config = art.config("model")
    class_name = config.get("class_name") if isinstance(config, dict) else None
    built_with = _API_OF.get(class_name, "subclass") if config is not None else "subclass"
    if art.value("call_error"):
        return results + [CheckResult("accepts 4 input features", False,
                                      art.value("call_error"), "input of shape (batch, 4)",
                                      "give the model an input of 4 features")]
    results.append(CheckResult(f"built with the {api} API", built_with == api, built_with, api,
                               _HINTS[api]))
    try:
        model = art.model("model")
    except ArtifactError as err:
        model = _expected_network(weights) if built_with == "subclass" else None
        why = str(err)
    else:
        why = ""
    probe = art.inputs["probe"]
    claimed = art.array("probe_output") if art.has("probe_output") else None
    output = None if model is None else np.asarray(model(probe))
    agrees = output is not None and claimed is not None and claimed.shape == output.shape \
        and bool(np.allclose(claimed, output, rtol=1e-4, atol=1e-5))
    finite = output is not None and bool(np.all(np.isfinite(output)))
    shape = None if output is None else output.shape
    results.append(CheckResult("output is 3 class probabilities",
                               finite and shape == (PROBE_ROWS, 3)
                               and bool(np.allclose(output.sum(-1), 1, atol=1e-4)),
                               f"shape {shape}" if output is not None else why[:120],
                               "shape (batch, 3), rows sum to 1",
                               "end with Dense(3, activation='softmax')",
                               status="" if finite or output is None else INVALID))
    layers = _dense_layers(model) if model is not None else why[:120]
    if model is not None and not agrees:
        layers = "the saved network does not compute what build_model()'s model computes"
    results.append(CheckResult("layers are Dense(8, relu) -> Dense(3, softmax)",
                               layers == LAYERS, layers, str(LAYERS),
                               "one hidden Dense(8, activation='relu'), then the softmax output"))
    exercise = EXERCISE_OF_API[api]
    parameters = int(sum(w.size for w in weights))  # of the saved weights, not count_params()
    results.append(against("parameter count", parameters, target_of(exercise, "parameters"),
                           quick, "4*8+8 + 8*3+3 = 67: check the layer sizes and biases"))
    accuracy_target = target_of(exercise, "flowers_behind_linear")
    if not all(r.passed for r in results):
        return results + [CheckResult("test accuracy", False, None,
                                      f">= {accuracy_bar(SEED, accuracy_target, quick):.4g}",
                                      "fix the architecture first; training was skipped")]
    config = replace(IrisConfig.quick() if quick else IrisConfig(), trainer="fast")
    _, test = train_iris(model, config, seed=SEED)
    results.append(against_baseline("test accuracy", test["correct"], SEED, accuracy_target,
                                    quick, "compare your layers with the example's"))
    return results


def accuracy_bar(seed: int, target, quick: bool) -> float:
    """The test accuracy a target on flowers behind Fisher's linear discriminant asks for."""
    from aml.data.iris import linear_baseline

    linear = linear_baseline(0.2, seed=seed)
    return (int(linear.sum()) - target.threshold_for(quick)) / len(linear)


def against_baseline(name: str, correct, seed: int, target, quick: bool, hint: str):
    """A check of the test flowers a network gets right against the exercise's target, which
    counts flowers behind Fisher's linear discriminant on the same split: shown as the
    accuracy to reach."""
    from aml.data.iris import linear_baseline

    linear = linear_baseline(0.2, seed=seed)
    behind = int(linear.sum()) - int(np.sum(correct))
    return CheckResult(name, target.met(behind, quick), round(float(np.mean(correct)), 4),
                       f">= {accuracy_bar(seed, target, quick):.4g}",
                       f"Fisher's linear discriminant gets {linear.mean():.4f} of the same "
                       f"flowers: {hint}", n=len(linear))


def _checker(api: str) -> Checker:
    return Checker(produce_iris, lambda art, quick: measure_iris(art, api, quick), iris_inputs,
                   student_backend="numpy",
                   description=f"the iris network with the {api} API")


check_sequential = _checker("sequential")
check_functional = _checker("functional")
check_subclassing = _checker("subclass")
