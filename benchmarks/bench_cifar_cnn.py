"""Lecture 3's CNN on CIFAR-10: time to the course's tiers (60/70/80 %), aml's recipe beside
the course's own configuration.

Course: Conv32-Pool-Conv64-Pool-Dense32-Dense16-Dense10 ('valid'), Adam, batch 16, model.fit,
20 epochs. aml: `l3.cnn_images`'s CnnConfig (narrow airbench-style CNN, flips+crops, one-cycle
SGD, label smoothing, mirrored predictions). Both train on the same 45,000 images; after each
epoch they are scored on the 5,000 held out from the training set (seed 0), and "s to 80 %"
is the training time (scoring excluded) until that validation accuracy first reaches 0.80.
The test set is scored once, at the end, with its standard error.

    python benchmarks/bench_cifar_cnn.py [--course-epochs 20] [--scale 1]

Needs CIFAR-10 imported (`aml data list`); `--scale 0.2` keeps a fifth of the training images.
"""

from __future__ import annotations

import os
import time

import numpy as np
from options import option

TIERS = (0.60, 0.70, 0.80)


def course_run(x, y, xv, yv, x_test, y_test, epochs):
    import keras

    from aml.models.images import course_cnn

    keras.utils.set_random_seed(0)
    model = course_cnn(x.shape[1:], 10)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    points, trained = [], 0.0

    class Clock(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            nonlocal trained
            trained += time.perf_counter() - self.start
            pred = model.predict(xv, batch_size=1000, verbose=0)
            points.append((trained, float(np.mean(pred.argmax(-1) == yv))))

    model.fit(x, y, batch_size=16, epochs=epochs, callbacks=[Clock()], verbose=0)
    test = float(np.mean(model.predict(x_test, batch_size=1000, verbose=0).argmax(-1) == y_test))
    return points, test, model.count_params()


def aml_run(x, y, xv, yv, x_test, y_test):
    from aml.lectures.lecture3.images import CnnConfig, train_recipe
    from aml.training.augmented import predict_logits

    model, history = train_recipe(CnnConfig(), x, y, xv, yv, 10, seed=0)
    test = float(np.mean(predict_logits(model, x_test).argmax(-1) == y_test))
    return list(zip(history["time"], history["val_accuracy"])), test, model.count_params()


def main():
    from aml.backend import use_backend

    use_backend(os.environ.get("KERAS_BACKEND", "tensorflow"))
    from aml.lectures.lecture3.images import carve_validation, load_images
    from aml.stats import accuracy_se
    from aml.tables import format_table

    scale = float(option("--scale", "1"))
    data = load_images("cifar10", train_limit=None if scale >= 1 else int(50000 * scale))
    x, y, xv, yv = carve_validation(data, int(5000 * min(scale, 1)), seed=0)
    rows = []
    load = os.getloadavg()[0]
    for name, run in (("aml l3.cnn_images", lambda: aml_run(x, y, xv, yv, data.x_test,
                                                            data.y_test)),
                      ("course CNN", lambda: course_run(x, y, xv, yv, data.x_test, data.y_test,
                                                         int(option("--course-epochs", "20"))))):
        points, test, parameters = run()
        reach = [next((s for s, a in points if a >= tier), None) for tier in TIERS]
        rows.append([name, parameters, len(points), f"{points[-1][0] / len(points):.1f}",
                     f"{max(a for _, a in points):.4f}",
                     f"{test:.4f} +- {accuracy_se(test, len(data.y_test)):.4f}"] +
                    [f"{t:.0f}" if t is not None else "not reached" for t in reach])
        print(format_table(rows[-1:], _HEADER), flush=True)  # a long run cut short keeps it
    print()
    print(format_table(rows, _HEADER))
    print(f"({len(x)} training, {len(xv)} validation images; load average {load:.1f} at the "
          f"start, {os.getloadavg()[0]:.1f} at the end; {os.cpu_count()} CPUs)")


_HEADER = ["config", "params", "epochs", "s/epoch", "best val acc", "test acc +- SE"] + \
    [f"s to {round(t * 100)} % (val)" for t in TIERS]

if __name__ == "__main__":
    main()
