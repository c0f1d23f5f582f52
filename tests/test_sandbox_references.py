"""The self-test of grading: every exercise's reference solution gets full marks from
`aml check` and from `aml grade` in the real jail, on TensorFlow and on JAX (the JAX runs
are marked `backends`: `make test-backends`, not `make test`, runs them).

Each run is the CLI in a fresh process (the backend is chosen per process). The image and
text exercises use the bundled digits and generated texts ($AML_GRADING_* reaches the jails).
"""

import csv
import json
import os
import subprocess
import sys

import pytest

import aml
from aml import catalog
from aml.grading.templates import solution_path
from aml.sandbox.protocol import UNTRUSTED_NOTE
from aml.scratch.params import dense_parameters

pytestmark = pytest.mark.sandbox
ENV = {**os.environ, "PYTHONPATH": aml.SOURCE_ROOT, "AML_GRADING_IMAGES": "digits",
       "AML_GRADING_TEXTS": "synthetic"}


def aml_cli(*args, timeout=1500):
    run = subprocess.run([sys.executable, "-m", "aml", *args], env=ENV, capture_output=True,
                         text=True, timeout=timeout)
    return run.returncode, run.stdout + run.stderr


def _check_all(backend: str) -> None:
    """Every exercise in one `aml check` (one warm measuring process), every score computed
    on the measuring side (no row says it was scored in the student's jail). On the small
    substitute data of the image and text exercises the quick training reaches tier 1, not
    the top of the ladder: there only the first tier is asked for."""
    code, printed = aml_cli("check", "--all", "--reference", "--quick", "--backend", backend)
    assert UNTRUSTED_NOTE not in printed and "scored inside" not in printed
    rows = {line.split()[0]: line.split()[1:] for line in printed.splitlines()
            if line.split()[:1] and line.split()[0] in {e.id for e in catalog.exercises()}}
    for exercise in catalog.exercises():
        score, status, result = rows[exercise.id][:3]
        got, maximum = (float(v) for v in score.split("/"))
        if exercise.id.startswith("l3."):
            assert (status, got >= maximum - 2) == ("ok", True), exercise.id
        else:
            assert (got, status, result) == (maximum, "ok", "pass"), exercise.id
    assert printed.count("PASS  tier 1: test accuracy") == 3, printed[-3000:]
    # the ANN's parameters are counted from its saved weights: 8x8 digits flattened
    assert f"with {dense_parameters([64, 512, 256, 10]):,} parameters" in printed
    misses = [line.strip() for line in printed.splitlines() if "FAIL" in line]
    assert all(line.startswith(("FAIL  tier 2", "FAIL  tier 3", "l3.")) for line in misses), \
        misses
    assert code == (1 if misses else 0)


def test_aml_check_gives_every_reference_full_marks():
    _check_all("tensorflow")


@pytest.mark.backends
def test_aml_check_gives_every_reference_full_marks_on_jax():
    _check_all("jax")


def _grade_reference(exercise, backend: str, tmp_path) -> None:
    subs = tmp_path / exercise.id / "subs"
    subs.mkdir(parents=True)
    (subs / "reference.py").write_bytes(solution_path(exercise).read_bytes())
    out = tmp_path / exercise.id / "grades.csv"
    code, printed = aml_cli("grade", exercise.id, str(subs), "--quick", "--out", str(out),
                            "--backend", backend, "--results", str(tmp_path / "results"))
    assert code == 0, printed[-3000:]
    [row] = list(csv.DictReader(out.open()))
    [record] = json.loads(out.with_suffix(".json").read_text())["students"]
    assert UNTRUSTED_NOTE not in record["detail"], record["detail"]
    assert record["status"] == "ok", (exercise.id, printed)
    if exercise.id.startswith("l3."):  # tier 1 of the ladder on the substitute data
        assert float(row["score"]) >= float(row["max"]) - 2, (exercise.id, printed)
    else:
        assert row["score"] == row["max"], (exercise.id, printed)


def test_aml_grade_gives_the_references_full_marks(tmp_path):
    """`aml grade` on TensorFlow: a model rebuilt and trained on the measuring side (l1) and
    an evolved genome scored there, timed by the grader (l5)."""
    for exercise in [e for e in catalog.exercises() if e.id in (
            "l1.functional", "l5.genetic_trainer")]:
        _grade_reference(exercise, "tensorflow", tmp_path)


@pytest.mark.backends
@pytest.mark.parametrize("exercise_id", [e.id for e in catalog.exercises()])
def test_aml_grade_gives_every_reference_full_marks_on_jax(exercise_id, tmp_path):
    """`aml grade` on JAX, every exercise: both jails run Keras on JAX (a NumPy-only
    student side, l2.compare and l5, is graded with a JAX measuring side)."""
    _grade_reference(catalog.get(exercise_id, kind="exercise"), "jax", tmp_path)


@pytest.mark.backends
@pytest.mark.parametrize("exercise_id", [e.id for e in catalog.exercises()
                                         if e.id not in ("l1.functional", "l5.genetic_trainer")])
def test_aml_grade_gives_every_reference_full_marks_on_tensorflow(exercise_id, tmp_path):
    """`aml grade` on TensorFlow for the exercises `make test` does not grade this way (it
    runs all of them through `aml check`, the same jails, and two through `aml grade`)."""
    _grade_reference(catalog.get(exercise_id, kind="exercise"), "tensorflow", tmp_path)
