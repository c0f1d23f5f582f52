"""Projectile samples follow x = v0 t - g t^2 / 2 on the requested interval."""

import numpy as np
import pytest

from aml.data import load, projectile
from aml.errors import AmlError


def test_samples_follow_the_formula():
    t, x = load("projectile", n_points=50, seed=0)
    assert t.shape == x.shape == (50, 1) and t.dtype == np.float32
    assert 0 <= t.min() and t.max() <= 5 and np.all(np.diff(t[:, 0]) >= 0)
    np.testing.assert_allclose(x, 20 * t - 4.85 * t ** 2, atol=1e-4)
    assert projectile.position(2.0, v0=20, g=9.7) == pytest.approx(20.6)


def test_noise_and_seed():
    t, x = projectile.load(500, noise=0.5, seed=2)
    assert np.std(x - projectile.position(t)) == pytest.approx(0.5, rel=0.1)
    np.testing.assert_array_equal(x, projectile.load(500, noise=0.5, seed=2)[1])
    with pytest.raises(AmlError):
        projectile.load(10, t_min=3, t_max=1)
