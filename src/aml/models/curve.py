"""A smooth network for a function of one variable, u(x): what the ODE solvers and the
supervised curve fits train (lecture 2)."""

from __future__ import annotations

from collections.abc import Sequence

import keras


def mlp(hidden: Sequence[int] = (32, 32), activation: str = "tanh", seed: int = 0,
        dtype: str = "float32") -> keras.Model:
    """A smooth 1 -> 1 network: tanh layers (differentiable everywhere) and a linear output."""
    initializer = keras.initializers.GlorotUniform
    layers = [keras.layers.Dense(units, activation=activation, dtype=dtype,
                                 kernel_initializer=initializer(seed=seed + i))
              for i, units in enumerate(hidden)]
    layers.append(keras.layers.Dense(1, dtype=dtype,
                                     kernel_initializer=initializer(seed=seed + len(hidden))))
    return keras.Sequential([keras.Input((1,), dtype=dtype), *layers])


def default_dtype() -> str:
    """float64 on TensorFlow, and on JAX when 64-bit mode is on (JAX_ENABLE_X64=1)."""
    if keras.backend.backend() == "jax":
        import jax

        return "float64" if jax.config.jax_enable_x64 else "float32"
    return "float64"
