"""Lecture 1, exercise 3: the iris network by subclassing keras.Model.

Declare the layers in __init__ and write the forward pass in call(); build_model() returns
an instance. Same network: 4 inputs, Dense(8, relu), Dense(3, softmax).
Check your work with: aml check l1.subclassing
"""

import keras


class Network(keras.Model):
    """The iris network as a subclass of keras.Model."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # TODO: create the two Dense layers and store them as attributes of self
        raise NotImplementedError('create the two Dense layers and store them as attributes of self')

    def call(self, inputs):
        # TODO: pass the inputs through the hidden layer, then the output layer, and return the result
        raise NotImplementedError('pass the inputs through the hidden layer, then the output layer, and return the result')


def build_model():
    return Network()
