"""Solve du/dx = f(x, u), u(x0) = u0 by training a network on the equation's residual.

The trial solution g(x) = u0 + (x - x0)·NN(x) meets the initial condition by construction, so
the loss is only the residual (dg/dx - f(x, g))^2 (eq 2.11-2.14 of the notes). Unlike the
course's finite difference in a Python loop, dg/dx comes from automatic differentiation,
every collocation point is handled in one vectorised call, and many optimiser steps run
per compiled call (see `aml.training.full_batch`).

After training, the solution's error is estimated from its residual on a dense grid (see
`aml.training.ode_error`); with `tol`, the piece adding most error trains longer while its
loss still falls, else the domain is split where the error arises, until the estimate is
under `tol` or the budget is spent, and the user is told.

Right-hand sides:
- one equation (u0 a number): f(x, u) gets x and u of shape (points, 1), e.g.
  `lambda x, u: ops.cos(x) - u`; one of x alone (`lambda x: 2 * x`, `np.cos(x)`) is
  evaluated once at the collocation points, so NumPy works there.
- a system (u0 a sequence of m values): f(x, u) gets x of shape (points,) and u of shape
  (m, points), SciPy's convention, and returns m components, e.g. an oscillator
  `lambda x, u: [u[1], -u[0]]` (the same f runs in `scipy.integrate.solve_ivp`).
A right-hand side that uses u must be written with `keras.ops` (or plain arithmetic) so it
runs inside the compiled training step.
"""

from __future__ import annotations

import inspect
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import keras
import numpy as np
from keras import ops

from aml.errors import AmlError
from aml.models.curve import default_dtype, mlp
from aml.training.full_batch import Minimiser, pointwise_derivative
from aml.training.ode_error import ErrorEstimate, defect_estimate, local_bounds

__all__ = ["ODESolution", "ODEPiece", "as_rhs", "collocation_points", "default_dtype",
           "first_order", "mlp", "residual_loss", "solve_ode", "SystemRHS"]


class ToleranceWarning(UserWarning):
    """solve_ode / fit_ode could not bring the estimated error under `tol`."""


def as_rhs(f: Callable) -> Callable:
    """f(x, u) from a right-hand side written as f(x, u) or as f(x)."""
    rhs = f if _takes_u(f) else (lambda x, u, **_: f(x))
    if keras.backend.backend() == "tensorflow":  # user code runs as written, not AutoGraph'd
        import tensorflow as tf

        rhs = tf.autograph.experimental.do_not_convert(rhs)
    return rhs


def _takes_u(f: Callable) -> bool:
    try:
        signature = inspect.signature(f).parameters.values()
    except (TypeError, ValueError):  # builtins without a signature: assume f(x, u)
        return True
    positional = [p for p in signature if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
                  and p.default is p.empty]
    return len(positional) >= 2 or any(p.kind == p.VAR_POSITIONAL for p in signature)


def first_order(f2: Callable) -> Callable:
    """u'' = f2(x, u, v) (v = u') as the first-order system (u, v)' = (v, f2(x, u, v)):
    solve it with u0 = [u(x0), u'(x0)]; component 0 of the solution is u."""

    def system(x, y, **params):
        return [y[1], f2(x, y[0], y[1], **params)]

    return system


class SystemRHS:
    """The user's f in one internal form: rhs(x, U, params) with x (points, 1) and U
    (points, m), returning (points, m), on tensors or NumPy arrays alike."""

    def __init__(self, f: Callable, components: int, system: bool):
        self.f, self.m, self.system = as_rhs(f), components, system

    def __call__(self, x, u, params: dict | None = None):
        params = params or {}
        if not self.system:
            return self.f(x, u, **params) + ops.zeros_like(u)
        n = ops.shape(x)[0]
        value = self.f(ops.reshape(x, (n,)), ops.transpose(u), **params)
        if isinstance(value, (list, tuple)):
            if len(value) != self.m:
                raise ValueError(f"f returned {len(value)} components, u0 has {self.m}")
            zeros = ops.zeros((n,), dtype=u.dtype)
            return ops.stack([ops.reshape(ops.cast(c, u.dtype) + zeros, (n,)) for c in value],
                             axis=1)
        return ops.transpose(ops.cast(value, u.dtype) + ops.zeros_like(ops.transpose(u)))

    def numpy(self, params: dict | None = None) -> Callable:
        """The same f on NumPy float64: x (points,), u (points, m) -> (points, m)."""

        def rhs(x, u):
            # as tensors, so a division by zero gives inf (reported) rather than a warning
            value = self(ops.convert_to_tensor(np.asarray(x, "float64").reshape(-1, 1)),
                         ops.convert_to_tensor(np.asarray(u, "float64")), params)
            return np.asarray(ops.convert_to_numpy(value), dtype="float64")

        return rhs


