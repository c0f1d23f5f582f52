"""Fashion-MNIST: 70,000 28x28 grey images of clothes, 10 classes, 60,000/10,000 split.

The offline stand-in for CIFAR-10. Read from the idx .gz files in $AML_DATA, the cache, or
Debian's dataset-fashion-mnist package (/usr/share/datasets/fashion-mnist).
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import numpy as np

from aml.errors import AmlError

CLASS_NAMES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
               "Sneaker", "Bag", "Ankle boot"]
FILES = {
    "x_train": "train-images-idx3-ubyte.gz",
    "y_train": "train-labels-idx1-ubyte.gz",
    "x_test": "t10k-images-idx3-ubyte.gz",
    "y_test": "t10k-labels-idx1-ubyte.gz",
}


def candidate_dirs() -> list[Path]:
    dirs = []
    if os.environ.get("AML_DATA"):
        dirs.append(Path(os.environ["AML_DATA"]) / "fashion_mnist")
    dirs.append(Path.home() / ".cache" / "aml" / "fashion_mnist")
    dirs.append(Path("/usr/share/datasets/fashion-mnist"))
    return dirs


def read_idx(path: Path) -> np.ndarray:
    """Parse an idx file (gzip-compressed): magic, dimensions, then unsigned bytes."""
    with gzip.open(path, "rb") as handle:
        data = handle.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise AmlError(f"{path} is not an idx file of unsigned bytes")
    ndim = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim))
    body = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if body.size != int(np.prod(shape)):
        raise AmlError(f"{path} is truncated: expected {int(np.prod(shape))} values, "
                       f"found {body.size}")
    return body.reshape(shape)


def load():
    """(x_train (60000, 28, 28, 1) uint8, y_train, x_test, y_test, class_names)."""
    for directory in candidate_dirs():
        if all((directory / name).exists() for name in FILES.values()):
            arrays = {key: read_idx(directory / name) for key, name in FILES.items()}
            return (arrays["x_train"][..., None], arrays["y_train"].astype(np.int64),
                    arrays["x_test"][..., None], arrays["y_test"].astype(np.int64),
                    list(CLASS_NAMES))
    tried = ", ".join(str(d) for d in candidate_dirs())
    raise AmlError(f"Fashion-MNIST not found (tried {tried}); install it with "
                   "`apt-get install dataset-fashion-mnist` or `aml data fetch fashion_mnist`")
