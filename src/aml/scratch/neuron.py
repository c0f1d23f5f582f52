"""A neuron and a dense layer in NumPy, eq 1.1-1.7 of the notes.

Weights are stored as W[i, j]: input i to neuron j, the same layout as a Keras Dense kernel,
so z_j = sum_i W_ij x_i + b_j is `x @ W + b` for a batch of row vectors x.
"""

import numpy as np

from aml.scratch.activations import activation


def neuron(x, w, b):
    """One neuron, eq 1.1: z = w . x + b."""
    return np.asarray(x, dtype=float) @ np.asarray(w, dtype=float) + b


def dense(x, W, b):
    """A layer of neurons without activation, eq 1.2-1.3: z_j = W_ij x_i + b_j."""
    return np.asarray(x, dtype=float) @ np.asarray(W, dtype=float) + np.asarray(b, dtype=float)


def fold_bias(W, b):
    """Append the bias as an extra input row of W (eq 1.4): shape (inputs + 1, units)."""
    return np.vstack([np.asarray(W, dtype=float), np.asarray(b, dtype=float)[None, :]])


def append_one(x):
    """Append the constant input 1 that multiplies the folded bias row (eq 1.4)."""
    x = np.asarray(x, dtype=float)
    return np.concatenate([x, np.ones(x.shape[:-1] + (1,))], axis=-1)


def dense_folded(x, W_folded):
    """The same layer with the bias folded into the weights, eq 1.4: z = [x, 1] @ [W; b]."""
    return append_one(x) @ W_folded


def collapse_linear(W1, b1, W2, b2):
    """Two stacked linear layers are one linear layer (eq 1.5-1.6): W = W1 W2, b = b1 W2 + b2."""
    W1, b1, W2, b2 = (np.asarray(a, dtype=float) for a in (W1, b1, W2, b2))
    return W1 @ W2, b1 @ W2 + b2


def layer(x, W, b, activation_name=None):
    """A dense layer with its activation applied to every neuron, eq 1.7: a = f(W x + b)."""
    return activation(activation_name)(dense(x, W, b))


def forward(x, layers):
    """Run a stack of (W, b, activation) layers from input to output."""
    for W, b, activation_name in layers:
        x = layer(x, W, b, activation_name)
    return x


def count_parameters(sizes):
    """Weights plus biases of a dense stack with layer sizes [inputs, units1, units2, ...]."""
    return sum((n_in + 1) * n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))
