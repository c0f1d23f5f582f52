"""Checks of the lecture 3 exercises: an ANN and a CNN image classifier, a text model.

Contracts (each file documents its own):
- ann.py / cnn.py: `build_model(input_shape, n_classes)` -> uncompiled keras.Model from
  images in [0, 1] to class probabilities; the ANN without convolutions, the CNN with one.
- text.py: `build_model(vocab_size, sequence_length)` -> keras.Model from token ids to one
  sigmoid probability, with a recurrent layer.
- optional `training()` -> dict of epochs, batch_size, learning_rate (and max_tokens for
  text). The check trains the model (quick mode: a subset, at most 5 epochs) and reports
  the accuracy tier reached and the parameter count; each tier reached scores a point.
"""

from __future__ import annotations

import numpy as np

from aml.grading.checks import (
    CheckResult,
    SubmissionError,
    call_student,
    read_specs,
    returns_model,
    tiers_of,
)

read_specs()  # the targets this module grades against, fixed before student code runs

# Which data the checks use: "auto" = CIFAR-10 / IMDB when present, else Fashion-MNIST /
# movie snippets (the tests switch these to bundled or generated data).
IMAGE_DATASET = "auto"
TEXT_DATASET = "auto"
MAX_EPOCHS, QUICK_EPOCHS = 30, 5
QUICK_IMAGES = {"train_limit": 5000, "test_limit": 1000}
QUICK_TEXTS = 3000


def student_training(module, defaults: dict) -> dict:
    """The student's optional training() dict merged over defaults, checked for sense."""
    settings = dict(defaults)
    if hasattr(module, "training"):
        chosen = call_student(module, "training")
        if not isinstance(chosen, dict):
            raise SubmissionError("training() must return a dict such as {'epochs': 10}")
        unknown = set(chosen) - set(defaults)
        if unknown:
            raise SubmissionError(f"training() returned unknown keys {sorted(unknown)}; "
                                  f"allowed: {sorted(defaults)}")
        settings.update(chosen)
    for key in ("epochs", "batch_size") + (("max_tokens",) if "max_tokens" in settings else ()):
        if not isinstance(settings[key], int) or settings[key] < 1:
            raise SubmissionError(f"training()['{key}'] must be a positive integer")
    if not 0 < float(settings["learning_rate"]) < 1:
        raise SubmissionError("training()['learning_rate'] must be between 0 and 1")
    settings["epochs"] = min(settings["epochs"], MAX_EPOCHS)
    return settings


def tier_results(accuracy: float, parameters: int, tiers, dataset: str,
                 n: int = 0) -> list[CheckResult]:
    """One check per tier (a point each) and a summary line saying the highest tier reached."""
    results = []
    for number, tier in enumerate(tiers, 1):
        results.append(CheckResult(
            f"tier {number}: test accuracy >= {tier:.0%} on {dataset}", accuracy >= tier,
            f"{accuracy:.4f} with {parameters:,} parameters", f">= {tier}",
            "train longer, widen or deepen the network, or tune the learning rate", n=n))
    reached = [t for t in tiers if accuracy >= t]
    summary = (f"tier {len(reached)} of {len(tiers)} ({reached[-1]:.0%})" if reached
               else "no tier") + f": accuracy {accuracy:.4f}, {parameters:,} parameters"
    results.append(CheckResult("highest tier reached", True, summary, None, "", points=0))
    return results


def _layers(model):
    from aml.models.walk import all_layers

    return all_layers(model)


def _output_check(model, sample, expected_shape, name, hint) -> CheckResult:
    try:
        output = np.asarray(model(sample, training=False))
    except Exception as err:  # noqa: BLE001 - a broken model is a failed check, not a crash
        return CheckResult(name, False, f"calling the model failed: {err}"[:160], None, hint)
    ok = output.shape == expected_shape and np.all(output >= 0) and np.all(output <= 1)
    if expected_shape[-1] > 1:
        ok = ok and np.allclose(output.sum(-1), 1, atol=1e-4)
    return CheckResult(name, bool(ok), f"shape {output.shape}", f"shape {expected_shape}", hint)


