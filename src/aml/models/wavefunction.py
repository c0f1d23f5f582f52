"""A regressor for oscillating 1-D functions such as the |psi_n|^2 of an infinite well.

The first layer has sine activations with frequencies drawn up to `frequency`: the network
starts with a Fourier-like basis, so ten bumps are learned in seconds instead of minutes.
"""

from __future__ import annotations

import keras
from keras import ops


def wave_regressor(hidden: int = 64, frequency: float = 20.0, regularizer=None,
                   dropout: float = 0.0, seed: int | None = None) -> keras.Sequential:
    """x -> Dense(hidden, sin) -> Dense(hidden, tanh) -> Dense(1), optionally regularised.

    `regularizer` (a keras.regularizers instance) goes on every kernel; `dropout` > 0 adds a
    Dropout layer after each hidden layer.
    """
    def maybe_dropout():
        return [keras.layers.Dropout(dropout, seed=seed)] if dropout > 0 else []

    layers = [keras.Input((1,)),
              keras.layers.Dense(hidden, activation=ops.sin, kernel_regularizer=regularizer,
                                 kernel_initializer=keras.initializers.RandomUniform(
                                     -frequency, frequency, seed=seed)),
              *maybe_dropout(),
              keras.layers.Dense(hidden, activation="tanh", kernel_regularizer=regularizer,
                                 kernel_initializer=keras.initializers.GlorotUniform(seed)),
              *maybe_dropout(),
              keras.layers.Dense(1, kernel_regularizer=regularizer,
                                 kernel_initializer=keras.initializers.GlorotUniform(seed))]
    return keras.Sequential(layers, name="wave_regressor")
