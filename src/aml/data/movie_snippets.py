"""Movie-review snippets: 10,605 Rotten Tomatoes sentences rated by people (offline IMDB).

They ship inside the source distribution of vaderSentiment 3.3.2 on PyPI, which is reachable
where other downloads are not: `pip download` fetches it by name and version, its sha256 is
checked, and only movieReviewSnippets_GroundTruth.txt (id<TAB>mean score<TAB>text) is kept.
A snippet is positive (label 1) when its mean human score is above zero.
"""

from __future__ import annotations

import io
import subprocess
import sys
import tarfile
import tempfile
import zlib
from pathlib import Path

import numpy as np

from aml.data import store
from aml.errors import AmlError

NAME = "movie_snippets"
TITLE = "Movie-review snippets"
PACKAGE = "vaderSentiment==3.3.2"
SDIST = "vaderSentiment-3.3.2.tar.gz"
INNER = "additional_resources/hutto_ICWSM_2014.tar.gz"
MEMBER = "hutto_ICWSM_2014/movieReviewSnippets_GroundTruth.txt"
SNIPPETS = "movieReviewSnippets_GroundTruth.txt"
FILENAMES = (SNIPPETS,)
SYSTEM_DIRS: tuple[Path, ...] = ()
run = subprocess.run  # tests replace this: nothing may go online


def _member(tar: tarfile.TarFile, suffix: str, where: Path) -> bytes:
    for member in tar:
        if member.isfile() and (member.name == suffix or member.name.endswith("/" + suffix)):
            return tar.extractfile(member).read()
    raise AmlError(f"{where} lacks {suffix}; is it the vaderSentiment 3.3.2 sdist?")


def import_sdist(sdist: Path) -> Path:
    """Verify the sdist, then keep only the snippets file from its inner archive."""
    store.check(sdist, NAME, SDIST, trust_stamp=False, remember=False)
    try:
        with tarfile.open(sdist, "r:gz") as outer:
            inner_bytes = _member(outer, INNER, sdist)
        with tarfile.open(fileobj=io.BytesIO(inner_bytes), mode="r:gz") as inner:
            data = _member(inner, MEMBER, sdist)
    except (tarfile.TarError, EOFError, OSError, zlib.error) as err:
        raise AmlError(f"{sdist} is not a readable .tar.gz ({err})") from None
    return store.install_bytes(NAME, SNIPPETS, io.BytesIO(data), len(data),
                               f"extracting {SNIPPETS}")


def import_path(source: Path) -> list[Path]:
    """Import the sdist (vaderSentiment-3.3.2.tar.gz), the snippets file, or a folder of either."""
    source = Path(source)
    if source.is_dir():
        for candidate in (source / SNIPPETS, source / SDIST):
            if candidate.exists():
                return import_path(candidate)
        raise AmlError(f"{source} holds neither {SDIST} nor {SNIPPETS}")
    store.readable(source)
    if source.name.endswith((".tar.gz", ".tgz")):
        return [import_sdist(source)]
    return [store.import_file(NAME, SNIPPETS, source)]


def fetch(force: bool = False) -> list[Path]:
    """Get the sdist with pip (by name and version) into a temporary folder and import it."""
    if not force:
        try:
            return [store.locate(NAME, SNIPPETS, SYSTEM_DIRS)]
        except AmlError:
            pass
    with tempfile.TemporaryDirectory(prefix="aml-pip-") as tmp:
        command = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
                   "--disable-pip-version-check", "--quiet", PACKAGE, "-d", tmp]
        print(f"  pip download {PACKAGE} (source distribution)", file=sys.stderr)
        try:
            result = run(command, capture_output=True, text=True, timeout=900)
        except (OSError, subprocess.SubprocessError) as err:
            result = subprocess.CompletedProcess(command, 1, "", str(err))
        sdists = sorted(p for p in Path(tmp).iterdir() if p.name.lower() == SDIST.lower())
        if result.returncode != 0 or not sdists:
            reason = (result.stderr or result.stdout or "no sdist saved").strip().splitlines()
            raise AmlError(f"could not get {PACKAGE} with pip (tried the package index pip is "
                           f"configured for: {reason[-1] if reason else 'failed'}); if you have "
                           f"{SDIST} or {SNIPPETS}, run `aml data import {NAME} PATH`")
        return [import_sdist(sdists[0])]


def read_snippets(path: Path) -> tuple[list[str], np.ndarray]:
    """Texts and mean human scores from lines `id<TAB>score<TAB>text`."""
    try:
        lines = store.readable(path).read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as err:
        raise AmlError(f"{path} is not UTF-8 text ({err.reason})") from None
    texts, scores = [], []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        fields = line.split("\t", 2)
        try:
            scores.append(float(fields[1]))
            texts.append(fields[2].strip())
        except (IndexError, ValueError):
            raise AmlError(f"{path}:{number}: expected id<TAB>score<TAB>text") from None
    return texts, np.array(scores, dtype=np.float64)


def stratified_split(labels: np.ndarray, test_fraction: float, seed: int):
    """Train and test indices, each class split in the same proportion, both shuffled."""
    if not 0 < test_fraction < 1:
        raise AmlError(f"test_fraction must be between 0 and 1, got {test_fraction}")
    rng = np.random.default_rng(seed)
    test = []
    for value in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == value))
        test.append(members[:int(round(test_fraction * len(members)))])
    test = np.concatenate(test)
    train = np.setdiff1d(np.arange(len(labels)), test)
    return rng.permutation(train), rng.permutation(test)


def load(test_fraction: float = 0.2, seed: int = 0, graded: bool = False):
    """(texts_train list[str], y_train int64, texts_test, y_test): 80/20 stratified by default.

    With `graded`, y holds the mean human scores (float64, -4..4) instead of the 0/1 labels;
    the split is the same.
    """
    texts, scores = read_snippets(store.locate(NAME, SNIPPETS, SYSTEM_DIRS, title=TITLE))
    labels = (scores > 0).astype(np.int64)
    train, test = stratified_split(labels, test_fraction, seed)
    y = scores if graded else labels
    return ([texts[i] for i in train], y[train], [texts[i] for i in test], y[test])
