"""Lecture 1: the iris classifier of the notes, trained and evaluated end to end.

Standardised iris, 80/20 split, Dense(8, relu) -> Dense(3, softmax), Adam, categorical
cross-entropy, 200 epochs of batch 8 with 20% of the training set held out for validation.
The notes call the problem linear, so the network is held to Fisher's linear discriminant
fitted and scored on the same flowers: at most one test flower behind it. A fixed accuracy bar
on 30 flowers would mostly measure how hard the seed's split is; the paired comparison
cancels that, and one flower (3.3 points) is about one standard error of a 30-flower test.

Training is `model.compile` + `model.fit`, as the course writes it. The second path,
`trainer="fast"`, takes the same gradient steps with the whole epoch loop compiled
(`aml.training.supervised.fit`, about 17x faster): the checkers, sweeps and lecture 5's
comparison use it. Only the shuffling differs (Keras' own generator against NumPy's), and
with shuffling off both give the same curve to float32 rounding (tests/test_lecture1.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from aml.context import RunContext


@dataclass(frozen=True)
class IrisConfig:
    api: str = "sequential"
    hidden: int = 8
    epochs: int = 200
    batch_size: int = 8
    learning_rate: float = 1e-3
    validation_split: float = 0.2
    test_size: float = 0.2
    trainer: str = "keras"    # "keras": compile + fit; "fast": the compiled epoch loop
    shuffle: bool = True

    @classmethod
    def quick(cls) -> IrisConfig:
        return cls(epochs=40, learning_rate=1e-2)


def train_iris(model, config: IrisConfig, seed: int = 0, on_epoch=None):
    """Train any iris model with the course's recipe; returns (history, test metrics), the
    latter with `correct`, which test flowers the model gets right."""
    import keras

    from aml.data.iris import prepared_split

    # The split follows the seed like everything else: another seed, another test set.
    x_train, y_train, x_test, y_test = prepared_split(config.test_size, seed=seed)
    if config.trainer == "keras":
        model.compile(optimizer=keras.optimizers.Adam(config.learning_rate),
                      loss="categorical_crossentropy", metrics=["accuracy"])
        callbacks = [] if on_epoch is None else [keras.callbacks.LambdaCallback(
            on_epoch_end=lambda epoch, logs: on_epoch(epoch + 1, logs))]
        fitted = model.fit(x_train, y_train, epochs=config.epochs, batch_size=config.batch_size,
                           validation_split=config.validation_split, shuffle=config.shuffle,
                           callbacks=callbacks, verbose=0)
        test_loss, test_accuracy = model.evaluate(x_test, y_test, verbose=0)
        return fitted.history, {"loss": float(test_loss), "accuracy": float(test_accuracy),
                                "n": len(x_test), "correct": _correct(model, x_test, y_test)}
    if config.trainer != "fast":
        raise ValueError(f"trainer must be 'keras' or 'fast', got {config.trainer!r}")
    from aml.training import supervised

    loss = keras.losses.CategoricalCrossentropy()
    history = supervised.fit(
        model, x_train, y_train, loss=loss, epochs=config.epochs,
        batch_size=config.batch_size, validation_split=config.validation_split,
        shuffle=config.shuffle, optimizer=keras.optimizers.Adam(config.learning_rate),
        seed=seed, on_epoch=on_epoch)
    test = {**supervised.evaluate(model, x_test, y_test, loss), "n": len(x_test),
            "correct": _correct(model, x_test, y_test)}
    return history, test


def _correct(model, x_test, y_test):
    import keras

    probabilities = keras.ops.convert_to_numpy(model(x_test, training=False))
    return probabilities.argmax(-1) == np.asarray(y_test).argmax(-1)


def against_linear(correct, config: IrisConfig, seed: int) -> dict:
    """The network against Fisher's linear discriminant on the same test flowers: how many
    fewer it gets right (what the iris targets judge) and the accuracy difference, each with
    its paired standard error."""
    from aml.data.iris import linear_baseline
    from aml.stats import paired_difference

    linear = linear_baseline(config.test_size, seed=seed)
    difference, se = paired_difference(correct, linear)
    n = len(linear)
    return {"linear_test_accuracy": float(linear.mean()),
            "flowers_behind_linear": int(linear.sum()) - int(np.sum(correct)),
            "flowers_behind_linear_se": se * n,
            "accuracy_vs_linear": difference, "accuracy_vs_linear_se": se}


def iris(config: IrisConfig, ctx: RunContext) -> dict:
    """Train the notes' iris network and report test loss/accuracy; plot the curves."""
    from aml.models.iris import iris_classifier
    from aml.plots import training_curves
    from aml.stats import accuracy_se

    model = iris_classifier(config.api, hidden=config.hidden)
    bar = ctx.progress("iris", config.epochs)
    history, test = train_iris(model, config, ctx.seed,
                               on_epoch=lambda e, logs: bar.update(e, **logs))
    baseline = against_linear(test["correct"], config, ctx.seed)
    ctx.log(f"test loss {test['loss']:.4f}, test accuracy {test['accuracy']:.4f}; Fisher's "
            f"linear discriminant on the same flowers {baseline['linear_test_accuracy']:.4f}")
    ctx.save_figure(training_curves(history, "Iris classifier"), "training_curves")
    return {
        "test_loss": test["loss"],
        "test_accuracy": test["accuracy"],
        "test_accuracy_se": accuracy_se(test["accuracy"], test["n"]),
        "final_val_accuracy": history["val_accuracy"][-1],
        "val_accuracy": history["val_accuracy"][-1],  # what `aml sweep` chooses on
        "n_test": test["n"],
        "parameters": model.count_params(),
        **baseline,
    }


def iris_search_space(trial, config: IrisConfig) -> IrisConfig:
    """What `aml sweep l1.iris` may vary: the hidden width and the learning rate."""
    from dataclasses import replace

    # Trials train on the fast path: the same steps, many trials in the time of a few.
    return replace(config, trainer="fast",
                   hidden=trial.suggest_int("hidden", 1, 32, log=True),
                   learning_rate=trial.suggest_float("learning_rate", 1e-3, 3e-2, log=True))
