"""Lecture 1, neural networks: its examples and exercises, their targets.

Read by `aml.catalog`; names code by "module:attribute" strings and imports no Keras.
"""

from __future__ import annotations

from aml.lectures import Example, Exercise, Lecture
from aml.targets import Target

_HERE = "aml.lectures.lecture1"
_IRIS_TARGET = (Target("test_accuracy", ">=", 0.93),)

ENTRIES = (
    Example("l1.iris", 1, "Iris classifier, Dense(8, relu) -> Dense(3, softmax)",
            f"{_HERE}.iris:iris", f"{_HERE}.iris:IrisConfig", _IRIS_TARGET,
            search=f"{_HERE}.iris:iris_search_space"),
    Exercise("l1.sequential", 1, "The iris network as Sequential([...]) from a list",
             "lecture1/sequential.py", f"{_HERE}.solutions:sequential.py",
             f"{_HERE}.checks:check_sequential", _IRIS_TARGET),
    Exercise("l1.functional", 1, "The iris network with the functional API",
             "lecture1/functional.py", f"{_HERE}.solutions:functional.py",
             f"{_HERE}.checks:check_functional", _IRIS_TARGET),
    Exercise("l1.subclassing", 1, "The iris network as a subclass of keras.Model",
             "lecture1/subclassing.py", f"{_HERE}.solutions:subclassing.py",
             f"{_HERE}.checks:check_subclassing", _IRIS_TARGET),
)

LECTURE = Lecture(1, "Neural networks", ENTRIES)
