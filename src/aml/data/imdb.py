"""IMDB movie reviews: 50,000 raw-text reviews, positive or negative, 25,000/25,000 split.

Read straight from the authors' aclImdb_v1.tar.gz (verified) without unpacking it: the
labelled reviews are aclImdb/{train,test}/{pos,neg}/<id>_<rating>.txt. An extracted aclImdb/
folder is imported as an *unverified* copy (aml.data.copies) into one JSON file of texts; a
copy whose training reviews were divided into train/ and val/ has val/ folded back, since
validation here is always carved from the training set by the caller, with its own seed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

from aml.data import copies, store
from aml.errors import AmlError

NAME = "imdb"
TITLE = "IMDB reviews"
ARCHIVE = "aclImdb_v1.tar.gz"
FILENAMES = (ARCHIVE,)
SYSTEM_DIRS: tuple[Path, ...] = ()
URLS = ("https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz",)
LABELS = {"neg": 0, "pos": 1}
REVIEW = re.compile(r"^(?:\./)?aclImdb/(train|test)/(pos|neg)/(\d+)_(\d+)\.txt$")
FILE = re.compile(r"^(\d+)_(\d+)\.txt$")
REVIEWS = "reviews.json"
Review = tuple[int, int, str, int]  # (label, id, text, rating 1-10)


def read_reviews(archive: Path) -> dict[str, list[tuple[int, int, str, int]]]:
    """split -> [(label, id, text, rating 1-10)] for every labelled review, in one pass."""
    reviews: dict[str, list[tuple[int, int, str, int]]] = {"train": [], "test": []}
    with store.open_tar_gz(archive, f"reading {archive.name}") as tar:
        for member in tar:
            match = REVIEW.match(member.name)
            if match and member.isfile():
                split, label, review_id, rating = match.groups()
                text = tar.extractfile(member).read().decode("utf-8", errors="replace")
                reviews[split].append((LABELS[label], int(review_id), text, int(rating)))
    for split, items in reviews.items():
        for label, value in LABELS.items():
            if not any(item[0] == value for item in items):
                raise AmlError(f"{archive} lacks aclImdb/{split}/{label}/ reviews; "
                               "is it the right archive?")
    return reviews


def read_folder(root: Path) -> tuple[dict[str, list[Review]], int, list[str]]:
    """Reviews of an extracted aclImdb/ folder, the file count, and notes on what was done."""
    reviews: dict[str, list[Review]] = {"train": [], "test": []}
    notes, count, n_val = [], 0, 0
    splits = ["train", "test"] + (["val"] if (root / "val").is_dir() else [])
    seen: dict[tuple[str, int, int], Path] = {}
    for split in splits:
        for label, value in LABELS.items():
            folder = root / split / label
            if not folder.is_dir():
                raise AmlError(f"{root} lacks {split}/{label}/: expected aclImdb/train/ and "
                               "aclImdb/test/, each with pos/ and neg/ folders of reviews")
            found = sorted(p for p in folder.iterdir() if not p.name.startswith("."))
            if not found:
                raise AmlError(f"{folder} holds no reviews")
            for path in found:
                match = FILE.match(path.name)
                if not match or not path.is_file():
                    raise AmlError(f"{path} is not a review file (expected <id>_<rating>.txt)")
                review_id, rating = int(match.group(1)), int(match.group(2))
                if not 1 <= rating <= 10:
                    raise AmlError(f"{path} has rating {rating}; ratings run from 1 to 10")
                try:
                    text = path.read_bytes().decode("utf-8", errors="replace")
                except OSError as err:
                    raise AmlError(f"cannot read {path}: {err.strerror or err}") from None
                target = "test" if split == "test" else "train"
                key = (target, value, review_id)
                if key in seen:
                    raise AmlError(f"{path} has the same id as {seen[key]}; is val/ a copy of "
                                   "reviews already in train/?")
                seen[key] = path
                reviews[target].append((value, review_id, text, rating))
                count += 1
                n_val += split == "val"
    if "val" in splits:
        notes.append(f"val/ ({n_val:,} reviews) folded back into train: it was carved from "
                     "the authors' training set, and validation is carved again per seed")
    return reviews, count, notes


def _aclimdb_root(source: Path) -> Path:
    for root in (source, source / "aclImdb"):
        if (root / "train").is_dir() or (root / "test").is_dir():
            return root
    raise AmlError(f"{source} is not an IMDB copy: expected {ARCHIVE} or an extracted aclImdb/ "
                   "folder with train/{pos,neg}/ and test/{pos,neg}/")


def import_path(source: Path) -> list[Path]:
    """Import the authors' archive (verified) or an extracted aclImdb/ folder (unverified)."""
    source = Path(source)
    if not source.exists():
        raise AmlError(f"{source} does not exist")
    if source.is_file() or (source / ARCHIVE).is_file():
        return store.import_into(NAME, FILENAMES, source)
    root = _aclimdb_root(source)
    reviews, count, notes = read_folder(root)
    with copies.staged_copy(NAME) as tmp:
        data = {split: sorted(items) for split, items in reviews.items()}
        (tmp / REVIEWS).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        counts = {split: len(items) for split, items in reviews.items()}
        copies.publish_copy(NAME, tmp, [REVIEWS], root, "aclImdb folder", count, counts, notes)
    return [copies.copy_dir(NAME)]


def read_copy() -> dict[str, list[Review]]:
    path = copies.copy_dir(NAME) / REVIEWS
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise AmlError(f"the imported IMDB copy {path} is unreadable ({err}); import it again "
                       "with `aml data import imdb PATH`") from None
    return {split: [tuple(item) for item in items] for split, items in data.items()}


def reviews() -> dict[str, list[Review]]:
    """Every labelled review: from the verified archive, else from an imported copy."""
    return copies.archive_or_copy(NAME, ARCHIVE, SYSTEM_DIRS, TITLE, read_reviews, read_copy)


def provenance() -> dict:
    return copies.provenance(NAME, ARCHIVE, SYSTEM_DIRS, TITLE)


def load(seed: int = 0, graded: bool = False):
    """(texts_train list[str], y_train int64 (25000,), texts_test, y_test): 1 = positive.

    Reviews come in an order shuffled by `seed`, so any prefix holds both classes. With
    `graded`, y holds each review's star rating minus 5.5 (float64; its sign is the label).
    """
    found = reviews()
    rng = np.random.default_rng(seed)
    out = []
    for split in ("train", "test"):
        items = sorted(found[split])
        order = rng.permutation(len(items))
        y = (np.array([items[i][3] - 5.5 for i in order]) if graded
             else np.array([items[i][0] for i in order], dtype=np.int64))
        out += [[items[i][2] for i in order], y]
    return tuple(out)


def fetch(force: bool = False) -> list[Path]:
    return store.fetch_files(NAME, {ARCHIVE: URLS}, SYSTEM_DIRS, force=force)
