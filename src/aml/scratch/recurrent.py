"""Recurrent neuron (eq 3.2) and LSTM cell (eq 3.3-3.7), unrolled over a sequence in NumPy.

Weights use the Keras layout (rows are inputs, columns are units) so they can be copied from
`SimpleRNN` and `LSTM` layers; `lstm_gates_from_keras` names each of Keras's four gate blocks
after the notes' gates. Sequences are (batch, time, features).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def rnn_cell(x_t, h_prev, W_x, W_h, b, activation=np.tanh):
    """Recurrent neuron, eq 3.2: h_t = f(W1 x_t + W2 h_{t-1} + b)."""
    return activation(x_t @ W_x + h_prev @ W_h + b)


def simple_rnn(x, W_x, W_h, b, h0=None, return_sequences: bool = False, activation=np.tanh):
    """Run the recurrent neuron over time; the last hidden state, or all of them."""
    x = np.asarray(x, dtype=float)
    h = np.zeros((x.shape[0], W_h.shape[0])) if h0 is None else np.asarray(h0, dtype=float)
    states = []
    for t in range(x.shape[1]):
        h = rnn_cell(x[:, t], h, W_x, W_h, b, activation)
        states.append(h)
    return np.stack(states, axis=1) if return_sequences else h


@dataclass(frozen=True)
class Gate:
    """Input weights, recurrent weights and bias of one gate: W_x x_t + W_h h_{t-1} + b."""

    W_x: np.ndarray
    W_h: np.ndarray
    b: np.ndarray

    def __call__(self, x_t, h_prev):
        return x_t @ self.W_x + h_prev @ self.W_h + self.b


@dataclass(frozen=True)
class LSTMWeights:
    """The notes' gates: forget (w1, w2), input scale (w3, w4), candidate (w5, w6), output
    (w7, w8). The notes' w9 (tanh(w9 c_i + b)) is the identity with no bias in Keras."""

    forget: Gate
    input: Gate
    candidate: Gate
    output: Gate


def lstm_gates_from_keras(kernel, recurrent_kernel, bias) -> LSTMWeights:
    """Split Keras LSTM weights, whose 4*units columns are ordered [input, forget, cell,
    output], into the notes' named gates."""
    kernel, recurrent_kernel, bias = (np.asarray(a, dtype=float)
                                      for a in (kernel, recurrent_kernel, bias))
    units = recurrent_kernel.shape[0]
    block = {name: slice(k * units, (k + 1) * units)
             for k, name in enumerate(("input", "forget", "candidate", "output"))}
    gates = {name: Gate(kernel[:, s], recurrent_kernel[:, s], bias[s])
             for name, s in block.items()}
    return LSTMWeights(**gates)


def lstm_cell(x_t, h_prev, c_prev, w: LSTMWeights):
    """One LSTM step, eq 3.3-3.7; returns (h_t, c_t)."""
    forget = sigmoid(w.forget(x_t, h_prev))                      # eq 3.3
    scaled = forget * c_prev                                     # eq 3.4
    new = sigmoid(w.input(x_t, h_prev)) * np.tanh(w.candidate(x_t, h_prev))  # eq 3.5
    c_t = scaled + new                                           # eq 3.6
    h_t = sigmoid(w.output(x_t, h_prev)) * np.tanh(c_t)          # eq 3.7
    return h_t, c_t


def lstm(x, w: LSTMWeights, h0=None, c0=None, return_sequences: bool = False):
    """Run the LSTM cell over time; the last hidden state, or all of them."""
    x = np.asarray(x, dtype=float)
    units = w.forget.W_h.shape[0]
    h = np.zeros((x.shape[0], units)) if h0 is None else np.asarray(h0, dtype=float)
    c = np.zeros((x.shape[0], units)) if c0 is None else np.asarray(c0, dtype=float)
    states = []
    for t in range(x.shape[1]):
        h, c = lstm_cell(x[:, t], h, c, w)
        states.append(h)
    return np.stack(states, axis=1) if return_sequences else h
