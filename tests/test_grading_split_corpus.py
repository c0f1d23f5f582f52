"""Hostile submissions of the exercises whose checks used to run whole in the student's
process (and that could forge full marks there): graded in the real jail, each gets the
honest score its code earns, computed on the measuring side."""

from pathlib import Path

import pytest

from aml import catalog
from aml.sandbox import Limits, Measurer, grade_submission
from aml.sandbox.protocol import UNTRUSTED_NOTE

pytestmark = pytest.mark.sandbox

CORPUS = Path(__file__).parent / "submissions" / "split"

# exercise -> (status, score, maximum, {check: passed} that show why)
EXPECTED = {
    "l2.residual": ("ok", 1, 2, {
        "residual_loss of NN = 0 is the mean of f(x)^2 (g = 1, dg/dx = 0)": False}),
    "l2.supervised": ("ok", 1, 4, {"network maps (batch, 1) to (batch, 1)": True,
                                   "du/dx = 2x: max |u_NN - u_exact| on [0, 2]": False}),
    "l2.compare": ("ok", 1, 15, {"compare() returns a dict": True,
                                 "figure saved as a PNG at figure_path": False,
                                 "residual error in [0, 2], x^2": False}),
    "l3.text": ("ok", 2, 3, {"has a recurrent layer (memory)": False}),
    "l4.normalisation_loss": ("ok", 1, 3, {"adds the penalty when not normalised": False}),
    "l4.structured_net": ("ok", 3, 4, {"learned g within 2%": True,
                                       "extrapolation to [5, 8] s vs a dense network": False}),
    "l5.genetic_trainer": ("ok", 1, 5, {"iris test accuracy": False,
                                        "tournament selection favours the fit": False}),
}


@pytest.fixture(scope="module")
def graded():
    """Every hostile file graded through the jails (one warm measuring process, quick)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AML_GRADING_TEXTS", "synthetic")  # reaches both jails
        exercises = [catalog.get(e, kind="exercise") for e in EXPECTED]
        measurer = Measurer(exercises[0], None)
        try:
            outcomes = {}
            for exercise in exercises:
                measurer.use(exercise)
                path = CORPUS / (exercise.id.replace(".", "_") + ".py")
                outcomes[exercise.id] = grade_submission(
                    exercise, path, measurer, quick=True, limits=Limits(timeout_s=300))
        finally:
            measurer.close()
    return outcomes


@pytest.mark.parametrize("exercise_id", sorted(EXPECTED))
def test_a_forging_submission_gets_its_honest_score(graded, exercise_id):
    status, score, maximum, why = EXPECTED[exercise_id]
    outcome = graded[exercise_id]
    checks = {c["key"]: c for c in outcome.checks}
    assert (outcome.status, outcome.score, outcome.max_score) == (status, score, maximum), \
        (outcome.detail, [(c["key"], c["passed"], c["measured"]) for c in outcome.checks])
    assert {name: checks[name]["passed"] for name in why} == why
    assert UNTRUSTED_NOTE not in outcome.detail and outcome.isolation.startswith("bwrap")


def test_the_lies_are_named(graded):
    compare = {c["key"]: c for c in graded["l2.compare"].checks}
    assert compare["figure saved as a PNG at figure_path"]["measured"] == \
        "6008 bytes, not a PNG"
    net = {c["key"]: c for c in graded["l4.structured_net"].checks}
    assert net["extrapolation to [5, 8] s vs a dense network"]["measured"].startswith(
        "heights differ from v0 t - g t^2/2 by")
    genetic = {c["key"]: c for c in graded["l5.genetic_trainer"].checks}
    assert genetic["iris test accuracy"]["measured"] < 0.5  # a zero network, not the forged 1
    # the time is the jail's wall clock as the grader took it, not the student's own clock
    assert genetic["time to train"]["passed"] is True
    assert genetic["time to train"]["target"].endswith("s (the whole run, start-up included)")
    assert 0 < genetic["time to train"]["measured"] <= graded["l5.genetic_trainer"].seconds
