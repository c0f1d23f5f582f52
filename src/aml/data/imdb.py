"""IMDB movie reviews: 50,000 raw-text reviews, positive or negative, 25,000/25,000 split.

Read straight from the authors' aclImdb_v1.tar.gz (verified) without unpacking it: the
labelled reviews are aclImdb/{train,test}/{pos,neg}/<id>_<rating>.txt.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from aml.data import store
from aml.errors import AmlError

NAME = "imdb"
TITLE = "IMDB reviews"
ARCHIVE = "aclImdb_v1.tar.gz"
FILENAMES = (ARCHIVE,)
SYSTEM_DIRS: tuple[Path, ...] = ()
URLS = ("https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz",)
LABELS = {"neg": 0, "pos": 1}
REVIEW = re.compile(r"^(?:\./)?aclImdb/(train|test)/(pos|neg)/(\d+)_(\d+)\.txt$")


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


def load(seed: int = 0, graded: bool = False):
    """(texts_train list[str], y_train int64 (25000,), texts_test, y_test): 1 = positive.

    Reviews come in an order shuffled by `seed`, so any prefix holds both classes. With
    `graded`, y holds each review's star rating minus 5.5 (float64; its sign is the label).
    """
    archive = store.locate(NAME, ARCHIVE, SYSTEM_DIRS, title=TITLE)
    reviews = read_reviews(archive)
    rng = np.random.default_rng(seed)
    out = []
    for split in ("train", "test"):
        items = sorted(reviews[split])
        order = rng.permutation(len(items))
        y = (np.array([items[i][3] - 5.5 for i in order]) if graded
             else np.array([items[i][0] for i in order], dtype=np.int64))
        out += [[items[i][2] for i in order], y]
    return tuple(out)


def fetch(force: bool = False) -> list[Path]:
    return store.fetch_files(NAME, {ARCHIVE: URLS}, SYSTEM_DIRS, force=force)
