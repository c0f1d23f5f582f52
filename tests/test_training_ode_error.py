"""The defect estimate of an ODE solution's error, on approximations whose error is known."""

import numpy as np
import pytest

from aml.training.ode_error import defect_estimate, integrate_linear, jacobian


def _coarse(n):
    mask = np.zeros(n, bool)
    mask[::2] = True
    return mask


def test_integrate_linear_matches_a_closed_form_on_a_stiff_scalar_and_a_rotation():
    x = np.linspace(0.0, 2.0, 2001)
    # e' = -20 e + 20 cos x, e(0) = 0: stiff, and exactly solvable
    e = integrate_linear(x, np.full((len(x), 1, 1), -20.0), 20 * np.cos(x)[:, None])
    exact = (400 * np.cos(x) + 20 * np.sin(x) - 400 * np.exp(-20 * x)) / 401
    assert np.max(np.abs(e[:, 0] - exact)) < 3e-5  # second order: (h·20)² / 12 ~ 3e-5
    # (e1, e2)' = (e2, -e1) + (0, 1): e1 = 1 - cos x, e2 = sin x
    rotation = np.broadcast_to(np.array([[0.0, 1.0], [-1.0, 0.0]]), (len(x), 2, 2))
    e = integrate_linear(x, rotation, np.tile([0.0, 1.0], (len(x), 1)))
    assert np.max(np.abs(e - np.stack([1 - np.cos(x), np.sin(x)], 1))) < 1e-6


def test_jacobian_of_a_system_by_central_differences():
    def rhs(x, u):
        return np.stack([u[:, 0] * u[:, 1], np.sin(u[:, 0]) + x], 1)

    u = np.array([[1.0, 2.0], [0.5, -1.0]])
    J = jacobian(rhs, np.array([0.0, 1.0]), u)
    expected = np.array([[[2.0, 1.0], [np.cos(1.0), 0.0]], [[-1.0, 0.5], [np.cos(0.5), 0.0]]])
    np.testing.assert_allclose(J, expected, atol=1e-8)


@pytest.mark.parametrize("amplitude", [1e-6, 1e-3, 0.3])
def test_estimate_recovers_a_known_error_of_a_nonlinear_equation(amplitude):
    # du/dx = -u^2, u(0) = 1: u = 1 / (1 + x). g = u + a·x·sin(3x) has error a·x·sin(3x),
    # small or large; the estimate must find it from g and g' alone
    x = np.linspace(0.0, 3.0, 1025)
    g = 1 / (1 + x) + amplitude * x * np.sin(3 * x)
    dg = -1 / (1 + x) ** 2 + amplitude * (np.sin(3 * x) + 3 * x * np.cos(3 * x))
    estimate = defect_estimate(lambda x, u: -u ** 2, x, g[:, None], dg[:, None],
                               _coarse(len(x)))
    true = amplitude * x * np.sin(3 * x)
    assert estimate.reliable
    assert np.max(np.abs(estimate.error[:, 0] - true)) < 1e-3 * np.max(np.abs(true))
    assert estimate.bound == pytest.approx(np.max(np.abs(true)), rel=1e-3)


def test_estimate_of_a_blowing_up_solution_is_flagged_not_trusted():
    # u' = u^2, u(0) = 1 blows up at x = 1: g = 1 + x stays finite on [0, 2], the "error"
    # equation has no solution there, and the estimate says it cannot be trusted
    x = np.linspace(0.0, 2.0, 513)
    estimate = defect_estimate(lambda x, u: u ** 2, x, (1 + x)[:, None],
                               np.ones((len(x), 1)), _coarse(len(x)))
    assert not estimate.reliable
