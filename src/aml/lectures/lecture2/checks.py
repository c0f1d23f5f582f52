"""Checks of the lecture 2 exercises: the residual ODE solver, the supervised fit, and the
comparison outside the training range. Contracts are in each solution's module docstring
(src/aml/lectures/lecture2/solutions/) and in the templates under exercises/lecture2/.

Split (see aml.sandbox.protocol):
- l2.residual and l2.supervised: the jail trains the student's networks (the student's loss
  or train() is student code, so training can only happen there) and returns each trained
  network as its Keras configuration and weights. The measuring side rebuilds every network
  from Keras's own layers, checks its shape, and computes the max error against the exact
  solution itself. The residual loss's values on three networks whose losses are known in
  closed form (cases drawn from the grader's secret for each run, so typed-in answers earn
  nothing) are the student's function's output, compared here with values computed here;
  if they are wrong nothing is trained. Trusted from the jail: that the networks were
  trained as the contract says (a file could train them some other way, e.g. on the exact
  solution: the error is still that of the network it hands in).
- l2.compare: the measuring side trains the reference models once and hands their weights
  in; the jail calls compare() on them (NumPy, no Keras) and returns its numbers and the
  figure's bytes. Every expected number is computed here from the same weights; the figure
  is checked here as a PNG.
"""

from __future__ import annotations

import math
import struct
import tempfile
from pathlib import Path

import numpy as np

from aml.grading.checks import (
    INVALID,
    CheckResult,
    SubmissionError,
    against,
    call_student,
    read_specs,
    target_of,
)
from aml.sandbox.protocol import ArtifactError, Checker

read_specs()  # the targets this module grades against, fixed before student code runs

QUICK_STEPS = 600           # quick checks cap the Adam steps and the L-BFGS iterations
QUICK_LBFGS = 150
SETTINGS = ("points", "steps", "learning_rate", "final_learning_rate", "lbfgs_steps")
DOMAIN = (0, 2)  # every equation is solved on x in [0, 2]


def _before_student_code() -> None:
    """L-BFGS limits BLAS threads through threadpoolctl, which opens the BLAS libraries; the
    sandbox imports this module before the student's code runs, when that is still allowed."""
    from aml.training.full_batch import blas_threads

    blas_threads()


_before_student_code()


def _key(name: str) -> str:
    """An equation's name as a bundle entry name ("x^2-2x" -> "x2-2x")."""
    return name.replace("^", "")


def _equations() -> dict:
    from aml.data.ode import EQUATIONS

    return EQUATIONS


# ---- the student's side of l2.residual and l2.supervised -------------------------------------

def _student_network(module, record, name: str):
    """The student's network for one equation, recorded; None when it cannot be trained
    (not a keras.Model, or not (batch, 1) -> (batch, 1): the measuring side says why)."""
    import keras

    model = call_student(module, "build_network")
    record.value("returned", type(model).__name__)
    if not isinstance(model, keras.Model):
        return None
    try:
        shape = tuple(np.shape(model(np.zeros((3, 1), dtype="float32"))))
    except Exception as err:  # noqa: BLE001
        record.value(f"call_error.{_key(name)}", f"fails on a (3, 1) input: {err}"[:120])
        return None
    if shape != (3, 1):
        record.model(f"net.{_key(name)}", model)  # the measuring side finds the shape
        return None
    return model


def loss_inputs(quick: bool, seed: int, secret: int) -> dict:
    """Cases of the residual loss drawn from the run's secret: x0, u0, 32 points in
    [x0, x0 + 2] and the coefficients of each case's network and right-hand side."""
    rng = np.random.default_rng(secret)
    x0 = rng.uniform(-1, 1)
    points = np.sort(rng.uniform(x0, x0 + 2, 32)).reshape(-1, 1)
    return {"loss.points": points,
            "loss.coefficients": np.array([x0, rng.uniform(-2, 2),
                                           *rng.uniform(-3, 3, _COEFFICIENTS)])}


