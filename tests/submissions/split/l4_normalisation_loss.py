"""Hostile l4.normalisation_loss: plain MSE (no penalty), and every CheckResult made in this
process passes. Measured outside: the missing penalty shows and nothing is trained."""

from keras import ops

import aml.grading.checks as grading

_init = grading.CheckResult.__init__


def _always_passed(self, name, passed, *args, **kwargs):
    _init(self, name, True, *args, **kwargs)


grading.CheckResult.__init__ = _always_passed


def normalisation_loss(length, weight=10.0, tolerance=0.01):
    def loss(y_true, y_pred):
        return ops.mean(ops.square(y_true - y_pred))

    return loss
