"""Recurrent neuron and LSTM cell from scratch, equal to Keras SimpleRNN/LSTM to 1e-5."""

import keras
import numpy as np
import pytest

from aml.scratch import recurrent


@pytest.fixture
def sequence():
    return np.random.default_rng(0).standard_normal((3, 7, 4)).astype("float32")


@pytest.mark.parametrize("return_sequences", [False, True])
def test_simple_rnn_equals_keras(sequence, return_sequences):
    layer = keras.layers.SimpleRNN(5, return_sequences=return_sequences,
                                   bias_initializer="random_normal")
    expected = np.asarray(layer(sequence))
    W_x, W_h, b = (np.asarray(w) for w in layer.get_weights())
    ours = recurrent.simple_rnn(sequence, W_x, W_h, b, return_sequences=return_sequences)
    np.testing.assert_allclose(ours, expected, atol=1e-5)


def test_rnn_cell_is_eq_3_2_by_hand():
    x, h = np.array([[1.0, 2.0]]), np.array([[0.5]])
    W_x, W_h, b = np.array([[0.1], [0.2]]), np.array([[0.3]]), np.array([0.05])
    # 1*0.1 + 2*0.2 + 0.5*0.3 + 0.05 = 0.7
    assert recurrent.rnn_cell(x, h, W_x, W_h, b)[0, 0] == pytest.approx(np.tanh(0.7))


@pytest.mark.parametrize("return_sequences", [False, True])
def test_lstm_equals_keras(sequence, return_sequences):
    layer = keras.layers.LSTM(6, return_sequences=return_sequences,
                              bias_initializer="random_normal")
    expected = np.asarray(layer(sequence))
    weights = recurrent.lstm_gates_from_keras(*(np.asarray(w) for w in layer.get_weights()))
    ours = recurrent.lstm(sequence, weights, return_sequences=return_sequences)
    np.testing.assert_allclose(ours, expected, atol=1e-5)


def test_gate_mapping_is_explicit():
    units, inputs = 3, 2
    kernel = np.concatenate([np.full((inputs, units), k) for k in (1.0, 2.0, 3.0, 4.0)], axis=1)
    recurrent_kernel = np.zeros((units, 4 * units))
    bias = np.zeros(4 * units)
    w = recurrent.lstm_gates_from_keras(kernel, recurrent_kernel, bias)
    # Keras orders the blocks input, forget, cell candidate, output
    assert (w.input.W_x == 1).all() and (w.forget.W_x == 2).all()
    assert (w.candidate.W_x == 3).all() and (w.output.W_x == 4).all()


def test_forget_gate_near_zero_wipes_the_cell_state():
    units = 2
    zeros = recurrent.Gate(np.zeros((1, units)), np.zeros((units, units)), np.zeros(units))
    closed = recurrent.Gate(np.zeros((1, units)), np.zeros((units, units)), np.full(units, -50.0))
    w = recurrent.LSTMWeights(forget=closed, input=closed, candidate=zeros, output=zeros)
    _, c = recurrent.lstm_cell(np.ones((1, 1)), np.zeros((1, units)), np.full((1, units), 7.0), w)
    np.testing.assert_allclose(c, 0, atol=1e-12)