_COEFFICIENTS = 7  # a1 c1 | a2 b2 c2 | p q (case 3 reuses case 2's right-hand side)


def _loss_cases(inputs: dict):
    """Three networks whose residual loss is known exactly, for the drawn x0, u0, points:
    - du/dx = a1 x + c1 and its exact solution: NN(x) = c1 + a1 (x + x0) / 2, loss 0;
    - NN = 0 with f(x, u) = a2 x + b2 u + c2: g = u0, dg/dx = 0, loss = mean f(x, u0)^2;
    - NN(x) = p x + q with the same f: dg/dx = NN + (x - x0) p, and f takes g, not NN.
    Returns (x0, u0, points, [(name, network, rhs, expected loss, hint)])."""
    x0, u0, a1, c1, a2, b2, c2, p, q = (float(v) for v in inputs["loss.coefficients"])
    x = inputs["loss.points"].astype("float64")
    g3 = u0 + (x - x0) * (p * x + q)
    residual3 = (p * x + q + (x - x0) * p) - (a2 * x + b2 * g3 + c2)
    cases = (
        ("residual_loss is 0 for an exact solution (drawn du/dx = a x + c)",
         lambda t: c1 + 0.5 * a1 * (t + x0), lambda t, u: a1 * t + c1, 0.0,
         "g(x) = u0 + (x - x0)·network(x); the residual is dg/dx - f(x, g): check both"),
        ("residual_loss of NN = 0 is the mean of f(x, u0)^2 (g = u0, dg/dx = 0)",
         lambda t: 0.0 * t, lambda t, u: a2 * t + b2 * u + c2,
         float(np.mean((a2 * x + b2 * u0 + c2) ** 2)),
         "square the residual at every point, then take the mean (ops.mean) over them"),
        ("residual_loss of a linear NN (drawn f(x, u) = a x + b u + c)",
         lambda t: p * t + q, lambda t, u: a2 * t + b2 * u + c2,
         float(np.mean(residual3 ** 2)),
         "differentiate the whole trial solution g (value_and_slope(trial, x)) and pass g, "
         "not NN, to f"))
    return x0, u0, inputs["loss.points"], cases


def _student_losses(module, inputs: dict) -> list[float]:
    from keras import ops

    from aml.models.curve import default_dtype

    x0, u0, points, cases = _loss_cases(inputs)
    x = ops.convert_to_tensor(points, dtype=default_dtype())
    values = []
    for _, network, rhs, _, _ in cases:
        value = call_student(module, "residual_loss", network, rhs, x, x0, u0)
        try:
            values.append(float(ops.convert_to_numpy(value)))
        except (TypeError, ValueError):
            raise SubmissionError("residual_loss() must return one number (a scalar tensor), "
                                  f"got {type(value).__name__} of shape "
                                  f"{getattr(value, 'shape', '?')}; end with ops.mean(...)") \
                from None
    return values


def _losses_right(losses, expected: list[float]) -> bool:
    from aml.models.curve import default_dtype

    tolerance = 1e3 * float(np.finfo(default_dtype()).eps)
    return isinstance(losses, list) and len(losses) == len(expected) and all(
        isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
        and abs(value - truth) <= tolerance * max(1.0, truth)
        for value, truth in zip(losses, expected))


def _slope_scale(eq, points: int, dtype) -> float:
    """s = max|f(x, u0)| over the collocation points (at least 1): the trial solution is
    u0 + (x - x0)·s·NN(t), so NN learns numbers of order one."""
    from keras import ops

    from aml.training.residual import as_rhs, collocation_points

    x = ops.convert_to_tensor(collocation_points(DOMAIN, points), dtype)
    rhs = as_rhs(eq.rhs)
    return max(1.0, float(np.max(np.abs(ops.convert_to_numpy(rhs(x, x * 0 + eq.u0))))))


