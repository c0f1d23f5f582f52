"""A clean sine signal and a test signal with injected peaks, for anomaly detection.

The clean signal is what "normal" looks like (a little sensor noise included); the test
signal is the same kind of sine with narrow Gaussian peaks added at random places, and a
mask marks the samples the peaks disturb. Deterministic from `seed`.
"""

from __future__ import annotations

import numpy as np

from aml.errors import AmlError


def _sine(n: int, period: float, noise: float, rng) -> np.ndarray:
    phase = rng.uniform(0, 2 * np.pi)
    return np.sin(2 * np.pi * np.arange(n) / period + phase) + noise * rng.normal(size=n)


def load(n_clean: int = 4000, n_test: int = 2048, period: float = 40.0, noise: float = 0.05,
         peaks: int = 12, peak_height: tuple[float, float] = (0.6, 1.2),
         peak_width: float = 1.5, seed: int = 0):
    """(clean, test, anomalous): float32 signals of n_clean and n_test samples, and a boolean
    mask of the test samples a peak moves by more than 5 noise levels."""
    if min(n_clean, n_test) < 4 * period or peaks < 0:
        raise AmlError("signals must span at least four periods and peaks must be >= 0")
    rng = np.random.default_rng(seed)
    clean = _sine(n_clean, period, noise, rng)
    test = _sine(n_test, period, noise, rng)
    t = np.arange(n_test)
    bumps = np.zeros(n_test)
    for center in rng.choice(np.arange(8, n_test - 8), size=peaks, replace=False):
        sign = rng.choice([-1.0, 1.0])
        height = rng.uniform(*peak_height)
        bumps += sign * height * np.exp(-0.5 * ((t - center) / peak_width) ** 2)
    anomalous = np.abs(bumps) > 5 * noise
    return clean.astype("float32"), (test + bumps).astype("float32"), anomalous


def windows(signal, width: int, stride: int = 1) -> np.ndarray:
    """Consecutive windows of `width` samples, `stride` apart: shape (count, width)."""
    signal = np.asarray(signal)
    if width > len(signal):
        raise AmlError(f"window width {width} is longer than the signal ({len(signal)})")
    starts = np.arange(0, len(signal) - width + 1, stride)
    return signal[starts[:, None] + np.arange(width)]
