# -*- coding: latin-1 -*-
"""Café: a correct network in a Latin-1 file."""
import keras

LABEL = "réseau"


def build_model():
    return keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(8, activation="relu"),
                             keras.layers.Dense(3, activation="softmax")])
