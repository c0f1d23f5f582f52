"""Checks of the lecture 2 exercises: broken files get hints, the measuring side computes
what it scores, and the templates are generated from the solutions (the references' full
marks are asserted in the real jail: tests/test_sandbox_references.py)."""

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


def test_residual_check_explains_a_wrong_network_and_bad_settings():
    from aml.scratch.residual import residual_loss

    wrong = types.SimpleNamespace(
        residual_loss=residual_loss,
        build_network=lambda: keras.Sequential([keras.Input((1,)), keras.layers.Dense(2)]),
        hyperparameters=lambda: {"steps": 10})
    results = lecture2.check_residual(wrong, quick=True)
    assert [r.passed for r in results[:4]] == [True] * 4  # loss and settings fine
    assert not results[-1].passed and "Dense(1)" in results[-1].hint
    typo = types.SimpleNamespace(residual_loss=residual_loss, build_network=wrong.build_network,
                                 hyperparameters=lambda: {"step": 10})
    assert lecture2.check_residual(typo)[3].measured == ["step"]


def _losses():
    """Mistakes a student may make in the residual loss, each with what it computes."""
    from keras import ops

    from aml.scratch.residual import value_and_slope

    def no_trial(network, f, x, x0, u0):  # trains NN itself: misses the initial condition
        u, du = value_and_slope(network, x)
        return ops.mean(ops.square(du - f(x, u)))

    def not_squared(network, f, x, x0, u0):
        g, dg = value_and_slope(lambda p: u0 + (p - x0) * network(p), x)
        return ops.mean(dg - f(x, g))

    def per_point(network, f, x, x0, u0):
        g, dg = value_and_slope(lambda p: u0 + (p - x0) * network(p), x)
        return ops.square(dg - f(x, g))

    def network_in_f(network, f, x, x0, u0):  # f(x, NN) where f(x, g) is meant
        g, dg = value_and_slope(lambda p: u0 + (p - x0) * network(p), x)
        return ops.mean(ops.square(dg - f(x, network(x))))

    return {"no_trial": no_trial, "not_squared": not_squared, "per_point": per_point,
            "network_in_f": network_in_f}


@pytest.mark.parametrize("mistake, failed_check", [
    ("no_trial", "residual_loss is 0 for an exact solution (drawn du/dx = a x + c)"),
    ("not_squared", "residual_loss of NN = 0 is the mean of f(x, u0)^2 (g = u0, dg/dx = 0)"),
    ("network_in_f", "residual_loss of a linear NN (drawn f(x, u) = a x + b u + c)")])
def test_a_wrong_residual_loss_is_named_before_any_training(mistake, failed_check):
    module = types.SimpleNamespace(residual_loss=_losses()[mistake],
                                   hyperparameters=lambda: 1 / 0)  # never reached
    results = lecture2.check_residual(module, quick=True)
    assert failed_check in {r.name for r in results if not r.passed}
    assert len(results) == 3 and all(r.hint for r in results if not r.passed)


def test_a_loss_that_is_not_one_number_is_a_one_line_error():
    module = types.SimpleNamespace(residual_loss=_losses()["per_point"])
    with pytest.raises(SubmissionError, match="must return one number.*ops.mean"):
        lecture2.check_residual(module, quick=True)


def test_the_checker_trains_on_the_students_loss(monkeypatch):
    """A loss that ignores f trains to the wrong answer: the check measures the student's
    loss, not a loss of its own."""
    from aml.data import ode
    from aml.scratch.residual import residual_loss

    monkeypatch.setattr(ode, "EQUATIONS", {"2x": ode.EQUATIONS["2x"]})
    monkeypatch.setattr(lecture2, "_losses_right", lambda losses, expected: True)
    solution = _solution("residual")
    flat = types.SimpleNamespace(
        residual_loss=lambda network, f, x, x0, u0: residual_loss(
            network, lambda p, u: 0 * p, x, x0, u0),
        build_network=solution.build_network, hyperparameters=lambda: {"steps": 200,
                                                                      "lbfgs_steps": 50})
    results = lecture2.check_residual(flat, quick=True)
    error = results[-1].measured
    assert not results[-1].passed and error == pytest.approx(4.0, rel=1e-2)  # u = 1, not x^2+1


