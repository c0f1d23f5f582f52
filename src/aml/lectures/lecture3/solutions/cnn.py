"""Lecture 3, exercise 2: a convolutional image classifier.

Write build_model(input_shape, n_classes): an uncompiled keras.Model taking images of
`input_shape` (height, width, channels; values in [0, 1]) and returning `n_classes`
probabilities, with at least one Conv2D layer: (Conv2D -> MaxPooling2D) blocks, Flatten,
Dense layers, softmax. Optionally write training() returning a dict with any of epochs,
batch_size, learning_rate. The check trains it and tells you which accuracy tier you reached
and with how many parameters; compare with your dense-only network.
Check your work with: aml check l3.cnn
"""

import keras


def build_model(input_shape, n_classes):
    """(Conv2D -> MaxPooling2D) x 2 -> Flatten -> Dense -> Dense(n_classes, softmax)."""
    # BEGIN SOLUTION: stack Conv2D(filters, 3, padding="same", activation="relu") and MaxPooling2D() blocks after keras.Input(input_shape), then Flatten, a Dense layer and Dense(n_classes, activation="softmax")
    return keras.Sequential([
        keras.Input(input_shape),
        keras.layers.Conv2D(32, 3, padding="same", activation="relu"),
        keras.layers.MaxPooling2D(),
        keras.layers.Conv2D(64, 3, padding="same", activation="relu"),
        keras.layers.MaxPooling2D(),
        keras.layers.Flatten(),
        keras.layers.Dropout(0.3),
        keras.layers.Dense(128, activation="relu"),
        keras.layers.Dense(n_classes, activation="softmax"),
    ])
    # END SOLUTION


def training():
    """Hyperparameters for the check's training run."""
    return {"epochs": 10, "batch_size": 128, "learning_rate": 2e-3}
