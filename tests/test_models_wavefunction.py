"""The wave regressor: shape, size, and the regularisers it is asked for."""

import keras
import numpy as np

from aml.models.wavefunction import wave_regressor


def test_shape_and_parameters():
    model = wave_regressor(hidden=64)
    assert model(np.zeros((3, 1), "float32")).shape == (3, 1)
    assert model.count_params() == (64 + 64) + (64 * 64 + 64) + (64 + 1)


def test_regularizer_and_dropout_are_applied():
    model = wave_regressor(8, regularizer=keras.regularizers.L2(0.1), dropout=0.5)
    model(np.ones((2, 1), "float32"))
    assert len(model.losses) == 3
    assert sum(isinstance(layer, keras.layers.Dropout) for layer in model.layers) == 2
    plain = wave_regressor(8)
    plain(np.ones((2, 1), "float32"))
    assert plain.losses == []