@dataclass
class ODEPiece:
    """g(x) = u0 + (x - x0)·s·NN(t) on one interval: t is x mapped onto [-1, 1], s the
    slope's scale per component (the network then learns numbers of order one)."""

    model: keras.Model
    u0: np.ndarray
    domain: tuple[float, float]
    scale: np.ndarray
    history: dict = field(default_factory=dict)
    rounds: int = 0  # times its L-BFGS was continued (solve_ode with tol)

    def trial(self, x, call=None, u0=None):
        lo, hi, start, scale = self.tensors()
        return _trial(x, call or self.model, lo, hi, start if u0 is None else u0, scale)

    def tensors(self):
        """The piece's bounds, start and slope scale as tensors of the model's dtype: the
        inputs of the compiled training step, so every piece can share one."""
        dtype = self.model.trainable_variables[0].dtype
        return tuple(ops.convert_to_tensor(np.asarray(v, "float64"), dtype=dtype)
                     for v in (self.domain[0], self.domain[1], self.u0, self.scale))

    def values(self, x: np.ndarray) -> np.ndarray:
        """(points, m) float64 values at x (points,)."""
        dtype = self.model.trainable_variables[0].dtype
        column = ops.convert_to_tensor(np.asarray(x, "float64").reshape(-1, 1), dtype=dtype)
        return ops.convert_to_numpy(self.trial(column)).astype("float64")

    def values_and_slopes(self, x: np.ndarray):
        dtype = self.model.trainable_variables[0].dtype
        column = ops.convert_to_tensor(np.asarray(x, "float64").reshape(-1, 1), dtype=dtype)
        g, dg = pointwise_derivative(self.trial, column)
        return (ops.convert_to_numpy(g).astype("float64"),
                ops.convert_to_numpy(dg).astype("float64"))


@dataclass
class ODESolution:
    """A trained solution: call it on x values to get u(x) as a NumPy array (the shape of x
    for one equation, x's shape plus one axis of components for a system).

    `error_estimate` bounds max |u - u_true| over the domain (see `aml.training.ode_error`);
    `report()` says it in words.
    """

    pieces: list[ODEPiece]
    system: bool = False
    tol: float | None = None
    estimate: ErrorEstimate | None = None
    seconds: float = 0.0
    traces: dict = field(default_factory=dict)  # tracings of the training step, all pieces

    @property
    def domain(self) -> tuple[float, float]:
        return self.pieces[0].domain[0], self.pieces[-1].domain[1]

    @property
    def model(self) -> keras.Model:
        return self.pieces[0].model

    @property
    def history(self) -> dict:
        return self.pieces[0].history

    @property
    def scale(self):
        """The first piece's slope scale s: a number for one equation, else one per component."""
        scale = self.pieces[0].scale
        return scale if self.system else float(scale[0])

    @property
    def components(self) -> int:
        return len(self.pieces[0].u0)

    @property
    def final_loss(self) -> float:
        return max(_final_loss(p.history) for p in self.pieces)

    @property
    def error_estimate(self) -> float:
        return float("nan") if self.estimate is None else self.estimate.bound

    @property
    def within_tol(self) -> bool:
        return (self.tol is not None and self.estimate is not None
                and self.estimate.reliable and self.estimate.bound <= self.tol)

    def __call__(self, x) -> np.ndarray:
        x = np.asarray(x, dtype="float64")
        flat = x.ravel()
        ends = [p.domain[1] for p in self.pieces[:-1]]
        which = np.searchsorted(ends, flat, side="left")
        out = np.empty((flat.size, self.components))
        for k, piece in enumerate(self.pieces):
            chosen = which == k
            if np.any(chosen):
                out[chosen] = piece.values(flat[chosen])
        return out.reshape(x.shape + (self.components,)) if self.system \
            else out[:, 0].reshape(x.shape)

    def report(self) -> str:
        """One paragraph: what was solved, how well, and whether `tol` was met."""
        a, b = self.domain
        what = f"{self.components} components" if self.system else "one equation"
        text = (f"u(x) on [{a:g}, {b:g}] ({what}) from {len(self.pieces)} "
                f"piece{'s' if len(self.pieces) > 1 else ''}, trained in {self.seconds:.1f} s; "
                f"estimated max error {self.error_estimate:.2e}")
        if self.estimate is not None and not self.estimate.converged:
            text += " (the error equation did not converge: the true error may be larger)"
        if self.tol is not None:
            text += (f", under tol {self.tol:g}" if self.within_tol
                     else f", NOT under tol {self.tol:g}")
        return text + "."


