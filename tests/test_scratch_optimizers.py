"""One NumPy optimiser step equals one Keras optimiser step; the NumPy loop finds Keras'
solution of a small regression."""

import keras
import numpy as np

from aml.scratch.optimizers import (
    AdamState,
    adam_step,
    gradient_descent_step,
    linear_regression_gradients,
    train_linear_regression,
)
from aml.training.supervised import fit

RNG = np.random.default_rng(7)
PARAMS = [RNG.normal(size=(3, 2)), RNG.normal(size=(2,))]
GRADS = [[RNG.normal(size=(3, 2)), RNG.normal(size=(2,))] for _ in range(3)]


def _keras_steps(optimizer, grads_per_step):
    variables = [keras.Variable(p.astype("float64"), dtype="float64") for p in PARAMS]
    optimizer.build(variables)
    for grads in grads_per_step:
        optimizer.apply([keras.ops.convert_to_tensor(g, dtype="float64") for g in grads],
                        variables)
    return [keras.ops.convert_to_numpy(v.value) for v in variables]


def test_gradient_descent_step_equals_keras_sgd():
    ours = gradient_descent_step(PARAMS, GRADS[0], 0.1)
    theirs = _keras_steps(keras.optimizers.SGD(0.1), GRADS[:1])
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, atol=1e-6)
    np.testing.assert_allclose(ours[0], PARAMS[0] - 0.1 * GRADS[0][0])


def test_adam_steps_equal_keras_adam():
    params, state = PARAMS, AdamState.zeros_like(PARAMS)
    for grads in GRADS:
        params, state = adam_step(params, grads, state, learning_rate=0.05)
    theirs = _keras_steps(keras.optimizers.Adam(0.05), GRADS)
    assert state.t == 3
    for a, b in zip(params, theirs):
        np.testing.assert_allclose(a, b, atol=1e-6)


def test_regression_gradients_match_finite_differences():
    x, y = RNG.normal(size=(20, 3)), RNG.normal(size=(20, 1))
    w, b = RNG.normal(size=(3, 1)), np.zeros(1)
    cost, (dw, _) = linear_regression_gradients(x, y, w, b)
    h = 1e-6
    w2 = w.copy()
    w2[1, 0] += h
    assert abs((linear_regression_gradients(x, y, w2, b)[0] - cost) / h - dw[1, 0]) < 1e-4


def test_numpy_loop_converges_to_keras_solution():
    x = RNG.normal(size=(64, 2))
    y = x @ np.array([[1.5], [-2.0]]) + 0.5 + RNG.normal(scale=0.1, size=(64, 1))
    w0, b0 = np.zeros((2, 1)), np.zeros(1)
    for name, optimizer, lr in (("gd", keras.optimizers.SGD, 0.1),
                                ("adam", keras.optimizers.Adam, 0.05)):
        w, b, costs = train_linear_regression(x, y, w0, b0, steps=400, learning_rate=lr,
                                              optimizer=name)
        model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        model.set_weights([w0, b0])
        fit(model, x, y, loss=keras.losses.MeanSquaredError(), epochs=400, batch_size=64,
            optimizer=optimizer(lr), with_accuracy=False)
        kw, kb = model.get_weights()
        np.testing.assert_allclose(w, kw, atol=1e-4)
        np.testing.assert_allclose(b, kb, atol=1e-4)
        assert costs[-1] < 0.02 < costs[0]
    least_squares = np.linalg.lstsq(np.hstack([x, np.ones((64, 1))]), y, rcond=None)[0]
    np.testing.assert_allclose(np.vstack([w, b[None]]), least_squares, atol=1e-3)
