"""Regression losses and the batch cost in NumPy, eq 2.2-2.4 of the notes."""

import numpy as np


def mse(y_true, y_pred):
    """Mean squared error of each sample over its outputs, eq 2.2: (1/n) sum (y_hat - y)^2."""
    diff = np.asarray(y_pred, dtype=float) - np.asarray(y_true, dtype=float)
    return np.mean(np.square(diff), axis=-1)


def mae(y_true, y_pred):
    """Mean absolute error of each sample over its outputs, eq 2.3: (1/n) sum |y_hat - y|."""
    diff = np.asarray(y_pred, dtype=float) - np.asarray(y_true, dtype=float)
    return np.mean(np.abs(diff), axis=-1)


def batch_cost(loss, y_true, y_pred):
    """Cost J over a batch of m samples, eq 2.4: the mean of the per-sample losses."""
    return float(np.mean(loss(y_true, y_pred)))
