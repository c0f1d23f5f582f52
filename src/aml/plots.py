"""The plotting helpers every lecture shares; always the Agg backend, never a window."""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from aml.atomic import write_bytes_atomic  # noqa: E402


def subplots(*args, **kwargs):
    """`matplotlib.pyplot.subplots` on the Agg backend: (figure, axes), never a window. Every
    figure in aml is made here or by the helpers below, so Agg is set in this one place."""
    return plt.subplots(*args, **kwargs)


def save_figure(fig, path: Path) -> Path:
    """Save a figure as PNG atomically and close it."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    write_bytes_atomic(Path(path), buffer.getvalue())
    return Path(path)


def training_curves(history: dict, title: str = "Training"):
    """Loss and (if present) accuracy per epoch, train vs validation, side by side."""
    panels = [("loss", "Loss")] + ([("accuracy", "Accuracy")] if "accuracy" in history else [])
    fig, axes = subplots(1, len(panels), figsize=(6 * len(panels), 4.2), squeeze=False)
    for ax, (key, label) in zip(axes[0], panels):
        epochs = range(1, len(history[key]) + 1)
        ax.plot(epochs, history[key], label="train")
        if f"val_{key}" in history:
            ax.plot(epochs, history[f"val_{key}"], label="validation")
        ax.set_title(f"{title}: {label.lower()}")
        ax.set_xlabel("epoch")
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    return fig
