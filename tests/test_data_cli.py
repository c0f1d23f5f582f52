"""`aml data ...`: list, fetch, import, verify and path, with one-line errors."""

import data_fixtures as fixtures
import pytest

from aml.cli import main
from aml.data import LOADERS, cifar10, movie_snippets, store


@pytest.fixture
def cache(monkeypatch, tmp_path):
    return fixtures.isolate(monkeypatch, tmp_path)


def rows(output):
    """The table as {dataset: line}."""
    return {line.split()[0]: line for line in output.splitlines()[2:]}


def test_list_shows_every_dataset_with_its_state(cache, capsys):
    assert main(["data", "list"]) == 0
    table = rows(capsys.readouterr().out)
    assert set(table) == set(LOADERS)
    assert table["iris"].split()[1:2] == ["bundled"] and table["iris"].endswith("verified")
    assert "missing: `aml data fetch cifar10` or `aml data import cifar10 PATH`" in \
        table["cifar10"]
    assert "`aml data import fashion_mnist PATH`" in table["fashion_mnist"]
    for name in ("ode", "sine_anomaly", "mackey_glass", "projectile", "infinite_well"):
        assert table[name].split()[1] == "generated"


def test_import_then_list_verify_and_path(cache, monkeypatch, tmp_path, capsys):
    archive = tmp_path / "my-cifar.tar.gz"
    fixtures.cifar10_archive(archive)
    fixtures.pin(monkeypatch, "cifar10", cifar10.ARCHIVE, archive, algo="md5")
    assert main(["data", "import", "cifar10", str(archive)]) == 0
    assert "(verified)" in capsys.readouterr().out
    assert main(["data", "list"]) == 0
    line = rows(capsys.readouterr().out)["cifar10"]
    assert line.endswith("verified") and str(cache / "cifar10") in line
    assert main(["data", "verify", "cifar10"]) == 0
    assert "cifar10/cifar-10-python.tar.gz: verified" in capsys.readouterr().out
    assert main(["data", "path", "cifar10"]) == 0
    assert capsys.readouterr().out.strip() == str(cache / "cifar10" / cifar10.ARCHIVE)
    # Corrupt the cached copy: verify re-hashes, reports both sums, and fails.
    cached = cache / "cifar10" / cifar10.ARCHIVE
    cached.write_bytes(cached.read_bytes()[:-10])
    assert main(["data", "verify", "cifar10"]) == 1
    out = capsys.readouterr().out
    assert "mismatch" in out and fixtures.digest(cached, "md5") in out
    assert main(["data", "list"]) == 0
    assert "CHECKSUM MISMATCH" in rows(capsys.readouterr().out)["cifar10"]


def test_fetch_offline_is_one_line_with_the_import_command(cache, monkeypatch, capsys):
    def offline(url, timeout=None):
        raise OSError("[Errno -2] Name or service not known")

    monkeypatch.setattr(store, "urlopen", offline)
    assert main(["data", "fetch", "imdb"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and err.startswith("aml: error: could not download")
    assert "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz" in err
    assert "`aml data import imdb PATH`" in err


@pytest.mark.parametrize("argv, expected", [
    (["data", "fetch", "mnist"], "unknown dataset 'mnist'"),
    (["data", "import", "ode", "x"], "ode is generated from a seed"),
    (["data", "import", "cifar10", "/nonexistent/file.tgz"], "does not exist"),
    (["data", "path", "imdb"], "imdb is not available: missing"),
    (["data", "import", "iris", "x.csv"], "iris comes with scikit-learn"),
])
def test_bad_input_is_one_line_and_exit_2(cache, capsys, argv, expected):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert expected in err and err.count("\n") == 1 and "Traceback" not in err


def test_verify_all_passes_with_missing_datasets_but_named_missing_fails(cache, capsys):
    assert main(["data", "verify"]) == 0
    out = capsys.readouterr().out
    assert "iris/iris.csv: verified" in out and "imdb/aclImdb_v1.tar.gz: missing" in out
    assert main(["data", "verify", "movie_snippets"]) == 1


def test_import_snippets_sdist_through_the_cli(cache, monkeypatch, tmp_path, capsys):
    snippets = fixtures.snippet_lines([1.0, -1.0] * 5)
    sdist = fixtures.vader_sdist(tmp_path / movie_snippets.SDIST, snippets)
    fixtures.pin(monkeypatch, "movie_snippets", movie_snippets.SDIST, sdist)
    inner = tmp_path / "inner.txt"
    inner.write_bytes(snippets)
    fixtures.pin(monkeypatch, "movie_snippets", movie_snippets.SNIPPETS, inner)
    assert main(["data", "import", "movie_snippets", str(tmp_path)]) == 0
    assert (cache / "movie_snippets" / movie_snippets.SNIPPETS).read_bytes() == snippets
