"""Anomaly detection without labels: an autoencoder learns windows of a clean sine signal;
windows of a new signal that it cannot rebuild (reconstruction error above a threshold set
on clean data only) are flagged. Peaks injected into the test signal are the anomalies."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from aml.context import RunContext


@dataclass(frozen=True)
class AnomalyConfig:
    window: int = 32            # samples per window (~0.8 periods of the sine)
    hidden: tuple[int, ...] = (32,)
    latent: int = 4
    epochs: int = 30
    batch_size: int = 64
    learning_rate: float = 2e-3
    margin: float = 1.5         # threshold = margin x largest clean reconstruction error

    @classmethod
    def quick(cls) -> AnomalyConfig:
        return cls(epochs=10)


def anomaly(config: AnomalyConfig, ctx: RunContext) -> dict:
    """Train on clean windows, flag test windows, score them against the injected peaks."""
    from aml.data import load
    from aml.data.sine_anomaly import windows
    from aml.models.autoencoders import dense_autoencoder
    from aml.training.unsupervised import (
        precision_recall,
        reconstruction_errors,
        threshold_from_clean,
        train_autoencoder,
    )

    clean, test, anomalous = load("sine_anomaly", seed=ctx.seed)
    half = len(clean) // 2  # first half trains, second half (unseen) sets the threshold
    train = windows(clean[:half], config.window)
    calibration = windows(clean[half:], config.window)
    model = dense_autoencoder(config.window, config.hidden, config.latent, seed=ctx.seed)
    bar = ctx.progress("autoencoder", config.epochs)
    history = train_autoencoder(model, train, epochs=config.epochs,
                                batch_size=config.batch_size,
                                learning_rate=config.learning_rate, seed=ctx.seed,
                                on_epoch=lambda e, logs: bar.update(e, **logs))
    threshold = threshold_from_clean(reconstruction_errors(model, calibration), config.margin)
    test_windows = windows(test, config.window, stride=config.window)
    truth = windows(anomalous, config.window, stride=config.window).any(axis=1)
    errors = reconstruction_errors(model, test_windows)
    flagged = errors > threshold
    precision, recall = precision_recall(flagged, truth)
    ctx.log(f"{flagged.sum()} of {len(flagged)} windows flagged, {truth.sum()} contain a peak: "
            f"precision {precision:.3f}, recall {recall:.3f}")
    ctx.save_figure(_figure(test, anomalous, flagged, config.window), "flagged_signal")
    return {"precision": precision, "recall": recall, "threshold": threshold,
            "final_loss": history["loss"][-1], "windows": int(len(flagged)),
            "anomalous_windows": int(truth.sum()), "parameters": model.count_params()}


def _figure(test, anomalous, flagged, width):
    from aml.plots import subplots

    t = np.arange(len(test))
    fig, ax = subplots(figsize=(11, 3.8))
    ax.plot(t, test, lw=1, label="test signal")
    ax.plot(t[anomalous], test[anomalous], "r.", ms=5, label="injected peak samples")
    for i in np.flatnonzero(flagged):
        ax.axvspan(i * width, (i + 1) * width, color="orange", alpha=0.25,
                   label="flagged window" if i == np.flatnonzero(flagged)[0] else None)
    ax.set(title="Autoencoder anomaly detection on a sine signal", xlabel="sample",
           ylabel="signal")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper right", fontsize=8)
    return fig
