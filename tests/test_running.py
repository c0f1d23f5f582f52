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
    assert "SKIPPED: no data; `aml data fetch movie_snippets`" in out
    assert "SKIPPED: no data; `aml data fetch fashion_mnist`" in out
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
