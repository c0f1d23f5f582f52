"""The physics penalty loss: exact values, zero inside the tolerance, gradients that fix the
normalisation inside the compiled training loop."""

import keras
import numpy as np
import pytest
from keras import ops

from aml.training import supervised
from aml.training.physics import PhysicsPenaltyLoss, normalisation_loss, penalty


def value(loss, y_true, y_pred):
    return float(ops.convert_to_numpy(loss(ops.convert_to_tensor(y_true),
                                           ops.convert_to_tensor(y_pred))))


def test_penalty_is_zero_inside_tolerance_and_quadratic_beyond():
    assert float(penalty(ops.convert_to_tensor([0.05, -0.05]), 3.0, 0.1)) == 0.0
    assert float(penalty(ops.convert_to_tensor([0.3]), 3.0, 0.1)) == pytest.approx(0.12)


def test_normalisation_loss_values():
    rng = np.random.default_rng(0)
    y_true = rng.uniform(size=(50, 1)).astype("float32")
    y_pred = rng.uniform(size=(50, 1)).astype("float32")
    mse = float(np.mean((y_true - y_pred) ** 2))
    normalised = y_pred / (y_pred.mean() * 2.0)
    assert value(normalisation_loss(2.0, 10.0, 0.01), y_true, normalised) == pytest.approx(
        float(np.mean((y_true - normalised) ** 2)), rel=1e-5)
    violation = abs(y_pred.mean() * 2.0 - 1.0)
    assert value(normalisation_loss(2.0, 10.0, 0.01), y_true, y_pred) == pytest.approx(
        mse + 10.0 * (violation - 0.01) ** 2, rel=1e-5)


def test_any_constraint_and_base_loss():
    # A constraint on every prediction: outputs must be non-negative (residual = min(y, 0)).
    loss = PhysicsPenaltyLoss(lambda t, p: ops.minimum(p, 0.0), weight=2.0,
                              base=keras.losses.MeanAbsoluteError(reduction=None))
    y_true = np.zeros((4, 1), "float32")
    y_pred = np.array([[1.0], [-1.0], [0.5], [-0.5]], "float32")
    assert value(loss, y_true, y_pred) == pytest.approx(0.75 + 2.0 * (1 + 0.25) / 4)
    with pytest.raises(ValueError):
        PhysicsPenaltyLoss(lambda t, p: p, weight=-1)


def test_training_with_the_penalty_restores_the_scale():
    # Data at 80% of a normalised constant density: MSE alone learns 0.4, the law says 0.5.
    x = np.linspace(0, 2, 64, dtype="float32")[:, None]
    y = np.full_like(x, 0.4)
    results = {}
    for name, loss in (("plain", keras.losses.MeanSquaredError()),
                       ("guided", normalisation_loss(2.0, weight=100.0, tolerance=0.0))):
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
        supervised.fit(model, x, y, loss=loss, epochs=300, batch_size=64,
                       optimizer=keras.optimizers.Adam(0.05), with_accuracy=False)
        results[name] = float(np.mean(ops.convert_to_numpy(model(x))) * 2.0)
    assert results["plain"] == pytest.approx(0.8, abs=0.01)
    # minimum of (c - 0.4)^2 + 100 (2c - 1)^2 at c = 200.4 / 401
    assert results["guided"] == pytest.approx(2 * 200.4 / 401, abs=0.01)