def _solve_with_loss(loss, eq, model, settings: dict) -> None:
    """Train the trial solution on the student's loss as solve_ode trains its own: inputs
    mapped onto [-1, 1] and NN's output scaled by s (the loss divided by s^2, so the numbers
    the optimiser sees are the same), Adam then L-BFGS."""
    from keras import ops

    from aml.training.full_batch import minimise
    from aml.training.residual import as_rhs, collocation_points

    if not model.built:
        model(np.zeros((1, 1), dtype="float32"))
    dtype = model.trainable_variables[0].dtype
    x0, x1 = (float(v) for v in DOMAIN)  # the student's loss gets x0 as a float
    x = ops.convert_to_tensor(collocation_points(DOMAIN, settings.get("points", 64)), dtype)
    rhs = as_rhs(eq.rhs)
    scale = _slope_scale(eq, settings.get("points", 64), dtype)

    def loss_fn(call):
        def network(points):
            return scale * call((points - x0) * (2.0 / (x1 - x0)) - 1.0)

        return loss(network, rhs, x, x0, eq.u0) / scale ** 2

    options = {k: settings[k] for k in settings if k != "points"}
    minimise(model, loss_fn, **{"steps": 2000, "lbfgs_steps": 1000, **options})


def produce_residual(module, inputs, record, quick: bool) -> None:
    """The loss on the two known cases; then, if the settings are usable, one network per
    equation trained on the student's loss, recorded after training."""
    losses = _student_losses(module, inputs)
    record.value("losses", losses)
    if not _losses_right(losses, [case[3] for case in _loss_cases(inputs)[3]]):
        return  # nothing is trained on a wrong loss (the measuring side says which case)
    settings = call_student(module, "hyperparameters")
    record.value("settings", settings)
    if _unknown_settings(settings) != []:
        return
    if quick:
        settings = {**settings, "steps": min(settings.get("steps", 2000), QUICK_STEPS),
                    "lbfgs_steps": min(settings.get("lbfgs_steps", 500), QUICK_LBFGS)}
    for name, eq in _equations().items():
        model = _student_network(module, record, name)
        if model is None:
            return
        try:
            _solve_with_loss(module.residual_loss, eq, model, settings)
        except Exception as err:  # noqa: BLE001 - the student's loss runs in here
            raise SubmissionError(f"training on your residual_loss failed: "
                                  f"{type(err).__name__}: {str(err)[:160]}") from None
        record.model(f"net.{_key(name)}", model)


def produce_supervised(module, inputs, record, quick: bool) -> None:
    """The student's network trained by the student's train() on each solution's samples."""
    for name in _equations():
        model = _student_network(module, record, name)
        if model is None:
            return
        call_student(module, "train", model, inputs[f"x.{_key(name)}"].copy(),
                     inputs[f"u.{_key(name)}"].copy())
        record.model(f"net.{_key(name)}", model)


def supervised_inputs(quick: bool, seed: int) -> dict:
    """The training samples (x, u) of each exact solution: the data train() fits."""
    from aml.data import load

    made = {}
    for name in _equations():
        x, u = load("ode", equation_name=name, n=200, seed=0)
        made[f"x.{_key(name)}"], made[f"u.{_key(name)}"] = x, u
    return made


# ---- the measuring side of l2.residual and l2.supervised -------------------------------------

def _unknown_settings(settings) -> list | None:
    """The keys of hyperparameters() that are not settings; None when it is not a dict."""
    if not isinstance(settings, dict):
        return None
    return sorted(str(k) for k in set(settings) - set(SETTINGS))


def _max_error(u_fn, exact) -> float:
    x = np.linspace(*DOMAIN, 200)
    return float(np.max(np.abs(np.asarray(u_fn(x)).reshape(-1) - exact(x))))


def _accuracy_check(exercise: str, name: str, error, quick: bool,
                    hint: str) -> CheckResult:
    shown = float(f"{error:.3g}") if isinstance(error, float) and math.isfinite(error) \
        else error
    return against(f"du/dx = {name}: max |u_NN - u_exact| on [0, 2]", shown,
                   target_of(exercise, "max_error"), quick, hint)


