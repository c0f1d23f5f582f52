"""`aml export gradescope l1.sequential`: the zip's run_autograder, run locally against a
fake /autograder tree, writes a valid results.json for a correct, a wrong and a broken
submission, each out of the same full marks."""

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from aml import cli

L1 = Path(__file__).parent / "submissions" / "l1"
VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}


def run_autograder(source: Path, root: Path, files: dict[str, str]) -> dict:
    shutil.copytree(source, root / "source")
    (root / "submission").mkdir()
    for name, text in files.items():
        (root / "submission" / name).write_text(text)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(AML_AUTOGRADER_ROOT=str(root), AML_AUTOGRADER_PYTHON=sys.executable)
    done = subprocess.run(["bash", str(root / "source" / "run_autograder")], env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads((root / "results" / "results.json").read_text())


def assert_valid(results: dict, maximum: float) -> None:
    assert set(results) >= {"score", "tests", "output", "execution_time"}
    assert [t["number"] for t in results["tests"]] == \
        [str(n) for n in range(1, len(results["tests"]) + 1)]
    for test in results["tests"]:
        assert isinstance(test["name"], str) and test["visibility"] in VISIBILITY
        assert 0 <= test["score"] <= test["max_score"] and isinstance(test["output"], str)
    assert sum(t["max_score"] for t in results["tests"]) == maximum
    assert results["score"] == sum(t["score"] for t in results["tests"])


def test_gradescope_autograder_zip_grades_locally(tmp_path, capsys):
    archive = tmp_path / "autograder.zip"
    assert cli.main(["export", "gradescope", "l1.sequential", "--quick", "--out",
                     str(archive)]) == 0
    source = tmp_path / "unzipped"
    with zipfile.ZipFile(archive) as zf:
        names = zf.namelist()
        zf.extractall(source)
        assert zf.getinfo("run_autograder").external_attr >> 16 & 0o111
    assert {"setup.sh", "run_autograder", "requirements.txt", "checks.json"} <= set(names)
    assert not any("solutions" in n for n in names)  # the answers do not ship
    assert "keras" in (source / "requirements.txt").read_text()

    correct = run_autograder(source, tmp_path / "a", {
        "sequential.py": (L1 / "correct.py").read_text()})
    assert_valid(correct, 6)
    assert correct["score"] == 6 and all(t["status"] == "passed" for t in correct["tests"])

    wrong = run_autograder(source, tmp_path / "b", {
        "sequential.py": (L1 / "partial.py").read_text()})
    assert_valid(wrong, 6)
    assert wrong["score"] == 3
    layers = next(t for t in wrong["tests"] if t["name"].startswith("layers are"))
    assert layers["score"] == 0 and "hint: one hidden Dense(8" in layers["output"]

    # a notebook that does not parse: no run, every test 0 with the reason, still out of 6
    broken = run_autograder(source, tmp_path / "c", {
        "sequential.ipynb": '{"cells": [], "nbformat": 4'})
    assert_valid(broken, 6)
    assert broken["score"] == 0
    assert all(t["output"].startswith("not run: error: sequential.ipynb is not a readable")
               for t in broken["tests"])