def _final_loss(history: dict) -> float:
    losses = history.get("lbfgs") or history.get("adam") or [float("nan")]
    return float(min(losses[-50:]))


def _trial(x, call, lo, hi, u0, scale):
    """g(x) = u0 + (x - lo)·scale·NN(t), t = x mapped from [lo, hi] onto [-1, 1]."""
    t = (x - lo) * (2.0 / (hi - lo)) - 1.0
    return u0 + (x - lo) * scale * call(t)


def _residual_mean_square(call, rhs: Callable, x, lo, hi, u0, scale, params=None):
    u, du_dx = pointwise_derivative(lambda points: _trial(points, call, lo, hi, u0, scale), x)
    value = rhs(x, u) if params is None else rhs(x, u, params)
    residual = (du_dx - (value + ops.zeros_like(u))) / scale
    return ops.mean(ops.square(residual))


def residual_loss(piece: ODEPiece | ODESolution, rhs: Callable, x, params=None, u0=None):
    """Mean over the collocation points x (and components) of ((dg/dx - f(x, g)) / s)^2,
    with dg/dx by autodiff; `params` (a dict of tensors) and `u0` may be trainable. `rhs`
    is called as rhs(x, u), with `params` as a third argument when given."""
    if isinstance(piece, ODESolution):
        piece = piece.pieces[0]
    lo, hi, start, scale = piece.tensors()

    def loss_fn(call, params=params, u0=u0):
        return _residual_mean_square(call, rhs, x, lo, hi, start if u0 is None else u0, scale,
                                     params)

    return loss_fn


def _piece_loss(rhs: Callable) -> Callable:
    """The residual loss with everything a piece changes among its inputs:
    data = (x, lo, hi, u0, scale) plus f's values at x when f ignores u."""

    def loss_fn(call, data):
        if len(data) == 6:
            values = data[5]

            def f(_x, _u):
                return values
        else:
            f = rhs
        return _residual_mean_square(call, f, *data[:5])

    return loss_fn


def collocation_points(domain: tuple[float, float], n: int) -> np.ndarray:
    """n Chebyshev-spaced points spanning the domain (denser near the ends), ends included."""
    x0, x1 = domain
    t = -np.cos(np.linspace(0.0, np.pi, n))
    return (x0 + (t + 1.0) * (x1 - x0) / 2.0).reshape(-1, 1)


def check_rhs(rhs: SystemRHS, x: np.ndarray, u0: np.ndarray, params=None) -> np.ndarray:
    """|f(x, u0)| per point and component; fails early, with one line, on a right-hand side
    that cannot run on tensors, returns the wrong shape or is not finite."""
    example = "lambda x, u: [u[1], -u[0]]" if rhs.system else "lambda x, u: ops.cos(x) - u"
    try:
        value = rhs.numpy(params)(x.ravel(), np.tile(u0, (len(x), 1)))
    except Exception as err:  # noqa: BLE001 - any failure of user code is reported in one line
        raise AmlError(f"the right-hand side f(x, u) failed ({type(err).__name__}: "
                       f"{str(err)[:160]}); write it with keras.ops, e.g. {example}") from None
    if value.shape != (len(x), rhs.m):
        raise AmlError(f"the right-hand side must return {rhs.m} value(s) per point, got "
                       f"shape {value.shape} for {len(x)} points; e.g. {example}")
    if not np.all(np.isfinite(value)):
        raise AmlError("the right-hand side is not finite on the domain; choose a domain where "
                       "f(x, u) is defined")
    return np.abs(value)


def _initial_value(u0) -> tuple[np.ndarray, bool]:
    system = np.ndim(u0) > 0
    try:
        values = np.atleast_1d(np.asarray(u0, dtype="float64"))
    except (TypeError, ValueError):
        raise AmlError(f"u0 must be a number or a sequence of numbers, got {u0!r}") from None
    if values.ndim != 1 or len(values) == 0 or not np.all(np.isfinite(values)):
        raise AmlError(f"u0 must be a finite number or a flat sequence of them, got {u0!r}")
    return values, system


