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
    returns_model,
    target_of,
)

QUICK_STEPS = 600           # quick checks cap the Adam steps and the L-BFGS iterations
QUICK_LBFGS = 150
SETTINGS = ("points", "steps", "learning_rate", "final_learning_rate", "lbfgs_steps")


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


def check_residual(module, quick: bool = False) -> list[CheckResult]:
    """Solve the notes' three ODEs with the student's network and settings."""
    from aml.data.ode import EQUATIONS
    from aml.errors import AmlError
    from aml.training.residual import solve_ode

    settings = call_student(module, "hyperparameters")
    unknown = sorted(set(settings) - set(SETTINGS)) if isinstance(settings, dict) else None
    results = [CheckResult("hyperparameters() returns solve_ode settings",
                           unknown == [], unknown if unknown else "ok",
                           f"a dict with keys among {', '.join(SETTINGS)}",
                           "return e.g. {'steps': 2000, 'learning_rate': 0.01}")]
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
            solution = solve_ode(eq.rhs, eq.u0, (0.0, 2.0), model=model, **settings)
            error = _max_error(solution, eq.exact)
        except (AmlError, ValueError, TypeError) as err:
            raise SubmissionError(f"solve_ode could not train your network: {err}") from None
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
