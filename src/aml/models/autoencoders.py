"""Dense autoencoders: an encoder squeezes the input into a small latent vector, a decoder
rebuilds the input from it. What cannot pass the bottleneck (noise, anomalies) is lost."""

from __future__ import annotations

from collections.abc import Sequence

import keras


def dense_autoencoder(n_inputs: int, hidden: Sequence[int] = (64,), latent: int = 8,
                      output_activation: str | None = None, seed: int = 0) -> keras.Model:
    """n_inputs -> hidden... -> latent -> reversed(hidden)... -> n_inputs, ReLU inside."""
    def dense(units, activation, index):
        return keras.layers.Dense(units, activation=activation,
                                  kernel_initializer=keras.initializers.GlorotUniform(
                                      seed=seed + index))

    sizes = [*hidden, latent, *reversed(hidden)]
    layers = [dense(units, "relu", i) for i, units in enumerate(sizes)]
    layers.append(dense(n_inputs, output_activation, len(sizes)))
    return keras.Sequential([keras.Input((n_inputs,)), *layers], name="autoencoder")
