"""The residual ODE solver: general right-hand sides f(x, u), any domain, real accuracy."""

import numpy as np
import pytest
from keras import ops

from aml.errors import AmlError
from aml.training.residual import as_rhs, collocation_points, solve_ode

FAST = {"steps": 800, "lbfgs_steps": 250, "points": 32}


def _max_error(solution, exact, domain):
    x = np.linspace(*domain, 200)
    return float(np.max(np.abs(solution(x) - exact(x))))


def test_solution_depending_on_u_on_a_shifted_domain():
    # du/dx = -u, u(1) = 2 on [1, 3]: u = 2 exp(-(x - 1)); f uses u, domain not at 0
    solution = solve_ode(lambda x, u: -u, 2.0, (1.0, 3.0), **FAST)
    assert solution(np.array([1.0]))[0] == pytest.approx(2.0, abs=1e-12)  # by construction
    assert _max_error(solution, lambda x: 2 * np.exp(-(x - 1)), (1.0, 3.0)) < 1e-3


def test_solution_of_cos_written_with_keras_ops():
    solution = solve_ode(lambda x, u: ops.cos(x), 1.0, (0.0, 2.0), **FAST)
    assert _max_error(solution, lambda x: np.sin(x) + 1, (0.0, 2.0)) < 1e-3
    assert solution(np.zeros((2, 3))).shape == (2, 3)  # any input shape comes back the same


def test_notes_equation_reaches_the_course_target():
    solution = solve_ode(lambda x: x ** 2 - 2 * x, 1.0, (0.0, 2.0), **FAST)
    assert _max_error(solution, lambda x: x ** 3 / 3 - x ** 2 + 1, (0.0, 2.0)) < 1e-3
    assert solution.history["adam"][0] > 100 * solution.final_loss  # it learned


def test_numpy_rhs_of_x_alone_is_accepted_and_numpy_of_u_is_explained():
    solution = solve_ode(lambda x, u: np.cos(x), 0.0, (0.0, 1.0), steps=300, lbfgs_steps=100,
                         points=16)
    assert _max_error(solution, np.sin, (0.0, 1.0)) < 1e-2
    with pytest.raises(AmlError, match="keras.ops"):
        solve_ode(lambda x, u: np.exp(-np.asarray(u)), 1.0, (0.0, 1.0), steps=10,
                  lbfgs_steps=0)


def test_rhs_forms_and_bad_input():
    assert as_rhs(lambda x: 2 * x)(3.0, 100.0) == 6.0
    assert as_rhs(lambda x, u: u)(3.0, 100.0) == 100.0
    with pytest.raises(AmlError, match="keras.ops"):
        solve_ode(lambda x, u: np.asarray(x).tolist() + "oops", 1.0, (0, 1), steps=1)
    with pytest.raises(AmlError, match="end > start"):
        solve_ode(lambda x, u: u, 1.0, (2, 1), steps=1)
    with pytest.raises(AmlError, match="not finite"):
        solve_ode(lambda x, u: 1 / x, 1.0, (0, 1), steps=1)


def test_collocation_points_span_the_domain():
    x = collocation_points((1.0, 4.0), 9).ravel()
    assert x[0] == pytest.approx(1.0) and x[-1] == pytest.approx(4.0)
    assert np.all(np.diff(x) > 0) and len(x) == 9
