"""Lecture 3 image examples: a dense-only and a convolutional classifier, measured side by side.

CIFAR-10 when it is on this machine (the course's data), otherwise Fashion-MNIST; `dataset`
in the metrics says which. "digits" (scikit-learn's bundled 8x8 digits) serves the tests.

Both train the small-budget way (`Recipe`, `aml.training.augmented`): batch norm, flips and
crops, a one-cycle learning rate, label smoothing, mirrored test predictions. Every setting
was chosen on 5,000 images held out from the training set; the test set is scored once, at
the end, and reported with its standard error. The README's lecture 3 section has the
figures on CIFAR-10.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from aml.context import RunContext
from aml.stats import accuracy_se


@dataclass(frozen=True)
class ImageData:
    """Images scaled to [0, 1] float32 with integer labels, and where they came from."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: list
    dataset: str
    note: str = ""


def _digits():
    """scikit-learn's 1,797 8x8 digits (bundled): a tiny real image set for tests."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    bunch = load_digits()
    x = (bunch.images * (255 / 16)).round().astype(np.uint8)[..., None]
    x_train, x_test, y_train, y_test = train_test_split(
        x, bunch.target.astype(np.int64), test_size=0.2, random_state=0, stratify=bunch.target)
    return x_train, y_train, x_test, y_test, [str(d) for d in range(10)]


def _subset(x, y, limit, rng):
    if limit is None or limit >= len(x):
        return x, y
    keep = np.sort(rng.choice(len(x), int(limit), replace=False))
    return x[keep], y[keep]


def load_images(dataset: str = "auto", train_limit: int | None = None,
                test_limit: int | None = None, seed: int = 0) -> ImageData:
    """Load an image set: "auto" is CIFAR-10 if present, else Fashion-MNIST (said in `note`).

    Optional limits keep a random (seeded) subset of the training or test images.
    """
    from aml.data import load, load_or_stand_in

    note = ""
    if dataset == "digits":
        arrays = _digits()
    else:
        if dataset == "auto":  # CIFAR-10, else its stand-in (said in the note)
            arrays, dataset, note = load_or_stand_in("cifar10")
        else:
            arrays = load(dataset)
    x_train, y_train, x_test, y_test, class_names = arrays
    rng = np.random.default_rng(seed)
    x_train, y_train = _subset(x_train, y_train, train_limit, rng)
    x_test, y_test = _subset(x_test, y_test, test_limit, rng)
    scale = np.float32(1 / 255)
    return ImageData(x_train.astype(np.float32) * scale, y_train.astype(np.int32),
                     x_test.astype(np.float32) * scale, y_test.astype(np.int32),
                     list(class_names), dataset, note)


@dataclass(frozen=True)
class Recipe:
    """How both image examples train (`aml.training.augmented`): SGD with Nesterov momentum
    under a one-cycle learning rate, fresh flips and `crop_pad`-pixel shifts every epoch,
    label smoothing, and test predictions averaged with the mirrored images'. The last
    `validation_size` of a seeded shuffle of the training images are held out: the epoch
    count and every other choice here were made on them, never on the test set."""

    dataset: str = "auto"
    epochs: int = 10
    batch_size: int = 256
    peak_lr: float = 0.2
    weight_decay: float = 5e-4
    label_smoothing: float = 0.2
    crop_pad: int = 2
    flip: bool = True
    test_flips: bool = True
    schedule: str = "one_cycle"  # or "constant": its mean rate throughout (an ablation)
    validation_size: int = 5000
    train_limit: int | None = None
    test_limit: int | None = None


@dataclass(frozen=True)
class AnnConfig(Recipe):
    """Dense-only classifier: Flatten -> (Dense -> BN -> ReLU -> Dropout) per width."""

    widths: tuple = (1024, 512)
    batch_norm: bool = True
    dropout: float = 0.2
    epochs: int = 16
    crop_pad: int = 0

    @classmethod
    def quick(cls) -> AnnConfig:
        return cls(widths=(64,), epochs=3, train_limit=3000, test_limit=1000,
                   validation_size=500)


@dataclass(frozen=True)
class CnnConfig(Recipe):
    """A narrow airbench-style CNN (`fast_conv_classifier`): a block of two 3x3 convolutions
    with batch norm per width, bfloat16 where this CPU does it in hardware."""

    widths: tuple = (32, 64, 128)
    batch_norm: bool = True
    precision: str = "auto"

    @classmethod
    def quick(cls) -> CnnConfig:
        return cls(widths=(16, 32, 32), epochs=4, batch_size=64, train_limit=3000,
                   test_limit=1000, validation_size=500)


def build_image_model(config, input_shape, n_classes: int, mean=None, variance=None):
    """The logits model an AnnConfig or CnnConfig describes."""
    from aml.models.images import dense_classifier, fast_conv_classifier

    if isinstance(config, CnnConfig):
        return fast_conv_classifier(input_shape, n_classes, widths=config.widths,
                                    batch_norm=config.batch_norm, precision=config.precision,
                                    mean=mean, variance=variance)
    return dense_classifier(input_shape, n_classes, widths=config.widths,
                            dropout=config.dropout, batch_norm=config.batch_norm, logits=True,
                            mean=mean, variance=variance)


def carve_validation(data: ImageData, size: int, seed: int):
    """(training images, labels, validation images, labels): the last `size` of a shuffle of
    the training set by `seed` are held out (at most half of it)."""
    size = min(int(size), len(data.x_train) // 2)
    order = np.random.default_rng(seed).permutation(len(data.x_train))
    keep, held = order[:len(order) - size], order[len(order) - size:]
    return data.x_train[keep], data.y_train[keep], data.x_train[held], data.y_train[held]


def train_classifier(model, data: ImageData, *, epochs: int, batch_size: int,
                     learning_rate: float, validation_split: float = 0.1, seed: int = 0,
                     on_epoch=None, on_batch=None):
    """Adam + sparse categorical cross-entropy; returns (history, test metrics, s per epoch)."""
    import time

    import keras

    from aml.training import supervised

    loss = keras.losses.SparseCategoricalCrossentropy()
    start = time.perf_counter()
    history = supervised.fit(model, data.x_train, data.y_train, loss=loss, epochs=epochs,
                             batch_size=batch_size, validation_split=validation_split,
                             optimizer=keras.optimizers.Adam(learning_rate), seed=seed,
                             on_epoch=on_epoch, on_batch=on_batch)
    seconds = time.perf_counter() - start
    test = _evaluate_in_batches(model, data.x_test, data.y_test, loss)
    return history, test, seconds / max(epochs, 1)


def _evaluate_in_batches(model, x, y, loss, batch: int = 2000) -> dict:
    """Test loss and accuracy without holding every activation of a big test set at once."""
    from keras import ops

    total_loss, hits = 0.0, 0
    for start in range(0, len(x), batch):
        xb, yb = x[start:start + batch], y[start:start + batch]
        pred = model(ops.convert_to_tensor(xb), training=False)
        total_loss += float(ops.convert_to_numpy(loss(ops.convert_to_tensor(yb), pred))) * len(xb)
        hits += int((np.argmax(ops.convert_to_numpy(pred), axis=-1) == yb).sum())
    return {"loss": total_loss / len(x), "accuracy": hits / len(x)}


def train_recipe(config: Recipe, x, y, xv, yv, n_classes: int, seed: int, on_epoch=None):
    """(model, history): the model `config` describes, built from `seed` and trained the
    small-budget way (`fit_augmented`) on x/y, scored on xv/yv after each epoch."""
    import keras

    from aml.training.augmented import fit_augmented

    keras.utils.set_random_seed(seed)
    channels = x.reshape(-1, x.shape[-1])
    model = build_image_model(config, x.shape[1:], n_classes, mean=channels.mean(0),
                              variance=channels.var(0))
    history = fit_augmented(
        model, x, y, epochs=config.epochs, batch_size=config.batch_size,
        peak_lr=config.peak_lr, validation_data=(xv, yv), weight_decay=config.weight_decay,
        label_smoothing=config.label_smoothing, pad=config.crop_pad, flip=config.flip,
        test_flips=config.test_flips, schedule=config.schedule, seed=seed, on_epoch=on_epoch)
    return model, history


def _run_image_example(config: Recipe, ctx: RunContext, label: str) -> dict:
    """Train on the training images less a validation carve, report both accuracies."""
    from aml.plots import training_curves
    from aml.training.augmented import predict_logits

    data = load_images(config.dataset, config.train_limit, config.test_limit, seed=ctx.seed)
    if data.note:
        ctx.log(data.note)
    x, y, xv, yv = carve_validation(data, config.validation_size, ctx.seed)
    ctx.log(f"dataset: {data.dataset} ({len(x)} training, {len(xv)} validation, "
            f"{len(data.x_test)} test images of shape {data.x_train.shape[1:]})")
    bar = ctx.progress(label, config.epochs)
    model, history = train_recipe(config, x, y, xv, yv, len(data.class_names), ctx.seed,
                                  on_epoch=lambda e, logs: bar.update(e, **logs))
    # The test set is scored once, after training, with the same mirrored predictions.
    logits = predict_logits(model, data.x_test, config.test_flips)
    accuracy = float(np.mean(logits.argmax(-1) == data.y_test))
    error = accuracy_se(accuracy, len(data.y_test))
    per_epoch = history["seconds"] / max(config.epochs, 1)
    parameters = model.count_params()
    ctx.log(f"{label}: validation accuracy {history['val_accuracy'][-1]:.4f}, test accuracy "
            f"{accuracy:.4f} +- {error:.4f} with {parameters:,} parameters on "
            f"{data.dataset}, {per_epoch:.1f} s per epoch")
    ctx.save_figure(training_curves(history, f"{label} on {data.dataset}"), "training_curves")
    return {"dataset": data.dataset, "test_accuracy": round(accuracy, 4),
            "test_accuracy_se": round(error, 4), "n_test": len(data.x_test),
            "val_accuracy": round(history["val_accuracy"][-1], 4),  # what sweeps choose on
            "final_val_accuracy": round(history["val_accuracy"][-1], 4),
            "parameters": parameters, "training_seconds": round(history["seconds"], 1),
            "seconds_per_epoch": round(per_epoch, 2)}


def ann_images(config: AnnConfig, ctx: RunContext) -> dict:
    """Train the dense-only classifier; report test accuracy, parameters and the dataset."""
    return _run_image_example(config, ctx, "ANN")


def cnn_images(config: CnnConfig, ctx: RunContext) -> dict:
    """Train the convolutional classifier; report test accuracy, parameters and the dataset."""
    return _run_image_example(config, ctx, "CNN")


def ann_search_space(trial, config: AnnConfig) -> AnnConfig:
    """What `aml sweep l3.ann_images` may vary: depth, widths, dropout, peak rate, epochs."""
    depth = trial.suggest_int("depth", 1, 4)
    widths = tuple(trial.suggest_int(f"width_{i}", 16, 2048, log=True) for i in range(depth))
    return replace(config, widths=widths,
                   dropout=trial.suggest_float("dropout", 0.0, 0.5),
                   peak_lr=trial.suggest_float("peak_lr", 0.01, 1.0, log=True),
                   epochs=trial.suggest_int("epochs", 2, 30, log=True))


def cnn_search_space(trial, config: CnnConfig) -> CnnConfig:
    """What `aml sweep l3.cnn_images` may vary: blocks, widths, peak rate, epochs."""
    blocks = trial.suggest_int("blocks", 1, 3)
    widths = tuple(trial.suggest_int(f"width_{i}", 4, 256, log=True) for i in range(blocks))
    return replace(config, widths=widths,
                   peak_lr=trial.suggest_float("peak_lr", 0.01, 1.0, log=True),
                   epochs=trial.suggest_int("epochs", 2, 20, log=True))




@dataclass(frozen=True)
class FeatureMapsConfig:
    """A small CNN trained briefly, then its first layer shown: kernels and feature maps."""

    dataset: str = "auto"
    filters: tuple = (8, 16)
    kernel_size: int = 5
    epochs: int = 3
    batch_size: int = 64
    learning_rate: float = 2e-3
    train_limit: int | None = 20_000
    test_limit: int | None = 2_000
    image_index: int = 0

    @classmethod
    def quick(cls) -> FeatureMapsConfig:
        return cls(epochs=2, train_limit=2000, test_limit=500)


def feature_maps(config: FeatureMapsConfig, ctx: RunContext) -> dict:
    """Train a CNN, then plot its first-layer filters and their feature maps for one image."""
    import keras

    from aml.models.images import conv_classifier

    data = load_images(config.dataset, config.train_limit, config.test_limit, seed=ctx.seed)
    if data.note:
        ctx.log(data.note)
    model = conv_classifier(data.x_train.shape[1:], len(data.class_names),
                            filters=config.filters, dense=(64,),
                            kernel_size=config.kernel_size)
    bar = ctx.progress("CNN", config.epochs)
    _, test, _ = train_classifier(model, data, epochs=config.epochs,
                                  batch_size=config.batch_size,
                                  learning_rate=config.learning_rate, seed=ctx.seed,
                                  on_epoch=lambda e, logs: bar.update(e, **logs),
                                  on_batch=bar.batches(config.epochs))
    first = next(layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D))
    kernels = np.asarray(first.get_weights()[0])            # (kh, kw, channels, filters)
    image = data.x_test[config.image_index % len(data.x_test)]
    probe = keras.Model(model.inputs, first.output)
    maps = np.asarray(probe([image[None]]))[0]               # (H, W, filters)
    label = data.class_names[data.y_test[config.image_index % len(data.x_test)]]
    ctx.log(f"test accuracy {test['accuracy']:.4f}; showing {kernels.shape[-1]} filters of "
            f"{kernels.shape[0]}x{kernels.shape[1]} and their maps for a '{label}'")
    ctx.save_figure(_filters_figure(kernels, image, maps, label, data.dataset), "feature_maps")
    # chance: always answering the test images' most common class
    chance = float(np.bincount(data.y_test).max() / len(data.y_test))
    return {"dataset": data.dataset, "test_accuracy": round(test["accuracy"], 4),
            "chance_accuracy": round(chance, 4),
            "accuracy_over_chance": round(test["accuracy"] - chance, 4),
            "accuracy_over_chance_se": round(accuracy_se(test["accuracy"],
                                                            len(data.y_test)), 4),
            "parameters": model.count_params(), "n_test": len(data.x_test),
            "filters_shown": int(kernels.shape[-1]),
            "active_fraction": round(float((maps > 0).mean()), 4)}


def _filters_figure(kernels, image, maps, label, dataset):
    from aml.plots import subplots

    n = kernels.shape[-1]
    fig, axes = subplots(2, n + 1, figsize=(1.7 * (n + 1), 3.9))
    shown = image if image.shape[-1] == 3 else image[..., 0]
    axes[0, 0].imshow(shown, cmap=None if image.shape[-1] == 3 else "gray")
    axes[0, 0].set_title(f"input: {label}", fontsize=8)
    axes[1, 0].axis("off")
    for k in range(n):
        kernel = kernels[..., k]
        if kernel.shape[-1] == 3:
            kernel = (kernel - kernel.min()) / (np.ptp(kernel) + 1e-12)
            axes[0, k + 1].imshow(kernel)
        else:
            limit = np.abs(kernel).max() + 1e-12  # white = 0, red > 0, blue < 0
            axes[0, k + 1].imshow(kernel[..., 0], cmap="coolwarm", vmin=-limit, vmax=limit)
        axes[0, k + 1].set_title(f"filter {k + 1}", fontsize=8)
        axes[1, k + 1].imshow(maps[..., k], cmap="viridis")
        axes[1, k + 1].set_title(f"map {k + 1}", fontsize=8)
    for ax in axes.ravel():
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle(f"First convolution layer on {dataset}: learned filters (top) and their "
                 "ReLU feature maps for one image (bottom)", fontsize=9)
    fig.tight_layout()
    return fig
