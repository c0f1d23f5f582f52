"""Solve du/dx = f(x, u), u(x0) = u0 by training a network on the equation's residual.

The trial solution g(x) = u0 + (x - x0)·NN(x) meets the initial condition by construction, so
the loss is only the residual (dg/dx - f(x, g))^2 (eq 2.11-2.14 of the notes). Unlike the
course's finite difference in a Python loop, dg/dx comes from automatic differentiation,
every collocation point is handled in one vectorised call, and many optimiser steps run
per compiled call (see `aml.training.full_batch`).

A right-hand side that uses u must be written with `keras.ops` (or plain arithmetic) so it
runs inside the compiled step, e.g. `lambda x, u: -u` or `lambda x, u: ops.cos(x) - u`. One
of x alone (`lambda x: 2 * x`, or `lambda x, u: np.cos(x)`) is evaluated once at the
collocation points, so NumPy functions work there.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import keras
import numpy as np
from keras import ops

from aml.errors import AmlError
from aml.models.curve import default_dtype, mlp
from aml.training.full_batch import minimise, pointwise_derivative


def as_rhs(f: Callable) -> Callable:
    """f(x, u) from a right-hand side written as f(x, u) or as f(x)."""
    try:
        parameters = [p for p in inspect.signature(f).parameters.values()
                      if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
                      and p.default is p.empty]
        takes_u = len(parameters) >= 2 or any(
            p.kind == p.VAR_POSITIONAL for p in inspect.signature(f).parameters.values())
    except (TypeError, ValueError):  # builtins without a signature: assume f(x, u)
        takes_u = True
    rhs = f if takes_u else (lambda x, u: f(x))
    if keras.backend.backend() == "tensorflow":  # user code runs as written, not AutoGraph'd
        import tensorflow as tf

        rhs = tf.autograph.experimental.do_not_convert(rhs)
    return rhs


@dataclass
class ODESolution:
    """A trained solution: call it on x values (any shape) to get u(x) as a NumPy array."""

    model: keras.Model
    u0: float
    domain: tuple[float, float]
    scale: float = 1.0
    history: dict = field(default_factory=dict)

    def trial(self, x, call=None):
        """g(x) = u0 + (x - x0)·s·NN(t): t is x mapped onto [-1, 1], s the slope's scale."""
        x0, x1 = self.domain
        t = (x - x0) * (2.0 / (x1 - x0)) - 1.0
        return self.u0 + (x - x0) * self.scale * (call or self.model)(t)

    def __call__(self, x) -> np.ndarray:
        x = np.asarray(x, dtype="float64")
        dtype = self.model.trainable_variables[0].dtype
        column = ops.convert_to_tensor(x.reshape(-1, 1), dtype=dtype)
        u = ops.convert_to_numpy(self.trial(column))
        return u.reshape(x.shape).astype("float64")

    @property
    def final_loss(self) -> float:
        losses = self.history.get("lbfgs") or self.history.get("adam") or [float("nan")]
        return float(min(losses[-50:]))


def residual_loss(solution: ODESolution, rhs: Callable, x):
    """Mean over the collocation points x of (dg/dx - f(x, g))^2, with dg/dx by autodiff."""

    def loss_fn(call):
        u, du_dx = pointwise_derivative(lambda points: solution.trial(points, call), x)
        residual = (du_dx - (rhs(x, u) + ops.zeros_like(u))) / solution.scale
        return ops.mean(ops.square(residual))

    return loss_fn


def collocation_points(domain: tuple[float, float], n: int) -> np.ndarray:
    """n Chebyshev-spaced points spanning the domain (denser near the ends), ends included."""
    x0, x1 = domain
    t = -np.cos(np.linspace(0.0, np.pi, n))
    return (x0 + (t + 1.0) * (x1 - x0) / 2.0).reshape(-1, 1)


