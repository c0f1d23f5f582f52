"""`aml check` and `aml grade` end to end, with real Keras checks of lecture 1 (quick)."""

import csv
import json
import shutil
from pathlib import Path

import grading_fixture
import pytest

from aml import catalog, cli
from aml.grading.grade import journal_path

L1 = Path(__file__).parent / "submissions" / "l1"
HIDDEN = Path(__file__).parent / "submissions" / "hidden_checks.py"
LINE = Path(__file__).parent / "submissions" / "line"


@pytest.mark.sandbox
def test_grade_lecture1_with_hidden_checks(tmp_path, capsys):
    subs = tmp_path / "subs"
    shutil.copytree(L1, subs)
    out = tmp_path / "grades" / "l1.csv"
    code = cli.main(["grade", "l1.sequential", str(subs), "--jobs", "2", "--quick",
                     "--timeout", "240", "--hidden", str(HIDDEN), "--out", str(out),
                     "--results", str(tmp_path / "results")])
    assert code == 0
    rows = {r["student"]: r for r in csv.DictReader(out.open())}
    assert (rows["correct"]["status"], rows["correct"]["score"], rows["correct"]["max"],
            rows["correct"]["percent"], rows["correct"]["runs"]) == ("ok", "8", "8", "100", "1")
    feedback = json.loads(out.with_suffix(".json").read_text())["students"]
    measured = {s["student"]: {c["key"]: c["measured"] for c in s["checks"]} for s in feedback}
    assert measured["correct"]["parameter count"] == 67
    # the quick configuration (40 epochs, lr 1e-2, seed 0) still meets the course's 0.93
    assert measured["correct"]["test accuracy"] >= 0.93
    assert rows["correct"]["hidden_fresh_model_per_call"] == "2"
    # sigmoid output: model, API and parameter count right; no probabilities, no training
    assert (rows["partial"]["status"], rows["partial"]["score"]) == ("ok", "5")
    assert rows["partial"]["output_3_class_probabilities"] == "0"
    assert (rows["tamper_keras"]["status"], rows["tamper_keras"]["score"]) == ("tampered", "0")
    assert rows["tamper_keras"]["max"] == "8"  # the class's full marks, not its own 0
    assert (rows["nan_weights"]["status"], rows["nan_weights"]["score"]) == \
        ("invalid output", "6")  # 4 architecture checks + hidden 2; NaN output scores 0
    assert measured["nan_weights"]["output is 3 class probabilities"] == \
        "shape (2, 3), NaN or inf"
    tamper = next(s for s in feedback if s["student"] == "tamper_keras")
    assert "count_params" in tamper["detail"]
    printed = capsys.readouterr().out
    assert "4 submissions: 1 invalid output, 2 ok, 1 tampered" in printed
    assert journal_path(out).exists()


@pytest.mark.sandbox
def test_check_runs_the_file_in_a_sandbox(capsys):
    code = cli.main(["check", "l1.sequential", "--file", str(L1 / "correct.py"), "--quick"])
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert "PASS  parameter count: 67 (target == 67)" in printed
    assert "score 6/6" in printed


@pytest.fixture
def line_catalog(monkeypatch, tmp_path):
    """The light test exercise as the whole catalog, its default file in tmp_path."""
    monkeypatch.setattr(catalog, "exercises", lambda: [grading_fixture.EXERCISE])
    monkeypatch.setattr(catalog, "get", lambda entry_id, kind=None: grading_fixture.EXERCISE)
    monkeypatch.setattr(cli, "_default_file", lambda exercise: tmp_path / "line.py")
    return tmp_path / "line.py"


@pytest.mark.sandbox
def test_check_all_prints_a_summary_and_tiers(line_catalog, capsys):
    shutil.copy(LINE / "partial_slope.py", line_catalog)
    assert cli.main(["check", "--all"]) == 1
    printed = capsys.readouterr().out
    assert "held-out R2: 0.4798: no tier reached, 0.5 not yet" in printed
    assert "t.line    2/5    ok" in printed and "FAIL" in printed
    shutil.copy(LINE / "correct.py", line_catalog)
    assert cli.main(["check", "--all"]) == 0
    assert "tier 0.99 reached (the top one)" in capsys.readouterr().out


@pytest.mark.sandbox
def test_check_reports_crashes_and_missing_files(line_catalog, capsys):
    shutil.copy(LINE / "abort.py", line_catalog)
    assert cli.main(["check", "t.line", "--timeout", "60"]) == 1
    assert "status: crashed: killed by SIGABRT" in capsys.readouterr().out
    assert cli.main(["check", "t.line", "--file", str(line_catalog.parent / "nope.py")]) == 1
    assert "status: missing file: no such file or folder" in capsys.readouterr().out


def test_grade_bad_arguments(tmp_path, capsys):
    assert cli.main(["grade", "l1.sequential", str(tmp_path), "--hidden", "nope.py"]) == 2
    assert "no hidden checks file at nope.py" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main(["grade", "l1.sequential", str(tmp_path), "--jobs", "0"])
