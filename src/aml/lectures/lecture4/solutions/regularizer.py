"""Lecture 4, exercise 3: regularise a network that over-fits too few samples.

The lecture's wave network maps a position x to |psi|^2:
    Dense(128, activation=ops.sin, kernel_initializer=RandomUniform(-20, 20))
    -> Dense(128, activation="tanh") -> Dense(1)
Trained on only 60 noisy samples of |psi_10|^2 it learns the noise: its train error is tiny
and its test error is not. Write build_model() returning that same architecture (same layer
sizes and activations) with a regulariser of your choice: kernel_regularizer=L1/L2 on the
Dense layers, or Dropout layers between them, or both.
The check trains it with the lecture's recipe next to the unregularised network: your model
must cut the gap (test MSE - train MSE) at least in half without a worse test MSE.
Check your work with: aml check l4.regularizer
"""

import keras
from keras import ops


def build_model():
    """The wave network with a regulariser, for inputs of shape (batch, 1)."""
    # BEGIN SOLUTION: build the three Dense layers as described, adding e.g. kernel_regularizer=keras.regularizers.L2(1e-2) to each
    l2 = keras.regularizers.L2(1e-2)
    return keras.Sequential([
        keras.Input((1,)),
        keras.layers.Dense(128, activation=ops.sin, kernel_regularizer=l2,
                           kernel_initializer=keras.initializers.RandomUniform(-20, 20)),
        keras.layers.Dense(128, activation="tanh", kernel_regularizer=l2),
        keras.layers.Dense(1, kernel_regularizer=l2),
    ])
    # END SOLUTION
