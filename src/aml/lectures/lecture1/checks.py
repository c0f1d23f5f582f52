"""Checks of the lecture 1 exercises: the iris network built with a given Keras API.

Contract for a student file: a function `build_model()` returning an uncompiled
`keras.Model` with 4 inputs, Dense(8, relu) and Dense(3, softmax). The parameter count and
the test accuracy are graded against the exercise's targets in the lecture spec.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from aml.grading.checks import (
    INVALID,
    CheckResult,
    against,
    call_student,
    read_specs,
    returns_model,
    target_of,
)

read_specs()  # the targets this module grades against, fixed before student code runs

LAYERS = [(8, "relu"), (3, "softmax")]  # the network of the notes: the exercise's contract
EXERCISE_OF_API = {"sequential": "l1.sequential", "functional": "l1.functional",
                   "subclass": "l1.subclassing"}


def _dense_layers(model):
    import keras

    from aml.models.walk import all_layers

    return [layer for layer in all_layers(model) if isinstance(layer, keras.layers.Dense)]


def check_iris_network(module, api: str, quick: bool = False) -> list[CheckResult]:
    """Run every check of one lecture 1 exercise on an imported student module."""
    import keras

    from aml.data.iris import prepared_split
    from aml.lectures.lecture1.iris import IrisConfig, train_iris
    from aml.models.walk import keras_api

    model = call_student(module, "build_model")
    results = [returns_model(model)]
    if not results[0].passed:
        return results
    try:
        output = np.asarray(model(np.zeros((2, 4), dtype="float32")))
    except Exception as err:  # noqa: BLE001
        return results + [CheckResult("accepts 4 input features", False, str(err)[:120],
                                      "input of shape (batch, 4)",
                                      "give the model an input of 4 features")]
    built_with = keras_api(model)
    results.append(CheckResult(f"built with the {api} API", built_with == api, built_with, api,
                               {"sequential": "use keras.Sequential([layer, layer, ...])",
                                "functional": "use keras.Model(inputs=..., outputs=...)",
                                "subclass": "write class Network(keras.Model) with call()"}[api]))
    finite = bool(np.all(np.isfinite(output)))
    results.append(CheckResult("output is 3 class probabilities",
                               finite and output.shape == (2, 3)
                               and np.allclose(output.sum(-1), 1, atol=1e-4),
                               f"shape {output.shape}" + ("" if finite else ", NaN or inf"),
                               "shape (batch, 3), rows sum to 1",
                               "end with Dense(3, activation='softmax')",
                               status="" if finite else INVALID))
    layers = [(layer.units, keras.activations.serialize(layer.activation))
              for layer in _dense_layers(model)]
    layers = [(units, act if isinstance(act, str) else act.get("config", act)) for units, act
              in layers]
    results.append(CheckResult("layers are Dense(8, relu) -> Dense(3, softmax)",
                               layers == LAYERS, layers, str(LAYERS),
                               "one hidden Dense(8, activation='relu'), then the softmax output"))
    exercise = EXERCISE_OF_API[api]
    results.append(against("parameter count", model.count_params(),
                           target_of(exercise, "parameters"), quick,
                           "4*8+8 + 8*3+3 = 67: check the layer sizes and biases"))
    accuracy_target = target_of(exercise, "test_accuracy")
    target = f"{accuracy_target.op} {accuracy_target.threshold_for(quick):g}"
    if not all(r.passed for r in results):
        return results + [CheckResult("test accuracy", False, None, target,
                                      "fix the architecture first; training was skipped")]
    config = replace(IrisConfig.quick() if quick else IrisConfig(), trainer="fast")
    try:
        _, test = train_iris(model, config)
        accuracy = round(test["accuracy"], 4)
    except MemoryError:
        raise
    except Exception as err:  # noqa: BLE001
        return results + [CheckResult("test accuracy", False, f"training failed: {err}"[:160],
                                      target, "the model must train with Adam")]
    results.append(against("test accuracy", accuracy, accuracy_target, quick,
                           "the example reaches 0.97; compare your layers with it",
                           n=len(prepared_split(config.test_size)[3])))
    return results


def check_sequential(module, quick: bool = False):
    return check_iris_network(module, "sequential", quick)


def check_functional(module, quick: bool = False):
    return check_iris_network(module, "functional", quick)


def check_subclassing(module, quick: bool = False):
    return check_iris_network(module, "subclass", quick)
