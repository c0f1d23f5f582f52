"""The compiled training loop: the same gradient steps as Keras fit, and real learning."""

import math
import os
import subprocess
import sys

import keras
import numpy as np
import pytest

import aml
from aml.backend import seed_everything
from aml.data.iris import prepared_split
from aml.models.iris import iris_classifier
from aml.training import supervised


def test_fit_takes_the_same_number_of_steps_as_keras_fit_and_learns():
    seed_everything(0)
    x_train, y_train, x_test, y_test = prepared_split()
    model = iris_classifier()
    optimizer = keras.optimizers.Adam(1e-2)
    history = supervised.fit(model, x_train, y_train, loss=keras.losses.CategoricalCrossentropy(),
                             epochs=30, batch_size=7, validation_split=0.2, optimizer=optimizer)
    n_train = len(x_train) - round(len(x_train) * 0.2)
    assert int(optimizer.iterations.numpy()) == 30 * math.ceil(n_train / 7)
    assert set(history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(v) == 30 for v in history.values())
    assert history["loss"][-1] < 0.5 * history["loss"][0]
    test = supervised.evaluate(model, x_test, y_test, keras.losses.CategoricalCrossentropy())
    assert test["accuracy"] >= 0.9


def test_regularisation_losses_are_trained_on():
    seed_everything(0)
    x = np.random.default_rng(0).normal(size=(64, 3)).astype("float32")
    y = x @ np.array([[1.0], [2.0], [-1.0]], dtype="float32")
    plain = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    strong = keras.Sequential([keras.Input((3,)), keras.layers.Dense(
        1, kernel_regularizer=keras.regularizers.L2(10.0))])
    strong.set_weights(plain.get_weights())
    for model in (plain, strong):
        supervised.fit(model, x, y, loss=keras.losses.MeanSquaredError(), epochs=100,
                       batch_size=16, optimizer=keras.optimizers.Adam(0.05), with_accuracy=False)
    assert np.abs(plain.get_weights()[0].ravel() - [1, 2, -1]).max() < 0.05
    assert np.abs(strong.get_weights()[0]).sum() < 0.5 * np.abs(plain.get_weights()[0]).sum()


def test_accuracy_handles_one_hot_integer_and_sigmoid_targets():
    probs = np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]], dtype="float32")
    assert float(supervised.accuracy(np.array([[0, 1], [1, 0], [1, 0]], "float32"), probs)) \
        == np.float32(2 / 3)
    assert float(supervised.accuracy(np.array([1, 0, 0]), probs)) == np.float32(2 / 3)
    sigmoid = np.array([[0.9], [0.2], [0.6]], dtype="float32")
    assert float(supervised.accuracy(np.array([1, 0, 0], "float32"), sigmoid)) \
        == np.float32(2 / 3)
    soft = np.array([0.95, 0.3, 0.55], "float32")  # classes 1, 0, 1
    assert float(supervised.accuracy(soft, sigmoid)) == 1.0
    assert float(supervised.accuracy(np.array([1, 1, 0], "int32"), sigmoid)) \
        == np.float32(1 / 3)


