"""TensorFlow's noise stays out of the terminal: C++ log lines off before TensorFlow loads,
no retracing warnings for models trained one after another, and no real retracing in the
text example's predictions."""

import os
import subprocess
import sys

import keras
import numpy as np
import pytest

import aml

SCRIPT = """
import logging, os, sys
from aml.backend import use_backend, _one_trace_per_model
use_backend("tensorflow")
print("level", os.environ["TF_CPP_MIN_LOG_LEVEL"])
if sys.argv[1] == "unfiltered":
    logging.getLogger("tensorflow").removeFilter(_one_trace_per_model)
import keras, numpy as np
from aml.training import supervised
from aml.lectures.lecture3.text import probabilities
x = np.random.default_rng(0).normal(size=(64, 3)).astype("float32")
y = (x[:, :1] > 0).astype("float32")
for seed in range(7):  # seven models, one after another, as lecture 3 trains them
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, activation="sigmoid")])
    supervised.fit(model, x, y, loss=keras.losses.BinaryCrossentropy(), epochs=2,
                   batch_size=16, seed=seed)
    model.predict(x[:50], batch_size=16, verbose=0)
print("done")
"""


def _run(*modes):
    """The script once per mode, the runs side by side (each mostly imports TensorFlow):
    (stdout, stderr) per mode."""
    env = dict(os.environ, PYTHONPATH=aml.SOURCE_ROOT, KERAS_BACKEND="tensorflow")
    env.pop("TF_CPP_MIN_LOG_LEVEL", None)
    runs = [subprocess.Popen([sys.executable, "-c", SCRIPT, mode], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=env) for mode in modes]
    return [run.communicate(timeout=300) for run in runs]


@pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="TensorFlow's messages")
def test_models_trained_one_after_another_print_no_retracing_warning():
    (quiet_out, quiet_err), (_, loud_err) = _run("filtered", "unfiltered")
    assert "done" in quiet_out and "level 3" in quiet_out, quiet_err
    assert "retracing" not in quiet_err
    assert "triggered tf.function retracing" in loud_err  # what the filter holds back
    assert not [line for line in quiet_err.splitlines() if line[:1] in "EW"
                and line[1:5].isdigit()]  # no C++ "E0000 ..." / "W0000 ..." lines


@pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="tf.function counts")
def test_text_probabilities_trace_the_prediction_once_and_match_predict():
    from aml.lectures.lecture3.text import probabilities

    model = keras.Sequential([keras.Input((5,)), keras.layers.Embedding(20, 4),
                              keras.layers.LSTM(3), keras.layers.Dense(1, "sigmoid")])
    x = np.random.default_rng(1).integers(0, 20, size=(70, 5)).astype("float32")
    ours = probabilities(model, x, batch_size=32)  # 70 rows: batches of 32, 32 and 6
    assert model.predict_function.experimental_get_tracing_count() == 1
    np.testing.assert_allclose(ours, model.predict(x, verbose=0).reshape(-1), atol=1e-6)
    assert ours.shape == (70,)
