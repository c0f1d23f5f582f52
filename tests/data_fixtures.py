"""Tiny files in the real dataset formats, so tests run the real loaders without any download.

Each builder writes what the published file holds (idx .gz, CIFAR-10 pickle batches in a
.tar.gz, an aclImdb tree, a vaderSentiment-like sdist) and returns what a loader should read.
`isolate` points the data cache at a temporary folder and makes any network access fail.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import pickle
import tarfile
from pathlib import Path

import numpy as np

from aml.data import store


def digest(path: Path, algo: str = "sha256") -> str:
    return hashlib.new(algo, Path(path).read_bytes()).hexdigest()


def pin(monkeypatch, name: str, filename: str, path: Path, algo: str = "sha256") -> None:
    """Make `path`'s own digest the accepted checksum of `name`/`filename` for one test."""
    table = dict(store.CHECKSUMS.get(name, {}))
    table[filename] = (store.Checksum(algo, digest(path, algo), "test fixture"),)
    monkeypatch.setitem(store.CHECKSUMS, name, table)


def _offline(*args, **kwargs):
    raise AssertionError("a test tried to go online")


def isolate(monkeypatch, tmp_path: Path) -> Path:
    """Use an empty cache under tmp_path, ignore system copies, and forbid the network."""
    from aml.data import fashion_mnist, movie_snippets

    cache = tmp_path / "cache"
    monkeypatch.setenv("AML_DATA", str(cache))
    monkeypatch.setattr(fashion_mnist, "SYSTEM_DIRS", ())
    monkeypatch.setattr(store, "urlopen", _offline)
    monkeypatch.setattr(movie_snippets, "run", _offline)
    return cache


def _add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def write_idx_gz(path: Path, array: np.ndarray, mtime: int = 0) -> Path:
    """An idx file of unsigned bytes, gzip-compressed (the format of (Fashion-)MNIST)."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(
        int(n).to_bytes(4, "big") for n in array.shape)
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=mtime) as out:
        out.write(header + array.tobytes())
    return Path(path)


def fashion_mnist_files(folder: Path, n_train: int = 12, n_test: int = 5, seed: int = 0):
    """The four Fashion-MNIST .gz files with random images; returns the arrays written."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    arrays = {"x_train": rng.integers(0, 256, (n_train, 28, 28)),
              "y_train": rng.integers(0, 10, n_train),
              "x_test": rng.integers(0, 256, (n_test, 28, 28)),
              "y_test": rng.integers(0, 10, n_test)}
    from aml.data.fashion_mnist import FILES

    for key, filename in FILES.items():
        write_idx_gz(folder / filename, arrays[key])
    return {k: v.astype(np.uint8) for k, v in arrays.items()}


def cifar10_archive(path: Path, per_batch: int = 2, n_test: int = 3, seed: int = 0,
                    leave_out: tuple[str, ...] = (), class_names=None):
    """A cifar-10-python.tar.gz in the authors' layout; returns (x_train, y_train, x_test, y_test)
    as the loader must produce them (N, 32, 32, 3) uint8 and int64."""
    rng = np.random.default_rng(seed)
    names = class_names or ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog",
                            "horse", "ship", "truck"]
    images, labels = {}, {}
    members = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
    with tarfile.open(path, "w:gz") as tar:
        for member in members:
            n = n_test if member == "test_batch" else per_batch
            # Channel-first rows, as published: 1024 red, then 1024 green, then 1024 blue.
            planes = rng.integers(0, 256, (n, 3, 32, 32)).astype(np.uint8)
            images[member] = planes.transpose(0, 2, 3, 1)
            labels[member] = rng.integers(0, 10, n)
            batch = {b"batch_label": member.encode(), b"labels": labels[member].tolist(),
                     b"data": planes.reshape(n, 3072),
                     b"filenames": [f"img_{i}.png".encode() for i in range(n)]}
            if member not in leave_out:
                _add(tar, f"cifar-10-batches-py/{member}", pickle.dumps(batch, protocol=2))
        meta = {b"label_names": [n.encode() for n in names], b"num_cases_per_batch": per_batch,
                b"num_vis": 3072}
        if "batches.meta" not in leave_out:
            _add(tar, "cifar-10-batches-py/batches.meta", pickle.dumps(meta, protocol=2))
        _add(tar, "cifar-10-batches-py/readme.html", b"<html></html>")
    train = members[:5]
    return (np.concatenate([images[m] for m in train]),
            np.concatenate([labels[m] for m in train]).astype(np.int64),
            images["test_batch"], labels["test_batch"].astype(np.int64))


def aclimdb_archive(path: Path, per_class: int = 3, leave_out: tuple[str, ...] = ()):
    """An aclImdb_v1.tar.gz with `per_class` reviews per split and label (plus the unlabelled
    and auxiliary files the real one has); returns {split: {label: [texts by id]}}."""
    written: dict[str, dict[int, list[str]]] = {}
    with tarfile.open(path, "w:gz") as tar:
        _add(tar, "aclImdb/README", b"Large Movie Review Dataset v1.0")
        _add(tar, "aclImdb/imdb.vocab", b"the\nand\n")
        for split in ("train", "test"):
            written[split] = {}
            for label, value in (("neg", 0), ("pos", 1)):
                texts = [f"{split} {label} review {i}: caf\u00e9 <br /> ok" for i in
                         range(per_class)]
                written[split][value] = texts
                if f"{split}/{label}" in leave_out:
                    continue
                for i, text in enumerate(texts):
                    rating = 1 + i % 4 if value == 0 else 7 + i % 4
                    _add(tar, f"aclImdb/{split}/{label}/{i}_{rating}.txt", text.encode())
            _add(tar, f"aclImdb/{split}/urls_pos.txt", b"http://www.imdb.com/title/tt0/\n")
        _add(tar, "aclImdb/train/unsup/0_0.txt", b"an unlabelled review")
    return written


