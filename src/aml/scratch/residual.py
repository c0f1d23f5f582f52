"""The residual loss that solves du/dx = f(x, u), u(x0) = u0: eq 2.7-2.14, in plain keras.ops.

The network NN(x) is wrapped in a trial solution that meets the initial condition whatever
its weights (eq 2.13, with x0 = 0 in the notes):

    g(x) = u0 + (x - x0) * NN(x)

so training needs only the equation: at collocation points x, the loss (eq 2.14) is

    L = mean over x of (dg/dx - f(x, g))^2

The notes estimate dg/dx by a finite difference with a small h (eq 2.11); here automatic
differentiation gives it exactly, for every point in one call. `aml.training.residual` trains
this same loss fast (compiled steps, L-BFGS, inputs scaled to [-1, 1]); read the method here.
"""

from __future__ import annotations

import keras
from keras import ops


def trial_solution(network, x, x0: float = 0.0, u0: float = 1.0):
    """g(x) = u0 + (x - x0) NN(x): equals u0 at x0 for any weights (eq 2.13)."""
    return u0 + (x - x0) * network(x)


def value_and_slope(fn, x):
    """fn(x) and dfn/dx at each point of x (a column, shape (n, 1)), by autodiff."""
    if keras.backend.backend() == "jax":
        import jax

        return jax.jvp(fn, (x,), (ops.ones_like(x),))  # forward mode: one pass, every point
    import tensorflow as tf

    with tf.GradientTape() as tape:  # fn acts point by point, so d(sum)/dx_i = dfn/dx at x_i
        tape.watch(x)
        y = fn(x)
    return y, tape.gradient(y, x)


def residual_loss(network, f, x, x0: float = 0.0, u0: float = 1.0):
    """mean((dg/dx - f(x, g))^2) at the points x: zero exactly when g solves the ODE there."""
    g, dg_dx = value_and_slope(lambda points: trial_solution(network, points, x0, u0), x)
    return ops.mean(ops.square(dg_dx - f(x, g)))
