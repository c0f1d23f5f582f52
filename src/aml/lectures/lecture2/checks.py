"""Checks of the lecture 2 exercises: the residual ODE solver, the supervised fit, and the
comparison outside the training range. Contracts are in each solution's module docstring
(src/aml/lectures/lecture2/solutions/) and in the templates under exercises/lecture2/.
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import numpy as np

from aml.grading.checks import (
    CheckResult,
    SubmissionError,
    against,
    call_student,
    read_specs,
    returns_model,
    target_of,
)

read_specs()  # the targets this module grades against, fixed before student code runs

QUICK_STEPS = 600           # quick checks cap the Adam steps and the L-BFGS iterations
QUICK_LBFGS = 150
SETTINGS = ("points", "steps", "learning_rate", "final_learning_rate", "lbfgs_steps")


def _before_student_code() -> None:
    """L-BFGS limits BLAS threads through threadpoolctl, which opens the BLAS libraries; the
    sandbox imports this module before the student's code runs, when that is still allowed."""
    from aml.training.full_batch import blas_threads

    blas_threads()


_before_student_code()


def _network(module) -> tuple[object, CheckResult]:
    """The student's network and a check that it maps (batch, 1) to (batch, 1)."""
    import keras

    model = call_student(module, "build_network")
    if not isinstance(model, keras.Model):
        return None, returns_model(model, "build_network")
    try:
        shape = tuple(np.shape(model(np.zeros((3, 1), dtype="float32"))))
    except Exception as err:  # noqa: BLE001
        shape = f"fails on a (3, 1) input: {err}"[:120]
    ok = shape == (3, 1)
    return (model if ok else None), CheckResult(
        "network maps (batch, 1) to (batch, 1)", ok, str(shape), "(3, 1) for 3 points",
        "take one input feature (keras.Input((1,))) and end with Dense(1)")


def _max_error(u_fn, exact) -> float:
    x = np.linspace(0.0, 2.0, 200)
    return float(np.max(np.abs(np.asarray(u_fn(x)).reshape(-1) - exact(x))))


def _accuracy_check(exercise: str, name: str, error: float, quick: bool,
                    hint: str) -> CheckResult:
    return against(f"du/dx = {name}: max |u_NN - u_exact| on [0, 2]", float(f"{error:.3g}"),
                   target_of(exercise, "max_error"), quick, hint)


def _loss_checks(module) -> list[CheckResult]:
    """The student's residual_loss on two networks whose loss is known exactly: an exact
    solution of du/dx = 2x (NN(x) = x, loss 0) and NN = 0 (g = 1: loss = mean of (2x)^2)."""
    from keras import ops

    from aml.models.curve import default_dtype
    from aml.training.residual import collocation_points

    points = collocation_points((0.0, 2.0), 32)
    x = ops.convert_to_tensor(points, dtype=default_dtype())
    tolerance = 1e3 * float(np.finfo(default_dtype()).eps)
    results = []
    for name, network, expected, hint in (
            ("residual_loss is 0 for an exact solution (du/dx = 2x, NN(x) = x)",
             lambda p: p, 0.0,
             "g(x) = u0 + (x - x0)·network(x); the residual is dg/dx - f(x, g): check both"),
            ("residual_loss of NN = 0 is the mean of f(x)^2 (g = 1, dg/dx = 0)",
             lambda p: 0.0 * p, float(np.mean((2 * points) ** 2)),
             "square the residual at every point, then take the mean (ops.mean) over them")):
        value = call_student(module, "residual_loss", network, lambda p, u: 2 * p, x, 0.0, 1.0)
        try:
            value = float(ops.convert_to_numpy(value))
        except (TypeError, ValueError):
            raise SubmissionError("residual_loss() must return one number (a scalar tensor), "
                                  f"got {type(value).__name__} of shape "
                                  f"{getattr(value, 'shape', '?')}; end with ops.mean(...)") \
                from None
        ok = math.isfinite(value) and abs(value - expected) <= tolerance * max(1.0, expected)
        results.append(CheckResult(name, ok, float(f"{value:.6g}"), f"{expected:.6g}", hint))
    return results


def _solve_with_loss(loss, eq, model, settings: dict):
    """Train the trial solution on the student's loss as solve_ode trains its own: inputs
    mapped onto [-1, 1] and NN's output scaled by s = max|f| (the loss divided by s^2, so
    the numbers the optimiser sees are the same), Adam then L-BFGS."""
    from keras import ops

    from aml.training.full_batch import minimise
    from aml.training.residual import ODESolution, as_rhs, collocation_points

    if not model.built:
        model(np.zeros((1, 1), dtype="float32"))
    dtype = model.trainable_variables[0].dtype
    x0, x1 = 0.0, 2.0
    x = ops.convert_to_tensor(collocation_points((x0, x1), settings.get("points", 64)), dtype)
    rhs = as_rhs(eq.rhs)
    scale = max(1.0, float(np.max(np.abs(ops.convert_to_numpy(rhs(x, x * 0 + eq.u0))))))
    solution = ODESolution(model, eq.u0, (x0, x1), scale=scale)

    def loss_fn(call):
        def network(points):
            return scale * call((points - x0) * (2.0 / (x1 - x0)) - 1.0)

        return loss(network, rhs, x, x0, eq.u0) / scale ** 2

    options = {k: settings[k] for k in settings if k != "points"}
    solution.history = minimise(model, loss_fn, **{"steps": 2000, "lbfgs_steps": 1000,
                                                   **options})
    return solution


