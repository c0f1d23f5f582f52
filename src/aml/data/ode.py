"""The three ODEs of lecture 2's exercises, du/dx = f(x) with u(0) = 1, and sampled solutions.

`EQUATIONS` maps a short name to the right-hand side (plain arithmetic, so it runs on NumPy
arrays and on Keras tensors alike) and the exact solution. `load` samples (x, u) pairs for
supervised fitting, deterministic from `seed`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from aml.errors import AmlError


@dataclass(frozen=True)
class Equation:
    """du/dx = rhs(x) with u(x0) = u0, and the exact solution to compare against."""

    name: str
    label: str
    rhs: Callable
    exact: Callable
    u0: float = 1.0
    x0: float = 0.0


EQUATIONS = {
    "2x": Equation("2x", "du/dx = 2x", lambda x: 2 * x, lambda x: x ** 2 + 1),
    "x^2": Equation("x^2", "du/dx = x²", lambda x: x ** 2, lambda x: x ** 3 / 3 + 1),
    "x^2-2x": Equation("x^2-2x", "du/dx = x² − 2x", lambda x: x ** 2 - 2 * x,
                       lambda x: x ** 3 / 3 - x ** 2 + 1),
}


def equation(name: str) -> Equation:
    """The equation called `name`; an unknown name is a one-line user error."""
    if name not in EQUATIONS:
        raise AmlError(f"unknown equation {name!r}; choose one of {', '.join(EQUATIONS)}")
    return EQUATIONS[name]


def load(equation_name: str = "2x", n: int = 200, domain: tuple[float, float] = (0.0, 2.0),
         noise: float = 0.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """n points x drawn uniformly from `domain` (sorted) and u(x), both float32 (n, 1).

    `noise` adds Gaussian noise of that standard deviation to u, as a measurement would.
    """
    if n < 1:
        raise AmlError(f"n must be a positive number of points, got {n}")
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(domain[0], domain[1], size=n))
    u = equation(equation_name).exact(x) + noise * rng.normal(size=n)
    return x.reshape(-1, 1).astype("float32"), u.reshape(-1, 1).astype("float32")
