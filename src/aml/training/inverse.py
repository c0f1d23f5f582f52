"""Inverse problems: learn unknown constants of du/dx = f(x, u; p) from noisy observations.

One network g(x) = u0 + (x - x0)·s·NN(x) and the unknown constants p are trained together on
the residual loss of the equation plus the misfit to the observations (a physics-informed
fit). Uncertainty comes from classical non-linear least squares: along the fitted solution,
the sensitivities S = du(x_obs)/dp solve the linear equations S' = (df/du) S + df/dp
(trapezoidal rule on a dense grid, see `aml.training.ode_error`), and the covariance of p is
sigma² (SᵀS)⁻¹, sigma estimated from the residuals of the fit, with Student-t intervals.

f takes the constants as keyword arguments: `lambda x, u, k: -k * u`. An unknown initial
value is named in u0 by a string that is also a key of `params`: u0=[0.0, "v0"].
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import keras
import numpy as np
from keras import ops

from aml.errors import AmlError
from aml.models.curve import default_dtype, mlp
from aml.training.full_batch import minimise, pointwise_derivative
from aml.training.ode_error import defect_estimate, integrate_linear, jacobian
from aml.training.residual import (
    ODEPiece,
    ODESolution,
    SystemRHS,
    check_rhs,
    collocation_points,
    dense_estimate,
)


@dataclass
class ODEFit:
    """Fitted constants with standard errors and intervals, and the fitted solution."""

    params: dict[str, float]
    stderr: dict[str, float]
    intervals: dict[str, tuple[float, float]]
    confidence: float
    noise: np.ndarray            # estimated noise standard deviation per observed component
    solution: ODESolution
    observations: int
    history: dict = field(default_factory=dict)

    def report(self) -> str:
        lines = [f"{name} = {value:.6g} ± {self.stderr[name]:.2g} "
                 f"({100 * self.confidence:g}% interval [{self.intervals[name][0]:.6g}, "
                 f"{self.intervals[name][1]:.6g}])" for name, value in self.params.items()]
        noise = ", ".join(f"{s:.3g}" for s in self.noise)
        return "\n".join(lines + [f"from {self.observations} observations, noise sd {noise}; "
                                  + self.solution.report()])


class _Constants(keras.layers.Layer):
    """The unknown constants as trainable weights, returned once per input row so that the
    optimisers (which only see a model's outputs) train them with the network."""

    def __init__(self, count: int, **kwargs):
        super().__init__(**kwargs)
        self.values = self.add_weight(shape=(count,), initializer="zeros", name="constants")

    def call(self, t):
        return ops.zeros_like(t[:, :1]) + self.values


def fit_ode(f: Callable, u0, domain: tuple[float, float], x_obs, u_obs, params: dict, *,
            observed: Sequence[int] | None = None, hidden: Sequence[int] = (32, 32),
            points: int = 64, steps: int = 3000, learning_rate: float = 1e-2,
            final_learning_rate: float = 1e-4, lbfgs_steps: int = 1500, seed: int = 0,
            dtype: str | None = None, confidence: float = 0.95) -> ODEFit:
    """Fit the constants `params` (name -> starting guess) of du/dx = f(x, u, **constants)
    and the solution to observations u_obs at x_obs; returns them with intervals.

    For a system, `observed` lists the components u_obs holds (all by default), one column
    each. Strings in u0 name unknown initial values (keys of `params` too).
    """
    started = time.perf_counter()
    if not params:
        raise AmlError("params must name at least one unknown constant, e.g. {'k': 1.0}")
    if not 0 < confidence < 1:
        raise AmlError(f"confidence must be between 0 and 1, got {confidence}")
    x0, x1 = (float(v) for v in domain)
    if not x1 > x0:
        raise AmlError(f"domain must be (start, end) with end > start, got {domain}")
    names = list(params)
    guess = np.array([float(params[n]) for n in names])
    system = np.ndim(u0) > 0
    entries = list(u0) if system else [u0]
    for j, v in enumerate(entries):
        if isinstance(v, str) and v not in params:
            raise AmlError(f"u0[{j}] = {v!r} names no key of params ({', '.join(names)})")
    unknown_start = {j: names.index(v) for j, v in enumerate(entries) if isinstance(v, str)}
    start = np.array([guess[unknown_start[j]] if j in unknown_start else float(v)
                      for j, v in enumerate(entries)])
    m = len(start)
    observed = list(range(m)) if observed is None else [int(j) for j in observed]
    if any(not 0 <= j < m for j in observed):
        raise AmlError(f"observed components must be in 0..{m - 1}, got {observed}")
    x_obs = np.asarray(x_obs, "float64").ravel()
    u_obs = np.asarray(u_obs, "float64").reshape(len(x_obs), -1)
    if u_obs.shape[1] != len(observed):
        raise AmlError(f"u_obs must have one column per observed component ({len(observed)}), "
                       f"got shape {u_obs.shape}")
    if np.any((x_obs < x0) | (x_obs > x1)) or not np.all(np.isfinite(u_obs)):
        raise AmlError("observations must be finite and lie inside the domain")
    if len(x_obs) * len(observed) <= len(names):
        raise AmlError(f"{len(names)} unknowns need more than {len(x_obs) * len(observed)} "
                       "observed values")
    ode_params = [n for n in names if n not in {entries[j] for j in unknown_start}]

    rhs = SystemRHS(f, m, system)
    dtype = dtype or default_dtype()
    grid = collocation_points((x0, x1), points)
    guess_params = {n: float(params[n]) for n in ode_params}
    slope = check_rhs(rhs, grid, start, guess_params).max(axis=0)
    piece = ODEPiece(mlp(hidden, seed=seed, dtype=dtype, outputs=m), start, (x0, x1),
                     np.maximum(1.0, slope))
    constants = _Constants(len(names), dtype=dtype, name="ode_constants")
    inputs = keras.Input((1,), dtype=dtype)
    model = keras.Model(inputs, ops.concatenate([piece.model(inputs), constants(inputs)], 1))

    # constants move on their own scale: p = guess + |guess|·theta (theta starts at zero)
    p_scale = ops.convert_to_tensor(np.maximum(np.abs(guess), 1e-3), dtype=dtype)
    p_guess = ops.convert_to_tensor(guess, dtype=dtype)
    x = ops.convert_to_tensor(grid, dtype=dtype)
    xo = ops.convert_to_tensor(x_obs.reshape(-1, 1), dtype=dtype)
    uo = ops.convert_to_tensor(u_obs, dtype=dtype)
    spread = ops.convert_to_tensor(np.maximum(u_obs.std(axis=0), 1e-12), dtype=dtype)
    scale = ops.convert_to_tensor(piece.scale, dtype=dtype)
    origin = ops.zeros((1, 1), dtype=dtype)
    known = ops.convert_to_tensor(start, dtype=dtype)
    mask = ops.convert_to_tensor([j in unknown_start for j in range(m)], dtype=dtype)
    pick = [unknown_start.get(j, 0) for j in range(m)]
    column = np.zeros((m, len(observed)))
    column[observed, range(len(observed))] = 1.0
    select = ops.convert_to_tensor(column, dtype=dtype)

    def loss_fn(call):
        values = p_guess + p_scale * call(origin)[0, m:]
        ode_values = {n: values[names.index(n)] for n in ode_params}
        u_start = known * (1 - mask) + ops.take(values, pick) * mask

        def net(t):
            return call(t)[:, :m]

        u, du = pointwise_derivative(lambda pts: piece.trial(pts, net, u_start), x)
        residual = (du - rhs(x, u, ode_values)) / scale
        misfit = (ops.matmul(piece.trial(xo, net, u_start), select) - uo) / spread
        return ops.mean(ops.square(residual)) + ops.mean(ops.square(misfit))

    model(np.zeros((1, 1), dtype=dtype))
    history = minimise(model, loss_fn, steps=steps, learning_rate=learning_rate,
                       final_learning_rate=final_learning_rate, lbfgs_steps=lbfgs_steps)
    theta = np.asarray(ops.convert_to_numpy(constants.values), "float64")
    fitted = guess + np.maximum(np.abs(guess), 1e-3) * theta
    piece.history = history

    def unpack(vector):
        values = {n: float(vector[i]) for i, n in enumerate(names)}
        first = np.array([vector[unknown_start[j]] if j in unknown_start else start[j]
                          for j in range(m)])
        return values, first

    # Gauss-Newton polish: the network's constants are close to, but not exactly, the least-
    # squares ones (it may bend away from the equation to follow the noise). Around the
    # network, the exact solution for given constants is g - e (e from the defect equation),
    # and its sensitivities to the constants are linear ODEs: a few steps converge.
    dense = np.linspace(x0, x1, 32 * points + 1)
    g, dg = piece.values_and_slopes(dense)
    coarse = np.zeros(len(dense), bool)
    coarse[::2] = True
    for _ in range(8):
        values, first = unpack(fitted)
        exact = _solution_near(rhs, {n: values[n] for n in ode_params}, dense, g, dg, first,
                               coarse)
        sensitivity = _sensitivities(rhs, values, ode_params, names, unknown_start, dense,
                                     exact, x_obs, observed)
        misfit = u_obs - np.stack([np.interp(x_obs, dense, exact[:, j]) for j in observed], 1)
        noise = np.sqrt(np.sum(misfit ** 2, axis=0)
                        / max(len(x_obs) - len(names) / len(observed), 1.0))
        weights = np.repeat(1.0 / np.maximum(noise, 1e-300), len(x_obs))
        stacked = np.concatenate([sensitivity[:, :, k] for k in range(len(observed))])
        change = np.linalg.lstsq(weights[:, None] * stacked, weights * misfit.T.ravel(),
                                 rcond=None)[0]
        if not np.all(np.isfinite(change)):
            break
        fitted = fitted + change
        if np.all(np.abs(change) <= 1e-10 * np.maximum(np.abs(fitted), 1e-8)):
            break
    values, first = unpack(fitted)
    piece.u0 = first
    numpy_rhs = rhs.numpy({n: values[n] for n in ode_params})
    estimate, _ = dense_estimate([piece], numpy_rhs, 32 * points + 1)
    solution = ODESolution([piece], system, None, estimate, time.perf_counter() - started)

    information = stacked.T @ (weights[:, None] ** 2 * stacked)
    stderr = np.sqrt(np.maximum(np.diag(np.linalg.pinv(information)), 0.0))
    dof = max(misfit.size - len(names), 1)
    from scipy.stats import t as student

    half = student.ppf(0.5 + confidence / 2, dof) * stderr
    return ODEFit(values, {n: float(s) for n, s in zip(names, stderr)},
                  {n: (values[n] - h, values[n] + h) for n, h in zip(names, half)},
                  confidence, noise, solution, len(x_obs), history)


def _solution_near(rhs: SystemRHS, params: dict, x: np.ndarray, g: np.ndarray,
                   dg: np.ndarray, first: np.ndarray, coarse: np.ndarray) -> np.ndarray:
    """The solution of the equation with `params` from `first`, found as g - e: g shifted to
    start at `first` (its slope unchanged), e from the defect equation."""
    shifted = g + (first - g[0])
    estimate = defect_estimate(rhs.numpy(params), x, shifted, dg, coarse)
    if not estimate.reliable:
        raise AmlError("the fitted solution is too far from the equation to refine the "
                       "constants; give better starting guesses in params or more steps")
    return shifted - estimate.error


def _sensitivities(rhs: SystemRHS, values: dict, ode_params: list[str], names: list[str],
                   unknown_start: dict[int, int], x: np.ndarray, u: np.ndarray,
                   x_obs: np.ndarray, observed: list[int]) -> np.ndarray:
    """du(x_obs)/dp for every unknown along the solution u on the grid x:
    (observations, unknowns, observed components)."""
    ode_values = {n: values[n] for n in ode_params}
    J = jacobian(rhs.numpy(ode_values), x, u)
    out = np.zeros((len(x_obs), len(names), len(observed)))
    for i, name in enumerate(names):
        if name in ode_params:
            step = 1e-6 * max(1.0, abs(values[name]))
            up = rhs.numpy({**ode_values, name: values[name] + step})(x, u)
            down = rhs.numpy({**ode_values, name: values[name] - step})(x, u)
            s = integrate_linear(x, J, (up - down) / (2 * step))
        else:  # an unknown initial value: s = e_j + w, w' = J w + J e_j, w(x0) = 0
            unit = np.zeros(u.shape[1])
            unit[[j for j, k in unknown_start.items() if k == i]] = 1.0
            s = unit + integrate_linear(x, J, J @ unit)
        for k, j in enumerate(observed):
            out[:, i, k] = np.interp(x_obs, x, s[:, j])
    return out
