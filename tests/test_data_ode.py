"""The lecture 2 ODE data: exact solutions satisfy their equations; sampling is repeatable."""

import numpy as np
import pytest

from aml.data import load
from aml.data.ode import EQUATIONS, equation
from aml.errors import AmlError


def test_exact_solutions_solve_their_equations():
    x = np.linspace(0, 2, 101)
    for eq in EQUATIONS.values():
        assert eq.exact(np.array([0.0]))[0] == eq.u0
        np.testing.assert_allclose(np.gradient(eq.exact(x), x, edge_order=2), eq.rhs(x),
                                   atol=1e-3)


def test_load_is_deterministic_and_shaped():
    x, u = load("ode", equation_name="x^2", n=50, seed=3)
    x2, u2 = load("ode", equation_name="x^2", n=50, seed=3)
    assert x.shape == u.shape == (50, 1) and x.dtype == np.float32
    np.testing.assert_array_equal(x, x2)
    assert 0 <= x.min() and x.max() <= 2 and np.all(np.diff(x.ravel()) >= 0)
    np.testing.assert_allclose(u.ravel(), x.ravel() ** 3 / 3 + 1, rtol=1e-6)
    assert not np.array_equal(x, load("ode", n=50, seed=4)[0])


def test_unknown_equation_is_a_user_error():
    with pytest.raises(AmlError, match="choose one of"):
        equation("x^5")
