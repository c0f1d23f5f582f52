"""The NumPy neuron and dense layer (eq 1.1-1.7) against Keras with the same weights."""

import keras
import numpy as np
import pytest

from aml.scratch import activations, neuron

rng = np.random.default_rng(0)


def keras_dense(W, b, activation=None):
    layer = keras.layers.Dense(W.shape[1], activation=activation)
    layer.build((None, W.shape[0]))
    layer.set_weights([W.astype("float32"), b.astype("float32")])
    return layer


def test_single_neuron_is_weighted_sum_plus_bias():
    x, w = np.array([1.0, 2.0, 3.0]), np.array([0.5, -1.0, 2.0])
    assert neuron.neuron(x, w, 0.25) == pytest.approx(0.5 - 2.0 + 6.0 + 0.25)


@pytest.mark.parametrize("activation", [None, "relu", "sigmoid", "softmax", "tanh"])
def test_layer_equals_keras_dense(activation):
    x = rng.normal(size=(16, 5)).astype("float32")
    W, b = rng.normal(size=(5, 3)), rng.normal(size=3)
    expected = np.asarray(keras_dense(W, b, activation)(x))
    np.testing.assert_allclose(neuron.layer(x, W, b, activation), expected, atol=1e-6)


def test_folded_bias_equals_explicit_bias():
    x, W, b = rng.normal(size=(10, 4)), rng.normal(size=(4, 2)), rng.normal(size=2)
    folded = neuron.fold_bias(W, b)
    assert folded.shape == (5, 2)
    np.testing.assert_allclose(neuron.dense_folded(x, folded), neuron.dense(x, W, b), atol=1e-12)


def test_two_linear_layers_collapse_into_one_but_not_with_relu():
    x = rng.normal(size=(50, 4))
    W1, b1, W2, b2 = rng.normal(size=(4, 6)), rng.normal(size=6), rng.normal(size=(6, 3)), \
        rng.normal(size=3)
    two_layers = neuron.dense(neuron.dense(x, W1, b1), W2, b2)
    W, b = neuron.collapse_linear(W1, b1, W2, b2)
    np.testing.assert_allclose(neuron.dense(x, W, b), two_layers, atol=1e-12)
    with_relu = neuron.dense(neuron.layer(x, W1, b1, "relu"), W2, b2)
    assert np.abs(with_relu - neuron.dense(x, W, b)).max() > 0.1


def test_activations_match_keras():
    z = np.linspace(-30, 30, 60).reshape(3, 20).astype("float32")
    np.testing.assert_allclose(activations.sigmoid(z), keras.activations.sigmoid(z), atol=1e-6)
    np.testing.assert_allclose(activations.relu(z), keras.activations.relu(z), atol=1e-6)
    np.testing.assert_allclose(activations.softmax(z), keras.activations.softmax(z), atol=1e-6)
    assert np.allclose(activations.softmax(np.array([1000.0, 1000.0])), [0.5, 0.5])


def test_forward_of_a_stack_matches_keras_model():
    sizes = [4, 8, 3]
    params = [(rng.normal(size=(i, o)), rng.normal(size=o)) for i, o in zip(sizes, sizes[1:])]
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dense(3, activation="softmax")])
    model.set_weights([a.astype("float32") for pair in params for a in pair])
    x = rng.normal(size=(7, 4)).astype("float32")
    ours = neuron.forward(x, [(W, b, a) for (W, b), a in zip(params, ["relu", "softmax"])])
    np.testing.assert_allclose(ours, np.asarray(model(x)), atol=1e-6)
    assert neuron.count_parameters(sizes) == model.count_params() == 67


def test_unknown_activation_names_the_known_ones():
    with pytest.raises(ValueError, match="relu"):
        activations.activation("swishy")
