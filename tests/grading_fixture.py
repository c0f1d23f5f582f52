"""A NumPy-only exercise for grading tests: fit a straight line (no Keras, so a sandboxed
check starts in a fraction of a second).

Contract for a student file: `fit_line(x, y) -> (slope, intercept)` and
`predict(x, slope, intercept) -> array of one value per x`.
"""

from __future__ import annotations

import numpy as np

from aml.catalog import Exercise
from aml.grading.checks import (
    INVALID,
    CheckResult,
    call_student,
    checked_array,
    finite_number,
    tiered,
)

NEEDS_KERAS = False
EXERCISE = Exercise("t.line", 0, "Fit a straight line", "line/line.py", "line/line.py",
                    "grading_fixture:check_line")
R2_TIERS = (0.5, 0.9, 0.99)


def _data(seed: int):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, 200)
    return x, 2.5 * x - 1.0 + rng.normal(0, 0.05, 200)


def check_line(module, quick: bool = False) -> list[CheckResult]:
    """Two contract checks, then the held-out R² as three tiers."""
    x, y = _data(0)
    x_test, y_test = _data(1)
    params = call_student(module, "fit_line", x, y)
    parts = list(params) if isinstance(params, (tuple, list)) and len(params) == 2 else None
    numbers = [finite_number(p) for p in parts] if parts else [None]
    ok = None not in numbers
    results = [CheckResult("fit_line returns two finite numbers", ok,
                           numbers if ok else repr(params)[:80], "(slope, intercept)",
                           "return slope, intercept as floats", status="" if ok else INVALID)]
    if not ok:
        return results + tiered("held-out R2", None, R2_TIERS, hint="fix fit_line first")
    predicted, problem = checked_array(call_student(module, "predict", x_test, *numbers),
                                       (len(x_test),))
    results.append(CheckResult("predict returns one finite value per input", predicted is not None,
                               problem or "ok", f"shape ({len(x_test)},)",
                               "return slope * x + intercept", status=INVALID if problem else ""))
    if predicted is None:
        return results + tiered("held-out R2", None, R2_TIERS, hint="fix predict first")
    r2 = 1 - np.sum((y_test - predicted) ** 2) / np.sum((y_test - y_test.mean()) ** 2)
    return results + tiered("held-out R2", round(float(r2), 4), R2_TIERS,
                            hint="least squares gives 0.999")


COIN = Exercise("t.coin", 0, "Call forty coin flips", "coin/coin.py", "coin/coin.py",
                "grading_fixture:check_coin")


def check_coin(module, quick: bool = False) -> list[CheckResult]:
    """`calls(n)` -> n numbers, > 0.5 meaning heads; scored against 40 fixed flips. A
    student guessing at random lands near the 0.5 target, by the luck of the seed."""
    flips = np.random.default_rng(123).integers(0, 2, 40)
    calls, problem = checked_array(call_student(module, "calls", 40), (40,))
    if calls is None:
        return [CheckResult("calls accuracy", False, problem, ">= 0.5", "return 40 numbers",
                            status=INVALID, n=40)]
    accuracy = float(np.mean((calls > 0.5) == flips))
    return [CheckResult("calls accuracy", accuracy >= 0.5, round(accuracy, 4), ">= 0.5",
                        "call heads more often", n=40)]