@dataclass
class _Settings:
    hidden: Sequence[int]
    points: int
    steps: int
    learning_rate: float
    final_learning_rate: float
    lbfgs_steps: int
    seed: int
    dtype: str
    on_chunk: Callable | None


class _PieceTrainer:
    """Trains every piece of one solve on one working model with one compiled step: a piece's
    bounds, start and slope scale (and f's values, when f ignores u) are inputs of the step,
    not constants baked into it, so a new piece costs its training, not a new compilation.
    Each piece starts from the same initial weights and keeps its own copy of the result."""

    def __init__(self, rhs: SystemRHS, model: keras.Model | None, settings: _Settings):
        if model is None:
            model = mlp(settings.hidden, seed=settings.seed, dtype=settings.dtype,
                        outputs=rhs.m)
        self.dtype = model.trainable_variables[0].dtype if model.built else settings.dtype
        if not model.built:
            model(np.zeros((1, 1), dtype=self.dtype))
        out = ops.shape(model(np.zeros((1, 1), dtype=self.dtype)))[-1]
        if out != rhs.m:
            raise AmlError(f"the model gives {out} output(s) per x, the equation has {rhs.m} "
                           f"component(s); end it with Dense({rhs.m})")
        self.rhs, self.model, self.settings = rhs, model, settings
        self.initial = model.get_weights()
        self.minimisers: dict[bool, Minimiser] = {}  # keyed by "f ignores u"

    @property
    def traces(self) -> dict[str, int]:
        """Tracings of the training steps so far, over every piece (1 each when shared)."""
        return {kind: sum(m.traces[kind] for m in self.minimisers.values())
                for kind in ("adam", "lbfgs")}

    def train(self, u0: np.ndarray, domain: tuple[float, float],
              slope_hint: np.ndarray | None = None, more: ODEPiece | None = None) -> ODEPiece:
        """A piece on `domain` from u0; with `more`, that piece's fit continued by another
        `lbfgs_steps` L-BFGS evaluations from its weights (same interval and scale)."""
        settings = self.settings
        grid = collocation_points(domain, settings.points)
        slope = check_rhs(self.rhs, grid, u0).max(axis=0)
        if slope_hint is not None:
            slope = np.maximum(slope, slope_hint)
        if more is not None:
            slope = more.scale
        piece = ODEPiece(self.model, np.asarray(u0, "float64"), domain, np.maximum(1.0, slope))
        data = (ops.convert_to_tensor(grid, dtype=self.dtype),) + piece.tensors()
        fixed = _values_if_independent_of_u(self.rhs, grid, u0)
        if fixed is not None:  # f(x) alone: evaluate once (NumPy functions work too)
            data += (ops.convert_to_tensor(fixed, dtype=self.dtype),)
        ignores_u = fixed is not None
        if ignores_u not in self.minimisers:
            self.minimisers[ignores_u] = Minimiser(
                self.model, _piece_loss(self.rhs), steps=settings.steps,
                learning_rate=settings.learning_rate,
                final_learning_rate=settings.final_learning_rate)
        self.model.set_weights(self.initial if more is None else more.model.get_weights())
        try:
            piece.history = self.minimisers[ignores_u].run(
                data, lbfgs_steps=settings.lbfgs_steps, on_chunk=settings.on_chunk,
                adam=more is None)
        except (TypeError, NotImplementedError) as err:
            if ignores_u:
                raise
            raise AmlError(f"the right-hand side f(x, u) cannot run in the compiled training "
                           f"step ({type(err).__name__}: {str(err)[:120]}); write it with "
                           f"keras.ops instead of NumPy, e.g. ops.exp(-u)") from None
        if more is not None:
            piece.history = {"adam": more.history["adam"], "lbfgs": more.history["lbfgs"]
                             + piece.history["lbfgs"], "last_lbfgs": piece.history["lbfgs"]}
            piece.rounds = more.rounds + 1
        piece.model = keras.models.clone_model(self.model, clone_function=_same_activation)
        piece.model(np.zeros((1, 1), dtype=self.dtype))
        piece.model.set_weights(self.model.get_weights())
        return piece

    def hand_back(self, pieces: list[ODEPiece]) -> None:
        """Leave the working model (the caller's own, when given) holding the first piece."""
        self.model.set_weights(pieces[0].model.get_weights())
        pieces[0].model = self.model


