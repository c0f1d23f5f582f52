"""Movie-review snippets: pip (faked) fetches a vaderSentiment-like sdist; split is stratified."""

import subprocess
from pathlib import Path

import data_fixtures as fixtures
import numpy as np
import pytest

from aml.data import load, movie_snippets, store
from aml.errors import AmlError

SCORES = [2.3, -0.6, 0.0, 1.5, -2.1, 0.4, -1.0, 3.1, -0.2, 0.9] * 4  # 20 positive, 20 not


@pytest.fixture
def cache(monkeypatch, tmp_path):
    return fixtures.isolate(monkeypatch, tmp_path)


def make_sdist(monkeypatch, tmp_path, pin=True, **kwargs):
    snippets = fixtures.snippet_lines(SCORES)
    (tmp_path / "built").mkdir()
    sdist = fixtures.vader_sdist(tmp_path / "built" / movie_snippets.SDIST, snippets, **kwargs)
    if pin:
        fixtures.pin(monkeypatch, "movie_snippets", movie_snippets.SDIST, sdist)
    inner = tmp_path / "snippets.txt"
    inner.write_bytes(snippets)
    fixtures.pin(monkeypatch, "movie_snippets", movie_snippets.SNIPPETS, inner)
    return sdist


def fake_pip(sdist, calls, returncode=0, stderr=""):
    def run(command, **kwargs):
        calls.append(command)
        if returncode == 0:
            target = Path(command[command.index("-d") + 1])
            (target / sdist.name).write_bytes(sdist.read_bytes())
        return subprocess.CompletedProcess(command, returncode, "", stderr)
    return run


def test_fetch_uses_pip_by_name_and_version_and_keeps_only_the_snippets(cache, monkeypatch,
                                                                         tmp_path):
    sdist = make_sdist(monkeypatch, tmp_path)
    calls = []
    monkeypatch.setattr(movie_snippets, "run", fake_pip(sdist, calls))
    paths = movie_snippets.fetch()
    command = calls[0]
    assert command[1:4] == ["-m", "pip", "download"]
    assert {"--no-deps", "--no-binary", ":all:", "vaderSentiment==3.3.2"} <= set(command)
    assert not any("://" in part for part in command)  # by name and version, never a URL
    assert paths == [cache / "movie_snippets" / movie_snippets.SNIPPETS]
    assert sorted(p.name for p in (cache / "movie_snippets").iterdir()) == [
        movie_snippets.SNIPPETS]
    movie_snippets.fetch()  # a verified copy exists: pip is not run again
    assert len(calls) == 1


def test_split_is_stratified_seeded_and_labels_follow_the_score(cache, monkeypatch, tmp_path):
    sdist = make_sdist(monkeypatch, tmp_path)
    movie_snippets.import_path(sdist)
    texts_train, y_train, texts_test, y_test = load("movie_snippets")
    assert len(texts_train) == 32 and len(texts_test) == 8
    assert np.bincount(y_train).tolist() == [16, 16] and np.bincount(y_test).tolist() == [4, 4]
    assert y_train.dtype == np.int64
    by_text = {f"snippet number {i + 1} \u2019quoted\u2019": int(s > 0)
               for i, s in enumerate(SCORES)}
    for texts, labels in ((texts_train, y_train), (texts_test, y_test)):
        assert [by_text[t] for t in texts] == labels.tolist()  # score 0.0 counts as negative
    assert set(texts_train).isdisjoint(texts_test)
    graded = load("movie_snippets", graded=True)
    assert graded[0] == texts_train and graded[2] == texts_test
    scores = {f"snippet number {i + 1} \u2019quoted\u2019": s for i, s in enumerate(SCORES)}
    assert graded[1].tolist() == [scores[t] for t in texts_train]
    assert np.array_equal(graded[3] > 0, y_test == 1)
    again, other = load("movie_snippets"), load("movie_snippets", seed=1)
    assert again[2] == texts_test and other[2] != texts_test
    assert len(load("movie_snippets", test_fraction=0.5)[2]) == 20
    with pytest.raises(AmlError, match="test_fraction"):
        load("movie_snippets", test_fraction=1.5)


def test_pip_failure_gives_the_import_command(cache, monkeypatch, tmp_path):
    sdist = make_sdist(monkeypatch, tmp_path)
    monkeypatch.setattr(movie_snippets, "run", fake_pip(
        sdist, [], returncode=1, stderr="ERROR: No matching distribution found"))
    with pytest.raises(AmlError) as err:
        movie_snippets.fetch()
    message = str(err.value)
    assert "No matching distribution found" in message
    assert "`aml data import movie_snippets PATH`" in message and "\n" not in message
    assert not (cache / "movie_snippets" / movie_snippets.SNIPPETS).exists()


def test_sdist_with_wrong_checksum_is_not_extracted(cache, monkeypatch, tmp_path):
    sdist = make_sdist(monkeypatch, tmp_path, pin=False)  # the real PyPI sha256 stays pinned
    with pytest.raises(store.ChecksumError, match="5d7c06e027fc8b99238edb0d53d970cf"):
        movie_snippets.import_path(sdist)
    assert not (cache / "movie_snippets").exists() or not any(
        (cache / "movie_snippets").iterdir())


def test_sdist_without_the_snippets(cache, monkeypatch, tmp_path):
    sdist = make_sdist(monkeypatch, tmp_path, leave_out_snippets=True)
    with pytest.raises(AmlError, match="lacks hutto_ICWSM_2014/movieReviewSnippets"):
        movie_snippets.import_path(sdist)


def test_snippets_file_can_be_imported_directly_and_bad_lines_are_named(cache, monkeypatch,
                                                                        tmp_path):
    make_sdist(monkeypatch, tmp_path)
    movie_snippets.import_path(tmp_path / "snippets.txt")
    assert len(load("movie_snippets")[0]) == 32
    broken = tmp_path / "broken.txt"
    broken.write_bytes(b"1\t0.5\tfine\r\n2\tnot-a-number\tbad\r\n")
    with pytest.raises(AmlError, match=r"broken.txt:2: expected id<TAB>score<TAB>text"):
        movie_snippets.read_snippets(broken)
