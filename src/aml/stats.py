"""The uncertainty every headline number carries: standard errors of test-set estimates.

A test set of n examples measures accuracy p with standard error sqrt(p(1 - p)/n); a mean
squared error over n examples has the standard error of a mean, std(squared errors)/sqrt(n).
A target met by less than one such error is within the noise of the test set itself.
"""

from __future__ import annotations

import math

import numpy as np


def accuracy_se(p: float, n: int) -> float:
    """Binomial standard error of an accuracy `p` measured on `n` test examples."""
    if n <= 0:
        raise ValueError(f"accuracy_se needs n > 0, got {n}")
    return math.sqrt(max(p * (1 - p), 0.0) / n)


def mean_se(values) -> float:
    """Standard error of the mean of `values` (e.g. squared errors, for an MSE)."""
    values = np.asarray(values, dtype=np.float64).ravel()
    if values.size < 2:
        return float("nan")
    return float(values.std(ddof=1) / math.sqrt(values.size))


def mse_with_se(predictions, targets) -> tuple[float, float]:
    """(MSE, its standard error) over every predicted value."""
    squared = (np.asarray(predictions, np.float64) - np.asarray(targets, np.float64)) ** 2
    return float(squared.mean()), mean_se(squared)


def paired_difference(correct_a, correct_b) -> tuple[float, float]:
    """(accuracy of a minus accuracy of b, its standard error) on the same test examples.

    Paired per example: only the examples one gets right and the other wrong carry
    uncertainty, so two models that agree everywhere differ by 0 with no error at all.
    """
    a = np.asarray(correct_a, dtype=np.float64).ravel()
    b = np.asarray(correct_b, dtype=np.float64).ravel()
    if a.shape != b.shape or a.size == 0:
        raise ValueError(f"paired_difference needs two equal, non-empty sets of outcomes, got "
                         f"{a.size} and {b.size}")
    return float((a - b).mean()), mean_se(a - b)


def ratio_se(a: float, se_a: float, b: float, se_b: float) -> float:
    """Delta-method standard error of a / b, treating a and b as independent.

    Two models' errors on one test set are positively correlated, so this overstates the
    ratio's uncertainty a little: a target it calls "within 1 SE" is, if anything, safer.
    """
    if b == 0:
        return float("nan")
    return abs(a / b) * math.sqrt((se_a / a) ** 2 + (se_b / b) ** 2) if a else se_a / abs(b)


def margin_in_se(value: float, threshold: float, se: float | None, op: str) -> float | None:
    """How many standard errors `value` clears `threshold` by (negative when it misses)."""
    if se is None or not isinstance(se, (int, float)) or not math.isfinite(se) or se <= 0:
        return None
    gap = value - threshold if op in (">=", ">") else threshold - value
    return gap / se
