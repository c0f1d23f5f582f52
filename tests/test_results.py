"""The run store: atomic publication, nothing left by a failed run, and the index."""

import json

import pytest

from aml import results


def record(run, passed=True):
    return {"id": "demo", "run": run, "passed": passed, "quick": False,
            "metrics": {"acc": 0.5, "nan": float("nan")}, "finished": "now"}


def test_published_run_has_metrics_and_is_indexed(tmp_path):
    with results.staged_run(tmp_path, "demo", "r1") as staging:
        (staging / "figure.png").write_bytes(b"png")
        final = results.publish_run(staging, record("r1"))
    assert final == tmp_path / "demo" / "r1"
    assert (final / "figure.png").read_bytes() == b"png"
    data = json.loads((final / "metrics.json").read_text())
    assert data["metrics"] == {"acc": 0.5, "nan": "nan"}
    assert results.read_index(tmp_path)["demo"]["run"] == "r1"
    assert list((tmp_path / "demo").iterdir()) == [final]


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_failed_or_interrupted_run_leaves_nothing(tmp_path, error):
    with pytest.raises(error):
        with results.staged_run(tmp_path, "demo", "r1") as staging:
            (staging / "half.png").write_bytes(b"half")
            raise error()
    assert list((tmp_path / "demo").iterdir()) == []
    assert results.read_index(tmp_path) == {}


def test_index_keeps_the_latest_run_per_entry(tmp_path):
    for run, passed in (("r1", True), ("r2", False)):
        with results.staged_run(tmp_path, "demo", run) as staging:
            results.publish_run(staging, record(run, passed))
    assert results.read_index(tmp_path)["demo"] == {
        "run": "r2", "path": str(tmp_path / "demo" / "r2"), "passed": False, "outcome": "missed",
        "quick": False, "metrics": {"acc": 0.5, "nan": "nan"}, "finished": "now"}


def test_two_runs_with_the_same_name_are_both_kept(tmp_path):
    """Two runs in one second, with the same seed and process, share a name: keep both."""
    finals = []
    for acc in (0.5, 0.7):
        with results.staged_run(tmp_path, "demo", "r1") as staging:
            entry = record("r1")
            entry["metrics"] = {"acc": acc}
            finals.append(results.publish_run(staging, entry))
    assert [f.name for f in finals] == ["r1", "r1-2"]
    assert json.loads((finals[1] / "metrics.json").read_text())["run"] == "r1-2"
    assert json.loads((finals[0] / "metrics.json").read_text())["metrics"] == {"acc": 0.5}
    assert results.read_index(tmp_path)["demo"]["run"] == "r1-2"


def _publish(root, entry_id, run, **fields):
    with results.staged_run(root, entry_id, run) as staging:
        return results.publish_run(staging, {**record(run), "id": entry_id, **fields})


@pytest.mark.parametrize("damage", ["{not json", "[1, 2]", "\xff\xfe"])
def test_a_corrupt_index_is_rebuilt_from_the_run_folders_with_a_warning(tmp_path, capsys,
                                                                         damage):
    _publish(tmp_path, "a", "r1", finished="2026-01-01")
    _publish(tmp_path, "a", "r2", finished="2026-01-02", passed=False)
    _publish(tmp_path, "b", "r1")
    expected = results.read_index(tmp_path)
    (tmp_path / "index.json").write_bytes(damage.encode("latin-1"))
    assert results.read_index(tmp_path) == expected
    assert "rebuilt it from the run folders of 2 entries" in capsys.readouterr().err
    assert json.loads((tmp_path / "index.json").read_text()) == expected  # and saved


def test_a_run_after_a_corrupt_index_keeps_every_other_entry(tmp_path, capsys):
    for entry_id in ("a", "b", "c"):
        _publish(tmp_path, entry_id, "r1")
    (tmp_path / "index.json").write_text("{half")
    _publish(tmp_path, "d", "r1")
    assert sorted(results.read_index(tmp_path)) == ["a", "b", "c", "d"]
    assert "rebuilt it from the run folders of 4 entries" in capsys.readouterr().err


def test_an_index_with_no_runs_behind_it_reads_as_empty_without_a_warning(tmp_path, capsys):
    (tmp_path / "index.json").write_text("{not json")
    assert results.read_index(tmp_path) == {}
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("targets, expected", [
    ([], "no target"),
    ([{"met": True}, {"met": True}], "pass"),
    ([{"met": True}, {"met": False}], "missed")])
def test_outcome_says_no_target_when_nothing_was_checked(targets, expected):
    assert results.outcome({"targets": targets}) == expected
    assert results.outcome({"error": "boom", "targets": []}) == "error"
