"""Iris: 150 flowers, 4 measurements, 3 species; bundled with scikit-learn (no download)."""

from __future__ import annotations

import numpy as np


def load():
    """Features (150, 4) float32, integer labels (150,), and the class names."""
    from sklearn.datasets import load_iris

    bunch = load_iris()
    return bunch.data.astype(np.float32), bunch.target.astype(np.int32), list(bunch.target_names)


def prepared_split(test_size: float = 0.2, seed: int = 42):
    """The lecture 1 preparation: one-hot labels, 80/20 split, inputs standardised on train."""
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    x, labels, _ = load()
    y = np.eye(3, dtype=np.float32)[labels]
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=test_size, random_state=seed, stratify=labels)
    scaler = StandardScaler().fit(x_train)
    return (scaler.transform(x_train).astype(np.float32), y_train,
            scaler.transform(x_test).astype(np.float32), y_test)
