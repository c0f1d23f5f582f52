"""Lecture 1 exercise checks: the reference solutions pass, templates and broken files fail
with a reason a student can act on."""

import pytest

from aml import catalog
from aml.data.iris import linear_baseline
from aml.grading.checks import run_check
from aml.grading.templates import (
    solution_path,
    stale_templates,
    template_from_solution,
)

EXERCISES = ["l1.sequential", "l1.functional", "l1.subclassing"]


def names_failed(results):
    return [r.name for r in results if not r.passed]


@pytest.mark.parametrize("exercise_id", EXERCISES)
def test_reference_solution_passes(exercise_id):
    exercise = catalog.get(exercise_id)
    results = run_check(exercise, solution_path(exercise), quick=True)
    assert names_failed(results) == []
    accuracy = next(r for r in results if r.name == "test accuracy")
    # the bar is Fisher's linear discriminant on the same flowers (seed 0), less the quick
    # configuration's margin of 3 flowers
    linear = linear_baseline(0.2, seed=0).sum()
    assert accuracy.target == f">= {(linear - 3) / 30:.4g}" and accuracy.n == 30
    assert accuracy.measured >= 0.9


@pytest.mark.parametrize("exercise_id", EXERCISES)
def test_untouched_template_is_rejected_with_its_todo(exercise_id, tmp_path):
    exercise = catalog.get(exercise_id)
    path = tmp_path / "template.py"
    path.write_text(template_from_solution(solution_path(exercise).read_text()))
    [result] = run_check(exercise, path, quick=True)
    assert not result.passed
    assert "is not written yet" in result.hint and "\n" not in result.hint


def write(tmp_path, source):
    path = tmp_path / "student.py"
    path.write_text(source)
    return path


BROKEN = {
    "syntax": ("def build_model(:\n", "line 1: syntax error"),
    "import crash": ("import keras\nraise ValueError('boom')\n",
                     "raised ValueError when imported (line 2): boom"),
    "exit": ("import sys\nsys.exit(3)\n", "calls sys.exit()"),
    "missing function": ("x = 1\n", "define a function build_model()"),
    "crash in build": ("def build_model():\n    return 1 / 0\n",
                       "build_model() raised ZeroDivisionError (line 2)"),
}


@pytest.mark.parametrize("case", BROKEN, ids=list(BROKEN))
def test_broken_files_get_one_line_reasons(case, tmp_path):
    source, reason = BROKEN[case]
    [result] = run_check(catalog.get("l1.sequential"), write(tmp_path, source))
    assert not result.passed and reason in result.hint


def test_missing_file_says_how_to_pass_one(tmp_path):
    [result] = run_check(catalog.get("l1.sequential"), tmp_path / "nope.py")
    assert "no file at" in result.hint and "--file" in result.hint


def test_wrong_width_fails_parameters_and_skips_training(tmp_path):
    source = ("import keras\ndef build_model():\n    return keras.Sequential([keras.Input((4,)),"
              " keras.layers.Dense(16, activation='relu'),"
              " keras.layers.Dense(3, activation='softmax')])\n")
    results = run_check(catalog.get("l1.sequential"), write(tmp_path, source))
    failed = names_failed(results)
    assert "parameter count" in failed and "test accuracy" in failed
    count = next(r for r in results if r.name == "parameter count")
    assert count.measured == 4 * 16 + 16 + 16 * 3 + 3


def test_wrong_api_is_named(tmp_path):
    functional = solution_path(catalog.get("l1.functional")).read_text()
    results = run_check(catalog.get("l1.sequential"), write(tmp_path, functional), quick=True)
    assert names_failed(results) == ["built with the sequential API", "test accuracy"]
    api = results[1]
    assert (api.measured, api.target) == ("functional", "sequential")
    assert "training was skipped" in results[-1].hint


def test_committed_templates_are_up_to_date():
    assert stale_templates() == []


def test_template_markers_must_balance():
    with pytest.raises(ValueError, match="never closed"):
        template_from_solution("# BEGIN SOLUTION: x\ncode\n")
    with pytest.raises(ValueError, match="without BEGIN"):
        template_from_solution("# END SOLUTION\n")
