"""The iris network built three ways: same size, and the same outputs for the same weights."""

import numpy as np
import pytest

from aml.models.iris import IrisNetwork, iris_classifier


@pytest.mark.parametrize("api", ["sequential", "functional", "subclass"])
def test_each_api_has_67_parameters(api):
    assert iris_classifier(api).count_params() == 67


def test_same_weights_give_same_outputs():
    models = [iris_classifier(api) for api in ("sequential", "functional", "subclass")]
    weights = models[0].get_weights()
    for model in models[1:]:
        model.set_weights(weights)
    x = np.random.default_rng(1).normal(size=(20, 4)).astype("float32")
    outputs = [np.asarray(model(x)) for model in models]
    np.testing.assert_allclose(outputs[1], outputs[0], atol=1e-7)
    np.testing.assert_allclose(outputs[2], outputs[0], atol=1e-7)
    np.testing.assert_allclose(outputs[0].sum(axis=1), 1.0, atol=1e-6)


def test_subclass_is_a_real_subclass():
    assert isinstance(iris_classifier("subclass"), IrisNetwork)


def test_unknown_api_is_rejected():
    with pytest.raises(ValueError, match="api must be one of"):
        iris_classifier("graph")