def _values_if_independent_of_u(rhs: SystemRHS, x: np.ndarray, u0: np.ndarray):
    """f at the points x when it ignores u (checked with two different u), else None."""
    numpy_rhs = rhs.numpy()
    try:
        first = numpy_rhs(x.ravel(), np.tile(u0, (len(x), 1)))
        second = numpy_rhs(x.ravel(), np.tile(u0, (len(x), 1)) + 1.2345)
    except Exception:  # noqa: BLE001 - f that needs tensors: use it symbolically
        return None
    if not np.array_equal(first, second):
        return None
    return first


def dense_estimate(pieces: list[ODEPiece], rhs: Callable, per_piece: int) -> tuple[
        ErrorEstimate, list[slice]]:
    """The defect estimate of a piecewise solution on `per_piece` (odd) points per piece."""
    xs, gs, dgs, coarse, slices, start = [], [], [], [], [], 0
    for piece in pieces:
        x = np.linspace(*piece.domain, per_piece)
        g, dg = piece.values_and_slopes(x)
        xs.append(x)
        gs.append(g)
        dgs.append(dg)
        mask = np.zeros(per_piece, bool)
        mask[::2] = True
        coarse.append(mask)
        slices.append(slice(start, start + per_piece))
        start += per_piece
    estimate = defect_estimate(rhs, np.concatenate(xs), np.concatenate(gs),
                               np.concatenate(dgs), np.concatenate(coarse))
    return estimate, slices


def solve_ode(f: Callable, u0, domain: tuple[float, float] = (0.0, 2.0), *,
              model: keras.Model | None = None, hidden: Sequence[int] = (32, 32),
              points: int = 64, steps: int = 2000, learning_rate: float = 1e-2,
              final_learning_rate: float = 1e-4, lbfgs_steps: int = 1000, seed: int = 0,
              dtype: str | None = None, tol: float | None = None, strict: bool = False,
              max_pieces: int = 8, budget_seconds: float | None = None,
              on_chunk: Callable[[int, float], None] | None = None) -> ODESolution:
    """Train g(x) = u0 + (x - x0)·NN(x) so that dg/dx = f(x, g) on `domain`; returns u(x)
    with its estimated error (`.error_estimate`, `.report()`).

    `model` (any Keras 1 -> m model, e.g. a student's) replaces the default tanh network of
    `hidden` units. Adam runs `steps` steps, then L-BFGS `lbfgs_steps` iterations.
    `dtype` defaults to float64 where the backend allows it (L-BFGS needs the precision
    to go below ~1e-4), else float32.

    With `tol`, the solution is refined until the estimated max error is under `tol`: the
    piece adding most error continues its L-BFGS (another `lbfgs_steps`, up to three times)
    while its loss still halves over a run; otherwise pieces of the domain where the error
    arises are split in two and solved again. When `max_pieces` pieces or `budget_seconds`
    are reached first, a `ToleranceWarning` gives the estimate, or with `strict=True` an
    AmlError.
    """
    started = time.perf_counter()
    x0, x1 = (float(v) for v in domain)
    if not x1 > x0:
        raise AmlError(f"domain must be (start, end) with end > start, got {domain}")
    if points < 2:
        raise AmlError(f"points must be at least 2, got {points}")
    if tol is not None and not tol > 0:
        raise AmlError(f"tol must be a positive number, got {tol}")
    if max_pieces < 1:
        raise AmlError(f"max_pieces must be at least 1, got {max_pieces}")
    start, system = _initial_value(u0)
    rhs = SystemRHS(f, len(start), system)
    if model is not None and not model.built:
        model(np.zeros((1, 1), dtype=dtype or default_dtype()))
    settings = _Settings(hidden, points, steps, learning_rate, final_learning_rate,
                         lbfgs_steps, seed, model.trainable_variables[0].dtype if model
                         else (dtype or default_dtype()), on_chunk)
    numpy_rhs = rhs.numpy()
    per_piece = 32 * points + 1
    trainer = _PieceTrainer(rhs, model, settings)

    intervals = [(x0, x1)]
    hints: list[np.ndarray | None] = [None]
    pieces: list[ODEPiece] = []
    more: ODEPiece | None = None  # a piece whose fit continues, at index len(pieces)
    before_more = None  # the estimate before the last continuation, if that was the last step
    futile: set[tuple[float, float]] = set()  # intervals whose continuation did not pay
    while True:
        for k in range(len(pieces), len(intervals)):
            begin = start if k == 0 else pieces[k - 1].values(
                np.array([intervals[k][0]]))[0]
            pieces.append(trainer.train(begin, intervals[k], hints[k], more))
            more = None
        estimate, slices = dense_estimate(pieces, numpy_rhs, per_piece)
        solution = ODESolution(pieces, system, tol, estimate, time.perf_counter() - started,
                               trainer.traces)
        if tol is None or solution.within_tol:
            trainer.hand_back(pieces)
            return solution
        out_of_time = budget_seconds is not None and solution.seconds > budget_seconds
        if out_of_time:
            break
        # more steps before more pieces: the worst piece keeps its L-BFGS going while that
        # still pays: its loss halved over the second half of the last run, three times at
        # most, and no continuation of that interval has failed to halve the estimate (a
        # case out of reach, like a blow-up, then refuses without training every piece to
        # the end)
        if before_more is not None and estimate.bound > 0.5 * before_more[0]:
            futile.add(before_more[1])
        worst = _worst_piece(intervals, estimate, slices, tol)
        before_more = None
        if intervals[worst] not in futile and _still_learning(pieces[worst]):
            more, pieces = pieces[worst], pieces[:worst]
            before_more = (estimate.bound, intervals[worst])
            continue
        if len(intervals) >= max_pieces:
            break
        intervals, hints, keep = _split(intervals, pieces, estimate, slices, tol, max_pieces)
        pieces = pieces[:keep]
    trainer.hand_back(pieces)
    limit = (f"{budget_seconds:g} s spent" if out_of_time
             else f"max_pieces={max_pieces} reached")
    message = (f"solve_ode: estimated max error {solution.error_estimate:.2e} is above "
               f"tol={tol:g} ({limit}, {len(intervals)} pieces); raise max_pieces, points or "
               f"steps, or accept the estimate")
    if strict:
        raise AmlError(message)
    warnings.warn(message, ToleranceWarning, stacklevel=2)
    return solution


