"""Image classifiers of lecture 3: dense-only (flatten + Dense) and convolutional networks.

Inputs are images scaled to [0, 1] of any shape (H, W, C); outputs are class probabilities.
"""

from __future__ import annotations

import keras

from aml.models.pooling import max_pooling_2d


def dense_classifier(input_shape, n_classes: int, widths=(256, 128), dropout: float = 0.0,
                     batch_norm: bool = False, logits: bool = False, mean=None, variance=None,
                     name: str = "ann"):
    """Flatten -> Dense(width, relu) for each width -> Dense(n_classes, softmax).

    `batch_norm` puts BatchNormalization between each Dense and its ReLU (the Dense then
    needs no bias); `logits` leaves out the final softmax (for losses with from_logits);
    `mean`/`variance` (per channel) standardize the inputs inside the model.
    """
    layers = [keras.Input(tuple(input_shape))]
    if mean is not None:
        layers.append(keras.layers.Normalization(mean=mean, variance=variance))
    layers.append(keras.layers.Flatten())
    for width in widths:
        if batch_norm:
            layers += [keras.layers.Dense(int(width), use_bias=False),
                       keras.layers.BatchNormalization(momentum=0.9),
                       keras.layers.Activation("relu")]
        else:
            layers.append(keras.layers.Dense(int(width), activation="relu"))
        if dropout:
            layers.append(keras.layers.Dropout(dropout))
    layers.append(keras.layers.Dense(n_classes, activation=None if logits else "softmax"))
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


def bf16_is_fast() -> bool:
    """Whether this CPU multiplies bfloat16 in hardware (AMX or AVX-512 BF16) and Keras runs
    on TensorFlow, whose oneDNN kernels use it: there mixed bfloat16 trains convolutions
    about 2x faster; elsewhere bfloat16 is emulated and slower than float32."""
    if keras.backend.backend() != "tensorflow":
        return False
    try:
        with open("/proc/cpuinfo") as info:
            flags = info.read()
    except OSError:
        return False
    return "amx_bf16" in flags or "avx512_bf16" in flags


def fast_conv_classifier(input_shape, n_classes: int, widths=(32, 64, 128),
                         batch_norm: bool = True, precision: str = "auto", mean=None,
                         variance=None, name: str = "fast_cnn"):
    """A narrow airbench-style CNN for small budgets (after Jordan's fast CIFAR-10 nets):
    a 2x2 stem convolution, then per width Conv3x3 -> MaxPool -> BN -> ReLU -> Conv3x3 ->
    BN -> ReLU, a global max pool and a linear layer: it returns logits, not probabilities.

    Batch norm lets a high learning rate train it in a few epochs; pooling right after the
    first convolution of a block puts the second one on a 4x smaller map. `precision`
    "mixed_bfloat16" computes in bfloat16 and keeps float32 weights; "auto" uses it where
    `bf16_is_fast()`, else float32. `mean`/`variance` (per channel) standardize the inputs.
    """
    if precision == "auto":
        precision = "mixed_bfloat16" if bf16_is_fast() else "float32"
    policy = keras.DTypePolicy(precision)
    inputs = keras.Input(tuple(input_shape))
    h = inputs
    if mean is not None:
        h = keras.layers.Normalization(mean=mean, variance=variance)(h)
    h = keras.layers.Conv2D(max(1, int(widths[0]) // 2), 2, activation="relu", dtype=policy,
                            name="stem")(h)
    for i, width in enumerate(widths):
        for j in range(2):
            h = keras.layers.Conv2D(int(width), 3, padding="same", use_bias=not batch_norm,
                                    dtype=policy, name=f"block{i + 1}_conv{j + 1}")(h)
            if j == 0 and min(h.shape[1], h.shape[2]) >= 2:
                h = keras.layers.MaxPooling2D(2, dtype=policy)(h)
            if batch_norm:
                h = keras.layers.BatchNormalization(momentum=0.9, dtype=policy)(h)
            h = keras.layers.Activation("relu", dtype=policy)(h)
    h = keras.layers.GlobalMaxPooling2D(dtype=policy)(h)
    logits = keras.layers.Dense(n_classes, dtype="float32", name="logits")(h)
    return keras.Model(inputs, logits, name=name)
