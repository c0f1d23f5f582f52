"""Lecture 1, exercise 2: the iris network with the functional API.

Write build_model() so that it returns an uncompiled keras.Model(inputs, outputs): 4 input
features, a hidden Dense layer of 8 ReLU units, a Dense output of 3 softmax units.
Check your work with: aml check l1.functional
"""

import keras


def build_model():
    """The iris network as keras.Model(inputs=..., outputs=...)."""
    # BEGIN SOLUTION: define an input layer with keras.Input, call each Dense layer on the previous tensor, return keras.Model(inputs=..., outputs=...)
    inputs = keras.Input(shape=(4,))
    hidden = keras.layers.Dense(8, activation="relu")(inputs)
    outputs = keras.layers.Dense(3, activation="softmax")(hidden)
    return keras.Model(inputs=inputs, outputs=outputs)
    # END SOLUTION
