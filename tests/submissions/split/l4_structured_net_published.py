"""Hostile l4.structured_net: a truly structured model whose constants are the course's
published g = 9.7 and v0 = 20, typed in and frozen, and learned_constants() reporting them.
Its heights follow v0 t - g t^2/2 exactly, so only a throw drawn for the run (whose
constants never enter the jail) tells it apart from a trained model."""

import keras
from keras import ops


class Frozen(keras.Model):
    def call(self, t):
        return 20.0 * t - 0.5 * 9.7 * ops.square(t) + 0.0 * ops.sum(self.dummy)

    def build(self, shape):
        self.dummy = self.add_weight(shape=(1,), initializer="zeros", trainable=True)


def build_model():
    model = Frozen()
    model.build((None, 1))
    return model


def learned_constants(model):
    return 9.7, 20.0
