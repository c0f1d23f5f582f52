"""Infinite-well densities: normalised, stratified, deterministic, with gain and noise."""

import numpy as np
import pytest

from aml.data import infinite_well, load
from aml.errors import AmlError


def test_density_is_normalised_and_zero_at_the_walls():
    x, y = infinite_well.grid(4000, n=10, length=2.0)
    assert infinite_well.normalisation(y, 2.0) == pytest.approx(1.0, abs=1e-6)
    assert infinite_well.density([0.0, 2.0, 0.1, -1.0, 3.0], 10, 2.0) == pytest.approx(
        [0.0, 0.0, 1.0, 0.0, 0.0], abs=1e-12)
    assert x.dtype == np.float32 and x.shape == (4000, 1)


def test_stratified_sample_estimates_the_integral():
    x, y = load("infinite_well", n_points=200, seed=3)
    assert x.shape == y.shape == (200, 1)
    bins = np.floor(x[:, 0] / (2.0 / 200)).astype(int)
    assert np.array_equal(bins, np.arange(200))  # one position per equal bin
    assert abs(y.mean() * 2.0 - 1.0) < 0.01  # a plain random sample is off by ~0.05


def test_gain_noise_and_seed():
    x, clean = infinite_well.load(300, seed=1)
    _, scaled = infinite_well.load(300, gain=0.8, seed=1)
    np.testing.assert_allclose(scaled, 0.8 * clean, rtol=1e-6)
    _, noisy = infinite_well.load(300, noise=0.2, seed=1)
    assert np.std(noisy - clean) == pytest.approx(0.2, rel=0.15)
    np.testing.assert_array_equal(noisy, infinite_well.load(300, noise=0.2, seed=1)[1])
    assert not np.array_equal(x, infinite_well.load(300, seed=2)[0])
    with pytest.raises(AmlError):
        infinite_well.load(0)
