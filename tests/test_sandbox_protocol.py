"""What crosses the jail's wall: bundles are parsed with bounds, models are rebuilt only from
Keras's own building blocks, and a rebuilt model computes what the student's did."""

import json

import keras
import numpy as np
import pytest
from keras import ops

from aml.sandbox.bundle import BundleError, array_bytes, decode, encode, load_array
from aml.sandbox.protocol import ArtifactError, Artifacts, Recorder, safe_config


def test_bundle_round_trip_and_refusals():
    entries = {"value:a": b"1", "array:x": array_bytes(np.arange(3.0))}
    assert decode(encode(entries)) == entries
    data = encode(entries)
    for broken in (data[:-1], data + data, b"junk", data.replace(b"value:a", b"value/..")):
        with pytest.raises(BundleError):
            decode(broken)
    with pytest.raises(BundleError, match="larger than"):
        decode(data, max_bytes=10)
    with pytest.raises(BundleError, match="numeric"):
        load_array(array_bytes(np.array(["text"])))


def _saved(model) -> Artifacts:
    record = Recorder()
    record.model("m", model)
    return Artifacts(decode(encode(record.entries)))


def test_a_keras_model_is_rebuilt_with_its_weights():
    model = keras.Sequential([keras.Input((1,)),
                              keras.layers.Dense(8, activation=ops.sin,
                                                 kernel_regularizer=keras.regularizers.L2(0.01)),
                              keras.layers.Dropout(0.1), keras.layers.Dense(1)])
    rebuilt = _saved(model).model("m")
    x = np.linspace(0, 1, 7, dtype="float32")[:, None]
    np.testing.assert_allclose(rebuilt(x), model(x), rtol=1e-6)
    assert rebuilt.count_params() == model.count_params() == 8 + 8 + 9


def test_code_in_a_configuration_is_refused():
    lam = keras.Sequential([keras.Input((2,)), keras.layers.Lambda(lambda x: x * 2)])
    assert "keras.layers.Lambda" in safe_config(json.loads(json.dumps(
        keras.saving.serialize_keras_object(lam))))
    forged = {"module": "keras.utils", "class_name": "get_file", "config": {},
              "registered_name": None}
    assert "does not load" in safe_config({"module": "keras", "class_name": "Sequential",
                                           "config": {"layers": [forged]}})
    assert "function os.system" in safe_config(
        {"module": "os", "class_name": "function", "config": "system",
         "registered_name": "function"})

    class Mine(keras.layers.Layer):
        def call(self, x):
            return x

    custom = keras.Sequential([keras.Input((2,)), Mine()])
    with pytest.raises(ArtifactError, match="custom class|does not load"):
        _saved(custom).model("m")


def test_weights_that_do_not_fit_are_refused():
    record = Recorder()
    record.model("m", keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)]))
    wide = Recorder()
    wide.model("m", keras.Sequential([keras.Input((4,)), keras.layers.Dense(30)]))
    record.entries.update({k: v for k, v in wide.entries.items() if k.endswith(":weights")})
    with pytest.raises(ArtifactError, match="do not fit"):
        Artifacts(decode(encode(record.entries))).model("m")


def _deep(layers: int):
    return keras.Sequential([keras.Input((2,))] + [keras.layers.Dense(2)
                                                    for _ in range(layers)])


def test_a_deep_network_comes_back_whole():
    """600 weight arrays (a 300-layer network's), more than a bundle's 256 entries: a
    model's weights travel as one entry, so they come back whole, not called tampered. (A
    stand-in holding 600 variables: building 300 real layers takes most of a minute.)"""
    import types

    from aml.sandbox import bundle

    variables = [keras.Variable(np.full((2,), i, dtype="float32"), name=f"w{i}")
                 for i in range(600)]
    record = Recorder()
    record.model("deep", types.SimpleNamespace(weights=variables))
    assert len(record.entries) < bundle.MAX_ENTRIES < len(variables)
    back = Artifacts(decode(encode(record.entries))).weights("deep")
    assert [float(a[0]) for a in back] == list(range(600))


def test_too_many_weight_arrays_is_a_clear_error(monkeypatch):
    from aml.sandbox import protocol

    monkeypatch.setattr(protocol, "MAX_WEIGHT_ARRAYS", 10)
    record = Recorder()
    record.model("deep", _deep(6))  # 12 arrays
    with pytest.raises(ArtifactError, match="has 12 weight arrays; the grader takes at most 10"):
        Artifacts(decode(encode(record.entries))).weights("deep")


def test_a_bundle_over_its_entry_limit_says_so():
    from aml.sandbox.bundle import MAX_ENTRIES, BundleError

    with pytest.raises(BundleError, match=f"more than {MAX_ENTRIES} entries"):
        decode(encode({f"value:{i}": b"1" for i in range(MAX_ENTRIES + 1)}))


def test_every_exercise_of_aml_is_split_and_plain_functions_are_refused():
    """No exercise of aml's own lectures is scored in the student's process: each resolves
    to a trusted Checker, and a plain check function from aml is refused outright (only a
    third-party lecture may still use one, and its rows say so)."""
    from aml import catalog
    from aml.lectures.lecture1 import checks
    from aml.sandbox.protocol import Checker, as_checker

    for exercise in catalog.exercises():
        checker = catalog.resolve(exercise.checker)
        assert isinstance(checker, Checker) and checker.trusted, exercise.id
    with pytest.raises(TypeError, match="need a split Checker"):
        as_checker(checks.iris_inputs)


def test_the_grading_key_is_made_once_private_and_draws_reproducibly(tmp_path, monkeypatch):
    """The secret behind drawn inputs: the same seed on the same machine draws the same,
    another seed or another machine's key draws differently, and the key is the teacher's
    alone (mode 0600)."""
    from aml.sandbox.run import grading_key, grading_secret

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "one"))
    first = grading_secret("m:c", True, 0)
    path = tmp_path / "one" / "aml" / "grading.key"
    assert path.stat().st_mode & 0o777 == 0o600 and len(path.read_bytes()) == 32
    assert grading_key() == path.read_bytes()
    assert grading_secret("m:c", True, 0) == first != grading_secret("m:c", True, 1)
    assert first != grading_secret("m:c", False, 0) and 0 <= first < 2**63
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "two"))
    assert grading_secret("m:c", True, 0) != first


def test_kept_inputs_never_reach_the_student_side():
    """A Checker's "_" inputs stay on the measuring side: produce never sees them, measure
    does (l4.structured_net's drawn g and v0)."""
    from aml.sandbox.protocol import Checker

    seen = {}

    def produce(module, inputs, record, quick):
        seen["produce"] = sorted(inputs)

    def measure(art, quick):
        seen["measure"] = sorted(art.inputs)
        return []

    checker = Checker(produce, measure,
                      lambda quick, seed, secret: {"x": np.ones(2), "_truth": np.ones(1)})
    checker(None, secret=3)
    assert seen == {"produce": ["x"], "measure": ["_truth", "x"]}