def _check_rhs(rhs, x, u0: float) -> float:
    """Largest |f(x, u0)| on the points (the slope's scale); fails early, with one line, on a
    right-hand side that cannot run on tensors, returns the wrong shape or is not finite."""
    try:
        value = ops.convert_to_numpy(rhs(x, ops.zeros_like(x) + u0) + ops.zeros_like(x))
    except Exception as err:  # noqa: BLE001 - any failure of user code is reported in one line
        raise AmlError(f"the right-hand side f(x, u) failed on tensors ({type(err).__name__}: "
                       f"{err}); write it with keras.ops, e.g. lambda x, u: ops.cos(x) - u")\
            from None
    if value.shape != tuple(x.shape):
        raise AmlError(f"the right-hand side must return one value per point, got shape "
                       f"{value.shape} for {x.shape[0]} points; use element-wise operations")
    if not np.all(np.isfinite(value)):
        raise AmlError("the right-hand side is not finite on the domain; choose a domain where "
                       "f(x, u) is defined")
    return float(np.max(np.abs(value)))


def solve_ode(f: Callable, u0: float, domain: tuple[float, float] = (0.0, 2.0), *,
              model: keras.Model | None = None, hidden: Sequence[int] = (32, 32),
              points: int = 64, steps: int = 2000, learning_rate: float = 1e-2,
              final_learning_rate: float = 1e-4, lbfgs_steps: int = 1000, seed: int = 0,
              dtype: str | None = None,
              on_chunk: Callable[[int, float], None] | None = None) -> ODESolution:
    """Train g(x) = u0 + (x - x0)·NN(x) so that dg/dx = f(x, g) on `domain`; returns u(x).

    `model` (any Keras 1 -> 1 model, e.g. a student's) replaces the default tanh network of
    `hidden` units. Adam runs `steps` steps, then L-BFGS `lbfgs_steps` iterations.
    `dtype` defaults to float64 where the backend allows it (L-BFGS needs the precision
    to go below ~1e-4), else float32.
    """
    x0, x1 = (float(v) for v in domain)
    if not x1 > x0:
        raise AmlError(f"domain must be (start, end) with end > start, got {domain}")
    if points < 2:
        raise AmlError(f"points must be at least 2, got {points}")
    rhs = as_rhs(f)
    dtype = dtype or default_dtype()
    if model is None:
        model = mlp(hidden, seed=seed, dtype=dtype)
    if not model.built:
        model(np.zeros((1, 1), dtype=dtype))
    dtype = model.trainable_variables[0].dtype
    x = ops.convert_to_tensor(collocation_points((x0, x1), points), dtype=dtype)
    slope = _check_rhs(rhs, x, float(u0))
    fixed = _values_if_independent_of_u(rhs, collocation_points((x0, x1), points))
    if fixed is not None:  # f(x) alone: evaluate once (NumPy functions work too)
        values = ops.convert_to_tensor(fixed, dtype=dtype)
        rhs = as_rhs(lambda _: values)
    solution = ODESolution(model, float(u0), (x0, x1), scale=max(1.0, slope))
    try:
        solution.history = minimise(model, residual_loss(solution, rhs, x), steps=steps,
                                    learning_rate=learning_rate,
                                    final_learning_rate=final_learning_rate,
                                    lbfgs_steps=lbfgs_steps, on_chunk=on_chunk)
    except (TypeError, NotImplementedError) as err:
        if fixed is not None:
            raise
        raise AmlError(f"the right-hand side f(x, u) cannot run in the compiled training step "
                       f"({type(err).__name__}: {str(err)[:120]}); write it with keras.ops "
                       f"instead of NumPy, e.g. ops.exp(-u)") from None
    return solution


def _values_if_independent_of_u(rhs, x: np.ndarray):
    """f at the points x when it ignores u (checked with two different u), else None."""
    try:
        first = ops.convert_to_numpy(rhs(x, np.zeros_like(x)) + np.zeros_like(x))
        second = ops.convert_to_numpy(rhs(x, np.full_like(x, 1.2345)) + np.zeros_like(x))
    except Exception:  # noqa: BLE001 - f that needs tensors: use it symbolically
        return None
    if first.shape != x.shape or not np.array_equal(first, second):
        return None
    return first
