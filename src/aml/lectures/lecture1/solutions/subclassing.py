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
        # BEGIN SOLUTION: create the two Dense layers and store them as attributes of self
        self.hidden = keras.layers.Dense(8, activation="relu")
        self.classifier = keras.layers.Dense(3, activation="softmax")
        # END SOLUTION

    def call(self, inputs):
        # BEGIN SOLUTION: pass the inputs through the hidden layer, then the output layer, and return the result
        return self.classifier(self.hidden(inputs))
        # END SOLUTION


def build_model():
    return Network()
