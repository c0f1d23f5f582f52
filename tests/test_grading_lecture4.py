"""Lecture 4 exercise checks: wrong answers fail with a hint (the reference solutions' full
marks are asserted in the real jail: tests/test_sandbox_references.py)."""

import pytest

from aml import catalog
from aml.grading.checks import run_check
from aml.grading.templates import solution_path, template_from_solution

EXERCISES = ["l4.normalisation_loss", "l4.structured_net", "l4.regularizer"]


def failed(results):
    return [r.name for r in results if not r.passed]


@pytest.mark.parametrize("exercise_id", EXERCISES)
def test_untouched_template_is_rejected_with_its_todo(exercise_id, tmp_path):
    exercise = catalog.get(exercise_id)
    path = tmp_path / "template.py"
    path.write_text(template_from_solution(solution_path(exercise).read_text()))
    [result] = run_check(exercise, path, quick=True)
    assert not result.passed and "is not written yet" in result.hint


def test_loss_without_tolerance_fails_the_value_check(tmp_path):
    source = ("from keras import ops\n"
              "def normalisation_loss(length, weight=10.0, tolerance=0.01):\n"
              "    def loss(t, p):\n"
              "        v = ops.abs(ops.mean(p) * length - 1.0)\n"
              "        return ops.mean(ops.square(t - p)) + weight * ops.square(v)\n"
              "    return loss\n")
    path = tmp_path / "student.py"
    path.write_text(source)
    results = run_check(catalog.get("l4.normalisation_loss"), path, quick=True)
    assert failed(results) == ["adds the penalty when not normalised",
                               "normalisation error improvement"]
    assert "training was skipped" in results[-1].hint


def test_regularizer_with_other_architecture_is_named(tmp_path):
    path = tmp_path / "student.py"
    path.write_text("import keras\ndef build_model():\n    return keras.Sequential("
                    "[keras.Input((1,)), keras.layers.Dense(4), keras.layers.Dense(1)])\n")
    [result] = run_check(catalog.get("l4.regularizer"), path, quick=True)
    assert result.name == "same architecture (parameter count)" and result.measured == 13
