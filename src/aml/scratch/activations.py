"""Activation functions in NumPy: the nonlinearity that makes stacked layers useful (eq 1.7)."""

import numpy as np


def sigmoid(z):
    """1 / (1 + e^-z), computed without overflow for large |z|."""
    z = np.asarray(z, dtype=float)
    out = np.empty_like(z)
    positive = z >= 0
    out[positive] = 1.0 / (1.0 + np.exp(-z[positive]))
    exp_z = np.exp(z[~positive])
    out[~positive] = exp_z / (1.0 + exp_z)
    return out


def relu(z):
    """max(0, z), element-wise."""
    return np.maximum(0.0, np.asarray(z, dtype=float))


def tanh(z):
    return np.tanh(np.asarray(z, dtype=float))


def softmax(z, axis: int = -1):
    """e^z_j / sum_k e^z_k along `axis`; shifted by the maximum so it never overflows."""
    z = np.asarray(z, dtype=float)
    shifted = np.exp(z - z.max(axis=axis, keepdims=True))
    return shifted / shifted.sum(axis=axis, keepdims=True)


def linear(z):
    return np.asarray(z, dtype=float)


ACTIVATIONS = {"sigmoid": sigmoid, "relu": relu, "tanh": tanh, "softmax": softmax,
               "linear": linear, None: linear}


def activation(name):
    """Look up an activation by its Keras name."""
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise ValueError(f"unknown activation {name!r}; known: "
                         f"{sorted(k for k in ACTIVATIONS if k)}") from None
