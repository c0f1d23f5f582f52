"""Checks of the lecture 2 exercises: the reference solutions pass, broken files get hints,
and the templates are generated from the solutions."""

import types

import keras
import numpy as np
import pytest

from aml import catalog
from aml.grading.checks import SubmissionError, load_submission, run_check
from aml.grading.templates import default_exercises_dir, solution_path, stale_templates
from aml.lectures.lecture2 import checks as lecture2


def _solution(name):
    return load_submission(solution_path(catalog.get(f"l2.{name}")))


def test_reference_residual_solution_passes_quick_check(monkeypatch):
    from aml.data import ode

    # one equation keeps the test short; l2.ode_residual's test solves all three
    monkeypatch.setattr(ode, "EQUATIONS", {"x^2": ode.EQUATIONS["x^2"]})
    results = lecture2.check_residual(_solution("residual"), quick=True)
    assert all(r.passed for r in results), [r for r in results if not r.passed]
    errors = [r.measured for r in results if r.name.startswith("du/dx")]
    assert len(errors) == 1 and errors[0] < 1e-2


def test_residual_check_explains_a_wrong_network_and_bad_settings():
    wrong = types.SimpleNamespace(
        build_network=lambda: keras.Sequential([keras.Input((1,)), keras.layers.Dense(2)]),
        hyperparameters=lambda: {"steps": 10})
    results = lecture2.check_residual(wrong, quick=True)
    assert not results[-1].passed and "Dense(1)" in results[-1].hint
    typo = types.SimpleNamespace(build_network=wrong.build_network,
                                 hyperparameters=lambda: {"step": 10})
    assert lecture2.check_residual(typo)[0].measured == ["step"]


def test_supervised_check_measures_the_students_training():
    lazy = types.SimpleNamespace(  # a network that is never trained cannot pass
        build_network=lambda: keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)]),
        train=lambda model, x, u: None)
    results = lecture2.check_supervised(lazy, quick=True)
    assert results[0].passed and not any(r.passed for r in results[1:])
    assert all(r.measured > 0.1 for r in results[1:])


def test_compare_check_reads_numbers_and_figure(monkeypatch):
    from aml.data.ode import EQUATIONS

    def models(quick):  # cheap stand-ins: right inside [0, 2], off beyond it
        return {name: {"residual": lambda x, e=eq: e.exact(x) + 0.01 * np.maximum(x - 2, 0),
                       "supervised": lambda x, e=eq: e.exact(x) + 1e-4 + np.maximum(x - 2, 0)}
                for name, eq in EQUATIONS.items()}

    monkeypatch.setattr(lecture2, "_reference_models", models)
    results = lecture2.check_compare(_solution("compare"))
    assert all(r.passed for r in results), [r for r in results if not r.passed]
    assert len(results) == 1 + 12 + 2

    def lying(models, figure_path):
        return {name: {m: {"in": 0.0, "out": 0.0} for m in pair} for name, pair in
                models.items()} | {"better_outside": "supervised"}

    results = lecture2.check_compare(types.SimpleNamespace(compare=lying))
    failed = {r.name for r in results if not r.passed}
    assert "figure saved as a PNG at figure_path" in failed
    assert "better_outside names the method that extrapolates better" in failed
    assert "supervised error in (2, 5], x^2" in failed


def test_template_is_a_clear_failure_and_up_to_date():
    assert stale_templates() == []
    template = default_exercises_dir() / "lecture2" / "residual.py"
    results = run_check(catalog.get("l2.residual"), template, quick=True)
    assert len(results) == 1 and not results[0].passed
    assert "not written yet" in results[0].hint
    with pytest.raises(SubmissionError, match="define a function"):
        lecture2.check_supervised(types.SimpleNamespace())
