"""`aml check` and `aml grade` end to end, with real Keras checks of lecture 1 (quick)."""

import csv
import json
import os
import shutil
from pathlib import Path

import grading_fixture
import pytest

from aml import catalog, cli
from aml.data.iris import linear_baseline
from aml.grading.grade import journal_path
from aml.grading.gradebook import check_id

L1 = Path(__file__).parent / "submissions" / "l1"
HIDDEN = Path(__file__).parent / "submissions" / "hidden_checks.py"
LINE = Path(__file__).parent / "submissions" / "line"


# student -> (status, total out of 8 with the hidden check's 2 points, words in the detail)
L1_EXPECTED = {
    "correct": ("ok", 8, ""),
    # honest odd cases: full marks
    "bom": ("ok", 8, ""),
    "latin1": ("ok", 8, ""),
    '=HYPERLINK("evil","x")': ("ok", 8, ""),
    "caf\\xe9": ("ok", 8, ""),
    "copied": ("ok", 8, "reproduces the reference solution verbatim"),
    # wrong networks, however they dress up: the honest score of what they built
    "partial": ("ok", 5, ""),
    "tamper_keras": ("ok", 5, ""),
    "lying_subclass": ("ok", 3, ""),
    "forged_config": ("ok", 4, ""),
    "nan_weights": ("invalid output", 3, "output is 3 class probabilities"),
    "module_constants": ("ok", 5, ""),
    "late_import_patch": ("ok", 5, ""),
    "library_patch": ("ok", 5, ""),
    "trace_hooks": ("ok", 5, ""),
    "hook_disarm": ("ok", 5, ""),
    "native_io": ("ok", 5, ""),
    "parent_signals": ("ok", 5, ""),
    "cgroup_escape": ("ok", 5, ""),
    "hidden_leak": ("ok", 5, ""),
    "kill_all": ("error", 0, "ProcessLookupError"),
    "reference_import": ("error", 0, "No module named 'aml.lectures.lecture1.solutions"),
    # entries that are not submissions still get a row
    "link.py": ("not graded", 0, "symbolic link"),
    "notes.txt": ("not graded", 0, "not a .py file"),
    "empty": ("error", 0, "define a function build_model()"),
    "binary": ("error", 0, "binary.py"),
    "two_files": ("missing file", 0, "no sequential.py"),
}


@pytest.fixture(scope="module")
def l1_graded(tmp_path_factory):
    """The lecture 1 corpus plus odd entries, graded once by the CLI with hidden checks."""
    from aml.grading.templates import solution_path

    tmp = tmp_path_factory.mktemp("l1")
    subs = tmp / "subs"
    shutil.copytree(L1, subs)
    correct = (L1 / "correct.py").read_bytes()
    (subs / '=HYPERLINK("evil","x").py').write_bytes(correct)
    (subs / os.fsdecode(b"caf\xe9.py")).write_bytes(correct)
    (subs / "link.py").symlink_to(L1 / "correct.py")
    (subs / "notes.txt").write_text("not a submission")
    (subs / "empty.py").write_bytes(b"")
    (subs / "binary.py").write_bytes(bytes(range(256)) * 4)
    (subs / "two_files").mkdir()
    (subs / "two_files" / "a.py").write_bytes(correct)
    (subs / "two_files" / "b.py").write_bytes(correct)
    reference = solution_path(catalog.get("l1.sequential")).read_text()
    lines = [line + ("  # my own work" if line.startswith("import") else "")
             for line in reference.splitlines() if not line.lstrip().startswith("#")]
    (subs / "copied.py").write_text("\n".join(lines).replace("\n\n\n", "\n\n\n\n") + "\n\n")
    out = tmp / "grades" / "l1.csv"
    code = cli.main(["grade", "l1.sequential", str(subs), "--jobs", "2", "--quick",
                     "--timeout", "240", "--hidden", str(HIDDEN), "--out", str(out),
                     "--results", str(tmp / "results")])
    assert code == 0
    assert not Path("/tmp/aml_grading_escape.txt").exists()
    records = json.loads(out.with_suffix(".json").read_text())["students"]
    # keyed by each entry's own spelling (the `name` column; `student` is file-system safe)
    return {r["info"]["name"]: r for r in records}, out


