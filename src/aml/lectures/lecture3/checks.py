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

import functools
import os

import numpy as np

from aml.grading.checks import (
    INVALID,
    CheckResult,
    SubmissionError,
    call_student,
    read_specs,
    tiers_of,
)
from aml.sandbox.protocol import ArtifactError, Checker
from aml.targets import percent

read_specs()  # the targets this module grades against, fixed before student code runs

# Which data the checks use: "auto" = CIFAR-10 / IMDB when present, else Fashion-MNIST /
# movie snippets (the tests switch these to bundled or generated data).
IMAGE_DATASET = "auto"
TEXT_DATASET = "auto"
MAX_EPOCHS, QUICK_EPOCHS = 30, 5
QUICK_IMAGES = {"train_limit": 5000, "test_limit": 1000}
QUICK_TEXTS = 3000


def checked_training(chosen, defaults: dict) -> dict:
    """A training() dict (None when the student wrote none) merged over defaults; a
    SubmissionError says what is wrong with it."""
    settings = dict(defaults)
    if chosen is not None:
        if not isinstance(chosen, dict):
            raise SubmissionError("training() must return a dict such as {'epochs': 10}")
        unknown = set(chosen) - set(defaults)
        if unknown:
            raise SubmissionError(f"training() returned unknown keys {sorted(unknown)}; "
                                  f"allowed: {sorted(defaults)}")
        settings.update(chosen)
    for key in ("epochs", "batch_size") + (("max_tokens",) if "max_tokens" in settings else ()):
        if isinstance(settings[key], bool) or not isinstance(settings[key], int) \
                or settings[key] < 1:
            raise SubmissionError(f"training()['{key}'] must be a positive integer")
    rate = settings["learning_rate"]
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 < rate < 1:
        raise SubmissionError("training()['learning_rate'] must be between 0 and 1")
    settings["epochs"] = min(settings["epochs"], MAX_EPOCHS)
    settings["batch_size"] = min(settings["batch_size"], 65536)
    return settings


