"""CIFAR-10: 60,000 32x32 colour images, 10 classes, 50,000/10,000 split.

Read straight from the authors' python-version archive (cifar-10-python.tar.gz, verified
against their md5) without unpacking it to disk. The batches are pickles, so they are read
with an unpickler that only builds NumPy arrays and plain containers.

Copies in other forms are imported as *unverified* (see aml.data.copies) and stored as .npy
arrays: one folder per class of PNG or JPEG images (train/<class>/*, test/<class>/*), or the
extracted batches folder (cifar-10-batches-py/, as Keras's cache holds it). The verified
archive is preferred whenever both are present.
"""

from __future__ import annotations

import contextlib
import io
import pickle
from pathlib import Path

import numpy as np

from aml.data import copies, store
from aml.errors import AmlError
from aml.progress import Progress

NAME = "cifar10"
TITLE = "CIFAR-10"
ARCHIVE = "cifar-10-python.tar.gz"
FILENAMES = (ARCHIVE,)
SYSTEM_DIRS: tuple[Path, ...] = ()
URLS = ("https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",)
FOLDER = "cifar-10-batches-py"
CLASS_NAMES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship",
               "truck")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
ARRAYS = ("x_train.npy", "y_train.npy", "x_test.npy", "y_test.npy")
KERAS_CACHE = Path("~/.keras/datasets")
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


def read_archive(archive: Path):
    """(x_train, y_train, x_test, y_test, class_names) from the authors' archive."""
    raw = read_members(archive, tuple(f"{FOLDER}/{m}" for m in MEMBERS))
    return arrays_from_batches({m: raw[f"{FOLDER}/{m}"] for m in MEMBERS})


def arrays_from_batches(raw: dict[str, bytes]):
    """The five training batches, the test batch and the label names, as arrays."""
    batches = {m: parse_batch(raw[m], m) for m in MEMBERS}
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


def read_copy():
    """The arrays of an imported (unverified) copy."""
    info = copies.manifest(NAME)
    folder = copies.copy_dir(NAME)
    try:
        x_train, y_train, x_test, y_test = (np.load(folder / f, allow_pickle=False)
                                            for f in ARRAYS)
    except (OSError, ValueError) as err:
        raise AmlError(f"the imported CIFAR-10 copy in {folder} is unreadable ({err}); "
                       "import it again with `aml data import cifar10 PATH`") from None
    return x_train, y_train, x_test, y_test, list(info["class_names"])


def load():
    """(x_train (50000, 32, 32, 3) uint8, y_train int64, x_test, y_test, class_names)."""
    return copies.archive_or_copy(NAME, ARCHIVE, SYSTEM_DIRS, TITLE, read_archive, read_copy)


def provenance() -> dict:
    """What load() reads: the verified archive, else the imported copy (its manifest)."""
    return copies.provenance(NAME, ARCHIVE, SYSTEM_DIRS, TITLE)


# ---- importing copies in other forms ------------------------------------------------------


def _read_image(path: Path) -> np.ndarray:
    """One 32x32 RGB image as (32, 32, 3) uint8, or a one-line error naming the file."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            image.load()
            mode, size = image.mode, image.size
            if mode == "P" and "transparency" not in image.info:
                image, mode = image.convert("RGB"), "RGB"  # a palette PNG is still RGB
            if mode != "RGB" or size != (32, 32):
                raise AmlError(f"{path} is a {size[0]}x{size[1]} {mode} image; CIFAR-10 images "
                               "are 32x32 RGB (32x32x3)")
            return np.asarray(image, dtype=np.uint8)
    except (OSError, UnidentifiedImageError, SyntaxError, ValueError) as err:
        raise AmlError(f"{path} cannot be read as an image ({err})") from None


def _class_folders(split_dir: Path) -> list[Path]:
    folders = {p.name: p for p in sorted(split_dir.iterdir()) if not p.name.startswith(".")}
    for name, path in folders.items():
        if name not in CLASS_NAMES:
            raise AmlError(f"{path} is not a CIFAR-10 class folder (expected one folder per "
                           f"class: {', '.join(CLASS_NAMES)})")
        if not path.is_dir():
            raise AmlError(f"{path} is a file; expected {split_dir}/<class>/ folders of images")
    missing = [c for c in CLASS_NAMES if c not in folders]
    if missing:
        raise AmlError(f"{split_dir} lacks the class folder(s) {', '.join(missing)}")
    return [folders[c] for c in CLASS_NAMES]


def read_image_folders(root: Path, split: str, seed: int = 0):
    """Images and labels of root/<split>/<class>/*, in a fixed shuffled order.

    The authors' batches mix the classes; a folder lists them class by class, and a
    validation split taken from the end would then hold one class only. A fixed permutation
    (the same for every import of the same files) mixes them again.
    """
    split_dir = root / split
    files, labels = [], []
    for label, folder in enumerate(_class_folders(split_dir)):
        found = sorted(p for p in folder.iterdir() if not p.name.startswith("."))
        if not found:
            raise AmlError(f"{folder} holds no images")
        for path in found:
            if path.suffix.lower() not in IMAGE_SUFFIXES or not path.is_file():
                raise AmlError(f"{path} is not a PNG or JPEG image (a class folder holds "
                               "images only)")
            files.append(path)
            labels.append(label)
    x = np.empty((len(files), 32, 32, 3), dtype=np.uint8)
    bar = Progress(f"reading {split} images", len(files), enabled=len(files) >= 5000)
    for i, path in enumerate(files):
        x[i] = _read_image(path)
        if i % 1000 == 0:
            bar.update(i)
    bar.update(len(files))
    order = np.random.default_rng(seed).permutation(len(files))
    return x[order], np.asarray(labels, dtype=np.int64)[order]


def _batches_folder(source: Path) -> Path | None:
    """`source` or a folder below it (two levels at most) holding the extracted batches."""
    candidates = [source, source / FOLDER, *sorted(source.glob(f"*/{FOLDER}")),
                  *sorted(source.glob(f"{FOLDER}*/{FOLDER}"))]
    for folder in candidates:
        if (folder / "data_batch_1").is_file():
            return folder
    return None