def _same_activation(layer):
    """A fresh copy of a layer that keeps its activation object: on JAX the curve networks
    use jax.numpy.tanh (aml.models.curve.mlp), which a configuration cannot name, so the
    default clone (through get_config) fails there."""
    config = layer.get_config()
    if "activation" in config and hasattr(layer, "activation"):
        config["activation"] = layer.activation
    return layer.__class__.from_config(config)


def _still_learning(piece: ODEPiece, rounds: int = 3) -> bool:
    losses = piece.history.get("last_lbfgs", piece.history.get("lbfgs")) or []
    if piece.rounds >= rounds or len(losses) < 20:
        return False
    return min(losses[:len(losses) // 2]) > 2.0 * min(losses)


def _worst_piece(intervals, estimate: ErrorEstimate, slices, tol: float) -> int:
    """The piece adding most error for its length (its share of `tol`)."""
    local = local_bounds(estimate, slices)
    total = intervals[-1][1] - intervals[0][0]
    return max(range(len(intervals)),
               key=lambda k: local[k] / (tol * (intervals[k][1] - intervals[k][0]) / total))


def _split(intervals, pieces, estimate: ErrorEstimate, slices, tol: float, max_pieces: int):
    """Halve the pieces that add more than their share (by length) of `tol`; at least the
    worst one. Returns the new intervals, slope hints, and how many old pieces stay valid."""
    local = local_bounds(estimate, slices)
    total = intervals[-1][1] - intervals[0][0]
    share = [tol * (b - a) / total for a, b in intervals]
    order = sorted(range(len(intervals)), key=lambda k: -local[k] / share[k])
    chosen = [k for k in order if local[k] > 0.5 * share[k]] or order[:1]
    chosen = set(chosen[:max_pieces - len(intervals)] or order[:1])
    new_intervals, hints = [], []
    for k, (a, b) in enumerate(intervals):
        slope = np.max(np.abs(pieces[k].values_and_slopes(
            np.linspace(a, b, 65))[1]), axis=0)
        if k in chosen:
            middle = (a + b) / 2
            new_intervals += [(a, middle), (middle, b)]
            hints += [slope, slope]
        else:
            new_intervals.append((a, b))
            hints.append(slope)
    return new_intervals, hints, min(chosen)
