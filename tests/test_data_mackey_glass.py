"""Mackey-Glass generator: deterministic, on the known attractor, checked against the DDE."""

import numpy as np
import pytest

from aml.data import load
from aml.data.mackey_glass import load as mackey_glass
from aml.errors import AmlError


def test_same_seed_same_series_other_seed_other_series():
    a = load("mackey_glass", n=300, tau=17, seed=0)
    b = load("mackey_glass", n=300, tau=17, seed=0)
    c = load("mackey_glass", n=300, tau=17, seed=1)
    assert a.shape == (300,) and a.dtype == np.float64
    np.testing.assert_array_equal(a, b)
    assert np.abs(a - c).max() > 0.1


def test_tau17_attractor_range_and_statistics():
    x = mackey_glass(n=3000, tau=17)
    # the tau=17 attractor lives in about [0.4, 1.35] with mean ~0.9 and std ~0.23
    assert 0.35 < x.min() < 0.5 and 1.2 < x.max() < 1.4
    assert abs(x.mean() - 0.92) < 0.05 and abs(x.std() - 0.23) < 0.03


def test_series_satisfies_the_delay_equation():
    x = mackey_glass(n=400, tau=17)
    # central difference of the unit-step samples vs the right-hand side with x(t - 17)
    t = np.arange(18, 399)
    slope = (x[t + 1] - x[t - 1]) / 2
    rhs = 0.2 * x[t - 17] / (1 + x[t - 17] ** 10) - 0.1 * x[t]
    assert np.abs(slope - rhs).max() < 0.02


@pytest.mark.parametrize("kwargs", [{"n": 0}, {"tau": -1}, {"dt": 0.3}, {"tau": 17.05}])
def test_bad_arguments_are_one_line_errors(kwargs):
    with pytest.raises(AmlError):
        mackey_glass(**{"n": 10, **kwargs})
