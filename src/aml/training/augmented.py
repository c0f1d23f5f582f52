"""Small-budget image training: fresh flips and crops every epoch, a one-cycle learning rate,
label smoothing, and predictions averaged over each image and its mirror.

The tricks that train a small network on CIFAR-10 in a few epochs (Page's and Jordan's fast
CIFAR-10 runs): flipped and shifted copies multiply the data for free, the learning rate
warms up and then falls linearly to zero so the last epochs settle, and soft targets keep
the logits from growing without bound. benchmarks/bench_cifar_ablation.py takes each one out in
turn; its table is in the README's lecture 3 section.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np


def flip_and_crop(x: np.ndarray, rng: np.random.Generator, pad: int = 2,
                  flip: bool = True) -> np.ndarray:
    """A new batch of (n, H, W, C) images: each mirrored left-right with probability 1/2 and
    shifted by up to `pad` pixels each way (reflect-padded, cropped back to H x W)."""
    out = np.where((rng.random(len(x)) < 0.5)[:, None, None, None], x[:, :, ::-1], x) \
        if flip else x
    if not pad:
        return np.ascontiguousarray(out)
    height, width = x.shape[1:3]
    padded = np.pad(out, ((0, 0), (pad, pad), (pad, pad), (0, 0)), mode="reflect")
    rows = rng.integers(0, 2 * pad + 1, len(x))
    cols = rng.integers(0, 2 * pad + 1, len(x))
    shifted = np.empty_like(x)
    for dy in range(2 * pad + 1):  # one vectorised copy per offset: (2 pad + 1)^2 of them
        for dx in range(2 * pad + 1):
            chosen = (rows == dy) & (cols == dx)
            shifted[chosen] = padded[chosen, dy:dy + height, dx:dx + width]
    return shifted


WARMUP, START = 0.2, 0.1  # one_cycle's defaults: the share of steps warming up, from START x peak
# the mean of one_cycle's rate over a run with those defaults, in units of its peak: the
# average of the rising line over the warm-up, then of the falling one
ONE_CYCLE_MEAN = WARMUP * (START + 1) / 2 + (1 - WARMUP) / 2


def one_cycle(peak: float, total_steps: int, warmup: float = WARMUP, start: float = START):
    """Learning rate per step: linear from `start` x peak up to `peak` over the first
    `warmup` of the steps, then linear down to 0 at `total_steps`."""
    import keras

    class OneCycle(keras.optimizers.schedules.LearningRateSchedule):
        def __call__(self, step):
            t = keras.ops.cast(step, "float32") / float(max(total_steps, 1))
            rising = peak * (start + (1 - start) * t / warmup)
            falling = peak * keras.ops.maximum(0.0, (1 - t) / (1 - warmup))
            return keras.ops.where(t < warmup, rising, falling)

        def get_config(self):
            return {"peak": peak, "total_steps": total_steps, "warmup": warmup, "start": start}

    return OneCycle()


def predict_logits(model, x: np.ndarray, flips: bool = True, batch: int = 1000) -> np.ndarray:
    """The model's outputs, averaged with those of the left-right mirrored images."""
    out = np.asarray(model.predict(x, batch_size=batch, verbose=0), dtype=np.float64)
    if flips:
        out = (out + np.asarray(model.predict(x[:, :, ::-1], batch_size=batch, verbose=0))) / 2
    return out


def fit_augmented(model, x: np.ndarray, y: np.ndarray, *, epochs: int, batch_size: int,
                  peak_lr: float, validation_data=None, optimizer: str = "sgd",
                  weight_decay: float = 5e-4, label_smoothing: float = 0.2, pad: int = 2,
                  flip: bool = True, test_flips: bool = True,
                  schedule: str = "one_cycle", seed: int = 0,
                  on_epoch: Callable[[int, dict], None] | None = None) -> dict:
    """Train a logits-output classifier on integer labels; returns the per-epoch history
    (loss and accuracy on the augmented images; val_accuracy when `validation_data` is
    given, with mirrored predictions when `test_flips`; "time", the training seconds up to
    each epoch's end, validation passes excluded) and "seconds", their total.

    `schedule` "constant" replaces the one-cycle rate by its mean (`ONE_CYCLE_MEAN` x
    peak_lr), the same total step length without warm-up or annealing: the ablation of
    benchmarks/bench_cifar_ablation.py."""
    import keras

    n_classes = int(model.outputs[0].shape[-1])
    steps = int(np.ceil(len(x) / batch_size)) * epochs
    if schedule == "one_cycle":
        rate = one_cycle(peak_lr, steps)
    elif schedule == "constant":
        rate = ONE_CYCLE_MEAN * peak_lr
    else:
        raise ValueError(f"unknown schedule {schedule!r}; choose 'one_cycle' or 'constant'")
    if optimizer == "sgd":
        opt = keras.optimizers.SGD(rate, momentum=0.9, nesterov=True,
                                   weight_decay=weight_decay)
    elif optimizer == "adamw":
        opt = keras.optimizers.AdamW(rate, weight_decay=weight_decay)
    else:
        raise ValueError(f"unknown optimizer {optimizer!r}; choose 'sgd' or 'adamw'")
    model.compile(opt, keras.losses.CategoricalCrossentropy(from_logits=True,
                                                            label_smoothing=label_smoothing),
                  metrics=["accuracy"], jit_compile=False)  # XLA: 2.5x slower convs here
    targets = np.eye(n_classes, dtype=np.float32)[np.asarray(y)]
    rng = np.random.default_rng(seed)
    history: dict[str, list[float]] = {"loss": [], "accuracy": [], "time": []}
    if validation_data is not None:
        history["val_accuracy"] = []
    trained = 0.0
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        batch = flip_and_crop(x, rng, pad, flip)
        logs = model.fit(batch, targets, batch_size=batch_size, epochs=1, verbose=0,
                         shuffle=True).history
        trained += time.perf_counter() - start
        history["time"].append(trained)
        history["loss"].append(float(logs["loss"][-1]))
        history["accuracy"].append(float(logs["accuracy"][-1]))
        if validation_data is not None:
            xv, yv = validation_data
            hits = predict_logits(model, xv, test_flips).argmax(-1) == np.asarray(yv)
            history["val_accuracy"].append(float(hits.mean()))
        if on_epoch is not None:
            on_epoch(epoch, {k: v[-1] for k, v in history.items()})
    history["seconds"] = trained
    return history
