"""Lecture 3, exercise 1: a dense-only image classifier (flatten the image, then Dense layers).

Write build_model(input_shape, n_classes): an uncompiled keras.Model taking images of
`input_shape` (height, width, channels; values in [0, 1]) and returning `n_classes`
probabilities. Use only Flatten and Dense layers (Dropout is fine): no convolutions.
Optionally write training() returning a dict with any of epochs, batch_size, learning_rate.
The check trains it (Adam, sparse categorical cross-entropy) and tells you which accuracy
tier you reached and with how many parameters. How few parameters do you need per tier?
Check your work with: aml check l3.ann
"""

import keras


def build_model(input_shape, n_classes):
    """Flatten -> hidden Dense layers -> Dense(n_classes, softmax)."""
    # BEGIN SOLUTION: start with keras.Input(input_shape) and keras.layers.Flatten(), add Dense layers with relu, end with Dense(n_classes, activation="softmax")
    return keras.Sequential([
        keras.Input(input_shape),
        keras.layers.Flatten(),
        keras.layers.Dense(512, activation="relu"),
        keras.layers.Dense(256, activation="relu"),
        keras.layers.Dense(n_classes, activation="softmax"),
    ])
    # END SOLUTION


def training():
    """Hyperparameters for the check's training run."""
    return {"epochs": 12, "batch_size": 128, "learning_rate": 1e-3}
