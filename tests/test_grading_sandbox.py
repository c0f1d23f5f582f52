"""Adversarial submissions under the sandbox: each gets its exact status and score, and
none of them stops the run or touches anything outside its own folder."""

import shutil
from pathlib import Path

import pytest
from grading_fixture import EXERCISE

from aml.grading.grade import grade_class
from aml.grading.sandbox import Limits, run_sandboxed, validate_checks

# every test here runs code in the real grading sandbox (child processes and limits)
pytestmark = pytest.mark.sandbox

CORPUS = Path(__file__).parent / "submissions" / "line"
ESCAPE = Path("/tmp/aml_grading_escape.txt")
SLOW = ("loop", "fork_bomb")

# student -> (status, score out of 5, words in the detail)
EXPECTED = {
    "correct": ("ok", 5, ""),
    "folder_student": ("ok", 5, ""),
    "printer": ("ok", 5, ""),
    "partial_slope": ("ok", 2, ""),
    "mean_only": ("ok", 2, ""),
    "unfinished": ("error", 0, "not written yet"),
    "syntax_error": ("error", 0, "syntax error"),
    "nan": ("invalid output", 0, "fit_line returns two finite numbers"),
    "inf_predict": ("invalid output", 1, "predict returns one finite value"),
    "wrong_shape": ("invalid output", 1, "predict returns one finite value"),
    "memory": ("memory", 0, "MemoryError"),
    "abort": ("crashed", 0, "SIGABRT"),
    "segfault": ("crashed", 0, "SIGSEGV"),
    "os_exit": ("crashed", 0, "exited with code 0"),
    "sys_exit": ("exit called", 0, "sys.exit"),
    "exit_in_function": ("exit called", 0, "sys.exit(3)"),
    "ctypes_segfault": ("forbidden", 0, "ctypes"),
    "write_outside": ("forbidden", 0, str(ESCAPE)),
    "dir_fd_escape": ("forbidden", 0, "open folder /tmp"),
    "disable_guard": ("forbidden", 0, "gc.get_objects"),
    "network": ("forbidden", 0, "network socket"),
    "subprocess_call": ("forbidden", 0, "subprocess.Popen"),
    "tamper_class": ("tampered", 0, "CheckResult"),
    "tamper_function": ("tampered", 0, "grading_fixture.tiered"),
    "forge_report": ("tampered", 0, "more or less than one report"),
    "empty_folder": ("missing file", 0, "no line.py"),
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The corpus (but the two that need the full timeout) graded in one run, 2 workers."""
    tmp = tmp_path_factory.mktemp("corpus")
    subs = tmp / "subs"
    shutil.copytree(CORPUS, subs, ignore=shutil.ignore_patterns(*[f"{s}.py" for s in SLOW]))
    (subs / "syntax_error.py.txt").rename(subs / "syntax_error.py")
    ESCAPE.unlink(missing_ok=True)
    records = grade_class(EXERCISE, subs, tmp / "out" / "grades.csv", jobs=2,
                          limits=Limits(timeout_s=30, memory_mb=1024), log=lambda _: None)
    return {r["student"]: r for r in records}


@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_corpus_status_and_score(graded, student):
    status, score, words = EXPECTED[student]
    record = graded[student]
    assert (record["status"], record["score"]) == (status, score), record["detail"]
    assert words in record["detail"]
    if status not in ("ok", "invalid output"):
        assert all(c["score"] == 0 for c in record["checks"])


def test_corpus_details(graded):
    assert set(graded) == set(EXPECTED)
    assert not ESCAPE.exists()
    printer = graded["printer"]
    assert printer["output_bytes"] == 5 * 1024 * 1024
    assert len(printer["output"]) < 70 * 1024 and "output truncated" in printer["output"]
    partial = {c["key"]: c for c in graded["partial_slope"]["checks"]}
    assert partial["held-out R2 [tier 0.5]"]["passed"] is False
    assert partial["held-out R2 [tier 0.5]"]["measured"] == pytest.approx(0.4798, abs=1e-4)
    assert graded["correct"]["checks"][2]["measured"] == pytest.approx(0.999, abs=1e-4)
    wrong = {c["key"]: c for c in graded["wrong_shape"]["checks"]}
    assert wrong["predict returns one finite value per input"]["measured"] == \
        "shape (10, 1), expected (200,)"
    assert graded["nan"]["checks"][0]["measured"] == "(nan, 1.0)"
    assert graded["correct"]["network"] in ("namespace", "sockets refused")


def _sandbox_processes() -> int:
    """Live processes started by the sandbox (their HOME is a private sandbox folder)."""
    count = 0
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and b"aml-sandbox-" in (entry / "environ").read_bytes():
                count += 1
        except OSError:
            continue
    return count


def test_loop_and_fork_bomb_are_stopped_and_leave_nothing(tmp_path):
    limits = Limits(timeout_s=3)
    loop = run_sandboxed(EXERCISE, CORPUS / "loop.py", limits=limits)
    bomb = run_sandboxed(EXERCISE, CORPUS / "fork_bomb.py", limits=limits)
    assert (loop.status, loop.score) == ("timeout", 0)
    assert (bomb.status, bomb.score) == ("timeout", 0)
    assert "wall clock" in bomb.detail and bomb.seconds < 15
    assert _sandbox_processes() == 0
    after = run_sandboxed(EXERCISE, CORPUS / "correct.py", limits=Limits(timeout_s=30))
    assert (after.status, after.score) == ("ok", 5)


def test_cpu_time_limit():
    outcome = run_sandboxed(EXERCISE, CORPUS / "loop.py", limits=Limits(timeout_s=60, cpu_s=1))
    assert outcome.status == "timeout" and "CPU-time" in outcome.detail
    assert outcome.seconds < 30


def test_other_submissions_grades_and_hidden_checks_are_unreadable(tmp_path):
    subs, out, hidden = tmp_path / "subs", tmp_path / "out" / "grades.csv", tmp_path / "h.py"
    subs.mkdir()
    shutil.copy(CORPUS / "correct.py", subs / "alice.py")
    hidden.write_text("def hidden_checks(module, quick=False):\n    return []\n")
    for name, target in (("reads_alice", subs / "alice.py"), ("lists", subs),
                         ("reads_hidden", hidden), ("reads_grades", out)):
        call = "os.listdir" if target.is_dir() else "open"
        (subs / f"{name}.py").write_text(f"import os\nprint({call}({str(target)!r}))\n")
    records = {r["student"]: r for r in grade_class(
        EXERCISE, subs, out, jobs=2, limits=Limits(timeout_s=30), hidden=hidden,
        log=lambda _: None)}
    assert (records["alice"]["status"], records["alice"]["score"]) == ("ok", 5)
    for name in ("reads_alice", "lists", "reads_hidden", "reads_grades"):
        assert (records[name]["status"], records[name]["score"]) == ("forbidden", 0), name
        assert "def hidden_checks" not in records[name]["output"]


def test_environment_is_scrubbed(tmp_path, monkeypatch):
    monkeypatch.setenv("AML_SECRET_TOKEN", "s3cret")
    probe = tmp_path / "probe.py"
    probe.write_text("import os\nprint(sorted(os.environ), os.getcwd())\n"
                     "def fit_line(x, y):\n    return 0.0, 0.0\n"
                     "def predict(x, a, b):\n    return 0 * x\n")
    outcome = run_sandboxed(EXERCISE, probe, limits=Limits(timeout_s=30))
    assert outcome.status == "ok"
    assert "AML_SECRET_TOKEN" not in outcome.output and "s3cret" not in outcome.output
    assert "aml-sandbox-" in outcome.output and str(tmp_path) not in outcome.output
    private = outcome.output.split()[-1]
    assert private.endswith("/work") and not Path(private).exists()  # removed afterwards


def test_seed_reaches_the_student_code(tmp_path):
    noisy = tmp_path / "noisy.py"
    noisy.write_text("import numpy as np\n"
                     "def fit_line(x, y):\n    return 2.5 + np.random.normal(0, 1), -1.0\n"
                     "def predict(x, a, b):\n    return a * x + b\n")
    runs = [run_sandboxed(EXERCISE, noisy, seed=s, limits=Limits(timeout_s=30)).checks[0]
            ["measured"] for s in (0, 0, 1)]
    assert runs[0] == runs[1] != runs[2]


def test_parent_validates_the_report():
    good = {"name": "a", "passed": True, "measured": 1.0, "points": 1, "tier": ""}
    checks, error = validate_checks([good, {**good, "name": "b", "measured": float("nan")}])
    assert error == "" and [c["score"] for c in checks] == [1.0, 0.0]
    assert checks[1]["status"] == "invalid output"
    assert validate_checks([{**good, "points": 1e9}])[1].startswith("check 'a' has invalid")
    assert validate_checks([good, good])[1] == "two checks have the same name"
    assert validate_checks([{**good, "passed": "yes"}])[1] == "a check is malformed"


def test_process_count_is_bounded(tmp_path):
    forker = tmp_path / "forker.py"
    forker.write_text(
        "import os, time\nn = 0\nfor _ in range(500):\n    try:\n        pid = os.fork()\n"
        "    except OSError:\n        break\n    if pid == 0:\n        time.sleep(60)\n"
        "        os._exit(0)\n    n += 1\nprint('forks', n)\n"
        "def fit_line(x, y):\n    return 0.0, 0.0\ndef predict(x, a, b):\n    return 0 * x\n")
    outcome = run_sandboxed(EXERCISE, forker, limits=Limits(timeout_s=60, nproc=32))
    assert outcome.status == "ok"
    forks = int(outcome.output.split("forks")[1].split()[0])
    assert 10 < forks <= 40  # 32 tasks more than the user already runs (or per cgroup)
    assert outcome.seconds < 50  # the sleeping forks were killed, not waited for
    assert _sandbox_processes() == 0
