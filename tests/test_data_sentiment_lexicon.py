"""The VADER lexicon bundled with vaderSentiment: verified, parsed, and clear when broken."""

import data_fixtures as fixtures
import pytest

from aml.data import load, sentiment_lexicon
from aml.errors import AmlError


def test_bundled_lexicon_is_verified_and_parsed():
    valence = load("sentiment_lexicon")
    assert len(valence) == 7506
    assert (valence["good"], valence["bad"], valence["masterpiece"]) == (1.9, -2.5, 3.1)
    assert min(valence.values()) >= -4 and max(valence.values()) <= 4


def test_a_changed_lexicon_is_refused_and_a_bad_line_is_named(monkeypatch, tmp_path):
    fixtures.isolate(monkeypatch, tmp_path)
    folder = tmp_path / "vaderSentiment"
    folder.mkdir()
    lexicon = folder / "vader_lexicon.txt"
    lexicon.write_bytes(b"good\t1.9\t0.9\t[2, 2]\r\nawful\t-3.4\t0.5\t[-3, -4]\r\n")
    monkeypatch.setattr(sentiment_lexicon, "package_dir", lambda: folder)
    with pytest.raises(AmlError, match="vader_lexicon.txt.*(checksum|sha256)"):
        load("sentiment_lexicon")
    fixtures.pin(monkeypatch, "sentiment_lexicon", "vader_lexicon.txt", lexicon)
    assert load("sentiment_lexicon") == {"good": 1.9, "awful": -3.4}
    lexicon.write_bytes(b"good\t1.9\r\nbroken line\r\n")
    fixtures.pin(monkeypatch, "sentiment_lexicon", "vader_lexicon.txt", lexicon)
    with pytest.raises(AmlError, match=r"vader_lexicon.txt:2: expected token<TAB>valence"):
        load("sentiment_lexicon")


def test_missing_package_says_what_to_install(monkeypatch):
    monkeypatch.setattr(sentiment_lexicon.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(AmlError, match=r"pip install vaderSentiment==3.3.2"):
        load("sentiment_lexicon")
