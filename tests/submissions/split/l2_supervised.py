"""Hostile l2.supervised: the checker's error measure is replaced by one that says 0, and
train() does nothing. Scored in the jail: full marks; measured outside: the untrained
networks' real errors."""

import keras

import aml.lectures.lecture2.checks as lecture2

lecture2._max_error = lambda u_fn, exact: 0.0


def build_network():
    return keras.Sequential([keras.Input((1,)), keras.layers.Dense(8, activation="tanh"),
                             keras.layers.Dense(1)])


def train(model, x, u):
    return None
