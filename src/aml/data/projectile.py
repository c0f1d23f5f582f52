"""One-dimensional projectile motion x(t) = v0 t - g t^2 / 2, sampled with optional noise."""

from __future__ import annotations

import numpy as np

from aml.errors import AmlError


def position(t, v0: float = 20.0, g: float = 9.7):
    """Height x(t) of a body thrown up at speed v0 under constant gravity g."""
    t = np.asarray(t, dtype=np.float64)
    return v0 * t - 0.5 * g * t ** 2


def load(n_points: int = 100, t_min: float = 0.0, t_max: float = 5.0, v0: float = 20.0,
         g: float = 9.7, noise: float = 0.0, seed: int = 0):
    """Times t (n_points, 1) drawn uniformly in [t_min, t_max] and heights x (n_points, 1).

    `noise` is the standard deviation of additive Gaussian measurement noise in metres.
    """
    if n_points < 1 or t_max <= t_min:
        raise AmlError(f"projectile needs n_points >= 1 and t_max > t_min, got n_points="
                       f"{n_points}, t_min={t_min}, t_max={t_max}")
    rng = np.random.default_rng(seed)
    t = np.sort(rng.uniform(t_min, t_max, size=n_points))
    x = position(t, v0, g) + noise * rng.normal(size=n_points)
    return t[:, None].astype(np.float32), x[:, None].astype(np.float32)
