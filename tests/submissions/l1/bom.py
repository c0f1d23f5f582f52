"""A correct submission of lecture 1, exercise 1: the iris network with Sequential.

Write build_model() so that it returns an uncompiled keras.Model: 4 input features,
a hidden Dense layer of 8 ReLU units and a Dense output of 3 softmax units (67 parameters).
Check your work with: aml check l1.sequential
"""

import keras


def build_model():
    """The iris network as keras.Sequential([...]) from a list of layers."""
    layers = [
        keras.Input(shape=(4,)),
        keras.layers.Dense(8, activation="relu"),
        keras.layers.Dense(3, activation="softmax"),
    ]
    return keras.Sequential(layers)
