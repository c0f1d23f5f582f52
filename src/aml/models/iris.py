"""The lecture 1 network, Dense(hidden, relu) -> Dense(classes, softmax), three ways."""

from __future__ import annotations

import keras

APIS = ("sequential", "functional", "subclass")


def _layers(hidden: int, n_classes: int):
    return [keras.layers.Dense(hidden, activation="relu", name="hidden"),
            keras.layers.Dense(n_classes, activation="softmax", name="output")]


def sequential_classifier(n_features: int = 4, hidden: int = 8, n_classes: int = 3):
    """Sequential built from a list of layers."""
    return keras.Sequential([keras.Input((n_features,)), *_layers(hidden, n_classes)],
                            name="iris_sequential")


def functional_classifier(n_features: int = 4, hidden: int = 8, n_classes: int = 3):
    """Functional API: layers called on tensors, then Model(inputs, outputs)."""
    inputs = keras.Input((n_features,), name="features")
    x = inputs
    for dense in _layers(hidden, n_classes):
        x = dense(x)
    return keras.Model(inputs=inputs, outputs=x, name="iris_functional")


class IrisNetwork(keras.Model):
    """Subclassed model: layers made in __init__, the forward pass written in call()."""

    def __init__(self, hidden: int = 8, n_classes: int = 3, **kwargs):
        super().__init__(**kwargs)
        self.hidden, self.output_layer = _layers(hidden, n_classes)

    def call(self, inputs):
        return self.output_layer(self.hidden(inputs))


def subclass_classifier(n_features: int = 4, hidden: int = 8, n_classes: int = 3):
    import numpy as np

    model = IrisNetwork(hidden, n_classes, name="iris_subclass")
    model(np.zeros((1, n_features), dtype="float32"))  # creates the weights of the sublayers
    return model


def iris_classifier(api: str = "sequential", n_features: int = 4, hidden: int = 8,
                    n_classes: int = 3) -> keras.Model:
    """The iris classifier built with the chosen Keras API (67 parameters by default)."""
    builders = {"sequential": sequential_classifier, "functional": functional_classifier,
                "subclass": subclass_classifier}
    if api not in builders:
        raise ValueError(f"api must be one of {APIS}, got {api!r}")
    return builders[api](n_features, hidden, n_classes)
