"""Fashion-MNIST: 70,000 28x28 grey images of clothes, 10 classes, 60,000/10,000 split.

The offline stand-in for CIFAR-10. Read from the idx .gz files in the cache ($AML_DATA or
~/.cache/aml) or where Debian's dataset-fashion-mnist package puts them, each verified
against Zalando's published md5 (or the sha256 of its idx content, for re-compressed copies).
"""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import numpy as np

from aml.data import store
from aml.errors import AmlError

NAME = "fashion_mnist"
TITLE = "Fashion-MNIST"
CLASS_NAMES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
               "Sneaker", "Bag", "Ankle boot"]
FILES = {
    "x_train": "train-images-idx3-ubyte.gz",
    "y_train": "train-labels-idx1-ubyte.gz",
    "x_test": "t10k-images-idx3-ubyte.gz",
    "y_test": "t10k-labels-idx1-ubyte.gz",
}
FILENAMES = tuple(FILES.values())
SYSTEM_DIRS = (Path("/usr/share/datasets/fashion-mnist"),)
# The canonical location named by the dataset's authors, then their repository.
MIRRORS = ("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
           "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/")


def urls(filename: str) -> list[str]:
    return [base + filename for base in MIRRORS]


def read_idx(path: Path) -> np.ndarray:
    """Parse an idx file (gzip-compressed): magic, dimensions, then unsigned bytes."""
    try:
        with gzip.open(path, "rb") as handle:
            data = handle.read()
    except (OSError, EOFError, zlib.error) as err:
        raise AmlError(f"{path} is not a readable gzip file ({err})") from None
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise AmlError(f"{path} is not an idx file of unsigned bytes")
    ndim = data[3]
    if len(data) < 4 + 4 * ndim:
        raise AmlError(f"{path} is truncated inside its header")
    shape = tuple(int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim))
    body = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if body.size != int(np.prod(shape)):
        raise AmlError(f"{path} is truncated: expected {int(np.prod(shape))} values, "
                       f"found {body.size}")
    return body.reshape(shape)


def locate(filename: str) -> Path:
    return store.locate(NAME, filename, SYSTEM_DIRS, title=TITLE)


def load():
    """(x_train (60000, 28, 28, 1) uint8, y_train int64, x_test, y_test, class_names)."""
    arrays = {key: read_idx(locate(name)) for key, name in FILES.items()}
    for split in ("train", "test"):
        images, labels = arrays[f"x_{split}"], arrays[f"y_{split}"]
        if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
            raise AmlError(f"Fashion-MNIST {split} files disagree: images {images.shape}, "
                           f"labels {labels.shape}")
    return (arrays["x_train"][..., None], arrays["y_train"].astype(np.int64),
            arrays["x_test"][..., None], arrays["y_test"].astype(np.int64),
            list(CLASS_NAMES))


def fetch(force: bool = False) -> list[Path]:
    """Download the files lacking a verified copy from the authors' location into the cache."""
    return store.fetch_files(NAME, {f: urls(f) for f in FILENAMES}, SYSTEM_DIRS, force=force)
