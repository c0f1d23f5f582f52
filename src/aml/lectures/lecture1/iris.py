"""Lecture 1: the iris classifier of the notes, trained and evaluated end to end.

Standardised iris, 80/20 split, Dense(8, relu) -> Dense(3, softmax), Adam, categorical
cross-entropy, 200 epochs of batch 8 with 20% of the training set held out for validation.
"""

from __future__ import annotations

from dataclasses import dataclass

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

    @classmethod
    def quick(cls) -> IrisConfig:
        return cls(epochs=40, learning_rate=1e-2)


def train_iris(model, config: IrisConfig, seed: int = 0, on_epoch=None):
    """Compile-free training of any iris model with the course's recipe; returns history, test."""
    import keras

    from aml.data.iris import prepared_split
    from aml.training import supervised

    x_train, y_train, x_test, y_test = prepared_split(config.test_size)
    loss = keras.losses.CategoricalCrossentropy()
    history = supervised.fit(
        model, x_train, y_train, loss=loss, epochs=config.epochs,
        batch_size=config.batch_size, validation_split=config.validation_split,
        optimizer=keras.optimizers.Adam(config.learning_rate), seed=seed, on_epoch=on_epoch)
    test = supervised.evaluate(model, x_test, y_test, loss)
    return history, test


def iris(config: IrisConfig, ctx: RunContext) -> dict:
    """Train the notes' iris network and report test loss/accuracy; plot the curves."""
    from aml.models.iris import iris_classifier
    from aml.plots import training_curves

    model = iris_classifier(config.api, hidden=config.hidden)
    bar = ctx.progress("iris", config.epochs)
    history, test = train_iris(model, config, ctx.seed,
                               on_epoch=lambda e, logs: bar.update(e, **logs))
    ctx.log(f"test loss {test['loss']:.4f}, test accuracy {test['accuracy']:.4f}")
    ctx.save_figure(training_curves(history, "Iris classifier"), "training_curves")
    return {
        "test_loss": test["loss"],
        "test_accuracy": test["accuracy"],
        "final_val_accuracy": history["val_accuracy"][-1],
        "parameters": model.count_params(),
    }


def iris_search_space(trial, config: IrisConfig) -> IrisConfig:
    """What `aml sweep l1.iris` may vary: the hidden width and the learning rate."""
    from dataclasses import replace

    return replace(config, hidden=trial.suggest_int("hidden", 1, 32, log=True),
                   learning_rate=trial.suggest_float("learning_rate", 1e-3, 3e-2, log=True))
