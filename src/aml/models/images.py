"""Image classifiers of lecture 3: dense-only (flatten + Dense) and convolutional networks.

Inputs are images scaled to [0, 1] of any shape (H, W, C); outputs are class probabilities.
"""

from __future__ import annotations

import keras

from aml.models.pooling import max_pooling_2d


def dense_classifier(input_shape, n_classes: int, widths=(256, 128), dropout: float = 0.0,
                     name: str = "ann"):
    """Flatten -> Dense(width, relu) for each width -> Dense(n_classes, softmax)."""
    layers = [keras.Input(tuple(input_shape)), keras.layers.Flatten()]
    for width in widths:
        layers.append(keras.layers.Dense(int(width), activation="relu"))
        if dropout:
            layers.append(keras.layers.Dropout(dropout))
    layers.append(keras.layers.Dense(n_classes, activation="softmax"))
    return keras.Sequential(layers, name=name)


def conv_classifier(input_shape, n_classes: int, filters=(32, 64), dense=(128,),
                    kernel_size: int = 3, convs_per_block: int = 1, padding: str = "same",
                    dropout: float = 0.0, keras_pooling: bool = False, name: str = "cnn"):
    """The classic CNN of figure 11: (Conv -> MaxPool) per block -> Flatten -> Dense -> softmax.

    `convs_per_block` stacks that many convolutions before each pooling; a pooling is skipped
    once the feature map is down to 1 pixel, so any depth works on small images. The 2x2 max
    pooling is the backend's faster one (`max_pooling_2d`: same numbers as MaxPooling2D);
    `keras_pooling=True` always uses keras.layers.MaxPooling2D.
    """
    layers = [keras.Input(tuple(input_shape))]
    size = min(input_shape[0], input_shape[1])
    for n_filters in filters:
        for _ in range(convs_per_block):
            layers.append(keras.layers.Conv2D(int(n_filters), kernel_size, padding=padding,
                                              activation="relu"))
            if padding == "valid":
                size -= kernel_size - 1
        if size >= 2:
            layers.append(keras.layers.MaxPooling2D(2) if keras_pooling else max_pooling_2d(2))
            size //= 2
    layers.append(keras.layers.Flatten())
    if dropout:
        layers.append(keras.layers.Dropout(dropout))
    for width in dense:
        layers.append(keras.layers.Dense(int(width), activation="relu"))
    layers.append(keras.layers.Dense(n_classes, activation="softmax"))
    return keras.Sequential(layers, name=name)


def course_cnn(input_shape=(32, 32, 3), n_classes: int = 10):
    """The course's CNN: Conv32-Pool-Conv64-Pool-Dense32-Dense16-Dense10 ('valid' padding),
    with the course's own keras.layers.MaxPooling2D (it is the benchmarks' baseline)."""
    return conv_classifier(input_shape, n_classes, filters=(32, 64), dense=(32, 16),
                           padding="valid", keras_pooling=True, name="course_cnn")
