"""Lecture 1 end to end: the iris example reaches its target, writes its record and figure,
and repeats exactly with the same seed."""

import json

import pytest

from aml import catalog
from aml.running import run_example


@pytest.fixture(scope="module")
def quick_runs(tmp_path_factory):
    out = tmp_path_factory.mktemp("results")
    example = catalog.get("l1.iris")
    return [run_example(example, quick=True, seed=1, out=out, verbose=False) for _ in range(2)]


def test_quick_iris_meets_target_and_records_everything(quick_runs):
    record = quick_runs[0]
    assert record["passed"] and record["metrics"]["test_accuracy"] >= 0.93
    assert record["metrics"]["parameters"] == 67
    saved = json.loads(open(f"{record['path']}/metrics.json").read())
    for key in ("config", "seed", "backend", "versions", "wall_seconds", "targets", "figures"):
        assert key in saved
    assert saved["config"]["epochs"] == 40 and saved["seed"] == 1
    # The uncertainty and the data's provenance travel with the number.
    n = saved["metrics"]["n_test"]
    p = saved["metrics"]["test_accuracy"]
    assert n == 30 and saved["metrics"]["test_accuracy_se"] == pytest.approx(
        (p * (1 - p) / n) ** 0.5, abs=1e-5)
    assert saved["targets"][0]["se"] == pytest.approx((p * (1 - p) / n) ** 0.5, abs=1e-5)
    assert [d["dataset"] for d in saved["data"]] == ["iris"]
    assert saved["data"][0]["provenance"] == "verified archive"
    assert "iris: verified archive" in saved["data_summary"]
    assert saved["versions"]["keras"].startswith("3.")
    assert saved["figures"] == ["training_curves.png"]
    png = open(f"{record['path']}/training_curves.png", "rb").read()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_same_seed_same_metrics(quick_runs):
    first, second = quick_runs
    assert first["metrics"] == second["metrics"]
    assert first["path"] != second["path"]


def test_full_course_configuration_meets_target(tmp_path):
    record = run_example(catalog.get("l1.iris"), seed=0, out=tmp_path, verbose=False)
    assert record["config"]["epochs"] == 200 and record["config"]["batch_size"] == 8
    assert record["metrics"]["test_accuracy"] >= 0.93