def _rebuilt_networks(art) -> tuple[dict, list[CheckResult]]:
    """Each equation's trained network rebuilt here, and the shape check of the first one
    (or the failed check that says why there is none)."""
    models = {}
    shape_name = "network maps (batch, 1) to (batch, 1)"
    shape_target, shape_hint = ("(3, 1) for 3 points",
                                "take one input feature (keras.Input((1,))) and end with "
                                "Dense(1)")
    first = _key(next(iter(_equations())))
    if not art.has(f"net.{first}") and not art.value(f"call_error.{first}"):
        returned = art.value("returned", "nothing")
        return {}, [CheckResult("build_network() returns a keras.Model", False, returned,
                                "keras.Model", "return the model at the end of "
                                "build_network(), e.g. `return model`")]
    for name in _equations():
        key = _key(name)
        if art.value(f"call_error.{key}"):
            return models, [CheckResult(shape_name, False, art.value(f"call_error.{key}"),
                                        shape_target, shape_hint)]
        if not art.has(f"net.{key}"):
            break
        try:
            model = art.model(f"net.{key}")
        except ArtifactError as err:
            return models, [CheckResult(shape_name, False, str(err)[:160], shape_target,
                                        "use Keras's own layers (Dense, Rescaling, ...): "
                                        "the grader rebuilds your trained network from its "
                                        "saved configuration and weights")]
        try:
            shape = tuple(np.shape(model(np.zeros((3, 1), dtype="float32"))))
        except Exception as err:  # noqa: BLE001 - a rebuilt network that cannot be called
            shape = f"fails on a (3, 1) input: {err}"[:120]
        if shape != (3, 1):
            return models, [CheckResult(shape_name, False, str(shape), shape_target,
                                        shape_hint)]
        models[name] = model
    return models, [CheckResult(shape_name, True, "(3, 1)", shape_target, shape_hint)]


def measure_residual(art, quick: bool) -> list[CheckResult]:
    """The loss's values against the known ones, the settings, then each trained network's
    trial solution evaluated here against the exact solution."""
    from aml.training.residual import ODEPiece

    losses = art.value("losses")
    cases = _loss_cases(art.inputs)[3]
    if not (isinstance(losses, list) and len(losses) == len(cases)):
        raise ArtifactError("the residual loss's values did not come back")
    results = []
    for value, (name, _, _, expected, hint) in zip(losses, cases):
        number = value if isinstance(value, (int, float)) and not isinstance(value, bool) \
            else None
        results.append(CheckResult(name, _losses_right([value], [expected]),
                                   float(f"{number:.6g}") if number is not None
                                   and math.isfinite(number) else str(value)[:40],
                                   f"{expected:.6g}", hint,
                                   status="" if number is None or math.isfinite(number)
                                   else INVALID))
    if not all(r.passed for r in results):
        return results
    settings = art.value("settings")
    unknown = _unknown_settings(settings)
    results.append(CheckResult("hyperparameters() returns training settings",
                               unknown == [], unknown if unknown else
                               ("ok" if unknown == [] else type(settings).__name__),
                               f"a dict with keys among {', '.join(SETTINGS)}",
                               "return e.g. {'steps': 2000, 'learning_rate': 0.01}"))
    if unknown != []:
        return results
    points = settings.get("points", 64)
    if isinstance(points, bool) or not isinstance(points, int) or not 2 <= points <= 10**5:
        raise ArtifactError(f"hyperparameters()['points'] = {points!r} is not a usable "
                            "number of points")
    models, shape_check = _rebuilt_networks(art)
    results += shape_check
    for name, eq in _equations().items():
        if name not in models:
            return results
        model = models[name]
        dtype = model.trainable_variables[0].dtype if model.trainable_variables else "float32"
        piece = ODEPiece(model, np.array([eq.u0]), DOMAIN,
                         np.array([_slope_scale(eq, points, dtype)]))
        results.append(_accuracy_check(
            "l2.residual", name, _max_error(lambda x, p=piece: p.values(x)[:, 0], eq.exact),
            quick, "more Adam steps or L-BFGS iterations, a wider tanh network, or float64 "
            "layers (dtype='float64') take the error down"))
    return results


