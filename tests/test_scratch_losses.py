"""The NumPy losses of eq 2.2-2.4 equal Keras' losses on the same numbers."""

import keras
import numpy as np

from aml.scratch.losses import batch_cost, mae, mse

RNG = np.random.default_rng(3)
Y_TRUE = RNG.normal(size=(16, 3))
Y_PRED = Y_TRUE + RNG.normal(scale=0.7, size=(16, 3))


def test_mse_per_sample_equals_keras():
    expected = keras.ops.convert_to_numpy(keras.losses.mean_squared_error(Y_TRUE, Y_PRED))
    np.testing.assert_allclose(mse(Y_TRUE, Y_PRED), expected, rtol=1e-6)


def test_mae_per_sample_equals_keras():
    expected = keras.ops.convert_to_numpy(keras.losses.mean_absolute_error(Y_TRUE, Y_PRED))
    np.testing.assert_allclose(mae(Y_TRUE, Y_PRED), expected, rtol=1e-6)


def test_batch_cost_equals_keras_loss_objects():
    for ours, theirs in ((mse, keras.losses.MeanSquaredError()),
                         (mae, keras.losses.MeanAbsoluteError())):
        expected = float(keras.ops.convert_to_numpy(theirs(Y_TRUE, Y_PRED)))
        assert abs(batch_cost(ours, Y_TRUE, Y_PRED) - expected) < 1e-6 * abs(expected)


def test_mse_by_hand():
    assert mse([[1.0, 2.0]], [[2.0, 4.0]])[0] == 2.5  # (1 + 4) / 2
    assert mae([[1.0, 2.0]], [[2.0, 4.0]])[0] == 1.5
