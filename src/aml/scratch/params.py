"""Counting the trainable parameters of dense and convolutional layers (lecture 3.1).

A dense layer with n_in inputs and n_out neurons has n_in * n_out weights (one per
connection) plus n_out biases; a Conv2D layer has one kh x kw x channels kernel plus one bias
per filter, whatever the image size.
"""

from __future__ import annotations

# Figure 8 of the notes: the same 8 hidden neurons (one input, one output), arranged as two
# wide layers of 4 or as four narrow layers of 2; the wide one has 33 parameters, the narrow 25.
FIGURE8_WIDE = (1, 4, 4, 1)
FIGURE8_NARROW = (1, 2, 2, 2, 2, 1)


def dense_layer_parameters(n_in: int, n_out: int) -> int:
    """Weights plus biases of one dense layer: (n_in + 1) * n_out."""
    return (int(n_in) + 1) * int(n_out)


def dense_parameters(sizes) -> int:
    """Parameters of a dense stack given its layer sizes [inputs, units1, units2, ...]."""
    sizes = [int(s) for s in sizes]
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(f"sizes must list the inputs and at least one layer, all >= 1: {sizes}")
    return sum(dense_layer_parameters(a, b) for a, b in zip(sizes[:-1], sizes[1:]))


def conv2d_parameters(kernel_size, channels: int, filters: int) -> int:
    """Parameters of a Conv2D layer: (kh * kw * channels + 1) * filters."""
    kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
    return (kh * kw * int(channels) + 1) * int(filters)


def hidden_neurons(sizes) -> int:
    """Neurons between the input and the output layer."""
    return sum(sizes[1:-1])