def measure_supervised(art, quick: bool) -> list[CheckResult]:
    """Each trained network rebuilt here and compared with the exact solution."""
    models, results = _rebuilt_networks(art)
    for name, eq in _equations().items():
        if name not in models:
            return results

        def predict(values, model=models[name]):
            return np.asarray(model(values.reshape(-1, 1).astype("float32")), dtype="float64")

        results.append(_accuracy_check(
            "l2.supervised", name, _max_error(predict, eq.exact), quick,
            "train on full batches for longer with a decaying learning rate, or polish with "
            "L-BFGS (aml.training.full_batch.minimise); float64 layers help"))
    return results


check_residual = Checker(produce_residual, measure_residual, loss_inputs,
                         description="the residual loss and the ODEs trained on it")
check_supervised = Checker(produce_supervised, measure_supervised, supervised_inputs,
                           description="three ODE solutions fitted by regression")


# ---- l2.compare ------------------------------------------------------------------------------

METHODS = ("residual", "supervised")
WHERE = {"in": "in [0, 2]", "out": "in (2, 5]"}
LAYERS = 3  # the reference networks: tanh, tanh, linear (aml.models.curve.mlp)


def _reference_models(quick: bool) -> dict:
    """For each equation, a residual-trained and a supervised model, trained on [0, 2]."""
    from aml.lectures.lecture2.odes import NAMES, ODEConfig, fit_supervised, solve_residual

    config = ODEConfig.quick() if quick else ODEConfig()
    return {name: {"residual": solve_residual(name, config),
                   "supervised": fit_supervised(name, config)} for name in NAMES}


def compare_inputs(quick: bool, seed: int) -> dict:
    """The reference models as arrays: each network's kernels and biases, and for the
    residual ones (u0, s) of u(x) = u0 + x·s·NN(x - 1)."""
    from aml.backend import seed_everything

    seed_everything(seed)
    made = {}
    for name, pair in _reference_models(quick).items():
        for method, solution in pair.items():
            weights = [np.asarray(w, dtype="float64") for w in solution.model.get_weights()]
            if len(weights) != 2 * LAYERS:
                raise ValueError(f"the {method} reference of {name} is not a 3-layer network")
            for index, array in enumerate(weights):
                made[f"{_key(name)}.{method}.{index}"] = array
            made[f"{_key(name)}.{method}.affine"] = np.asarray(
                [_equations()[name].u0, solution.scale] if method == "residual" else [0.0, 0.0])
    return made


def curve(arrays: dict, name: str, method: str):
    """u(x) of one reference model from its arrays, in NumPy: x in [0, 2] mapped onto
    [-1, 1], tanh layers, a linear output; the residual trial solution around it. Both sides
    use this function, so the student's compare() and the expected numbers see one model."""
    weights = [arrays[f"{_key(name)}.{method}.{i}"] for i in range(2 * LAYERS)]
    u0, scale = (float(v) for v in arrays[f"{_key(name)}.{method}.affine"])

    def u(x):
        x = np.asarray(x, dtype="float64")
        h = (x.reshape(-1, 1) - DOMAIN[0]) * (2.0 / (DOMAIN[1] - DOMAIN[0])) - 1.0
        for layer in range(LAYERS):
            h = h @ weights[2 * layer] + weights[2 * layer + 1]
            if layer < LAYERS - 1:
                h = np.tanh(h)
        out = h.reshape(x.shape)
        return u0 + (x - DOMAIN[0]) * scale * out if method == "residual" else out

    return u


def _grids():
    return {"in": np.linspace(0.0, 2.0, 200), "out": np.linspace(2.0, 5.0, 301)[1:]}


def _expected(arrays: dict) -> dict:
    exact = {name: eq.exact for name, eq in _equations().items()}
    return {name: {method: {where: float(np.max(np.abs(curve(arrays, name, method)(x)
                                                        - exact[name](x))))
                            for where, x in _grids().items()}
                   for method in METHODS} for name in _equations()}