def read_batches_folder(folder: Path):
    raw = {}
    for member in MEMBERS:
        path = folder / member
        try:
            raw[member] = store.readable(path).read_bytes()
        except AmlError:
            raise AmlError(f"{folder} lacks {member} (a CIFAR-10 batches folder holds "
                           f"{', '.join(MEMBERS)})") from None
    try:
        return arrays_from_batches(raw)
    except AmlError as err:
        raise AmlError(f"{folder}: {err}") from None


def _store_copy(source: Path, layout: str, arrays, files: int, notes=()) -> dict:
    x_train, y_train, x_test, y_test, class_names = arrays
    with copies.staged_copy(NAME) as tmp:
        for filename, array in zip(ARRAYS, (x_train, y_train, x_test, y_test)):
            np.save(tmp / filename, np.ascontiguousarray(array))
        counts = {"train": int(len(x_train)), "test": int(len(x_test))}
        return copies.publish_copy(NAME, tmp, list(ARRAYS), source, layout, files, counts,
                                   notes, extra={"class_names": list(class_names)})


def _keras_archives(source: Path) -> list[Path]:
    """Files Keras saved its download of the authors' archive under."""
    return sorted(p for p in source.glob(f"{FOLDER}*") if p.is_file()
                  and p.name.endswith((".tar.gz", ".tgz", "-target", ".tar")))


def import_path(source: Path) -> list[Path]:
    """Import the authors' archive (verified), or a copy in another form (unverified)."""
    source = Path(source)
    if not source.exists():
        raise AmlError(f"{source} does not exist")
    if source.is_file():
        return store.import_into(NAME, FILENAMES, source)
    if (source / ARCHIVE).is_file():
        return store.import_into(NAME, FILENAMES, source)
    if (source / "train").is_dir() or (source / "test").is_dir():
        for split in ("train", "test"):
            if not (source / split).is_dir():
                raise AmlError(f"{source} lacks {split}/: expected train/<class>/ and "
                               "test/<class>/ folders of images")
        x_train, y_train = read_image_folders(source, "train")
        x_test, y_test = read_image_folders(source, "test")
        _store_copy(source, "image folders", (x_train, y_train, x_test, y_test,
                                              list(CLASS_NAMES)), len(x_train) + len(x_test))
        return [copies.copy_dir(NAME)]
    folder = _batches_folder(source)
    if folder is not None:
        arrays = read_batches_folder(folder)
        _store_copy(folder, "extracted batches", arrays, len(MEMBERS))
        return [copies.copy_dir(NAME)]
    for archive in _keras_archives(source):
        try:
            return [store.import_file(NAME, ARCHIVE, archive)]
        except AmlError:
            continue
    raise AmlError(f"{source} is not a CIFAR-10 copy: expected {ARCHIVE}, train/<class>/ and "
                   f"test/<class>/ folders of PNG or JPEG images, or the extracted {FOLDER}/")


def fetch(force: bool = False) -> list[Path]:
    """Use Keras's cache when it holds CIFAR-10, else download the authors' archive."""
    keras_cache = KERAS_CACHE.expanduser()
    if not force and list(keras_cache.glob(f"{FOLDER}*")):
        try:
            return [store.locate(NAME, ARCHIVE, SYSTEM_DIRS, title=TITLE)]
        except AmlError:
            pass
        with contextlib.suppress(AmlError):  # a broken cache: download as if it were absent
            return import_path(keras_cache)
    return store.fetch_files(NAME, {ARCHIVE: URLS}, SYSTEM_DIRS, force=force)
