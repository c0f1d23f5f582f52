"""Hostile l4.structured_net: an unstructured dense network, the course's constants typed in
as its 'learned' ones, and every CheckResult made in this process passes. Measured outside,
its heights at times it never saw do not follow v0 t - g t^2/2, so the extrapolation fails
(the typed-in constants are the one claim the grader has to take)."""

import keras

import aml.grading.checks as grading

_init = grading.CheckResult.__init__


def _always_passed(self, name, passed, *args, **kwargs):
    _init(self, name, True, *args, **kwargs)


grading.CheckResult.__init__ = _always_passed


def build_model():
    return keras.Sequential([keras.Input((1,)), keras.layers.Dense(16, activation="tanh"),
                             keras.layers.Dense(1)])


def learned_constants(model):
    return 9.7, 20.0
