"""Particle in an infinite square well: the probability density |psi_n(x)|^2, sampled.

psi_n(x) = sqrt(2/L) sin(n pi x / L) on [0, L], so |psi_n|^2 integrates to 1 over the well.
Positions are stratified (one uniform draw per equal bin) so that the plain mean of a sample
times L estimates that integral closely: the normalisation can then be checked on a batch.
"""

from __future__ import annotations

import numpy as np

from aml.errors import AmlError


def density(x, n: int = 10, length: float = 2.0):
    """|psi_n(x)|^2 = (2/L) sin^2(n pi x / L); zero outside the well."""
    x = np.asarray(x, dtype=np.float64)
    inside = (x >= 0) & (x <= length)
    return np.where(inside, 2.0 / length * np.sin(n * np.pi * x / length) ** 2, 0.0)


def load(n_points: int = 200, n: int = 10, length: float = 2.0, noise: float = 0.0,
         gain: float = 1.0, seed: int = 0):
    """Positions x (n_points, 1) and measured densities y (n_points, 1), float32.

    `noise` is the standard deviation of additive Gaussian noise (in units of 1/length) and
    `gain` a detector calibration factor applied to the true density: 1 means calibrated.
    """
    if n_points < 1 or n < 1 or length <= 0:
        raise AmlError(f"infinite_well needs n_points >= 1, n >= 1 and length > 0, got "
                       f"n_points={n_points}, n={n}, length={length}")
    rng = np.random.default_rng(seed)
    x = (np.arange(n_points) + rng.uniform(size=n_points)) * (length / n_points)
    y = gain * density(x, n, length) + noise * rng.normal(size=n_points)
    return x[:, None].astype(np.float32), y[:, None].astype(np.float32)


def grid(n_points: int = 1000, n: int = 10, length: float = 2.0):
    """Evenly spaced cell centres over the well and the exact density there (a test set)."""
    x = (np.arange(n_points) + 0.5) * (length / n_points)
    return x[:, None].astype(np.float32), density(x, n, length)[:, None].astype(np.float32)


def normalisation(y, length: float = 2.0) -> float:
    """mean(|psi|^2) * L for densities on an even grid: 1 for a normalised state."""
    return float(np.mean(y) * length)
