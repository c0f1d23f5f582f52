"""Adversarial submissions of the line fixture in the real jail: each gets its exact status
and score, none of them stops the run or changes anything outside its jail, and nothing
outlives a run, even one whose grader is killed."""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from grading_fixture import EXERCISE

import aml
from aml.grading.grade import grade_class
from aml.sandbox import Limits, Measurer, grade_submission, jail, validate_checks

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
    "ctypes_segfault": ("crashed", 0, "SIGSEGV"),
    "os_exit": ("crashed", 0, "exited with code 0"),
    "sys_exit": ("exit called", 0, "sys.exit"),
    "exit_in_function": ("exit called", 0, "sys.exit(3)"),
    # attacks on the old audit-hook design: they run, inside the jail, to no effect
    "write_outside": ("ok", 2, ""),
    "dir_fd_escape": ("ok", 2, ""),
    "disable_guard": ("ok", 2, ""),
    "network": ("ok", 2, ""),
    "subprocess_call": ("ok", 2, ""),
    "tamper_class": ("ok", 2, ""),
    "tamper_function": ("ok", 2, ""),
    "forge_report": ("tampered", 0, "not one well-formed bundle"),
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
        assert record["checks"] == []


def test_corpus_details(graded):
    assert set(graded) == set(EXPECTED)
    assert not ESCAPE.exists()
    assert "NO NETWORK ('127.0.0.1', 9)" in graded["network"]["output"]
    assert "NO NETWORK ('1.1.1.1', 53)" in graded["network"]["output"]
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
    assert graded["nan"]["checks"][0]["measured"] == "[nan, 1.0]"
    assert graded["correct"]["isolation"].startswith("bwrap")


def _jail_processes(owner: int | None = None,
                    kinds: tuple = (b"aml.sandbox.student",)) -> list[int]:
    """Live jailed processes of this checkout that belong to this test process or to
    nobody (orphans of a dead grader); other graders' jails running meanwhile are not
    counted."""
    source = str(Path(aml.SOURCE_ROOT).resolve()).encode()
    parents, jailed = {}, set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes()
            parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1]
                                           .split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if source in command and any(kind in command for kind in kinds):
            jailed.add(int(entry.name))  # bwrap's command line holds the jailed command
    found = []
    for pid in jailed:
        root = pid
        while root in jailed:
            root = parents.get(root, 1)
        if root in (owner or os.getpid(), 1) or root not in parents:
            found.append(pid)
    return sorted(found)


def _jails_left(seconds: float = 10, **which) -> list[int]:
    """The jail processes still alive after `seconds` (their deaths are asynchronous: the
    kernel delivers --die-with-parent's SIGKILL after the outer bwrap is gone)."""
    deadline = time.monotonic() + seconds
    while _jail_processes(**which) and time.monotonic() < deadline:
        time.sleep(0.1)
    return _jail_processes(**which)


_MEASURER = {}


@pytest.fixture(scope="module", autouse=True)
def warm_measurer():
    """One warm measuring process for the single-submission tests, as a grade has."""
    measurer = _MEASURER["line"] = Measurer(EXERCISE, None)
    measurer.inputs(False, 0, 120)
    yield
    measurer.close()


def _grade_one(path, **kwargs):
    return grade_submission(EXERCISE, path, _MEASURER["line"], **kwargs)


def test_loop_and_fork_bomb_are_stopped_and_leave_nothing():
    limits = Limits(timeout_s=3)
    loop = _grade_one(CORPUS / "loop.py", limits=limits)
    bomb = _grade_one(CORPUS / "fork_bomb.py", limits=limits)
    assert (loop.status, loop.score) == ("timeout", 0)
    assert (bomb.status, bomb.score) == ("timeout", 0)
    assert "wall clock" in bomb.detail  # stopped by the 3 s timeout, not by the forks running out
    assert _jails_left() == []
    after = _grade_one(CORPUS / "correct.py", limits=Limits(timeout_s=30))
    assert (after.status, after.score) == ("ok", 5)


def test_cpu_time_limit():
    outcome = _grade_one(CORPUS / "loop.py", limits=Limits(timeout_s=60, cpu_s=1))
    # The CPU-time limit (1 s) stopped it, not the 60 s wall clock.
    assert outcome.status == "timeout" and "CPU-time" in outcome.detail


def test_other_submissions_grades_and_hidden_checks_do_not_exist_in_the_jail(tmp_path):
    subs, out, hidden = tmp_path / "subs", tmp_path / "out" / "grades.csv", tmp_path / "h.py"
    subs.mkdir()
    shutil.copy(CORPUS / "correct.py", subs / "alice.py")
    hidden.write_text("SECRET_MARKER = 1\ndef hidden_checks(artifacts, quick=False):\n"
                      "    return []\n")
    (tmp_path / "out").mkdir()
    out.write_text("old grades")
    for name, target in (("reads_alice", subs / "alice.py"), ("lists", subs),
                         ("reads_hidden", hidden), ("reads_grades", out)):
        call = "os.listdir" if target.is_dir() else "open"
        (subs / f"{name}.py").write_text(f"import os\nprint({call}({str(target)!r}))\n")
    records = {r["student"]: r for r in grade_class(
        EXERCISE, subs, out, jobs=2, limits=Limits(timeout_s=30), hidden=hidden,
        log=lambda _: None)}
    assert (records["alice"]["status"], records["alice"]["score"]) == ("ok", 5)
    for name in ("reads_alice", "lists", "reads_hidden", "reads_grades"):
        assert (records[name]["status"], records[name]["score"]) == ("error", 0), name
        assert "FileNotFoundError" in records[name]["detail"], name
        assert "SECRET_MARKER" not in records[name]["output"]


