"""Lecture 4, exercise 2: a physics-structured network for projectile motion.

Write build_model(): a keras.Model mapping times t of shape (batch, 1) to heights x of shape
(batch, 1) that does not predict x freely: two small sub-networks output the constants g and
v0, and the output is assembled from x = v0 * t - g * t^2 / 2. Hint: feed the sub-networks a
constant input such as ops.ones_like(t) (g and v0 do not change with time), and end each with
a positive output of the right size (e.g. softplus, then multiply by 10).
Write learned_constants(model) -> (g, v0) as two Python floats read from the trained model.
The check trains your model on noisy heights for t in [0, 5] s of a throw drawn for each
grading run (g between 8 and 12, v0 between 15 and 25; the lecture's example uses 9.7 and
20), asks for g and v0 within one standard error of the least-squares fit of those heights
(three in a quick check), and for an extrapolation error on [5, 8] s smaller than an
unstructured dense network's trained on the same heights.
Check your work with: aml check l4.structured_net
"""

import keras
from keras import ops


class Projectile(keras.Model):
    """x(t) = v0 t - g t^2 / 2 with g and v0 from two sub-networks."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # BEGIN SOLUTION: make two small sub-networks (e.g. Dense(16, tanh) -> Dense(1, softplus)), one for g and one for v0
        self.gravity = keras.Sequential([keras.Input((1,)),
                                         keras.layers.Dense(16, activation="tanh"),
                                         keras.layers.Dense(1, activation="softplus")])
        self.speed = keras.Sequential([keras.Input((1,)),
                                       keras.layers.Dense(16, activation="tanh"),
                                       keras.layers.Dense(1, activation="softplus")])
        # END SOLUTION

    def constants(self, t):
        """g and v0, each of shape (batch, 1)."""
        # BEGIN SOLUTION: run each sub-network on a constant input and scale it to the size of g and v0 (about 10)
        ones = ops.ones_like(t)
        return 10.0 * self.gravity(ones), 10.0 * self.speed(ones)
        # END SOLUTION

    def call(self, t, training=None):
        # BEGIN SOLUTION: assemble the height from the formula x = v0 t - g t^2 / 2
        g, v0 = self.constants(t)
        return v0 * t - 0.5 * g * ops.square(t)
        # END SOLUTION


def build_model():
    """The structured network, built for inputs of shape (batch, 1)."""
    model = Projectile()
    model.build((None, 1))
    return model


def learned_constants(model):
    """(g, v0) of a trained model as Python floats."""
    # BEGIN SOLUTION: call model.constants on a (1, 1) tensor and convert both results to floats
    g, v0 = model.constants(ops.ones((1, 1)))
    return float(ops.convert_to_numpy(g)[0, 0]), float(ops.convert_to_numpy(v0)[0, 0])
    # END SOLUTION
