"""CIFAR-10: 60,000 32x32 colour images, 10 classes, 50,000/10,000 split.

Read straight from the authors' python-version archive (cifar-10-python.tar.gz, verified
against their md5) without unpacking it to disk. The batches are pickles, so they are read
with an unpickler that only builds NumPy arrays and plain containers.
"""

from __future__ import annotations

import io
import pickle
from pathlib import Path

import numpy as np

from aml.data import store
from aml.errors import AmlError

NAME = "cifar10"
TITLE = "CIFAR-10"
ARCHIVE = "cifar-10-python.tar.gz"
FILENAMES = (ARCHIVE,)
SYSTEM_DIRS: tuple[Path, ...] = ()
URLS = ("https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",)
FOLDER = "cifar-10-batches-py"
TRAIN_BATCHES = tuple(f"data_batch_{i}" for i in range(1, 6))
MEMBERS = (*TRAIN_BATCHES, "test_batch", "batches.meta")
# What a CIFAR-10 batch pickle may construct: NumPy arrays, and bytes (Python 3 protocol 2).
SAFE_GLOBALS = {
    ("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
    ("numpy", "ndarray"), ("numpy", "dtype"), ("_codecs", "encode"),
}


class BatchUnpickler(pickle.Unpickler):
    """Refuse any global but the few a CIFAR batch needs (a pickle can run code otherwise)."""

    def find_class(self, module: str, name: str):
        if (module, name) not in SAFE_GLOBALS:
            raise pickle.UnpicklingError(f"unexpected object {module}.{name}")
        return super().find_class(module, name)


def read_members(archive: Path, wanted: tuple[str, ...]) -> dict[str, bytes]:
    """The bytes of the named members of a .tar.gz, streamed in one pass."""
    found: dict[str, bytes] = {}
    with store.open_tar_gz(archive, f"reading {archive.name}") as tar:
        for member in tar:
            if member.isfile() and member.name in wanted:
                found[member.name] = tar.extractfile(member).read()
    missing = [name for name in wanted if name not in found]
    if missing:
        raise AmlError(f"{archive} lacks {', '.join(missing)}; is it the right archive?")
    return found


def parse_batch(raw: bytes, member: str) -> dict:
    try:
        batch = BatchUnpickler(io.BytesIO(raw), encoding="bytes").load()
    except Exception as err:  # any malformed pickle: report it as a broken file
        raise AmlError(f"{member} is not a CIFAR-10 batch ({err})") from None
    if not isinstance(batch, dict):
        raise AmlError(f"{member} is not a CIFAR-10 batch (no dictionary inside)")
    return batch


def batch_arrays(batch: dict, member: str) -> tuple[np.ndarray, np.ndarray]:
    """Images (n, 32, 32, 3) uint8 and labels (n,) int64 of one batch."""
    try:
        data = np.asarray(batch[b"data"], dtype=np.uint8)
        labels = np.asarray(batch[b"labels"], dtype=np.int64)
    except KeyError as err:
        raise AmlError(f"{member} lacks the {err.args[0]!r} entry") from None
    if data.ndim != 2 or data.shape[1] != 3 * 32 * 32 or len(data) != len(labels):
        raise AmlError(f"{member} holds data {data.shape} and {len(labels)} labels; expected "
                       "(n, 3072) and n labels")
    if labels.size and (labels.min() < 0 or labels.max() > 9):
        raise AmlError(f"{member} has labels outside 0..9")
    # Rows store the red plane, then green, then blue, each 32x32 row-major.
    return data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1), labels  # a view: copied once below


def load():
    """(x_train (50000, 32, 32, 3) uint8, y_train int64, x_test, y_test, class_names)."""
    archive = store.locate(NAME, ARCHIVE, SYSTEM_DIRS, title=TITLE)
    raw = read_members(archive, tuple(f"{FOLDER}/{m}" for m in MEMBERS))
    batches = {m: parse_batch(raw[f"{FOLDER}/{m}"], m) for m in MEMBERS}
    train = [batch_arrays(batches[m], m) for m in TRAIN_BATCHES]
    x_test, y_test = batch_arrays(batches["test_batch"], "test_batch")
    x_test = np.ascontiguousarray(x_test)
    names = batches["batches.meta"].get(b"label_names")
    if not isinstance(names, list) or len(names) != 10:
        raise AmlError("batches.meta lacks the ten label names")
    class_names = [n.decode() if isinstance(n, bytes) else str(n) for n in names]
    x_train = np.empty((sum(len(x) for x, _ in train), 32, 32, 3), dtype=np.uint8)
    np.concatenate([x for x, _ in train], out=x_train)  # row-major, whatever the views are
    return x_train, np.concatenate([y for _, y in train]), x_test, y_test, class_names


def fetch(force: bool = False) -> list[Path]:
    return store.fetch_files(NAME, {ARCHIVE: URLS}, SYSTEM_DIRS, force=force)
