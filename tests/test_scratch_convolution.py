"""2-D convolution and pooling from scratch, against the notes' numbers and Keras (1e-5)."""

import keras
import numpy as np
import pytest

from aml.scratch import convolution, pooling


def test_eq_3_1_patch_gives_4():
    patch = convolution.FIGURE9_INPUT[0:3, 3:6]
    np.testing.assert_array_equal(patch, [[1, 0, 0], [1, 1, 0], [1, 1, 1]])
    assert convolution.correlate_patch(patch, convolution.FIGURE9_KERNEL) == 4
    full = convolution.conv2d(convolution.FIGURE9_INPUT, convolution.FIGURE9_KERNEL)
    assert full.shape == (5, 5) and full[0, 3] == 4
    np.testing.assert_array_equal(full, [[1, 4, 3, 4, 1], [1, 2, 4, 3, 3], [1, 2, 3, 4, 1],
                                         [1, 3, 3, 1, 1], [3, 3, 1, 1, 0]])


def test_padding_same_keeps_size_stride_two_halves_it():
    x = convolution.FIGURE9_INPUT
    k = convolution.FIGURE9_KERNEL
    assert convolution.conv2d(x, k, padding="same").shape == (7, 7)
    assert convolution.conv2d(x, k, padding="same", stride=2).shape == (4, 4)
    assert convolution.conv2d(x, k, stride=2).shape == (3, 3)


CASES = [  # (image shape, kernel size, filters, stride, padding)
    ((9, 9, 1), 3, 1, 1, "valid"),
    ((9, 9, 1), 3, 4, 1, "same"),
    ((10, 7, 3), (3, 2), 5, 2, "same"),
    ((10, 7, 3), 4, 2, 2, "valid"),
    ((8, 8, 2), 5, 3, (1, 3), "same"),
    ((6, 6, 4), 1, 6, 1, "valid"),
]


@pytest.mark.parametrize("shape,kernel_size,filters,stride,padding", CASES)
def test_conv2d_equals_keras(shape, kernel_size, filters, stride, padding):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, *shape)).astype("float32")
    layer = keras.layers.Conv2D(filters, kernel_size, strides=stride, padding=padding,
                                activation="relu", bias_initializer="random_normal")
    expected = np.asarray(layer(x))
    kernel, bias = (np.asarray(w) for w in layer.get_weights())
    ours = convolution.conv2d(x, kernel, bias, stride=stride, padding=padding,
                              activation=lambda z: np.maximum(z, 0))
    assert ours.shape == expected.shape
    np.testing.assert_allclose(ours, expected, atol=1e-5)


@pytest.mark.parametrize("shape,kernel_size,filters,stride,padding", CASES)
def test_loop_conv2d_equals_the_vectorised_one(shape, kernel_size, filters, stride, padding):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, *shape))
    kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
    kernel = rng.standard_normal((kh, kw, shape[-1], filters))
    bias = rng.standard_normal(filters)
    loops = convolution.conv2d_loops(x, kernel, bias, stride=stride, padding=padding,
                                     activation=np.tanh)
    vectorised = convolution.conv2d(x, kernel, bias, stride=stride, padding=padding,
                                    activation=np.tanh)
    assert loops.shape == vectorised.shape
    np.testing.assert_allclose(loops, vectorised, rtol=0, atol=1e-12)


def test_loop_conv2d_gives_eq_3_1_figure():
    np.testing.assert_array_equal(
        convolution.conv2d_loops(convolution.FIGURE9_INPUT, convolution.FIGURE9_KERNEL),
        convolution.conv2d(convolution.FIGURE9_INPUT, convolution.FIGURE9_KERNEL))


def test_figure10_max_pool():
    pooled = pooling.pool2d(pooling.FIGURE10_INPUT, pool_size=2, stride=2, mode="max")
    np.testing.assert_array_equal(pooled, pooling.FIGURE10_MAX_POOLED)
    np.testing.assert_array_equal(pooling.pool2d(pooling.FIGURE10_INPUT, mode="min"),
                                  [[1, 2], [1, 0]])
    np.testing.assert_array_equal(pooling.pool2d(pooling.FIGURE10_INPUT, mode="average"),
                                  [[3.25, 5.25], [2, 2]])


@pytest.mark.parametrize("mode,layer_class", [("max", keras.layers.MaxPooling2D),
                                              ("average", keras.layers.AveragePooling2D)])
@pytest.mark.parametrize("pool,stride,padding", [(2, None, "valid"), (3, 1, "valid"),
                                                 (2, 2, "same"), (3, 2, "same"),
                                                 ((2, 3), (1, 2), "same")])
def test_pooling_equals_keras(mode, layer_class, pool, stride, padding):
    x = np.random.default_rng(1).standard_normal((2, 7, 9, 3)).astype("float32")
    expected = np.asarray(layer_class(pool, strides=stride, padding=padding)(x))
    ours = pooling.pool2d(x, pool, stride, padding, mode)
    assert ours.shape == expected.shape
    np.testing.assert_allclose(ours, expected, atol=1e-5)


def test_min_pool_is_minus_max_pool_of_minus_input():
    x = np.random.default_rng(2).standard_normal((1, 6, 6, 2))
    np.testing.assert_allclose(pooling.pool2d(x, 2, mode="min"), -pooling.pool2d(-x, 2))


def test_bad_arguments():
    with pytest.raises(ValueError, match="padding"):
        convolution.conv2d(np.zeros((5, 5)), np.zeros((3, 3)), padding="full")
    with pytest.raises(ValueError, match="do not fit"):
        convolution.conv2d(np.zeros((1, 5, 5, 2)), np.zeros((3, 3, 3, 1)))
    with pytest.raises(ValueError, match="mode"):
        pooling.pool2d(np.zeros((4, 4)), mode="median")
