"""Networks for projectile motion: a physics-structured one and an unstructured baseline.

The structured network never predicts x(t) freely: two small sub-networks output the
constants g and v0 of the throw, and the answer is assembled from x = v0 t - g t^2 / 2.
The sub-networks read a constant input (g and v0 belong to the throw, not to a moment), so
whatever they learn on [0, 5] holds at every t, which is why the model extrapolates.
"""

from __future__ import annotations

import keras
from keras import ops


def _constant_head(hidden: int, scale: float, name: str) -> keras.Sequential:
    """A tiny network from a constant input to one positive number of order `scale`."""
    return keras.Sequential([keras.Input((1,)),
                             keras.layers.Dense(hidden, activation="tanh"),
                             keras.layers.Dense(1, activation="softplus"),
                             keras.layers.Rescaling(scale)], name=name)


class ProjectileNetwork(keras.Model):
    """x(t) = v0 t - g t^2 / 2 with g and v0 produced by two sub-networks."""

    def __init__(self, hidden: int = 16, scale: float = 10.0, **kwargs):
        super().__init__(**kwargs)
        self.hidden, self.scale = hidden, scale
        self.gravity = _constant_head(hidden, scale, "gravity")
        self.speed = _constant_head(hidden, scale, "initial_speed")

    def constants(self, t):
        """g and v0 per sample (the same for every t), each of shape (batch, 1)."""
        ones = ops.ones_like(t)
        return self.gravity(ones), self.speed(ones)

    def call(self, t, training=None):
        g, v0 = self.constants(t)
        return v0 * t - 0.5 * g * ops.square(t)

    def get_config(self):
        return {**super().get_config(), "hidden": self.hidden, "scale": self.scale}


def projectile_network(hidden: int = 16, scale: float = 10.0) -> ProjectileNetwork:
    """The physics-structured model, built for inputs of shape (batch, 1)."""
    model = ProjectileNetwork(hidden, scale, name="projectile_structured")
    model.build((None, 1))
    return model


def learned_constants(model: ProjectileNetwork) -> tuple[float, float]:
    """The g and v0 a trained structured model has settled on."""
    g, v0 = model.constants(ops.ones((1, 1)))
    return float(ops.convert_to_numpy(g)[0, 0]), float(ops.convert_to_numpy(v0)[0, 0])


def dense_regressor(hidden: tuple[int, ...] = (8, 8), activation: str = "tanh",
                    name: str = "dense_regressor") -> keras.Sequential:
    """An unstructured Dense network t -> x: it must learn the curve's shape from data."""
    layers = [keras.layers.Dense(units, activation=activation) for units in hidden]
    return keras.Sequential([keras.Input((1,)), *layers, keras.layers.Dense(1)], name=name)
