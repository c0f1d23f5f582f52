"""fit_ode: unknown constants of an ODE from noisy observations, with honest intervals."""

import numpy as np
import pytest
from keras import ops

from aml.errors import AmlError
from aml.training.inverse import fit_ode
from aml.training.residual import first_order

QUICK = {"steps": 300, "lbfgs_steps": 100, "points": 32}


def _lotka_volterra(p):
    return lambda x, u: [p[0] * u[0] - p[1] * u[0] * u[1], -p[2] * u[1] + p[3] * u[0] * u[1]]


def test_decay_rate_intervals_cover_the_true_value_at_the_stated_rate():
    inside, estimates = 0, []
    for seed in range(12):
        rng = np.random.default_rng(seed)
        x = np.linspace(0, 3, 30)
        u = 2 * np.exp(-0.7 * x) + 0.02 * rng.normal(size=30)
        # a rough network is enough: the Gauss-Newton polish finds the least-squares rate
        fit = fit_ode(lambda x, u, k: -k * u, 2.0, (0, 3), x, u, {"k": 1.0}, steps=150,
                      lbfgs_steps=50, points=24)
        low, high = fit.intervals["k"]
        inside += low <= 0.7 <= high
        estimates.append(fit.params["k"])
    # 95% intervals: 12 draws miss more than twice with probability 2%
    assert inside >= 10
    assert abs(np.mean(estimates) - 0.7) < 0.01


def test_lotka_volterra_matches_scipy_least_squares():
    from scipy.integrate import solve_ivp
    from scipy.optimize import least_squares

    rng = np.random.default_rng(1)
    x = np.linspace(0, 8, 40)
    truth = solve_ivp(_lotka_volterra([1, 0.5, 1, 0.3]), (0, 8), [2.0, 1.0], t_eval=x,
                      rtol=1e-10, atol=1e-10).y.T
    u = truth + 0.05 * rng.normal(size=truth.shape)
    guess = {"a": 0.8, "b": 0.4, "c": 1.2, "d": 0.4}
    fit = fit_ode(lambda x, u, a, b, c, d: [a * u[0] - b * u[0] * u[1],
                                            -c * u[1] + d * u[0] * u[1]],
                  [2.0, 1.0], (0, 8), x, u, guess, **QUICK)

    def misfit(p):
        return (solve_ivp(_lotka_volterra(p), (0, 8), [2.0, 1.0], t_eval=x, rtol=1e-10,
                          atol=1e-10).y.T - u).ravel()

    reference = least_squares(misfit, list(guess.values()))
    sigma2 = np.sum(reference.fun ** 2) / (u.size - 4)
    stderr = np.sqrt(np.diag(sigma2 * np.linalg.inv(reference.jac.T @ reference.jac)))
    np.testing.assert_allclose(list(fit.params.values()), reference.x, rtol=1e-4)
    np.testing.assert_allclose(list(fit.stderr.values()), stderr, rtol=0.05)
    for name, true in zip("abcd", (1, 0.5, 1, 0.3)):
        assert fit.intervals[name][0] <= true <= fit.intervals[name][1]


def test_oscillator_frequency_from_positions_only():
    rng = np.random.default_rng(2)
    x = np.linspace(0, 6, 40)
    u = np.cos(1.5 * x) + 0.05 * rng.normal(size=40)
    # the stiffness k = w^2 (w itself is only defined up to its sign)
    fit = fit_ode(first_order(lambda x, y, v, k: -k * y), [1.0, 0.0], (0, 6), x, u,
                  {"k": 1.0}, observed=[0], **QUICK)
    low, high = fit.intervals["k"]
    assert low <= 2.25 <= high and high - low < 0.1
    assert fit.solution(x).shape == (40, 2)


def test_projectile_g_and_unknown_launch_speed():
    # lecture 4's throw: heights x(t) = v0 t - g t^2 / 2 with noise 0.5 m; v0 is an unknown
    # initial value, named in u0
    rng = np.random.default_rng(0)
    t = np.linspace(0, 5, 100)
    heights = 20 * t - 9.7 * t ** 2 / 2 + 0.5 * rng.normal(size=100)
    fit = fit_ode(first_order(lambda t, x, v, g: -g + 0 * x), [0.0, "v0"], (0, 5), t, heights,
                  {"g": 9.0, "v0": 15.0}, observed=[0], **QUICK)
    assert fit.params["g"] == pytest.approx(9.7, rel=0.01)
    assert fit.params["v0"] == pytest.approx(20.0, rel=0.01)
    assert fit.intervals["g"][0] <= 9.7 <= fit.intervals["g"][1]
    assert "g = " in fit.report() and "95% interval" in fit.report()


def test_inverse_mistakes_are_one_line_errors():
    x, u = np.linspace(0, 1, 5), np.ones(5)
    with pytest.raises(AmlError, match="at least one"):
        fit_ode(lambda x, u: -u, 1.0, (0, 1), x, u, {})
    with pytest.raises(AmlError, match="names no key"):
        fit_ode(lambda x, u, k: -k * u, [1.0, "v"], (0, 1), x, u, {"k": 1.0})
    with pytest.raises(AmlError, match="inside the domain"):
        fit_ode(lambda x, u, k: -k * ops.ones_like(u), 1.0, (0, 1), x + 2, u, {"k": 1.0})
