"""A denoising autoencoder: noisy digit images in, the clean images as targets. The network
cannot pass pixel noise through its small latent vector, so it learns to remove it.
scikit-learn's 8x8 digits (bundled, offline), pixel values scaled to [0, 1]."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from aml.context import RunContext


@dataclass(frozen=True)
class DenoisingConfig:
    noise: float = 0.5          # standard deviation of the Gaussian pixel noise
    copies: int = 8             # noisy versions of each training image
    hidden: tuple[int, ...] = (128,)
    latent: int = 32
    epochs: int = 30
    batch_size: int = 128
    learning_rate: float = 2e-3

    @classmethod
    def quick(cls) -> DenoisingConfig:
        return cls(copies=4, epochs=10)


def add_noise(images, sigma: float, rng) -> np.ndarray:
    """Images plus Gaussian noise, clipped back to the valid range [0, 1]."""
    return np.clip(images + sigma * rng.normal(size=images.shape), 0, 1).astype("float32")


def denoising(config: DenoisingConfig, ctx: RunContext) -> dict:
    """Train noisy -> clean and report the PSNR of noisy and denoised test images."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    from aml.models.autoencoders import dense_autoencoder
    from aml.training.unsupervised import psnr, reconstruct, train_autoencoder

    rng = np.random.default_rng(ctx.seed)
    images = (load_digits().data / 16.0).astype("float32")
    train, test = train_test_split(images, test_size=0.2, random_state=ctx.seed)
    clean_train = np.tile(train, (config.copies, 1))
    noisy_train = add_noise(clean_train, config.noise, rng)
    noisy_test = add_noise(test, config.noise, rng)
    model = dense_autoencoder(64, config.hidden, config.latent, output_activation="sigmoid",
                              seed=ctx.seed)
    bar = ctx.progress("denoiser", config.epochs)
    history = train_autoencoder(model, noisy_train, clean_train, epochs=config.epochs,
                                batch_size=config.batch_size,
                                learning_rate=config.learning_rate, seed=ctx.seed,
                                on_epoch=lambda e, logs: bar.update(e, **logs))
    denoised = reconstruct(model, noisy_test)
    before, after = psnr(test, noisy_test), psnr(test, denoised)
    smoothed = psnr(test, mean_filter(noisy_test))
    ctx.log(f"test PSNR noisy {before:.2f} dB -> denoised {after:.2f} dB "
            f"(3x3 mean filter {smoothed:.2f} dB)")
    ctx.save_figure(_figure(noisy_test, denoised, test), "noisy_denoised_clean")
    return {"psnr_noisy": before, "psnr_denoised": after, "psnr_gain": after - before,
            "psnr_mean_filter": smoothed, "psnr_vs_mean_filter": after - smoothed,
            "final_loss": history["loss"][-1], "parameters": model.count_params()}


def mean_filter(flat_images, side: int = 8) -> np.ndarray:
    """Each pixel replaced by the mean of its 3x3 neighbourhood (edges repeated): the simplest
    classical denoiser, and the baseline the autoencoder must beat. No parameter to tune."""
    from scipy.ndimage import uniform_filter

    images = np.asarray(flat_images, dtype=np.float32).reshape(-1, side, side)
    return uniform_filter(images, size=(1, 3, 3), mode="nearest").reshape(len(images), -1)


def _figure(noisy, denoised, clean, count: int = 10):
    from aml.plots import subplots

    fig, axes = subplots(3, count, figsize=(1.2 * count, 4))
    for row, (label, images) in enumerate((("noisy", noisy), ("denoised", denoised),
                                           ("clean", clean))):
        for col in range(count):
            ax = axes[row, col]
            ax.imshow(images[col].reshape(8, 8), cmap="gray", vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
            if col == 0:
                ax.set_ylabel(label)
    fig.suptitle("Denoising autoencoder on 8x8 digits (test set)")
    return fig
