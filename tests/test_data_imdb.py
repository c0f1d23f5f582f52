"""IMDB reviews from a tiny aclImdb_v1.tar.gz, with the checksum table overridden."""

import data_fixtures as fixtures
import numpy as np
import pytest

from aml.data import imdb, load, store
from aml.errors import AmlError


@pytest.fixture
def cache(monkeypatch, tmp_path):
    return fixtures.isolate(monkeypatch, tmp_path)


def install(monkeypatch, tmp_path, **kwargs):
    archive = tmp_path / imdb.ARCHIVE
    written = fixtures.aclimdb_archive(archive, **kwargs)
    fixtures.pin(monkeypatch, "imdb", imdb.ARCHIVE, archive)
    store.import_into("imdb", imdb.FILENAMES, archive)
    return written


def test_labelled_reviews_only_with_binary_labels(cache, monkeypatch, tmp_path):
    written = install(monkeypatch, tmp_path, per_class=3)
    texts_train, y_train, texts_test, y_test = load("imdb")
    assert isinstance(texts_train, list) and all(isinstance(t, str) for t in texts_train)
    assert len(texts_train) == 6 and len(texts_test) == 6
    assert y_train.dtype == np.int64 and np.bincount(y_train).tolist() == [3, 3]
    assert np.bincount(y_test).tolist() == [3, 3]
    for texts, labels, split in ((texts_train, y_train, "train"), (texts_test, y_test, "test")):
        pairs = sorted(zip(labels.tolist(), texts))
        expected = sorted((value, text) for value, items in written[split].items()
                          for text in items)
        assert pairs == expected  # every text with its own label; unsup and extras left out
    assert "caf\u00e9 <br /> ok" in texts_train[0]


def test_graded_reviews_carry_the_rating_in_the_same_order(cache, monkeypatch, tmp_path):
    install(monkeypatch, tmp_path, per_class=4)
    texts, y, texts_test, y_test = load("imdb")
    graded = load("imdb", graded=True)
    assert graded[0] == texts and graded[2] == texts_test
    assert graded[1].dtype == np.float64
    assert sorted(graded[1].tolist()) == [-4.5, -3.5, -2.5, -1.5, 1.5, 2.5, 3.5, 4.5]
    assert np.array_equal(graded[1] > 0, y == 1) and np.array_equal(graded[3] > 0, y_test == 1)


def test_order_is_fixed_by_the_seed(cache, monkeypatch, tmp_path):
    install(monkeypatch, tmp_path, per_class=6)
    first, again, other = load("imdb"), load("imdb"), load("imdb", seed=1)
    assert first[0] == again[0] and np.array_equal(first[1], again[1])
    assert first[0] != other[0] and sorted(first[0]) == sorted(other[0])


def test_missing_member(cache, monkeypatch, tmp_path):
    install(monkeypatch, tmp_path, leave_out=("test/pos",))
    with pytest.raises(AmlError, match=r"lacks aclImdb/test/pos/ reviews"):
        load("imdb")


@pytest.mark.parametrize("keep", [0.5, -200])
def test_truncated_archive(cache, monkeypatch, tmp_path, keep):
    """Cut in the middle, or only in the tail (tar padding, gzip trailer): both are errors."""
    archive = tmp_path / imdb.ARCHIVE
    fixtures.aclimdb_archive(archive, per_class=40)
    whole = archive.read_bytes()
    archive.write_bytes(whole[: int(len(whole) * keep) if keep > 0 else keep])
    fixtures.pin(monkeypatch, "imdb", imdb.ARCHIVE, archive)
    store.import_file("imdb", imdb.ARCHIVE, archive)
    with pytest.raises(AmlError, match="is not a complete, readable .tar.gz"):
        load("imdb")


def test_wrong_checksum_and_missing_archive(cache, tmp_path):
    archive = tmp_path / imdb.ARCHIVE
    fixtures.aclimdb_archive(archive)
    with pytest.raises(store.ChecksumError, match="c40f74a18d3b61f90feba1e17730e0d3"):
        store.import_into("imdb", imdb.FILENAMES, archive)
    with pytest.raises(AmlError, match=r"`aml data fetch imdb`.*`aml data import imdb PATH`"):
        load("imdb")
