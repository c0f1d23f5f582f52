"""Iris: 150 flowers, 4 measurements, 3 species; bundled with scikit-learn (no download).

scikit-learn's copy (sklearn/datasets/data/iris.csv) is verified like every other dataset file.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

from aml.data import store
from aml.errors import AmlError

NAME = "iris"
TITLE = "Iris"
FILENAMES = ("iris.csv",)


def sklearn_data_dir() -> Path:
    """Where scikit-learn keeps its bundled data, found without importing scikit-learn."""
    spec = importlib.util.find_spec("sklearn")
    if spec is None or not spec.submodule_search_locations:
        raise AmlError("scikit-learn is not installed; it bundles iris (pip install scikit-learn)")
    return Path(list(spec.submodule_search_locations)[0]) / "datasets" / "data"


def system_dirs() -> tuple[Path, ...]:
    return (sklearn_data_dir(),)


def fetch(force: bool = False) -> list[Path]:
    """Nothing to download: the file comes with scikit-learn; check it is there and intact."""
    return [store.locate(NAME, "iris.csv", system_dirs(), title=TITLE)]


def load():
    """Features (150, 4) float32, integer labels (150,), and the class names."""
    from sklearn.datasets import load_iris

    store.locate(NAME, "iris.csv", system_dirs(), title=TITLE)
    bunch = load_iris()
    return bunch.data.astype(np.float32), bunch.target.astype(np.int32), list(bunch.target_names)


def prepared_split(test_size: float = 0.2, seed: int = 42):
    """The lecture 1 preparation: one-hot labels, 80/20 split, inputs standardised on train."""
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    from aml.data import load as load_dataset  # records the provenance for the run

    x, labels, _ = load_dataset(NAME)
    y = np.eye(3, dtype=np.float32)[labels]
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=test_size, random_state=seed, stratify=labels)
    scaler = StandardScaler().fit(x_train)
    return (scaler.transform(x_train).astype(np.float32), y_train,
            scaler.transform(x_test).astype(np.float32), y_test)


def linear_baseline(test_size: float = 0.2, seed: int = 42) -> np.ndarray:
    """Which test flowers Fisher's linear discriminant gets right on `prepared_split`'s split.

    The baseline the iris network is held to: Fisher (1936) published these flowers to show
    his discriminant, and the notes call the problem linear. No hyperparameter to choose.
    """
    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis

    x_train, y_train, x_test, y_test = prepared_split(test_size, seed=seed)
    fitted = LinearDiscriminantAnalysis().fit(x_train, y_train.argmax(-1))
    return fitted.predict(x_test) == y_test.argmax(-1)