def snippet_lines(scores) -> bytes:
    """Lines `id<TAB>score<TAB>text` with CRLF endings, as in movieReviewSnippets_GroundTruth."""
    return "\r\n".join(f"{i + 1}\t{s}\tsnippet number {i + 1} \u2019quoted\u2019"
                       for i, s in enumerate(scores)).encode()


def vader_sdist(path: Path, snippets: bytes, leave_out_snippets: bool = False) -> Path:
    """A vaderSentiment-3.3.2.tar.gz shaped like the real sdist, with the inner archive."""
    inner = io.BytesIO()
    with tarfile.open(fileobj=inner, mode="w:gz") as tar:
        _add(tar, "hutto_ICWSM_2014/tweets_GroundTruth.txt", b"1\t0.5\thi")
        if not leave_out_snippets:
            _add(tar, "hutto_ICWSM_2014/movieReviewSnippets_GroundTruth.txt", snippets)
    with tarfile.open(path, "w:gz") as tar:
        _add(tar, "vaderSentiment-3.3.2/setup.py", b"raise SystemExit('never run')\n")
        _add(tar, "vaderSentiment-3.3.2/additional_resources/hutto_ICWSM_2014.tar.gz",
             inner.getvalue())
    return Path(path)


CIFAR10_CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse",
                   "ship", "truck")


def cifar10_image_folders(root: Path, per_class: int = 2, test_per_class: int = 1,
                          formats: tuple[str, ...] = ("png", "jpg"), seed: int = 0):
    """root/{train,test}/<class>/NNNN.<fmt>, formats taken in turn; returns
    {split: [(image (32, 32, 3) uint8 as written, label, path)]}."""
    from PIL import Image

    rng = np.random.default_rng(seed)
    written: dict[str, list] = {"train": [], "test": []}
    for split, n in (("train", per_class), ("test", test_per_class)):
        for label, name in enumerate(CIFAR10_CLASSES):
            folder = root / split / name
            folder.mkdir(parents=True, exist_ok=True)
            for i in range(n):
                # Smooth images (a gradient per channel) survive JPEG almost unchanged.
                base = rng.integers(0, 200, 3)
                ramp = np.add.outer(np.arange(32), np.arange(32))[..., None] // 2
                image = (base + ramp).clip(0, 255).astype(np.uint8)
                fmt = formats[(label + i) % len(formats)]
                path = folder / f"{i:04d}.{fmt}"
                Image.fromarray(image).save(path, **({} if fmt == "png" else {"quality": 95}))
                written[split].append((image, label, path))
    return written


def cifar10_batches_folder(folder: Path, per_batch: int = 2, n_test: int = 3, seed: int = 0):
    """Keras's extracted cache: folder/cifar-10-batches-py/{data_batch_1..5,test_batch,...};
    returns what the loader must produce, as cifar10_archive does."""
    archive = folder / ".scratch.tar.gz"
    folder.mkdir(parents=True, exist_ok=True)
    arrays = cifar10_archive(archive, per_batch=per_batch, n_test=n_test, seed=seed)
    with tarfile.open(archive) as tar:
        for member in tar:
            target = folder / member.name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(tar.extractfile(member).read())
    archive.unlink()
    return arrays


def aclimdb_folder(root: Path, per_class: int = 3, val_per_class: int = 0):
    """An extracted aclImdb/ tree (plus unsup/ and the auxiliary files the real one has);
    with `val_per_class`, some training reviews sit in val/ instead, as in copies that
    divided the authors' training set. Returns {split: {label: [texts]}} for train and test."""
    written: dict[str, dict[int, list[str]]] = {}
    (root / "aclImdb").mkdir(parents=True, exist_ok=True)
    (root / "aclImdb" / "README").write_text("Large Movie Review Dataset v1.0")
    (root / "aclImdb" / "imdb.vocab").write_text("the\nand\n")
    for split in ("train", "test"):
        written[split] = {}
        for label, value in (("neg", 0), ("pos", 1)):
            texts = [f"{split} {label} review {i}: caf\u00e9 <br /> ok" for i in range(per_class)]
            written[split][value] = texts
            for i, text in enumerate(texts):
                rating = 1 + i % 4 if value == 0 else 7 + i % 4
                into = "val" if split == "train" and i < val_per_class else split
                path = root / "aclImdb" / into / label / f"{i}_{rating}.txt"
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
        (root / "aclImdb" / split / "urls_pos.txt").write_text("http://www.imdb.com/title/tt0/\n")
    (root / "aclImdb" / "train" / "unsup").mkdir()
    (root / "aclImdb" / "train" / "unsup" / "0_0.txt").write_text("an unlabelled review")
    return written
