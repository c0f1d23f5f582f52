"""A Sequential subclass that reports 67 parameters and Dense(8)->Dense(3) while its layers
are wider."""
import keras


class Honest(keras.Sequential):
    def count_params(self):
        return 67

    @property
    def layers(self):
        return [keras.layers.Dense(8, activation="relu"), keras.layers.Dense(3, activation="softmax")]


def build_model():
    return Honest([keras.Input(shape=(4,)), keras.layers.Dense(64, activation="relu"),
                   keras.layers.Dense(3, activation="softmax")])
