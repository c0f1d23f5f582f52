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

# corpus file -> (status, score, maximum, {check: passed} that show why); the exercise is
# the file's name up to the first "_" after the lecture (l4_structured_net_published.py:
# l4.structured_net)
EXPECTED = {
    "l2_residual": ("ok", 1, 3, {
        "residual_loss of NN = 0 is the mean of f(x, u0)^2 (g = u0, dg/dx = 0)": False}),
    # the old fixed cases' answers typed in: only "0 at an exact solution" still holds
    "l2_residual_hardcoded": ("ok", 1, 3, {
        "residual_loss is 0 for an exact solution (drawn du/dx = a x + c)": True,
        "residual_loss of NN = 0 is the mean of f(x, u0)^2 (g = u0, dg/dx = 0)": False,
        "residual_loss of a linear NN (drawn f(x, u) = a x + b u + c)": False}),
    "l2_supervised": ("ok", 1, 4, {"network maps (batch, 1) to (batch, 1)": True,
                                   "du/dx = 2x: max |u_NN - u_exact| on [0, 2]": False}),
    "l2_compare": ("ok", 1, 15, {"compare() returns a dict": True,
                                 "figure saved as a PNG at figure_path": False,
                                 "residual error in [0, 2], x^2": False}),
    "l3_text": ("ok", 2, 3, {"has a recurrent layer (memory)": False}),
    "l4_normalisation_loss": ("ok", 1, 3, {"adds the penalty when not normalised": False}),
    "l4_structured_net": ("ok", 1, 4, {"learned g as least squares finds it": False,
                                       "learned v0 as least squares finds it": False,
                                       "extrapolation to [5, 8] s vs a dense network": False}),
    # structured, but with the course's published constants frozen in: g and v0 are wrong
    # for the drawn throw; its heights do follow its formula, and even with constants a few
    # percent off a formula extrapolates far better than the dense network (18x here)
    "l4_structured_net_published": ("ok", 2, 4, {
        "maps t (batch, 1) to x (batch, 1)": True,
        "learned g as least squares finds it": False,
        "learned v0 as least squares finds it": False,
        "extrapolation to [5, 8] s vs a dense network": True}),
    "l5_genetic_trainer": ("ok", 1, 5, {"iris test accuracy": False,
                                        "tournament selection favours the fit": False}),
    # the old operator inputs' answers typed in, a working evolve()
    "l5_genetic_trainer_hardcoded": ("ok", 2, 5, {
        "tournament selection favours the fit": False,
        "crossover takes genes from both parents": False, "mutation rate and size": False,
        "iris test accuracy": True, "time to train": True}),
}
# A fixed grading key (in the grader's $XDG_CONFIG_HOME, never in a jail), so the drawn
# cases, and with them the exact scores above, are the same on every machine.
KEY = bytes(range(32))


def _exercise(stem: str) -> str:
    lecture, rest = stem.split("_", 1)
    ids = {e.id for e in catalog.exercises()}
    return next(f"{lecture}.{rest[:n]}" for n in range(len(rest), 0, -1)
                if f"{lecture}.{rest[:n]}" in ids)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Every hostile file graded through the jails (one warm measuring process, quick)."""
    config = tmp_path_factory.mktemp("config")
    (config / "aml").mkdir()
    (config / "aml" / "grading.key").write_bytes(KEY)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AML_GRADING_TEXTS", "synthetic")  # reaches both jails
        patch.setenv("XDG_CONFIG_HOME", str(config))
        exercises = {stem: catalog.get(_exercise(stem), kind="exercise") for stem in EXPECTED}
        measurer = Measurer(next(iter(exercises.values())), None)
        try:
            outcomes = {}
            for stem, exercise in exercises.items():
                measurer.use(exercise)
                outcomes[stem] = grade_submission(
                    exercise, CORPUS / f"{stem}.py", measurer, quick=True,
                    limits=Limits(timeout_s=300))
        finally:
            measurer.close()
    return outcomes


@pytest.mark.parametrize("stem", sorted(EXPECTED))
def test_a_forging_submission_gets_its_honest_score(graded, stem):
    status, score, maximum, why = EXPECTED[stem]
    outcome = graded[stem]
    checks = {c["key"]: c for c in outcome.checks}
    assert (outcome.status, outcome.score, outcome.max_score) == (status, score, maximum), \
        (outcome.detail, [(c["key"], c["passed"], c["measured"]) for c in outcome.checks])
    assert {name: checks[name]["passed"] for name in why} == why
    assert UNTRUSTED_NOTE not in outcome.detail and outcome.isolation.startswith("bwrap")


def test_the_lies_are_named(graded):
    compare = {c["key"]: c for c in graded["l2_compare"].checks}
    assert compare["figure saved as a PNG at figure_path"]["measured"] == \
        "6008 bytes, not a PNG"
    net = {c["key"]: c for c in graded["l4_structured_net"].checks}
    assert net["extrapolation to [5, 8] s vs a dense network"]["measured"].startswith(
        "heights differ from v0 t - g t^2/2 by")
    genetic = {c["key"]: c for c in graded["l5_genetic_trainer"].checks}
    assert genetic["iris test accuracy"]["measured"] < 0.5  # a zero network, not the forged 1
    # the time is the jail's wall clock as the grader took it, not the student's own clock
    assert genetic["time to train"]["passed"] is True
    assert genetic["time to train"]["target"].endswith("s (the whole run, start-up included)")
    assert 0 < genetic["time to train"]["measured"] <= graded["l5_genetic_trainer"].seconds
