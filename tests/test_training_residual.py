"""The residual ODE solver: general right-hand sides f(x, u), any domain, real accuracy."""

import numpy as np
import pytest
from keras import ops

from aml.errors import AmlError
from aml.training.residual import as_rhs, collocation_points, first_order, solve_ode

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


# ---- the error estimate, against SciPy's solve_ivp at tight tolerance -------------------------

def _pendulum(x, y, v):
    return -0.3 * v - 4.0 * ops.sin(y)


# name: (f for solve_ode, the same f on NumPy for SciPy, u0, domain)
TWELVE = {
    "cos x on [0, 30]": (lambda x, u: ops.cos(x), lambda x, u: np.cos(x), 0.0, (0.0, 30.0)),
    "u^2 near blow-up": (lambda x, u: u * u, lambda x, u: u * u, 0.5, (0.0, 1.95)),
    "stiff -20(u - cos x)": (lambda x, u: -20 * (u - ops.cos(x)),
                             lambda x, u: -20 * (u - np.cos(x)), 0.0, (0.0, 2.0)),
    "oscillator": (lambda x, u: [u[1], -u[0]], lambda x, u: [u[1], -u[0]], [1.0, 0.0],
                   (0.0, 2 * np.pi)),
    "decay on [1, 3]": (lambda x, u: -u, lambda x, u: -u, 2.0, (1.0, 3.0)),
    "notes x^2 - 2x": (lambda x: x ** 2 - 2 * x, lambda x, u: x ** 2 - 2 * x, 1.0, (0.0, 2.0)),
    "logistic": (lambda x, u: u * (1 - u), lambda x, u: u * (1 - u), 0.1, (0.0, 10.0)),
    "Lotka-Volterra": (lambda x, u: [u[0] - 0.5 * u[0] * u[1], -u[1] + 0.3 * u[0] * u[1]],
                       lambda x, u: [u[0] - 0.5 * u[0] * u[1], -u[1] + 0.3 * u[0] * u[1]],
                       [2.0, 1.0], (0.0, 8.0)),
    "damped pendulum (2nd order)": (
        first_order(_pendulum), lambda x, u: [u[1], -0.3 * u[1] - 4.0 * np.sin(u[0])],
        [1.0, 0.0], (0.0, 5.0)),
    "Riccati x - u^2": (lambda x, u: x - u * u, lambda x, u: x - u * u, 0.0, (0.0, 3.0)),
    "growth e^x": (lambda x, u: u, lambda x, u: u, 1.0, (0.0, 3.0)),
    "cos(u) + x": (lambda x, u: ops.cos(u) + x, lambda x, u: np.cos(u) + x, 0.0, (0.0, 2.0)),
}
SMALL = {"steps": 300, "lbfgs_steps": 100, "points": 32}


def _true_error(solution, f, u0, domain):
    from scipy.integrate import solve_ivp

    x = np.linspace(*domain, 2001)
    truth = solve_ivp(f, domain, np.atleast_1d(u0), t_eval=x, method="DOP853", rtol=1e-10,
                      atol=1e-12).y.T
    return float(np.max(np.abs(solution(x).reshape(len(x), -1) - truth)))


@pytest.mark.parametrize("name", TWELVE)
def test_error_estimate_bounds_the_true_error_within_a_small_factor(name):
    f, f_numpy, u0, domain = TWELVE[name]
    solution = solve_ode(f, u0, domain, **SMALL)
    true = _true_error(solution, f_numpy, u0, domain)
    estimate = solution.error_estimate
    # errors here span 1e-5 to 10 (short training on purpose); the estimate tracks each
    assert true <= 1.05 * estimate, (true, estimate)
    assert estimate <= 2.0 * true, (true, estimate)
    assert f"{estimate:.2e}" in solution.report()


def test_system_solution_has_a_column_per_component_and_matches_scipy():
    f, f_numpy, u0, domain = TWELVE["oscillator"]
    solution = solve_ode(f, u0, domain, **FAST)
    assert solution(np.linspace(0, 1, 7)).shape == (7, 2)
    assert solution(np.zeros((2, 3))).shape == (2, 3, 2)
    np.testing.assert_allclose(solution(np.array([0.0]))[0], u0, atol=1e-12)
    assert _true_error(solution, f_numpy, u0, domain) <= 1.05 * solution.error_estimate < 0.05


