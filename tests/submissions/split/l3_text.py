"""Hostile l3.text: a model without memory, and every CheckResult made in this process passes
(with the evaluation forged to accuracy 1). Measured outside: the memory check fails."""

import keras

import aml.grading.checks as grading
from aml.training import supervised

_init = grading.CheckResult.__init__


def _always_passed(self, name, passed, *args, **kwargs):
    _init(self, name, True, *args, **kwargs)


grading.CheckResult.__init__ = _always_passed
supervised.evaluate = lambda *args, **kwargs: {"accuracy": 1.0, "loss": 0.0}


def build_model(vocab_size, sequence_length):
    return keras.Sequential([keras.Input((sequence_length,)),
                             keras.layers.Embedding(vocab_size, 8),
                             keras.layers.GlobalAveragePooling1D(),
                             keras.layers.Dense(1, activation="sigmoid")])
