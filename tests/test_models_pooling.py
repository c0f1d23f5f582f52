"""BlockMaxPooling2D: the same outputs and gradients as keras MaxPooling2D, on both backends."""

import os
import subprocess
import sys

import keras
import numpy as np
import pytest

import aml
from aml.models.pooling import BlockMaxPooling2D

# (input shape, pool size): odd sizes whose remainder rows/columns are dropped, several channels
CASES = [((2, 7, 9, 3), 2), ((3, 8, 8, 1), 2), ((2, 10, 11, 4), 3), ((1, 9, 7, 2), (3, 2))]


def _gradient(layer, x, weights):
    """d/dx of sum(layer(x) * weights), on whichever backend Keras runs."""
    if keras.backend.backend() == "jax":
        import jax

        return np.asarray(jax.grad(lambda v: (layer(v) * weights).sum())(x))
    import tensorflow as tf

    v = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(v)
        total = tf.reduce_sum(layer(v) * weights)
    return tape.gradient(total, v).numpy()


def compare_with_max_pooling() -> float:
    """Largest difference from MaxPooling2D over CASES (outputs and input gradients)."""
    rng = np.random.default_rng(0)
    worst = 0.0
    for shape, pool in CASES:
        x = rng.normal(size=shape).astype("float32")
        ours, theirs = BlockMaxPooling2D(pool), keras.layers.MaxPooling2D(pool)
        out = np.asarray(ours(x))
        expected = np.asarray(theirs(x))
        assert out.shape == expected.shape == ours.compute_output_shape(shape)
        weights = rng.normal(size=out.shape).astype("float32")
        worst = max(worst, np.abs(out - expected).max(),
                    np.abs(_gradient(ours, x, weights) - _gradient(theirs, x, weights)).max())
        first = BlockMaxPooling2D(pool, data_format="channels_first")
        worst = max(worst, np.abs(np.asarray(first(x.transpose(0, 3, 1, 2)))
                                  - expected.transpose(0, 3, 1, 2)).max())
    return float(worst)


def test_equals_max_pooling_on_this_backend():
    assert compare_with_max_pooling() <= 1e-6


@pytest.mark.slow
def test_equals_max_pooling_on_jax():
    tests = os.path.dirname(os.path.abspath(__file__))
    script = ("from aml.backend import use_backend; use_backend('jax')\n"
              f"import sys; sys.path.insert(0, {tests!r})\n"
              "from test_models_pooling import compare_with_max_pooling\n"
              "print(compare_with_max_pooling())\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=300, env={**os.environ, "KERAS_BACKEND": "jax",
                                              "PYTHONPATH": aml.SOURCE_ROOT})
    assert result.returncode == 0, result.stderr[-2000:]
    assert float(result.stdout.split()[-1]) <= 1e-6


def test_round_trips_through_a_saved_model(tmp_path):
    model = keras.Sequential([keras.Input((6, 6, 2)), BlockMaxPooling2D((2, 3)),
                              keras.layers.Flatten()])
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras")
    x = np.random.default_rng(1).normal(size=(2, 6, 6, 2)).astype("float32")
    assert isinstance(loaded.layers[0], BlockMaxPooling2D)
    assert loaded.layers[0].pool_size == (2, 3)
    np.testing.assert_array_equal(np.asarray(loaded(x)), np.asarray(model(x)))


def test_rejects_a_bad_pool_size():
    with pytest.raises(ValueError, match="pool_size"):
        BlockMaxPooling2D(0)