def test_tol_refines_until_the_estimate_is_under_it():
    f, f_numpy, u0, domain = TWELVE["cos x on [0, 30]"]
    settings = {"steps": 500, "lbfgs_steps": 200, "points": 32}
    once = solve_ode(f, u0, domain, **settings)
    tol = once.error_estimate / 5  # one piece is not enough for this tol
    refined = solve_ode(f, u0, domain, tol=tol, **settings)
    # refined by more steps (a piece's L-BFGS continued) or more pieces, or both
    assert refined.within_tol and (len(refined.pieces) > 1 or refined.pieces[0].rounds > 0)
    assert refined.traces == {"adam": 1, "lbfgs": 1}  # every piece ran the same compiled step
    assert _true_error(refined, f_numpy, u0, domain) <= 1.05 * refined.error_estimate <= tol
    assert "under tol" in refined.report()


def test_pieces_share_one_compiled_step_and_keep_their_own_weights():
    from aml.models.curve import mlp
    from aml.training.residual import ToleranceWarning

    model = mlp((16,), seed=1, dtype="float64")  # the caller's own network, f uses u
    with pytest.warns(ToleranceWarning):
        solution = solve_ode(lambda x, u: u, 1.0, (0.0, 3.0), model=model, tol=1e-9,
                             max_pieces=3, steps=200, lbfgs_steps=40, points=16)
    pieces = solution.pieces
    assert len(pieces) == 3 and solution.traces == {"adam": 1, "lbfgs": 1}
    assert solution.model is model and pieces[0].model is model
    assert len({id(p.model) for p in pieces}) == 3
    # each piece starts where the previous one ends, from its own trained weights
    for before, after in zip(pieces, pieces[1:]):
        assert before.domain[1] == after.domain[0]
        np.testing.assert_allclose(before.values(np.array([before.domain[1]]))[0], after.u0,
                                   rtol=1e-12)
    assert not np.allclose(pieces[1].model.get_weights()[0], pieces[2].model.get_weights()[0])
    x = np.linspace(0.0, 3.0, 301)
    assert np.max(np.abs(solution(x) - np.exp(x))) <= 1.05 * solution.error_estimate < 0.1


def test_tol_gives_a_piece_still_learning_more_steps_before_splitting():
    from aml.training.residual import ToleranceWarning

    f, f_numpy, u0, domain = TWELVE["oscillator"]
    settings = {"steps": 300, "lbfgs_steps": 100, "points": 32}
    once = solve_ode(f, u0, domain, **settings)
    with pytest.warns(ToleranceWarning):
        more = solve_ode(f, u0, domain, tol=1e-9, max_pieces=1, **settings)
    piece = more.pieces[0]
    assert len(more.pieces) == 1 and 1 <= piece.rounds <= 3
    assert len(once.history["lbfgs"]) < len(piece.history["lbfgs"]) <= 4 * 101
    assert piece.history["adam"] == once.history["adam"]  # continued, not restarted
    assert more.error_estimate < once.error_estimate
    assert _true_error(more, f_numpy, u0, domain) <= 1.05 * more.error_estimate
    assert more.traces == {"adam": 1, "lbfgs": 1}


def test_tol_out_of_reach_warns_with_the_estimate_or_refuses_when_strict():
    from aml.training.residual import ToleranceWarning

    f, _, u0, domain = TWELVE["u^2 near blow-up"]
    settings = {"steps": 100, "lbfgs_steps": 20, "points": 16, "max_pieces": 1}
    with pytest.warns(ToleranceWarning, match=r"estimated max error \d\.\d\de[+-]\d\d is above"):
        solution = solve_ode(f, u0, domain, tol=1e-6, **settings)
    assert not solution.within_tol and "NOT under tol" in solution.report()
    with pytest.raises(AmlError, match="above tol=1e-06"):
        solve_ode(f, u0, domain, tol=1e-6, strict=True, **settings)


def test_system_rhs_mistakes_are_one_line_errors():
    with pytest.raises(AmlError, match="f returned 1 components, u0 has 2"):
        solve_ode(lambda x, u: [u[1]], [1.0, 0.0], (0, 1), steps=1)
    with pytest.raises(AmlError, match="u0 must be"):
        solve_ode(lambda x, u: u, [[1.0], [2.0]], (0, 1), steps=1)
    with pytest.raises(AmlError, match="Dense\\(2\\)"):
        from aml.models.curve import mlp

        solve_ode(lambda x, u: [u[1], -u[0]], [1.0, 0.0], (0, 1), model=mlp((4,)), steps=1)