def check_residual(module, quick: bool = False) -> list[CheckResult]:
    """The student's loss on known cases, then the three ODEs trained on it."""
    from aml.data.ode import EQUATIONS

    results = _loss_checks(module)
    if not all(r.passed for r in results):
        return results
    settings = call_student(module, "hyperparameters")
    unknown = sorted(set(settings) - set(SETTINGS)) if isinstance(settings, dict) else None
    results.append(CheckResult("hyperparameters() returns training settings",
                               unknown == [], unknown if unknown else "ok",
                               f"a dict with keys among {', '.join(SETTINGS)}",
                               "return e.g. {'steps': 2000, 'learning_rate': 0.01}"))
    if unknown != []:
        return results
    if quick:
        settings = {**settings, "steps": min(settings.get("steps", 2000), QUICK_STEPS),
                    "lbfgs_steps": min(settings.get("lbfgs_steps", 500), QUICK_LBFGS)}
    for name, eq in EQUATIONS.items():
        model, shape_check = _network(module)
        if name == "2x":
            results.append(shape_check)
        if model is None:
            return results
        try:
            solution = _solve_with_loss(module.residual_loss, eq, model, settings)
            error = _max_error(solution, eq.exact)
        except Exception as err:  # noqa: BLE001 - the student's loss runs in here
            raise SubmissionError(f"training on your residual_loss failed: "
                                  f"{type(err).__name__}: {str(err)[:160]}") from None
        results.append(_accuracy_check(
            "l2.residual", name, error, quick, "more Adam steps or L-BFGS iterations, a wider "
            "tanh network, or float64 layers (dtype='float64') take the error down"))
    return results


def check_supervised(module, quick: bool = False) -> list[CheckResult]:
    """Train the student's network with the student's train() on each solution's samples."""
    from aml.data import load
    from aml.data.ode import EQUATIONS

    results = []
    for name, eq in EQUATIONS.items():
        model, shape_check = _network(module)
        if name == "2x":
            results.append(shape_check)
        if model is None:
            return results
        x, u = load("ode", equation_name=name, n=200, seed=0)
        call_student(module, "train", model, x.copy(), u.copy())

        def predict(values, model=model):
            return np.asarray(model(values.reshape(-1, 1).astype("float32")), dtype="float64")

        results.append(_accuracy_check(
            "l2.supervised", name, _max_error(predict, eq.exact), quick,
            "train on full batches for longer with a decaying learning rate, or polish with "
            "L-BFGS (aml.training.full_batch.minimise); float64 layers help"))
    return results


def _reference_models(quick: bool) -> dict:
    """For each equation, a residual-trained and a supervised model, trained on [0, 2]."""
    from aml.lectures.lecture2.odes import NAMES, ODEConfig, fit_supervised, solve_residual

    config = ODEConfig.quick() if quick else ODEConfig()
    return {name: {"residual": solve_residual(name, config),
                   "supervised": fit_supervised(name, config)} for name in NAMES}


def _expected(models: dict) -> dict:
    from aml.data.ode import EQUATIONS

    inside = np.linspace(0.0, 2.0, 200)
    outside = np.linspace(2.0, 5.0, 301)[1:]
    return {name: {method: {"in": float(np.max(np.abs(fn(inside) - EQUATIONS[name].exact(
                                inside)))),
                            "out": float(np.max(np.abs(fn(outside) - EQUATIONS[name].exact(
                                outside))))}
                   for method, fn in pair.items()} for name, pair in models.items()}


def _close(a, b, tolerance: float) -> bool:
    return (isinstance(a, (int, float)) and math.isfinite(a)
            and abs(a - b) <= tolerance * abs(b) + 1e-9)


def check_compare(module, quick: bool = False) -> list[CheckResult]:
    """Give the student trained models; check their numbers, conclusion and figure."""
    tolerance = target_of("l2.compare", "reported_error_relative_deviation").threshold_for(quick)
    models = _reference_models(quick)
    expected = _expected(models)
    with tempfile.TemporaryDirectory() as folder:
        figure = Path(folder) / "compare.png"
        reported = call_student(module, "compare", models, str(figure))
        data = figure.read_bytes() if figure.is_file() else b""
    results = [CheckResult("compare() returns a dict", isinstance(reported, dict),
                           type(reported).__name__, "dict",
                           "return {name: {method: {'in': ..., 'out': ...}}, "
                           "'better_outside': ...}")]
    if not isinstance(reported, dict):
        return results
    for name, pair in expected.items():
        for method, errors in pair.items():
            for where, value in errors.items():
                try:
                    got = reported[name][method][where]
                except (KeyError, TypeError, IndexError):
                    got = None
                got = float(f"{got:.4g}") if isinstance(got, (int, float, np.floating)) else got
                results.append(CheckResult(
                    f"{method} error {'in [0, 2]' if where == 'in' else 'in (2, 5]'}, {name}",
                    _close(got, value, tolerance), got, f"{value:.3g} within {tolerance:.0%}",
                    "the largest |u_fn(x) - exact(x)| on 200 points of [0, 2] or 300 of "
                    "(2, 5]; check the key names and the grid"))
    worst = {m: max(expected[n][m]["out"] for n in expected) for m in ("residual", "supervised")}
    better = min(worst, key=worst.get)
    results.append(CheckResult("better_outside names the method that extrapolates better",
                               reported.get("better_outside") == better,
                               reported.get("better_outside"), better,
                               "compare the worst (2, 5] error of each method"))
    is_png = data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 5000
    results.append(CheckResult("figure saved as a PNG at figure_path", is_png,
                               f"{len(data)} bytes" if data else "no file", "a PNG image",
                               "call fig.savefig(figure_path) (a .png path is given)"))
    return results