@pytest.mark.sandbox
@pytest.mark.parametrize("student", sorted(L1_EXPECTED))
def test_lecture1_corpus_status_and_score(l1_graded, student):
    records, _ = l1_graded
    status, total, words = L1_EXPECTED[student]
    record = records[student]
    assert (record["status"], record["score"]) == (status, total), record["detail"]
    assert words in record["detail"]
    assert record["copied_reference"] is (student == "copied")


@pytest.mark.sandbox
def test_lecture1_corpus_rows_outputs_and_csv(l1_graded):
    records, out = l1_graded
    assert set(records) == set(L1_EXPECTED)
    rows = {r["name"]: r for r in csv.DictReader(out.open())}
    assert "'=HYPERLINK(\"evil\",\"x\")" in rows  # shown as text, not run
    assert all(not name.startswith(("=", "+", "-", "@")) for name in rows)
    assert rows["caf\\xe9"]["student"] == "caf_xe9" and rows["link.py"]["status"] == "not graded"
    correct, measured = rows["correct"], {c["key"]: c["measured"]
                                          for c in records["correct"]["checks"]}
    assert (correct["score"], correct["max"], correct["percent"], measured["parameter count"]) \
        == ("8", "8", "100", 67)
    # the quick configuration (40 epochs, lr 1e-2, seed 0) is within its 3-flower margin of
    # Fisher's linear discriminant on the same 30 flowers
    assert measured["test accuracy"] >= (linear_baseline(0.2, seed=0).sum() - 3) / 30
    # the measuring side says how many test flowers stand behind the accuracy (fairness)
    assert {c["key"]: c["n"] for c in records["correct"]["checks"]}["test accuracy"] == 30
    assert correct[check_id("hidden: random initial weights")] == "2"
    lying = {c["key"]: c for c in records["lying_subclass"]["checks"]}
    assert lying["parameter count"]["measured"] == 4 * 64 + 64 + 64 * 3 + 3
    assert records["tamper_keras"]["checks"][4]["measured"] == 4 * 64 + 64 + 64 * 3 + 3
    layers = str(lying["layers are Dense(8, relu) -> Dense(3, softmax)"]["measured"])
    assert "aml_submission_0.Honest, which the grader does not load" in layers
    disarm = records["hook_disarm"]["output"]
    assert "RAN 65534" in disarm and "REFUSED /submission/escape.txt" in disarm
    assert "correct.py" not in disarm and "bom.py" not in disarm  # no classmates
    leak = records["hidden_leak"]["output"]
    assert "hidden" not in leak.split("FOUND")[1].split("[", 1)[1][:20]
    assert "random initial weights" not in leak and "aml_hidden_checks" not in leak
    signals = records["parent_signals"]["output"]
    assert "PARENT 1" in signals  # its parent is the jail's own init, not the grader
    assert "STAYED /sys/fs/cgroup/pids/cgroup.procs" in records["cgroup_escape"]["output"]
    assert "SUBMISSION ['native_io.py']" in records["native_io"]["output"]
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
    line_catalog.write_text("import os\nprint('loading my data', flush=True)\nos.abort()\n")
    assert cli.main(["check", "t.line", "--timeout", "60"]) == 1
    printed = capsys.readouterr().out
    assert "status: crashed: killed by SIGABRT" in printed
    assert "your code printed (last lines):\n    loading my data" in printed
    assert cli.main(["check", "t.line", "--file", str(line_catalog.parent / "nope.py")]) == 1
    assert "status: missing file: no such file or folder" in capsys.readouterr().out


def test_grade_bad_arguments(tmp_path, capsys):
    assert cli.main(["grade", "l1.sequential", str(tmp_path), "--hidden", "nope.py"]) == 2
    assert "no hidden checks file at nope.py" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main(["grade", "l1.sequential", str(tmp_path), "--jobs", "0"])
