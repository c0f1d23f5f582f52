"""A NumPy-only exercise for grading tests: fit a straight line (no Keras, so a jailed
check starts in a fraction of a second).

Contract for a student file: `fit_line(x, y) -> (slope, intercept)` and
`predict(x, slope, intercept) -> array of one value per x`.
The student's side gets the training points and the test inputs; the test targets stay on
the measuring side, which computes R² itself.
"""

from __future__ import annotations

import numpy as np

from aml.catalog import Exercise
from aml.grading.checks import INVALID, CheckResult, call_student, checked_array, tiered
from aml.sandbox.protocol import Checker

EXERCISE = Exercise("t.line", 0, "Fit a straight line", "line/line.py", "line/line.py",
                    "grading_fixture:LINE")
R2_TIERS = (0.5, 0.9, 0.99)


def _data(seed: int):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, 200)
    return x, 2.5 * x - 1.0 + rng.normal(0, 0.05, 200)


def line_inputs(quick: bool, seed: int) -> dict:
    x, y = _data(0)
    x_test, _ = _data(1)
    return {"x": x, "y": y, "x_test": x_test}


def produce_line(module, inputs, record, quick: bool) -> None:
    params = call_student(module, "fit_line", inputs["x"].copy(), inputs["y"].copy())
    parts = list(params) if isinstance(params, (tuple, list)) and len(params) == 2 else None
    try:
        numbers = [float(p) for p in parts] if parts else None
    except (TypeError, ValueError, OverflowError):
        numbers = None
    record.value("params", numbers if numbers else repr(params)[:80])
    if numbers is None:
        return
    predicted = call_student(module, "predict", inputs["x_test"].copy(), *numbers)
    array, problem = checked_array(predicted, (None,) * np.ndim(predicted))
    if array is None:
        record.value("predicted_problem", problem)
    else:
        record.array("predicted", array)


def measure_line(art, quick: bool) -> list[CheckResult]:
    """Two contract checks, then the held-out R² as three tiers."""
    _, y_test = _data(1)
    params = art.value("params")
    ok = isinstance(params, list) and len(params) == 2 and all(
        isinstance(p, (int, float)) and np.isfinite(p) for p in params)
    results = [CheckResult("fit_line returns two finite numbers", ok,
                           params if ok else str(params)[:80], "(slope, intercept)",
                           "return slope, intercept as floats", status="" if ok else INVALID)]
    if not ok:
        return results + tiered("held-out R2", None, R2_TIERS, hint="fix fit_line first")
    problem = art.value("predicted_problem")
    predicted = None
    if problem is None:
        predicted, problem = checked_array(art.array("predicted"), (len(y_test),))
    results.append(CheckResult("predict returns one finite value per input", predicted is not None,
                               problem or "ok", f"shape ({len(y_test)},)",
                               "return slope * x + intercept", status=INVALID if problem else ""))
    if predicted is None:
        return results + tiered("held-out R2", None, R2_TIERS, hint="fix predict first")
    r2 = 1 - np.sum((y_test - predicted) ** 2) / np.sum((y_test - y_test.mean()) ** 2)
    return results + tiered("held-out R2", round(float(r2), 4), R2_TIERS,
                            hint="least squares gives 0.999")


LINE = Checker(produce_line, measure_line, line_inputs, keras=False)

COIN = Exercise("t.coin", 0, "Call forty coin flips", "coin/coin.py", "coin/coin.py",
                "grading_fixture:COIN_CHECKER")
_FLIPS = 40


def produce_coin(module, inputs, record, quick: bool) -> None:
    calls, problem = checked_array(call_student(module, "calls", _FLIPS), (_FLIPS,))
    if calls is None:
        record.value("problem", problem)
    else:
        record.array("calls", calls)


def measure_coin(art, quick: bool) -> list[CheckResult]:
    """`calls(n)` -> n numbers, > 0.5 meaning heads; scored here against 40 fixed flips the
    student's side never sees. A student guessing at random lands near the 0.5 target, by
    the luck of the seed."""
    flips = np.random.default_rng(123).integers(0, 2, _FLIPS)
    calls, problem = checked_array(art.array("calls"), (_FLIPS,)) if art.has("calls") \
        else (None, str(art.value("problem", "no calls came back")))
    if calls is None:
        return [CheckResult("calls accuracy", False, problem, ">= 0.5", "return 40 numbers",
                            status=INVALID, n=_FLIPS)]
    accuracy = float(np.mean((calls > 0.5) == flips))
    return [CheckResult("calls accuracy", accuracy >= 0.5, round(accuracy, 4), ">= 0.5",
                        "call heads more often", n=_FLIPS)]


COIN_CHECKER = Checker(produce_coin, measure_coin, None, keras=False)
