"""Max, min and average pooling with pool size, stride and padding (figure 10 of the notes).

Pooling merges each pool_size x pool_size window into one value and has no trainable
parameters. With 'same' padding the padded cells are ignored (as in Keras), not read as 0.
"""

from __future__ import annotations

import numpy as np

from aml.scratch.convolution import pad_input, windows

# Figure 10 of the notes, a 2x2 max pool with stride 2 (a 4x4 input as an example).
FIGURE10_INPUT = np.array([[1, 1, 2, 4],
                           [5, 6, 7, 8],
                           [3, 2, 1, 0],
                           [1, 2, 3, 4]], dtype=float)
FIGURE10_MAX_POOLED = np.array([[6, 8],
                                [3, 4]], dtype=float)

_REDUCE = {"max": np.nanmax, "min": np.nanmin, "average": np.nanmean}


def pool2d(x, pool_size=2, stride=None, padding: str = "valid", mode: str = "max"):
    """Pool (batch, H, W, C) images, or one (H, W) map; stride defaults to pool_size."""
    if mode not in _REDUCE:
        raise ValueError(f"mode must be one of {sorted(_REDUCE)}, got {mode!r}")
    x = np.asarray(x, dtype=float)
    plain = x.ndim == 2
    if plain:
        x = x[None, :, :, None]
    elif x.ndim == 3:
        x = x[None]
    stride = pool_size if stride is None else stride
    x = pad_input(x, pool_size, stride, padding, value=np.nan)
    out = _REDUCE[mode](windows(x, pool_size, stride), axis=(-2, -1))
    return out[0, :, :, 0] if plain else out
