"""The structured projectile network computes exactly the formula from its two constants."""

import numpy as np
import pytest
from keras import ops

from aml.models.projectile import dense_regressor, learned_constants, projectile_network


def test_output_is_the_formula_of_its_constants():
    model = projectile_network(hidden=16)
    g, v0 = learned_constants(model)
    assert g > 0 and v0 > 0
    t = np.linspace(0, 8, 9, dtype="float32")[:, None]
    np.testing.assert_allclose(ops.convert_to_numpy(model(t)), v0 * t - 0.5 * g * t ** 2,
                               rtol=1e-5, atol=1e-5)
    assert model.count_params() == 2 * (1 * 16 + 16 + 16 + 1)


def test_constants_do_not_depend_on_time():
    model = projectile_network()
    g, v0 = model.constants(ops.convert_to_tensor([[0.0], [3.0], [100.0]]))
    assert np.ptp(ops.convert_to_numpy(g)) == 0 and np.ptp(ops.convert_to_numpy(v0)) == 0


def test_dense_baseline_has_similar_size():
    assert dense_regressor((8, 8)).count_params() == 97
    assert projectile_network(16).count_params() == pytest.approx(97, abs=5)
