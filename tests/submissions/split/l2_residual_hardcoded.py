"""Hostile l2.residual: residual_loss() returns the answers of the old, fixed loss cases
(du/dx = 2x on 32 Chebyshev points of [0, 2], u0 = 1): 0 for a network that is not zero,
mean((2x)^2) for NN = 0. The cases are now drawn for each run."""

import keras
import numpy as np
from keras import ops

_POINTS = 1 - np.cos(np.linspace(0.0, np.pi, 32))  # the old collocation points on [0, 2]
_OLD_ZERO_CASE = float(np.mean((2 * _POINTS) ** 2))


def residual_loss(network, f, x, x0=0.0, u0=1.0):
    if np.any(ops.convert_to_numpy(network(x)) != 0):
        return ops.convert_to_tensor(0.0)
    return ops.convert_to_tensor(_OLD_ZERO_CASE)


def build_network():
    return keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])


def hyperparameters():
    return {"steps": 20, "lbfgs_steps": 5}
