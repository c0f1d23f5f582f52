"""Lecture 3, exercise 3: review sentiment with a network that has memory.

Write build_model(vocab_size, sequence_length): an uncompiled keras.Model taking token ids
(integers, shape (batch, sequence_length), 0 = padding) and returning one probability that
the review is positive (Dense(1, activation="sigmoid")). Start from the course's
Embedding(vocab_size, 64, mask_zero=True) and add memory: SimpleRNN, LSTM, Bidirectional,
or keras.layers.RNN around a cell you wrote by subclassing keras.layers.Layer.
Optionally write training() returning a dict with any of epochs, batch_size, learning_rate,
max_tokens (vocabulary size, default 1000 as in the course).
The check tokenizes the reviews, trains your model and reports the accuracy tier reached.
Check your work with: aml check l3.text
"""

import keras


def build_model(vocab_size, sequence_length):
    """Embedding(mask_zero) -> recurrent layer(s) -> Dense(1, sigmoid)."""
    # BEGIN SOLUTION: keras.Input((sequence_length,)), keras.layers.Embedding(vocab_size, 64, mask_zero=True), then a recurrent layer such as keras.layers.Bidirectional(keras.layers.LSTM(32)), then Dense(1, activation="sigmoid")
    return keras.Sequential([
        keras.Input((sequence_length,)),
        keras.layers.Embedding(vocab_size, 64, mask_zero=True),
        keras.layers.Dropout(0.5),
        keras.layers.Bidirectional(keras.layers.LSTM(32)),
        keras.layers.Dropout(0.5),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
    # END SOLUTION


def training():
    """Hyperparameters for the check's training run."""
    return {"epochs": 4, "batch_size": 64, "learning_rate": 2e-3, "max_tokens": 10000}