def tier_results(accuracy: float, parameters: int, tiers, dataset: str,
                 n: int = 0) -> list[CheckResult]:
    """One check per tier (a point each) and a summary line saying the highest tier reached."""
    results = []
    for number, tier in enumerate(tiers, 1):
        results.append(CheckResult(
            f"tier {number}: test accuracy >= {percent(tier)} on {dataset}", accuracy >= tier,
            f"{accuracy:.4f} with {parameters:,} parameters", f">= {tier}",
            "train longer, widen or deepen the network, or tune the learning rate", n=n))
    reached = [t for t in tiers if accuracy >= t]
    summary = (f"tier {len(reached)} of {len(tiers)} ({percent(reached[-1])})" if reached
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


def _image_data(quick: bool):
    from aml.lectures.lecture3.images import load_images

    # a teacher (or a test) picks the data for every jail with $AML_GRADING_IMAGES
    dataset = os.environ.get("AML_GRADING_IMAGES", IMAGE_DATASET)
    return load_images(dataset, seed=0, **(QUICK_IMAGES if quick else {}))


def image_inputs(quick: bool, seed: int) -> dict:
    """What the student's side needs to build the model: no images, no labels."""
    data = _image_data(quick)
    return {"input_shape": np.asarray(data.x_train.shape[1:]),
            "n_classes": np.asarray([len(data.class_names)])}


def produce_images(module, inputs, record, quick: bool) -> None:
    """Student side: the built model and the training() dict, nothing trained."""
    import keras

    shape = tuple(int(v) for v in inputs["input_shape"])
    model = call_student(module, "build_model", shape, int(inputs["n_classes"][0]))
    record.value("returned", type(model).__name__)
    if isinstance(model, keras.Model):
        record.model("model", model)
    record.value("training", call_student(module, "training")
                 if hasattr(module, "training") else None)


def measure_images(art, kind: str, quick: bool) -> list[CheckResult]:
    """Rebuild the student's classifier from its saved configuration, inspect it, train it
    here with its training() settings and report the tier reached."""
    import keras

    from aml.lectures.lecture3.images import train_classifier

    data = _image_data(quick)
    n_classes = len(data.class_names)
    results = [CheckResult("build_model() returns a keras.Model", art.has("model"),
                           art.value("returned", "nothing"), "keras.Model",
                           "return the model at the end of build_model(), e.g. `return model`")]
    if not results[0].passed:
        return results
    model = art.model("model")
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
    try:
        settings = checked_training(art.value("training"), defaults)
    except SubmissionError as err:
        return results + [CheckResult("training() settings", False, str(err)[:160], None,
                                      str(err))]
    epochs = min(settings["epochs"], QUICK_EPOCHS) if quick else settings["epochs"]
    try:
        _, test, _ = train_classifier(model, data, epochs=epochs,
                                      batch_size=settings["batch_size"],
                                      learning_rate=settings["learning_rate"])
    except Exception as err:  # noqa: BLE001
        return results + [CheckResult("model trains", False, f"training failed: {err}"[:160],
                                      None, "the model must train with Adam on integer labels")]
    parameters = int(sum(w.size for w in art.weights("model")))
    return results + tier_results(test["accuracy"], parameters,
                                  tiers_of(f"l3.{kind}").on(data.dataset), data.dataset,
                                  n=len(data.y_test))


# Split (aml.sandbox.protocol): the jail builds the model on Keras's numpy backend and never
# sees an image or a label; the measuring side rebuilds it (Keras's own layers only) and
# trains and tests it. A model with custom layers gets "invalid output" saying so.
check_ann = Checker(produce_images, lambda art, quick: measure_images(art, "ann", quick),
                    image_inputs, student_backend="numpy",
                    description="a dense-only image classifier")
check_cnn = Checker(produce_images, lambda art, quick: measure_images(art, "cnn", quick),
                    image_inputs, student_backend="numpy",
                    description="a convolutional image classifier")


# ---- l3.text -----------------------------------------------------------------------------------

RECURRENT = {"RNN", "SimpleRNN", "LSTM", "GRU", "Bidirectional"}


def _text_defaults() -> dict:
    """Training settings a text model gets where its training() says nothing."""
    return {"epochs": 4, "batch_size": 64, "learning_rate": 2e-3, "max_tokens": 1000}


@functools.lru_cache(maxsize=4)
def _text_data(dataset: str, quick: bool) -> dict:
    """Every text as ids of the full training vocabulary (ranked by frequency, so ids of a
    smaller vocabulary of m tokens are these with every id >= m made 1, unknown)."""
    from aml.lectures.lecture3.text import load_texts
    from aml.models.text import Vocabulary

    texts, y, texts_test, y_test, dataset, _ = load_texts(dataset)
    if quick:
        texts, y = texts[:QUICK_TEXTS], y[:QUICK_TEXTS]
    length = 200 if dataset == "imdb" else 48
    n_val = max(1, len(texts) // 10)
    vocabulary = Vocabulary(10**9, length).adapt(texts[:-n_val])
    return {"x": vocabulary(texts), "y": np.asarray(y, dtype="float32"),
            "x_test": vocabulary(texts_test), "y_test": np.asarray(y_test, dtype="float32"),
            "sizes": np.asarray([len(vocabulary), length, n_val]), "dataset": dataset}


def _texts(quick: bool) -> dict:
    # a teacher (or a test) picks the data for every jail with $AML_GRADING_TEXTS
    return _text_data(os.environ.get("AML_GRADING_TEXTS", TEXT_DATASET), quick)


def _limit(ids, vocab_size: int):
    """Ids of the vocabulary's first `vocab_size` tokens (the rest become 1, unknown)."""
    return np.where(ids >= vocab_size, 1, ids).astype("float32")


def text_inputs(quick: bool, seed: int) -> dict:
    """The training texts with their labels (the data the student's model may train on) and
    the test texts without theirs, all as ids; the sizes (vocabulary, length, validation)."""
    data = _texts(quick)
    return {name: data[name] for name in ("x", "y", "x_test", "sizes")}


def produce_text(module, inputs, record, quick: bool) -> None:
    """The student's settings and built model (configuration and initial weights). A model
    the measuring side cannot rebuild from Keras's own layers (a cell written by the student)
    is also trained here and its predictions on the test texts recorded."""
    import keras

    from aml.lectures.lecture3.text import train_text_model
    from aml.sandbox.protocol import safe_config

    chosen = call_student(module, "training") if hasattr(module, "training") else None
    record.value("training", chosen)
    settings = checked_training(chosen, _text_defaults())
    tokens, length, n_val = (int(v) for v in inputs["sizes"])
    vocab_size = min(settings["max_tokens"], tokens)
    model = call_student(module, "build_model", vocab_size, length)
    record.value("returned", type(model).__name__)
    if not isinstance(model, keras.Model):
        return
    record.model("model", model)
    try:
        config = keras.saving.serialize_keras_object(model)
    except Exception:  # noqa: BLE001 - no configuration: the measuring side cannot rebuild
        config = None
    if config is not None and not safe_config(config):
        return
    x, y = _limit(inputs["x"], vocab_size), inputs["y"]
    epochs = min(settings["epochs"], QUICK_EPOCHS) if quick else settings["epochs"]
    try:
        train_text_model(model, x[:-n_val], y[:-n_val], x[-n_val:], y[-n_val:],
                         epochs=epochs, batch_size=settings["batch_size"],
                         learning_rate=settings["learning_rate"])
        record.array("predictions", np.asarray(model.predict(
            _limit(inputs["x_test"], vocab_size), batch_size=256, verbose=0)))
    except Exception as err:  # noqa: BLE001
        record.value("train_error", f"training failed: {err}"[:160])


def _recurrent_in_config(config, depth: int = 0) -> list[str]:
    """Recurrent layers named in a saved configuration (for a model not rebuilt here)."""
    if depth > 60:
        return []
    if isinstance(config, list):
        return [name for item in config for name in _recurrent_in_config(item, depth + 1)]
    if not isinstance(config, dict):
        return []
    found = [config["class_name"]] if config.get("class_name") in RECURRENT else []
    return found + [name for value in config.values()
                    for name in _recurrent_in_config(value, depth + 1)]


def _memory_check(names: list[str]) -> CheckResult:
    return CheckResult("has a recurrent layer (memory)", bool(names),
                       ", ".join(names) or "none",
                       "SimpleRNN, LSTM, GRU, Bidirectional or RNN(cell)",
                       "add e.g. keras.layers.LSTM(32) after the Embedding")


def measure_text(art, quick: bool) -> list[CheckResult]:
    """Rebuild the student's model from Keras's own layers, train it and test it here; a
    model with a layer of the student's own is scored from its predictions on the test
    texts, whose labels never enter the jail."""
    import keras

    from aml.lectures.lecture3.text import train_text_model
    from aml.training import supervised

    data = _texts(quick)
    results = [CheckResult("build_model() returns a keras.Model", art.has("model"),
                           art.value("returned", "nothing"), "keras.Model",
                           "return the model at the end of build_model(), e.g. `return model`")]
    if not results[0].passed:
        return results
    try:
        settings = checked_training(art.value("training"), _text_defaults())
    except SubmissionError as err:
        return results + [CheckResult("training() settings", False, str(err)[:160], None,
                                      str(err))]
    tokens, _, n_val = (int(v) for v in data["sizes"])
    vocab_size = min(settings["max_tokens"], tokens)
    x, y, x_test = _limit(data["x"], vocab_size), data["y"], _limit(data["x_test"], vocab_size)
    tiers = tiers_of("l3.text").on(data["dataset"])
    parameters = int(sum(w.size for w in art.weights("model")))
    try:
        model = art.model("model")
    except ArtifactError as err:
        return results + _scored_from_predictions(art, str(err), data, parameters, tiers)
    results.append(_output_check(model, x[:2], (2, 1), "outputs one probability per text",
                                 "end with Dense(1, activation='sigmoid')"))
    recurrent = [layer for layer in _layers(model)
                 if isinstance(layer, (keras.layers.RNN, keras.layers.Bidirectional))]
    results.append(_memory_check([type(r).__name__ for r in recurrent]))
    if not all(r.passed for r in results):
        return results
    epochs = min(settings["epochs"], QUICK_EPOCHS) if quick else settings["epochs"]
    try:
        train_text_model(model, x[:-n_val], y[:-n_val], x[-n_val:], y[-n_val:],
                         epochs=epochs, batch_size=settings["batch_size"],
                         learning_rate=settings["learning_rate"])
        test = supervised.evaluate(model, x_test, data["y_test"][:, None],
                                   keras.losses.BinaryCrossentropy())
    except Exception as err:  # noqa: BLE001
        return results + [CheckResult("model trains", False, f"training failed: {err}"[:160],
                                      None, "the model must train on 0/1 labels")]
    return results + tier_results(test["accuracy"], parameters, tiers, data["dataset"],
                                  n=len(data["y_test"]))


def _scored_from_predictions(art, why: str, data: dict, parameters: int,
                             tiers) -> list[CheckResult]:
    """A model with a layer of the student's own (e.g. an RNN cell): its layers are read from
    its saved configuration and its accuracy from the predictions the jail made. Trusted:
    that those predictions come from this model; bounded: they are made without the test
    labels, so the accuracy is that of a predictor built from the training data alone."""
    name = "outputs one probability per text"
    if art.value("train_error"):
        return [CheckResult("model trains", False, art.value("train_error"), None,
                            "the model must train on 0/1 labels")]
    if not art.has("predictions"):
        raise ArtifactError(why)
    predictions = art.array("predictions")
    rows = len(data["y_test"])
    ok = predictions.shape == (rows, 1) and bool(np.all(np.isfinite(predictions))) \
        and bool(np.all((predictions >= 0) & (predictions <= 1)))
    results = [CheckResult(name, ok, f"shape {predictions.shape}", f"shape ({rows}, 1)",
                           "end with Dense(1, activation='sigmoid')",
                           status="" if ok or predictions.shape != (rows, 1) else INVALID),
               _memory_check(_recurrent_in_config(art.config("model")))]
    if not all(r.passed for r in results):
        return results
    accuracy = float(np.mean((predictions[:, 0] > 0.5) == (data["y_test"] > 0.5)))
    scored = tier_results(accuracy, parameters, tiers, data["dataset"], n=rows)
    scored[-1].measured += f" (trained in your jail: {why})"[:200]
    return results + scored


# Split (aml.sandbox.protocol): the jail builds the model and never sees a test label; the
# measuring side rebuilds a model of Keras's own layers and trains and tests it itself.
check_text = Checker(produce_text, measure_text, text_inputs,
                     description="a recurrent sentiment classifier")