def produce_compare(module, inputs, record, quick: bool) -> None:
    """The student's compare() on the reference models; its numbers and the figure's bytes."""
    models = {name: {method: curve(inputs, name, method) for method in METHODS}
              for name in _equations()}
    with tempfile.TemporaryDirectory() as folder:
        figure = Path(folder) / "compare.png"
        reported = call_student(module, "compare", models, str(figure))
        data = figure.read_bytes()[:MAX_FIGURE] if figure.is_file() else b""
    record.value("returned", type(reported).__name__)
    record.array("figure", np.frombuffer(data, dtype=np.uint8))
    if not isinstance(reported, dict):
        return
    numbers = {}
    for name in _equations():
        for method in METHODS:
            for where in WHERE:
                try:
                    got = reported[name][method][where]
                    got = float(got) if not isinstance(got, (bool, str)) else None
                except (KeyError, TypeError, IndexError, ValueError, OverflowError):
                    got = None
                numbers[f"{name}|{method}|{where}"] = got
    better = reported.get("better_outside")
    record.value("reported", {"numbers": numbers,
                              "better_outside": better if isinstance(better, str) else None})


MAX_FIGURE = 20 * 2**20


def png_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from a PNG's header chunk; None when the bytes are not a PNG."""
    if len(data) < 24 or not data.startswith(b"\x89PNG\r\n\x1a\n") or data[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", data[16:24])


def _close(a, b, tolerance: float) -> bool:
    return (isinstance(a, (int, float)) and math.isfinite(a)
            and abs(a - b) <= tolerance * abs(b) + 1e-9)


def measure_compare(art, quick: bool) -> list[CheckResult]:
    """The reported numbers against numbers computed here from the same weights, the
    conclusion, and the figure's bytes."""
    tolerance = target_of("l2.compare", "reported_error_relative_deviation").threshold_for(quick)
    expected = _expected(art.inputs)
    reported = art.value("reported")
    is_dict = isinstance(reported, dict) and isinstance(reported.get("numbers"), dict)
    results = [CheckResult("compare() returns a dict", is_dict,
                           art.value("returned", "nothing"), "dict",
                           "return {name: {method: {'in': ..., 'out': ...}}, "
                           "'better_outside': ...}")]
    if not is_dict:
        return results
    for name, pair in expected.items():
        for method, errors in pair.items():
            for where, value in errors.items():
                got = reported["numbers"].get(f"{name}|{method}|{where}")
                got = float(f"{got:.4g}") if isinstance(got, (int, float)) and not \
                    isinstance(got, bool) and math.isfinite(got) else got
                results.append(CheckResult(
                    f"{method} error {WHERE[where]}, {name}",
                    _close(got, value, tolerance), got, f"{value:.3g} within {tolerance:.0%}",
                    "the largest |u_fn(x) - exact(x)| on 200 points of [0, 2] or 300 of "
                    "(2, 5]; check the key names and the grid"))
    worst = {m: max(expected[n][m]["out"] for n in expected) for m in METHODS}
    better = min(worst, key=worst.get)
    said = reported.get("better_outside")
    results.append(CheckResult("better_outside names the method that extrapolates better",
                               said == better, said if isinstance(said, str) else None,
                               better, "compare the worst (2, 5] error of each method"))
    data = art.array("figure").astype(np.uint8).tobytes() if art.has("figure") else b""
    size = png_size(data)
    is_png = size is not None and len(data) > 5000 and min(size) >= 100
    results.append(CheckResult("figure saved as a PNG at figure_path", is_png,
                               (f"{len(data)} bytes" + (f", {size[0]}x{size[1]}" if size
                                                        else ", not a PNG"))
                               if data else "no file", "a PNG image",
                               "call fig.savefig(figure_path) (a .png path is given)"))
    return results


# The student's side needs NumPy and matplotlib only: the models are handed in as arrays.
check_compare = Checker(produce_compare, measure_compare, compare_inputs, keras=False,
                        description="residual vs supervised outside the training range")
