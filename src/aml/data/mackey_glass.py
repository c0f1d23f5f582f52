"""Mackey-Glass chaotic series, dx/dt = beta x(t-tau) / (1 + x(t-tau)^n) - gamma x(t).

The classic reservoir-computing benchmark (tau = 17: mildly chaotic). Integrated with RK4 at
dt = 0.1 (the delay is then a whole number of steps; half-step delayed values are linearly
interpolated from the stored history) and sampled at unit time steps.
"""

from __future__ import annotations

import numpy as np

from aml.errors import AmlError


def _derivative(x, x_delayed, beta, gamma, power):
    return beta * x_delayed / (1.0 + x_delayed ** power) - gamma * x


def load(n: int = 10_000, tau: float = 17, seed: int = 0, *, dt: float = 0.1,
         transient: int = 1000, beta: float = 0.2, gamma: float = 0.1,
         power: float = 10.0) -> np.ndarray:
    """`n` samples (float64, shape (n,)) at unit time steps after dropping `transient` units.

    The history before t = 0 is 1.2 plus a small seed-dependent random wiggle, so each seed
    gives another trajectory on the same attractor and the same seed the same numbers.
    """
    if n < 1:
        raise AmlError(f"mackey_glass needs n >= 1 samples, got n={n}")
    if tau <= 0 or dt <= 0:
        raise AmlError(f"mackey_glass needs tau > 0 and dt > 0, got tau={tau}, dt={dt}")
    per_unit = int(round(1.0 / dt))
    if abs(per_unit * dt - 1.0) > 1e-9:
        raise AmlError(f"dt must divide one time unit exactly (e.g. 0.1), got dt={dt}")
    lag = int(round(tau / dt))
    if abs(lag * dt - tau) > 1e-9:
        raise AmlError(f"tau={tau} must be a multiple of dt={dt}")
    steps = (n + transient) * per_unit
    rng = np.random.default_rng(seed)
    x = np.empty(lag + steps + 1)
    x[:lag + 1] = 1.2 + 0.05 * rng.standard_normal(lag + 1)
    for i in range(lag, lag + steps):
        # delayed values at t, t + dt/2 and t + dt: grid points and their midpoint
        d0 = x[i - lag]
        d1 = x[i - lag + 1]
        dh = 0.5 * (d0 + d1)
        xi = x[i]
        k1 = _derivative(xi, d0, beta, gamma, power)
        k2 = _derivative(xi + 0.5 * dt * k1, dh, beta, gamma, power)
        k3 = _derivative(xi + 0.5 * dt * k2, dh, beta, gamma, power)
        k4 = _derivative(xi + dt * k3, d1, beta, gamma, power)
        x[i + 1] = xi + dt / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
    series = x[lag:][::per_unit]
    return series[transient:transient + n].copy()