def test_supervised_check_measures_the_students_training():
    lazy = types.SimpleNamespace(  # a network that is never trained cannot pass
        build_network=lambda: keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)]),
        train=lambda model, x, u: None)
    results = lecture2.check_supervised(lazy, quick=True)
    assert results[0].passed and not any(r.passed for r in results[1:])
    assert all(r.measured > 0.1 for r in results[1:])


def _flat_models(quick):
    """Cheap stand-ins for the trained references: networks of zero weights, so the residual
    model is u = u0 = 1 and the supervised one u = 0 (the residual extrapolates better)."""
    from aml.data.ode import EQUATIONS

    zeros = [np.zeros((1, 32)), np.zeros(32), np.zeros((32, 32)), np.zeros(32),
             np.zeros((32, 1)), np.zeros(1)]
    network = types.SimpleNamespace(get_weights=lambda: zeros)
    return {name: {"residual": types.SimpleNamespace(model=network, scale=3.0),
                   "supervised": types.SimpleNamespace(model=network)} for name in EQUATIONS}


def test_compare_check_reads_numbers_and_figure(monkeypatch):
    monkeypatch.setattr(lecture2, "_reference_models", _flat_models)
    results = lecture2.check_compare(_solution("compare"))
    assert all(r.passed for r in results), [r for r in results if not r.passed]
    assert len(results) == 1 + 12 + 2
    by_name = {r.name: r for r in results}
    # u = 1 against x^3/3 + 1: the largest error in (2, 5] is 125/3, computed on this side
    assert by_name["residual error in (2, 5], x^2"].target == "41.7 within 5%"
    assert by_name["better_outside names the method that extrapolates better"].measured \
        == "residual"

    def lying(models, figure_path):
        return {name: {m: {"in": 0.0, "out": 0.0} for m in pair} for name, pair in
                models.items()} | {"better_outside": "supervised"}

    results = lecture2.check_compare(types.SimpleNamespace(compare=lying))
    failed = {r.name for r in results if not r.passed}
    assert "figure saved as a PNG at figure_path" in failed
    assert "better_outside names the method that extrapolates better" in failed
    assert "supervised error in (2, 5], x^2" in failed


def test_reference_curves_are_the_trained_networks():
    """The NumPy u(x) both sides of l2.compare use equals the Keras solutions it stands for."""
    from aml.models.curve import mlp
    from aml.training.full_batch import fit_curve
    from aml.training.residual import ODEPiece, ODESolution

    network = mlp((32, 32), seed=3, dtype="float64")
    residual = ODESolution([ODEPiece(network, np.array([1.0]), (0.0, 2.0), np.array([4.0]))])
    supervised = fit_curve(np.linspace(0, 2, 20), np.linspace(0, 2, 20) ** 2, (0.0, 2.0),
                           steps=5, lbfgs_steps=0)
    arrays = {"x2.residual.affine": np.array([1.0, 4.0]), "x2.supervised.affine": np.zeros(2)}
    for method, model in (("residual", network), ("supervised", supervised.model)):
        arrays |= {f"x2.{method}.{i}": w for i, w in enumerate(model.get_weights())}
    x = np.linspace(0.0, 5.0, 101)
    for method, solution in (("residual", residual), ("supervised", supervised)):
        np.testing.assert_allclose(lecture2.curve(arrays, "x^2", method)(x), solution(x),
                                   rtol=1e-12, atol=1e-12)


def test_template_is_a_clear_failure_and_up_to_date():
    assert stale_templates() == []
    template = default_exercises_dir() / "lecture2" / "residual.py"
    results = run_check(catalog.get("l2.residual"), template, quick=True)
    assert len(results) == 1 and not results[0].passed
    assert "not written yet" in results[0].hint
    with pytest.raises(SubmissionError, match="define a function"):
        lecture2.check_supervised(types.SimpleNamespace())
