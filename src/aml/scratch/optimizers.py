"""Gradient descent (eq 2.5-2.6) and Adam in NumPy, step for step like Keras' optimizers.

Parameters and gradients are lists of arrays (weights and biases alike); each step returns
new arrays and leaves its inputs untouched.
"""

from dataclasses import dataclass

import numpy as np


def gradient_descent_step(params, grads, learning_rate: float):
    """w' = w - alpha dJ/dw and b' = b - alpha dJ/db, eq 2.5-2.6, for every parameter."""
    return [np.asarray(p, dtype=float) - learning_rate * np.asarray(g, dtype=float)
            for p, g in zip(params, grads)]


@dataclass(frozen=True)
class AdamState:
    """Adam's running first and second moments of the gradients, and the step count."""

    m: tuple
    v: tuple
    t: int = 0

    @classmethod
    def zeros_like(cls, params) -> "AdamState":
        zeros = tuple(np.zeros(np.shape(p)) for p in params)
        return cls(zeros, zeros, 0)


def adam_step(params, grads, state: AdamState, learning_rate: float = 1e-3,
              beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-7):
    """One Adam step (Kingma & Ba, with Keras' epsilon placement); returns (params, state).

    Momentum (m) smooths the gradient; v scales each parameter's step by its recent gradient
    size, so one learning rate suits weights of very different sensitivity.
    """
    t = state.t + 1
    step = learning_rate * np.sqrt(1 - beta_2 ** t) / (1 - beta_1 ** t)
    new_params, ms, vs = [], [], []
    for p, g, m, v in zip(params, grads, state.m, state.v):
        g = np.asarray(g, dtype=float)
        m = m + (1 - beta_1) * (g - m)
        v = v + (1 - beta_2) * (np.square(g) - v)
        new_params.append(np.asarray(p, dtype=float) - step * m / (np.sqrt(v) + epsilon))
        ms.append(m)
        vs.append(v)
    return new_params, AdamState(tuple(ms), tuple(vs), t)


def linear_regression_gradients(x, y, w, b):
    """MSE cost of y_hat = x w + b over the batch (eq 2.2, 2.4) and its gradients dJ/dw, dJ/db."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    error = x @ w + b - y
    n = error.size
    return float(np.mean(np.square(error))), [2.0 * x.T @ error / n, 2.0 * error.sum(0) / n]


def train_linear_regression(x, y, w, b, *, steps: int, learning_rate: float,
                            optimizer: str = "gd"):
    """Full-batch training of y_hat = x w + b by MSE with "gd" or "adam"; returns w, b, costs."""
    if optimizer not in ("gd", "adam"):
        raise ValueError(f"optimizer must be 'gd' or 'adam', got {optimizer!r}")
    params = [np.asarray(w, dtype=float), np.asarray(b, dtype=float)]
    state = AdamState.zeros_like(params)
    costs = []
    for _ in range(steps):
        cost, grads = linear_regression_gradients(x, y, *params)
        costs.append(cost)
        if optimizer == "gd":
            params = gradient_descent_step(params, grads, learning_rate)
        else:
            params, state = adam_step(params, grads, state, learning_rate)
    return params[0], params[1], costs
