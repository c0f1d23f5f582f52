"""Parameter counting: the notes' figure 8 pair and agreement with Keras for any stack."""

import keras
import numpy as np
import pytest

from aml.scratch import params


def test_figure8_same_neurons_33_versus_25_parameters():
    wide, narrow = params.FIGURE8_WIDE, params.FIGURE8_NARROW
    assert params.hidden_neurons(wide) == params.hidden_neurons(narrow) == 8
    assert wide[0] == narrow[0] and wide[-1] == narrow[-1]
    assert params.dense_parameters(wide) == 33
    assert params.dense_parameters(narrow) == 25


def _keras_dense_stack(sizes):
    layers = [keras.Input((sizes[0],))] + [keras.layers.Dense(n) for n in sizes[1:]]
    return keras.Sequential(layers)


@pytest.mark.parametrize("seed", range(6))
def test_dense_count_equals_keras_for_random_stacks(seed):
    rng = np.random.default_rng(seed)
    sizes = [int(s) for s in rng.integers(1, 300, size=rng.integers(2, 7))]
    assert params.dense_parameters(sizes) == _keras_dense_stack(sizes).count_params()


def test_figure8_pair_counted_by_keras():
    assert _keras_dense_stack(params.FIGURE8_WIDE).count_params() == 33
    assert _keras_dense_stack(params.FIGURE8_NARROW).count_params() == 25


def test_conv_count_equals_keras_and_ignores_image_size():
    for shape in [(7, 7, 1), (32, 32, 3)]:
        model = keras.Sequential([keras.Input(shape), keras.layers.Conv2D(12, (3, 5))])
        assert params.conv2d_parameters((3, 5), shape[-1], 12) == model.count_params()
    assert params.conv2d_parameters(3, 1, 1) == 10  # the notes' 9 weights plus a bias


def test_bad_sizes_are_rejected():
    with pytest.raises(ValueError):
        params.dense_parameters([5])
    with pytest.raises(ValueError):
        params.dense_parameters([3, 0, 2])