def test_environment_is_scrubbed(tmp_path, monkeypatch):
    monkeypatch.setenv("AML_SECRET_TOKEN", "s3cret")
    probe = tmp_path / "probe.py"
    probe.write_text("import os\nprint(sorted(os.environ), os.getcwd(), os.getuid(),"
                     " os.getpid())\n"
                     "def fit_line(x, y):\n    return 0.0, 0.0\n"
                     "def predict(x, a, b):\n    return 0 * x\n")
    outcome = _grade_one(probe, limits=Limits(timeout_s=30))
    assert outcome.status == "ok"
    assert "AML_SECRET_TOKEN" not in outcome.output and "s3cret" not in outcome.output
    cwd, uid, pid = outcome.output.split()[-3:]
    assert (cwd, uid) == ("/tmp", "65534") and int(pid) < 10  # own PID namespace


def test_seed_reaches_the_student_code(tmp_path):
    noisy = tmp_path / "noisy.py"
    noisy.write_text("import numpy as np\n"
                     "def fit_line(x, y):\n    return 2.5 + np.random.normal(0, 1), -1.0\n"
                     "def predict(x, a, b):\n    return a * x + b\n")
    runs = [_grade_one(noisy, seed=s, limits=Limits(timeout_s=30)).checks[0]["measured"]
            for s in (0, 0, 1)]
    assert runs[0] == runs[1] != runs[2]


def test_grader_validates_the_checks():
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
    outcome = _grade_one(forker, limits=Limits(timeout_s=60, nproc=32))
    assert outcome.status == "ok"
    forks = int(outcome.output.split("forks")[1].split()[0])
    assert 10 < forks <= 40  # 32 tasks in the cgroup (or more than the user already runs)
    # Each fork sleeps 60 s: a grade back sooner means they died with the jail, not waited for.
    assert outcome.seconds < 60
    assert _jails_left() == []


def test_nothing_outlives_a_killed_grader(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    shutil.copy(CORPUS / "loop.py", subs / "looper.py")
    code = ("import sys; sys.path.insert(0, 'tests'); from grading_fixture import EXERCISE; "
            "from aml.grading.grade import grade_class; from aml.sandbox import Limits; "
            f"grade_class(EXERCISE, {str(subs)!r}, {str(tmp_path / 'g.csv')!r}, "
            "limits=Limits(timeout_s=120))")
    env = {**os.environ, "PYTHONPATH": aml.SOURCE_ROOT}
    grader = subprocess.Popen([sys.executable, "-c", code], env=env,
                              cwd=Path(__file__).parent.parent, stdout=subprocess.DEVNULL)
    try:
        for _ in range(1200):
            if _jail_processes(grader.pid):
                break
            time.sleep(0.1)
        else:
            pytest.fail("the student's jail never started")
    finally:
        grader.send_signal(signal.SIGKILL)
        grader.wait()
    both = (b"aml.sandbox.student", b"aml.sandbox.measure")
    assert _jails_left(owner=grader.pid, kinds=both) == []
    jail.sweep_stale_cgroups()  # what the next grade does first
    left = [p for root in Path("/sys/fs/cgroup").glob("*")
            for p in root.glob(f"{jail.CGROUP_PREFIX}{grader.pid}-*")]
    assert left == []


def test_jail_as_an_unprivileged_user():
    """bwrap needs no root: as uid 65534 outside, it still makes every namespace."""
    probe = ("import os, socket; print(os.getuid(), os.getpid(), sorted(os.listdir('/proc'))"
             "[:0], socket.if_nameindex())\n"
             "try:\n    open('/usr/x', 'w')\nexcept OSError as e:\n    print('RO', e.errno)")
    command = jail.Jail(python=False).command(["/usr/bin/python3", "-c", probe])
    if os.geteuid() == 0:
        command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] + command
    run = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    uid, pid, _, *interfaces = run.stdout.split("\n")[0].split(maxsplit=3)
    assert (uid, int(pid) < 5) == ("65534", True)
    assert "eth" not in run.stdout and "RO 30" in run.stdout  # no network; read-only /usr


def test_one_line_when_the_jail_cannot_be_made(monkeypatch):
    monkeypatch.setattr(jail, "BWRAP", "/nonexistent/bwrap")
    assert "install bubblewrap" in jail.isolation_problem()
    monkeypatch.setattr(jail, "BWRAP", "/usr/bin/false")
    message = jail.isolation_problem()
    assert "user namespaces" in message and "\n" not in message
