"""TensorFlow's native file operations, which bypass Python's audit hooks."""
import os

import keras
import tensorflow as tf

print("LISTED", tf.io.gfile.listdir("/"))
print("SUBMISSION", tf.io.gfile.listdir("/submission"))
tf.io.write_file("/tmp/aml_grading_escape.txt", "escaped")
classmate = os.environ.get("AML_CLASSMATE", "/submission/classmate.py")
try:
    print("READ", tf.io.read_file(classmate).numpy()[:80])
except Exception as err:  # noqa: BLE001
    print("NOT READ", type(err).__name__)


def build_model():
    return keras.Sequential([keras.Input(shape=(4,)),
                             keras.layers.Dense(8, activation="relu"),
                             keras.layers.Dense(3, activation="sigmoid")])
