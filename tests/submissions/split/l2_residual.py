"""Hostile l2.residual: every CheckResult made in this process passes, and the loss is 0 for
any network. Scored in the student's jail this was full marks; measured outside, the loss's
wrong value on NN = 0 shows and nothing is trained."""

import keras
from keras import ops

import aml.grading.checks as grading

_init = grading.CheckResult.__init__


def _always_passed(self, name, passed, *args, **kwargs):
    _init(self, name, True, *args, **kwargs)


grading.CheckResult.__init__ = _always_passed


def residual_loss(network, f, x, x0=0.0, u0=1.0):
    return 0.0 * ops.mean(network(x))


def build_network():
    return keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])


def hyperparameters():
    return {"steps": 20, "lbfgs_steps": 5}