@pytest.mark.slow
def test_iris_on_jax_backend_reaches_the_target(tmp_path):
    env = {**os.environ, "KERAS_BACKEND": "jax", "PYTHONPATH": aml.SOURCE_ROOT}
    result = subprocess.run(
        [sys.executable, "-m", "aml", "run", "l1.iris", "--quick", "--quiet",
         "--out", str(tmp_path)], env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    import json

    record = json.loads(next(tmp_path.glob("l1.iris/*/metrics.json")).read_text())
    assert record["backend"] == "jax"
    assert record["metrics"]["test_accuracy"] >= 0.93


@pytest.mark.slow
def test_jax_trains_a_subclassed_model_whose_call_has_no_training_argument():
    script = (
        "from aml.backend import use_backend; use_backend('jax')\n"
        "import keras, numpy as np\n"
        "from aml.training import supervised\n"
        "keras.utils.set_random_seed(0)\n"
        "class Net(keras.Model):\n"
        "    def __init__(self):\n"
        "        super().__init__(); self.d = keras.layers.Dense(1)\n"
        "    def call(self, x):\n"
        "        return self.d(x)\n"
        "m = Net(); m(np.zeros((1, 2), 'float32'))\n"
        "x = np.random.default_rng(0).normal(size=(32, 2)).astype('float32')\n"
        "y = x @ np.array([[1.0], [2.0]], 'float32')\n"
        "h = supervised.fit(m, x, y, loss=keras.losses.MeanSquaredError(), epochs=150,\n"
        "                   batch_size=8, optimizer=keras.optimizers.Adam(0.05),\n"
        "                   with_accuracy=False, validation_split=0.25)\n"
        "print(h['loss'][-1], h['val_loss'][-1])\n"
        # a convolutional model: stepped per batch, the same history as the lax.scan path
        "xc = np.random.default_rng(1).random((20, 6, 6, 1)).astype('float32')\n"
        "yc = (xc.mean(axis=(1, 2, 3)) > 0.5).astype('int32')\n"
        "real = supervised._has_convolution\n"
        "print(real(keras.ops.conv, np.zeros((1, 4, 4, 1), 'float32'),\n"
        "           np.zeros((2, 2, 1, 1), 'float32')),\n"
        "      real(keras.ops.matmul, np.zeros((2, 2), 'float32'), np.zeros((2, 2), 'float32')))\n"
        "def conv_history(stepped):\n"
        "    supervised._has_convolution = lambda *args: stepped\n"
        "    keras.utils.set_random_seed(0)\n"
        "    c = keras.Sequential([keras.Input((6, 6, 1)), keras.layers.Conv2D(3, 3),\n"
        "                          keras.layers.Flatten(), keras.layers.Dense(2)])\n"
        "    o = keras.optimizers.Adam(0.01)\n"
        "    h = supervised.fit(c, xc, yc, epochs=4, batch_size=6, optimizer=o,\n"
        "        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),\n"
        "        validation_split=0.2)\n"
        "    return np.array(list(h.values())), int(o.iterations.numpy())\n"
        "(scanned, n1), (stepped, n2) = conv_history(False), conv_history(True)\n"
        "print(n1, n2, np.abs(scanned - stepped).max(), scanned[0, -1] < scanned[0, 0])\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=300, env={**os.environ, "PYTHONPATH": aml.SOURCE_ROOT})
    assert result.returncode == 0, result.stderr[-2000:]
    lines = result.stdout.splitlines()
    train_loss, val_loss = map(float, lines[0].split())
    assert train_loss < 1e-3 and val_loss < 1e-3
    assert lines[1].split() == ["True", "False"]
    scan_steps, stepped_steps, difference, learned = lines[2].split()
    assert int(scan_steps) == int(stepped_steps) == 4 * math.ceil(16 / 6)
    assert float(difference) <= 1e-5 and learned == "True"


def _batches_seen(model, **kwargs):
    x, y = _data_for_quiet_run()
    calls = []
    seed_everything(0)
    history = supervised.fit(model, x, y, loss=keras.losses.SparseCategoricalCrossentropy(),
                             epochs=3, batch_size=10, optimizer=keras.optimizers.Adam(1e-2),
                             seed=0, **kwargs, on_batch=lambda *a: calls.append(a))
    return history, calls


def _small_models():
    dense = [keras.Input((6, 6, 1)), keras.layers.Flatten(), keras.layers.Dense(2, "softmax")]
    conv = [keras.Input((6, 6, 1)), keras.layers.Conv2D(2, 3), keras.layers.Flatten(),
            keras.layers.Dense(2, "softmax")]
    return {"dense": dense, "conv": conv}


@pytest.mark.parametrize("kind", ["dense", "conv"])
def test_a_long_epoch_reports_its_batches_without_changing_the_numbers(kind):
    """40 batches per epoch: about 20 reports inside each of the 3 epochs, in order, and the
    same history as a run that reports nothing."""
    seed_everything(0)
    model = keras.Sequential(_small_models()[kind])
    weights = model.get_weights()
    history, calls = _batches_seen(model)
    assert [c for c in calls if c[0] == 1] == [(1, b, 40) for b in range(2, 40, 2)]
    assert {c[0] for c in calls} == {1, 2, 3} and len(calls) == 3 * 19
    assert calls == sorted(calls)
    model.set_weights(weights)
    quiet = supervised.fit(model, *_data_for_quiet_run(),
                           loss=keras.losses.SparseCategoricalCrossentropy(), epochs=3,
                           batch_size=10, optimizer=keras.optimizers.Adam(1e-2), seed=0)
    np.testing.assert_allclose(quiet["loss"], history["loss"], rtol=1e-6)


def _data_for_quiet_run():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 6, 6, 1)).astype("float32")
    return x, (x.mean(axis=(1, 2, 3)) > 0).astype("int32")


def test_short_epochs_report_no_batches():
    seed_everything(0)
    _, calls = _batches_seen(keras.Sequential(_small_models()["dense"]), validation_split=0.6)
    assert calls == []  # 16 batches per epoch: below BATCH_REPORT_MIN_STEPS


def test_models_whose_call_takes_no_training_argument_train_too():
    class NoTraining(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = keras.layers.Dense(2, activation="softmax")

        def call(self, inputs):
            return self.dense(inputs)

    class CatchAll(NoTraining):
        def call(self, inputs, **kwargs):
            return self.dense(inputs)

    assert not supervised._call_takes_training(NoTraining())
    assert supervised._call_takes_training(CatchAll())
    assert supervised._call_takes_training(keras.Sequential([keras.layers.Dense(2)]))
    x, y = _data_for_quiet_run()
    model = NoTraining()
    history = supervised.fit(model, x.reshape(400, -1), y, epochs=5, batch_size=50,
                             loss=keras.losses.SparseCategoricalCrossentropy(),
                             optimizer=keras.optimizers.Adam(1e-2))
    assert history["loss"][-1] < history["loss"][0]
