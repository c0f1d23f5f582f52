"""The sine anomaly data: peaks only in the test signal, marked by the mask; repeatable."""

import numpy as np
import pytest

from aml.data import load
from aml.data.sine_anomaly import windows
from aml.errors import AmlError


def test_signals_and_mask():
    clean, test, anomalous = load("sine_anomaly", seed=1)
    again = load("sine_anomaly", seed=1)
    np.testing.assert_array_equal(test, again[1])
    assert clean.shape == (4000,) and test.shape == anomalous.shape == (2048,)
    assert np.abs(clean).max() < 1.3                      # sine plus a little noise
    assert np.abs(test[anomalous]).max() > 1.4            # the peaks stick out
    assert 0 < anomalous.sum() < 0.1 * len(test)


def test_windows():
    w = windows(np.arange(10), 4, stride=3)
    np.testing.assert_array_equal(w, [[0, 1, 2, 3], [3, 4, 5, 6], [6, 7, 8, 9]])
    with pytest.raises(AmlError, match="longer than the signal"):
        windows(np.arange(3), 4)
