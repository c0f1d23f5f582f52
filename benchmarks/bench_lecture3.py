"""Lecture 3: the course's BiLSTM configuration against aml's, per backend (the CNN's
comparison on CIFAR-10 is benchmarks/bench_cifar_cnn.py).

Course text model: TextVectorization(1000) + Embedding(64, mask_zero) + BiLSTM(64) +
Dense(64) + Dense(1), Adam(1e-4), batch 64, 10 epochs, model.fit (on JAX, where
TextVectorization does not run, aml's Vocabulary makes the same 1,000-token ids).
aml: the l3.text_sentiment BiLSTM default configuration, trained with the compiled loop.
Each epoch is scored on the test set (as the course's validation_data does), so "time to
reach" is the training wall time until the test accuracy first reaches a target. Each
backend runs in its own subprocess.

    python benchmarks/bench_lecture3.py [--backends tensorflow,jax] [--scale 0.2]

`--scale` keeps that fraction of the training sets (e.g. 0.2 for a shorter look; epochs
stay as configured); the table says what ran.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import replace

import numpy as np
from options import option

HERE = os.path.dirname(os.path.abspath(__file__))


class EpochClock:
    """Test accuracy after each epoch and the training time up to it (evaluation excluded)."""

    def __init__(self):
        self.start = time.perf_counter()
        self.excluded = 0.0
        self.points = []  # (seconds, accuracy)

    def record(self, accuracy_fn):
        now = time.perf_counter()
        accuracy = accuracy_fn()
        self.points.append((now - self.start - self.excluded, float(accuracy)))
        self.excluded += time.perf_counter() - now

    def time_to(self, target):
        return next((s for s, a in self.points if a >= target), None)


def _keras_clock(model, x_test, y_test):
    import keras

    clock = EpochClock()

    def evaluate():
        pred = np.asarray(model.predict(x_test, verbose=0))
        if pred.shape[-1] == 1:
            return np.mean((pred[:, 0] > 0) == y_test)  # logits, as in the course
        return np.mean(pred.argmax(-1) == y_test)

    callback = keras.callbacks.LambdaCallback(on_epoch_end=lambda e, logs: clock.record(evaluate))
    return clock, callback


def text_runs(scale):
    import keras

    from aml.lectures.lecture3.text import (
        TextConfig,
        fold_split,
        load_texts,
        prepare_texts,
        probabilities,
        text_model,
        train_text_model,
    )
    from aml.models.text import Vocabulary

    texts, y, texts_test, y_test, dataset, _ = load_texts("auto")
    if scale < 1:
        texts, y = texts[:int(len(texts) * scale)], y[:int(len(y) * scale)]
    course_epochs = 10
    keras.utils.set_random_seed(0)
    layers = [keras.layers.Embedding(1000, 64, mask_zero=True),
              keras.layers.Bidirectional(keras.layers.LSTM(64)),
              keras.layers.Dense(64, activation="relu"), keras.layers.Dense(1)]
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        encoder = keras.layers.TextVectorization(max_tokens=1000)
        encoder.adapt(tf.data.Dataset.from_tensor_slices(texts).batch(256))
        model = keras.Sequential([encoder, *layers])
        x = tf.data.Dataset.from_tensor_slices((texts, y)).shuffle(10000, seed=0).batch(64)
        x_test = tf.data.Dataset.from_tensor_slices(texts_test).batch(1024)
        tokenizer = "TextVectorization"
    else:
        vocabulary = Vocabulary(1000, 200 if dataset == "imdb" else 64).adapt(texts)
        x, x_test = vocabulary(texts), vocabulary(texts_test)
        model = keras.Sequential([keras.Input(x.shape[1:]), *layers])
        tokenizer = "aml Vocabulary"
    model.compile(optimizer=keras.optimizers.Adam(1e-4),
                  loss=keras.losses.BinaryCrossentropy(from_logits=True), metrics=["accuracy"])
    clock, callback = _keras_clock(model, x_test, y_test)
    if keras.backend.backend() == "tensorflow":
        model.fit(x, epochs=course_epochs, callbacks=[callback], verbose=0)
    else:
        model.fit(x, y, batch_size=64, epochs=course_epochs, callbacks=[callback], verbose=0)
    course = {"seconds": clock.points[-1][0], "epochs": course_epochs, "points": clock.points,
              "parameters": model.count_params(), "tokenizer": tokenizer}

    # the l3.text_sentiment recipe: one BiLSTM member (the example averages five of them)
    config = replace(TextConfig(), train_limit=len(texts) if scale < 1 else None)
    data = prepare_texts(config, seed=0, log=lambda message: None)
    split = fold_split(data, config, 0)
    keras.utils.set_random_seed(0)
    ours = text_model("bilstm", config, split, len(data.tokens), data.length)
    clock = EpochClock()

    def accuracy():
        return np.mean((probabilities(ours, data.x_test) > 0.5) == data.y_test)

    train_text_model(ours, split.x_train, split.targets, split.x_val, split.y_val,
                     epochs=config.epochs, batch_size=config.batch_size,
                     learning_rate=config.learning_rate, seed=0,
                     on_epoch=lambda e, logs: clock.record(accuracy))
    return dataset, course, {"seconds": clock.points[-1][0], "epochs": config.epochs,
                             "points": clock.points, "parameters": ours.count_params()}


def child(backend, scale, which):
    from aml.backend import use_backend

    use_backend(backend)
    out = {}
    if "text" in which:
        dataset, course, ours = text_runs(scale)
        out["text"] = {"dataset": dataset, "course": course, "aml": ours}
    print("RESULT " + json.dumps(out))


def report(results, scale):
    from aml.tables import format_table

    targets = {"cnn": {"fashion_mnist": 0.92, "cifar10": 0.80},
               "text": {"movie_snippets": 0.80, "imdb": 0.90}}
    rows, ratios = [], []
    for backend, parts in results.items():
        for task, r in parts.items():
            course_final = r["course"]["points"][-1][1]
            goals = [course_final, targets[task].get(r["dataset"], 1.0)]
            for who in ("course", "aml"):
                run = r[who]
                best = max(a for _, a in run["points"])
                reach = [run_time_to(run, g) for g in goals]
                rows.append([task, backend, who, r["dataset"], run["parameters"], run["epochs"],
                             f"{run['seconds'] / run['epochs']:.1f}", f"{run['seconds']:.0f}",
                             f"{best:.4f}"] +
                            [f"{t:.0f}" if t is not None else "not reached" for t in reach])
            mine = run_time_to(r["aml"], course_final)
            if mine:
                ratios.append(f"{task} on {backend}: the course's final accuracy "
                              f"{course_final:.4f} in {mine:.0f} s vs {r['course']['seconds']:.0f}"
                              f" s: {r['course']['seconds'] / mine:.1f}x faster (goal >= 3x)")
            else:
                ratios.append(f"{task} on {backend}: aml did not reach the course's final "
                              f"accuracy {course_final:.4f}")
    print(format_table(rows, ["task", "backend", "config", "dataset", "params", "epochs",
                              "s/epoch", "train s", "best test acc",
                              "s to course final acc", "s to target"]))
    print(f"(scale {scale}: that fraction of each training set; full test sets)")
    for line in ratios:
        print(line)


def run_time_to(run, target):
    return next((s for s, a in run["points"] if a >= target), None)


def main():
    scale = float(option("--scale", "1"))
    backends = option("--backends", "tensorflow,jax").split(",")
    which = option("--tasks", "text").split(",")
    if "--child" in sys.argv:
        return child(option("--child", "tensorflow"), scale, which)
    results = {}
    for backend in backends:
        env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3"}
        done = subprocess.run([sys.executable, __file__, "--child", backend, "--scale",
                               str(scale), "--tasks", ",".join(which)], env=env,
                              capture_output=True, text=True)
        line = [x for x in done.stdout.splitlines() if x.startswith("RESULT ")]
        if not line:
            print(f"{backend} failed:\n{done.stderr[-2000:]}")
            continue
        results[backend] = json.loads(line[-1][7:])
        if len(backends) > 1:  # partial table now: a long run cut short keeps what it measured
            report({backend: results[backend]}, scale)
            print(flush=True)
    report(results, scale)


if __name__ == "__main__":
    main()
