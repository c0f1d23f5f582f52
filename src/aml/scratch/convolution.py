"""2-D convolution as in a Keras Conv2D layer, eq 3.1 of the notes.

A kernel slides over the input; each output value is the sum of the kernel times the patch
under it (plus a bias). Like Keras (and unlike the flipped-index form of eq 3.1) this is a
cross-correlation: the kernel is not mirrored. The worked numbers of eq 3.1 are the same
either way because that kernel is symmetric.
Layouts follow Keras: images (batch, height, width, channels), kernels (kh, kw, channels,
filters).
"""

from __future__ import annotations

import math

import numpy as np

# Figure 9 of the notes (a 7x7 binary input and a 3x3 kernel) as far as the text gives it:
# the top-right-of-centre patch below multiplies the kernel into eq 3.1's sum, 4.
FIGURE9_INPUT = np.array([[0, 1, 1, 1, 0, 0, 0],
                          [0, 0, 1, 1, 1, 0, 0],
                          [0, 0, 0, 1, 1, 1, 0],
                          [0, 0, 0, 1, 1, 0, 0],
                          [0, 0, 1, 1, 0, 0, 0],
                          [0, 1, 1, 0, 0, 0, 0],
                          [1, 1, 0, 0, 0, 0, 0]], dtype=float)
FIGURE9_KERNEL = np.array([[1, 0, 1],
                           [0, 1, 0],
                           [1, 0, 1]], dtype=float)


def correlate_patch(patch, kernel) -> float:
    """One output value of eq 3.1: sum over j, k of I(j, k) K(j, k)."""
    return float(np.sum(np.asarray(patch, dtype=float) * np.asarray(kernel, dtype=float)))


def same_padding(size: int, window: int, stride: int) -> tuple[int, int]:
    """Zeros to add before and after so the output has ceil(size / stride) values (Keras)."""
    total = max((math.ceil(size / stride) - 1) * stride + window - size, 0)
    return total // 2, total - total // 2


def output_size(size: int, window: int, stride: int, padding: str) -> int:
    """Output length along one axis for 'valid' or 'same' padding."""
    if padding == "same":
        return math.ceil(size / stride)
    if padding == "valid":
        return (size - window) // stride + 1
    raise ValueError(f"padding must be 'valid' or 'same', got {padding!r}")


def _pairs(value) -> tuple[int, int]:
    return (value, value) if isinstance(value, int) else tuple(value)


def pad_input(x, window, stride, padding: str, value: float = 0.0):
    """Pad (batch, H, W, C) images at the borders for 'same' padding; 'valid' adds nothing."""
    if padding not in ("valid", "same"):
        raise ValueError(f"padding must be 'valid' or 'same', got {padding!r}")
    if padding == "valid":
        return x
    (kh, kw), (sh, sw) = _pairs(window), _pairs(stride)
    top, bottom = same_padding(x.shape[1], kh, sh)
    left, right = same_padding(x.shape[2], kw, sw)
    return np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)), constant_values=value)


def windows(x, window, stride):
    """Every kh x kw patch at the given stride: (batch, out_h, out_w, C, kh, kw)."""
    (kh, kw), (sh, sw) = _pairs(window), _pairs(stride)
    patches = np.lib.stride_tricks.sliding_window_view(x, (kh, kw), axis=(1, 2))
    return patches[:, ::sh, ::sw]


def _batched(x, kernel):
    """(x, kernel, plain) in Keras layouts; `plain` when both came as 2-D arrays."""
    x, kernel = np.asarray(x, dtype=float), np.asarray(kernel, dtype=float)
    plain = x.ndim == 2 and kernel.ndim == 2
    if plain:
        x, kernel = x[None, :, :, None], kernel[:, :, None, None]
    elif x.ndim == 3:
        x = x[None]
    if x.ndim != 4 or kernel.ndim != 4 or x.shape[-1] != kernel.shape[2]:
        raise ValueError(f"input {x.shape} and kernel {kernel.shape} do not fit: expected "
                         "(batch, H, W, C) and (kh, kw, C, filters)")
    return x, kernel, plain


def conv2d_loops(x, kernel, bias=None, stride=1, padding: str = "valid", activation=None):
    """Conv2D written as eq 3.1 reads, for reading: for every image, output position and
    filter, the sum of kernel times patch. `conv2d` computes the same numbers, vectorised."""
    x, kernel, plain = _batched(x, kernel)
    kh, kw, _, filters = kernel.shape
    sh, sw = _pairs(stride)
    x = pad_input(x, (kh, kw), (sh, sw), padding)
    out_h, out_w = (x.shape[1] - kh) // sh + 1, (x.shape[2] - kw) // sw + 1
    out = np.zeros((x.shape[0], out_h, out_w, filters))
    for b in range(x.shape[0]):
        for i in range(out_h):
            for j in range(out_w):
                patch = x[b, i * sh:i * sh + kh, j * sw:j * sw + kw, :]  # (kh, kw, C)
                for f in range(filters):
                    out[b, i, j, f] = correlate_patch(patch, kernel[:, :, :, f])
    if bias is not None:
        out = out + np.asarray(bias, dtype=float)
    if activation is not None:
        out = activation(out)
    return out[0, :, :, 0] if plain else out


def conv2d(x, kernel, bias=None, stride=1, padding: str = "valid", activation=None):
    """Conv2D: x (batch, H, W, C) or (H, W), kernel (kh, kw, C, filters) or (kh, kw).

    Returns (batch, H', W', filters), or a 2-D map when both inputs were 2-D.
    Every filter sums over all input channels, so a layer of F filters on C channels has
    kh*kw*C*F weights and F biases. The loops of `conv2d_loops` become one einsum over
    every patch at once.
    """
    x, kernel, plain = _batched(x, kernel)
    kh, kw = kernel.shape[:2]
    x = pad_input(x, (kh, kw), stride, padding)
    patches = windows(x, (kh, kw), stride)
    out = np.einsum("bhwcij,ijcf->bhwf", patches, kernel)
    if bias is not None:
        out = out + np.asarray(bias, dtype=float)
    if activation is not None:
        out = activation(out)
    return out[0, :, :, 0] if plain else out