def check_images(module, kind: str, quick: bool = False) -> list[CheckResult]:
    """Build, inspect, train and tier a student's image classifier ("ann" or "cnn")."""
    import keras

    from aml.lectures.lecture3.images import load_images, train_classifier

    limits = QUICK_IMAGES if quick else {}
    data = load_images(IMAGE_DATASET, seed=0, **limits)
    n_classes = len(data.class_names)
    model = call_student(module, "build_model", data.x_train.shape[1:], n_classes)
    results = [returns_model(model)]
    if not results[0].passed:
        return results
    results.append(_output_check(model, data.x_train[:2], (2, n_classes),
                                 f"outputs {n_classes} class probabilities",
                                 f"end with Dense({n_classes}, activation='softmax')"))
    convs = [layer for layer in _layers(model) if isinstance(layer, keras.layers.Conv2D)]
    if kind == "ann":
        results.append(CheckResult("dense only (no convolution layers)", not convs,
                                   f"{len(convs)} Conv2D layers", "0",
                                   "this exercise is about Flatten + Dense; keep Conv2D for cnn"))
    else:
        results.append(CheckResult("has convolution layers", bool(convs),
                                   f"{len(convs)} Conv2D layers", ">= 1",
                                   "add keras.layers.Conv2D(...) blocks before Flatten"))
    if not all(r.passed for r in results):
        return results
    defaults = {"epochs": 10, "batch_size": 128, "learning_rate": 1e-3}
    settings = student_training(module, defaults)
    epochs = min(settings["epochs"], QUICK_EPOCHS) if quick else settings["epochs"]
    try:
        _, test, _ = train_classifier(model, data, epochs=epochs,
                                      batch_size=settings["batch_size"],
                                      learning_rate=settings["learning_rate"])
    except Exception as err:  # noqa: BLE001
        return results + [CheckResult("model trains", False, f"training failed: {err}"[:160],
                                      None, "the model must train with Adam on integer labels")]
    return results + tier_results(test["accuracy"], model.count_params(),
                                  tiers_of(f"l3.{kind}").on(data.dataset), data.dataset,
                                  n=len(data.y_test))


def check_ann(module, quick: bool = False) -> list[CheckResult]:
    return check_images(module, "ann", quick)


def check_cnn(module, quick: bool = False) -> list[CheckResult]:
    return check_images(module, "cnn", quick)


def check_text(module, quick: bool = False) -> list[CheckResult]:
    """Build, inspect, train and tier a student's sentiment model."""
    import keras

    from aml.lectures.lecture3.text import load_texts, train_text_model
    from aml.models.text import Vocabulary
    from aml.training import supervised

    texts, y, texts_test, y_test, dataset, _ = load_texts(TEXT_DATASET)
    if quick:
        texts, y = texts[:QUICK_TEXTS], y[:QUICK_TEXTS]
    defaults = {"epochs": 4, "batch_size": 64, "learning_rate": 2e-3, "max_tokens": 1000}
    settings = student_training(module, defaults)
    length = 200 if dataset == "imdb" else 48
    n_val = max(1, len(texts) // 10)
    vocabulary = Vocabulary(settings["max_tokens"], length).adapt(texts[:-n_val])
    x, x_test = vocabulary(texts).astype("float32"), vocabulary(texts_test).astype("float32")
    model = call_student(module, "build_model", len(vocabulary), length)
    results = [returns_model(model)]
    if not results[0].passed:
        return results
    results.append(_output_check(model, x[:2], (2, 1), "outputs one probability per text",
                                 "end with Dense(1, activation='sigmoid')"))
    recurrent = [layer for layer in _layers(model)
                 if isinstance(layer, (keras.layers.RNN, keras.layers.Bidirectional))]
    results.append(CheckResult("has a recurrent layer (memory)", bool(recurrent),
                               ", ".join(type(r).__name__ for r in recurrent) or "none",
                               "SimpleRNN, LSTM, GRU, Bidirectional or RNN(cell)",
                               "add e.g. keras.layers.LSTM(32) after the Embedding"))
    if not all(r.passed for r in results):
        return results
    epochs = min(settings["epochs"], QUICK_EPOCHS) if quick else settings["epochs"]
    try:
        train_text_model(model, x[:-n_val], y[:-n_val], x[-n_val:], y[-n_val:],
                         epochs=epochs, batch_size=settings["batch_size"],
                         learning_rate=settings["learning_rate"])
        test = supervised.evaluate(model, x_test, y_test[:, None].astype("float32"),
                                   keras.losses.BinaryCrossentropy())
    except Exception as err:  # noqa: BLE001
        return results + [CheckResult("model trains", False, f"training failed: {err}"[:160],
                                      None, "the model must train on 0/1 labels")]
    return results + tier_results(test["accuracy"], model.count_params(),
                                  tiers_of("l3.text").on(dataset), dataset,
                                  n=len(y_test))
