"""Which Keras API built a model, and every layer inside it, by the public API only."""

import keras

from aml.models.walk import all_layers, keras_api


class Block(keras.layers.Layer):
    """A custom layer holding its parts in an attribute and a list."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.first = keras.layers.Dense(4, name="first")
        self.rest = [keras.layers.Dense(4, name="second"), keras.layers.Dense(2, name="third")]

    def call(self, x):
        for layer in (self.first, *self.rest):
            x = layer(x)
        return x


class Subclassed(keras.Model):
    def __init__(self):
        super().__init__()
        self.block = Block(name="block")
        self.head = keras.layers.Dense(3, name="head")

    def call(self, x):
        return self.head(self.block(x))


def _functional():
    inputs = keras.Input((5, 3))
    x = keras.layers.Bidirectional(keras.layers.LSTM(4, name="lstm"), name="bi")(inputs)
    return keras.Model(inputs, keras.layers.Dense(2, name="out")(x))


def test_keras_api_tells_the_three_apis_apart():
    sequential = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    assert keras_api(sequential) == "sequential"
    assert keras_api(_functional()) == "functional"
    assert keras_api(Subclassed()) == "subclass"


def test_all_layers_finds_attributes_lists_nested_models_and_wrappers():
    model = Subclassed()
    model(keras.ops.zeros((1, 3)))
    names = [layer.name for layer in all_layers(model)]
    assert sorted(names) == ["block", "first", "head", "second", "third"]
    assert names.index("block") < names.index("first")  # parents before their parts
    kinds = [type(layer).__name__ for layer in all_layers(_functional())]
    assert {"Bidirectional", "LSTM", "LSTMCell", "Dense"} <= set(kinds)
    assert kinds.count("LSTM") == 2  # the forward and the backward copy, each once
    outer = keras.Sequential([keras.Input((3,)), keras.Sequential([keras.layers.Dense(
        2, name="inner")], name="nested")])
    assert [layer.name for layer in all_layers(outer)] == ["nested", "inner"]
