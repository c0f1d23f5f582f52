"""Unsupervised training and its measures: autoencoders trained to reproduce their input,
anomalies flagged by reconstruction error, clusters and outliers found by density."""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from aml.training.supervised import fit


def train_autoencoder(model, inputs, targets=None, *, epochs: int, batch_size: int = 64,
                      learning_rate: float = 1e-3, seed: int = 0, on_epoch=None) -> dict:
    """Fit the model to map inputs to targets (the inputs themselves unless denoising)."""
    targets = inputs if targets is None else targets
    return fit(model, inputs, targets, loss=keras.losses.MeanSquaredError(), epochs=epochs,
               batch_size=batch_size, optimizer=keras.optimizers.Adam(learning_rate),
               seed=seed, with_accuracy=False, on_epoch=on_epoch)


def reconstruct(model, x) -> np.ndarray:
    """The model's output for x as a NumPy array."""
    return ops.convert_to_numpy(model(ops.convert_to_tensor(np.asarray(x, "float32")),
                                      training=False))


def reconstruction_errors(model, x) -> np.ndarray:
    """Mean squared reconstruction error of each sample: large where the input is unusual."""
    x = np.asarray(x, dtype="float32")
    return np.mean(np.square(reconstruct(model, x) - x), axis=tuple(range(1, x.ndim)))


def threshold_from_clean(errors, margin: float = 1.5) -> float:
    """An anomaly threshold chosen on clean data only: `margin` times its largest error."""
    return float(margin * np.max(errors))


def precision_recall(flagged, truth) -> tuple[float, float]:
    """Precision (flagged that are real) and recall (real that are flagged)."""
    flagged, truth = np.asarray(flagged, bool), np.asarray(truth, bool)
    hits = np.sum(flagged & truth)
    precision = hits / flagged.sum() if flagged.any() else 0.0
    recall = hits / truth.sum() if truth.any() else 1.0
    return float(precision), float(recall)


def psnr(clean, other, peak: float = 1.0) -> float:
    """Peak signal-to-noise ratio in dB of `other` against `clean` (higher is closer)."""
    mse = np.mean(np.square(np.asarray(clean, float) - np.asarray(other, float)))
    return float(10 * np.log10(peak ** 2 / mse))


def density_clusters(points, eps: float, min_samples: int = 5) -> np.ndarray:
    """DBSCAN cluster labels; -1 marks points in no dense region (noise or anomalies)."""
    from sklearn.cluster import DBSCAN

    return DBSCAN(eps=eps, min_samples=min_samples).fit_predict(np.asarray(points))
