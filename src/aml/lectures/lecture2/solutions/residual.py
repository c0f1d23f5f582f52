"""Lecture 2, exercise 1: solve three ODEs with the residual loss, written by you.

On x in [0, 2] solve du/dx = 2x, du/dx = x^2 and du/dx = x^2 - 2x, all with u(0) = 1
(eq 2.7-2.9). No solution values are given: the network learns from the equation alone.
The trial solution g(x) = u0 + (x - x0)·NN(x) equals u0 at x0 whatever the weights
(eq 2.13), so the loss only has to ask that g obeys the equation at every point (eq 2.14):

    loss = mean over the points x of (dg/dx - f(x, g))^2

Your parts: that loss, the network NN, and the training settings. The checker trains your
network on your loss with a fast compiled optimiser (Adam, then L-BFGS).

Contract (what `aml check l2.residual` calls):
  residual_loss(network, f, x, x0, u0) -> a scalar tensor: the loss above, where
      network(points) gives NN at a column of points, f(x, u) is the right-hand side and
      x is a column of points (shape (n, 1)). Use keras.ops for the arithmetic and
      value_and_slope(fn, x) (imported below) for fn(x) and dfn/dx by automatic
      differentiation.
  build_network()   -> an uncompiled keras.Model taking (batch, 1) x values to (batch, 1),
                       made of Keras's own layers (the grader rebuilds the trained network
                       from its saved configuration and weights)
  hyperparameters() -> a dict of training settings: points, steps, learning_rate,
                       final_learning_rate, lbfgs_steps (any you leave out keep defaults)
Done = max |u_NN - u_exact| on 200 points of [0, 2] below 1e-3 for all three equations.
Check your work with: aml check l2.residual
"""

import keras
from keras import ops

from aml.scratch.residual import value_and_slope


def residual_loss(network, f, x, x0=0.0, u0=1.0):
    """mean((dg/dx - f(x, g))^2) over the points x, with g(x) = u0 + (x - x0)·network(x)."""
    # BEGIN SOLUTION: define the trial solution g(points) of eq 2.13 with network; get g and dg/dx at x from value_and_slope; return the mean over the points of the squared residual of eq 2.14 (keras.ops)
    def trial(points):
        return u0 + (points - x0) * network(points)

    g, dg_dx = value_and_slope(trial, x)
    return ops.mean(ops.square(dg_dx - f(x, g)))
    # END SOLUTION


def build_network():
    """A small smooth network from x to one number: NN(x) in g(x) = 1 + x·NN(x)."""
    # BEGIN SOLUTION: stack a few Dense layers with a smooth activation (tanh) ending in Dense(1); float64 layers (dtype="float64") let the optimiser go further
    return keras.Sequential([
        keras.Input((1,), dtype="float64"),
        keras.layers.Dense(32, activation="tanh", dtype="float64"),
        keras.layers.Dense(32, activation="tanh", dtype="float64"),
        keras.layers.Dense(1, dtype="float64"),
    ])
    # END SOLUTION


def hyperparameters():
    """Training settings: collocation points, Adam steps and rates, L-BFGS polish."""
    # BEGIN SOLUTION: return a dict, e.g. {"points": ..., "steps": ..., "learning_rate": ..., "lbfgs_steps": ...}
    return {"points": 64, "steps": 2000, "learning_rate": 1e-2, "final_learning_rate": 1e-4,
            "lbfgs_steps": 500}
    # END SOLUTION


if __name__ == "__main__":
    import numpy as np

    # A first test of your loss: for du/dx = 2x the exact u = 1 + x·x, so NN(x) = x gives 0,
    # and NN(x) = 0 (g = 1, a flat line) gives the mean of (2x)^2 over the points.
    x = ops.convert_to_tensor(np.linspace(0, 2, 11).reshape(-1, 1))
    for label, network in (("NN(x) = x", lambda p: p), ("NN(x) = 0", lambda p: 0 * p)):
        print(f"{label}: loss {float(residual_loss(network, lambda p, u: 2 * p, x)):.6g}")
    print(f"expected 0 and {float(np.mean((2 * np.linspace(0, 2, 11)) ** 2)):.6g}; "
          "then train it with: aml check l2.residual")
