"""VADER's sentiment lexicon: about 7,500 English words, word forms and emoticons, each with
the mean valence (-4 most negative .. +4 most positive) that ten human raters gave it
(Hutto & Gilbert, ICWSM 2014). It was rated word by word, not learned from any review set.

The file ships inside the vaderSentiment wheel, a dependency of aml, so it is on every machine
aml is installed on (no download); it is verified like every other dataset file. Lecture 3's
text models start one embedding channel at each word's valence.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from aml.data import store
from aml.errors import AmlError

NAME = "sentiment_lexicon"
TITLE = "VADER sentiment lexicon"
FILENAMES = ("vader_lexicon.txt",)
PACKAGE = "vaderSentiment"


def package_dir() -> Path:
    """Where the vaderSentiment package lies, found without importing it."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise AmlError("vaderSentiment is not installed; it bundles the sentiment lexicon "
                       "(pip install vaderSentiment==3.3.2)")
    return Path(list(spec.submodule_search_locations)[0])


def system_dirs() -> tuple[Path, ...]:
    return (package_dir(),)


def fetch(force: bool = False) -> list[Path]:
    """Nothing to download: the file comes with vaderSentiment; check it is there and intact."""
    return [store.locate(NAME, FILENAMES[0], system_dirs(), title=TITLE)]


def load() -> dict[str, float]:
    """Token -> mean human valence in [-4, 4], from lines `token<TAB>mean<TAB>std<TAB>[...]`."""
    path = store.locate(NAME, FILENAMES[0], system_dirs(), title=TITLE)
    valence = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        fields = line.split("\t")
        try:
            valence[fields[0]] = float(fields[1])
        except (IndexError, ValueError):
            raise AmlError(f"{path}:{number}: expected token<TAB>valence<TAB>...") from None
    return valence
