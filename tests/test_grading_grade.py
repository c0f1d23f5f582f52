"""`grade_class`: 30 students in parallel, the same CSV for the same seed, and a run that
is interrupted resumes without grading anyone twice or losing a finished result."""

import csv
import io
import json
import os

import pytest
from grading_fixture import EXERCISE

from aml.errors import AmlError
from aml.grading.grade import (
    Journal,
    display_name,
    grade_class,
    journal_path,
    render_csv,
    spreadsheet_safe,
)
from aml.sandbox import Limits

pytestmark = pytest.mark.sandbox

LIMITS = Limits(timeout_s=60, memory_mb=1024)
VARIANTS = [
    # least squares
    "def fit_line(x, y):\n    s, b = np.polyfit(x, y, 1)\n    return float(s), float(b)\n",
    # slope only
    "def fit_line(x, y):\n    s, b = np.polyfit(x, y, 1)\n    return float(s), 0.0\n",
    # gradient descent from a random start: the numbers depend on the seed
    "def fit_line(x, y):\n    s, b = np.random.normal(size=2)\n"
    "    for _ in range({n}):\n        e = s * x + b - y\n"
    "        s, b = s - 0.3 * np.mean(e * x), b - 0.3 * np.mean(e)\n"
    "    return float(s), float(b)\n",
    # a noisy guess
    "def fit_line(x, y):\n    return 2.5 + np.random.normal(0, 0.5), -1.0\n",
    # unfinished
    "def fit_line(x, y):\n    raise NotImplementedError('todo')\n",
    # NaN
    "def fit_line(x, y):\n    return float('nan'), 0.0\n",
]
PREDICT = "def predict(x, s, b):\n    return s * np.asarray(x) + b\n"


def make_class(folder, n=30):
    folder.mkdir()
    for i in range(n):
        body = VARIANTS[i % len(VARIANTS)].format(n=2 + 3 * i)
        (folder / f"student{i:02d}.py").write_text("import numpy as np\n\n" + body + PREDICT)
    return folder


def without_seconds(text: str) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][-1] == "seconds"
    return [row[:-1] for row in rows]


@pytest.mark.sandbox
def test_thirty_students_two_jobs_same_csv_for_same_seed(tmp_path):
    subs = make_class(tmp_path / "subs")
    first = grade_class(EXERCISE, subs, tmp_path / "a" / "grades.csv", jobs=2, limits=LIMITS,
                        log=lambda _: None)
    grade_class(EXERCISE, subs, tmp_path / "b" / "grades.csv", jobs=2, limits=LIMITS,
                log=lambda _: None)
    a = (tmp_path / "a" / "grades.csv").read_text()
    b = (tmp_path / "b" / "grades.csv").read_text()
    assert without_seconds(a) == without_seconds(b)
    rows = without_seconds(a)
    assert len(rows) == 31 and rows[0] == [
        "student", "name", "lms_id", "runs", "fit_line_returns_two_finite",
        "predict_returns_one_finite", "held_out_r2@0.5", "held_out_r2@0.9",
        "held_out_r2@0.99", "score", "max", "grade", "out_of", "percent", "status", "late",
        "feedback"]
    # the least-squares student: ran, every check passed, 5 of 5 = 100 %
    assert rows[1][3:] == ["1", "1", "1", "1", "1", "1", "5", "5", "5", "5", "100", "ok", "",
                           "all checks passed"]
    statuses = [r["status"] for r in first]
    assert statuses.count("ok") == 20 and statuses.count("error") == 5
    assert statuses.count("invalid output") == 5
    assert [r["score"] for r in first[:2]] == [5, 2]  # least squares, slope only
    report = json.loads((tmp_path / "a" / "grades.json").read_text())
    assert len(report["students"]) == 30 and report["settings"]["exercise"] == "t.line"
    assert all("hint" in c for s in report["students"] for c in s["checks"])


@pytest.mark.sandbox
def test_interrupted_run_resumes_without_regrading(tmp_path):
    subs = make_class(tmp_path / "subs", n=8)
    out = tmp_path / "grades.csv"
    seen = []

    def interrupt_after_two(line):
        seen.append(line)
        if len(seen) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        grade_class(EXERCISE, subs, out, jobs=2, limits=LIMITS, log=interrupt_after_two)
    journal = journal_path(out)
    before = [json.loads(line) for line in journal.read_text().splitlines()[1:]]
    assert 2 <= len(before) < 8 and not out.exists()
    # a crash in the middle of an append leaves a torn line: it must be ignored
    with open(journal, "a") as handle:
        handle.write('{"student": "student07", "hash": "x", "sco')
    log = []
    records = grade_class(EXERCISE, subs, out, jobs=2, limits=LIMITS, log=log.append)
    assert log[0] == f"{len(before)} submissions already graded in grades.csv.journal; " \
                     f"grading {8 - len(before)}"
    assert len(records) == 8
    lines = [json.loads(line) for line in journal.read_text().splitlines()[1:]]
    graded = [r["student"] for r in lines]
    assert sorted(graded) == sorted(set(graded)) and len(graded) == 8  # nobody twice
    by_student = {r["student"]: r for r in records}
    for old in before:  # finished results kept as they were, not regraded
        assert by_student[old["student"]]["seconds"] == old["seconds"]
    assert without_seconds(out.read_text()) == without_seconds(render_csv(records))
    # all done: a third run grades nothing
    log.clear()
    grade_class(EXERCISE, subs, out, jobs=2, limits=LIMITS, log=log.append)
    assert log == ["8 submissions already graded in grades.csv.journal; grading 0"]


@pytest.mark.sandbox
def test_changed_submission_is_graded_again_and_settings_are_checked(tmp_path):
    subs = make_class(tmp_path / "subs", n=2)
    out = tmp_path / "grades.csv"
    grade_class(EXERCISE, subs, out, limits=LIMITS, log=lambda _: None)
    (subs / "student01.py").write_text((subs / "student00.py").read_text())
    log = []
    records = grade_class(EXERCISE, subs, out, limits=LIMITS, log=log.append)
    assert log[0].startswith("1 submissions already graded") and records[1]["score"] == 5
    with pytest.raises(AmlError, match="other settings .*seed: 0 -> 1.*--restart"):
        grade_class(EXERCISE, subs, out, limits=LIMITS, seed=1, log=lambda _: None)
    records = grade_class(EXERCISE, subs, out, limits=LIMITS, seed=1, restart=True,
                          log=lambda _: None)
    assert len(records) == 2


def test_one_writer_at_a_time(tmp_path):
    subs = make_class(tmp_path / "subs", n=1)
    out = tmp_path / "grades.csv"
    holder = Journal(journal_path(out), {"exercise": "t.line"})
    try:
        with pytest.raises(AmlError, match="another `aml grade` is writing"):
            grade_class(EXERCISE, subs, out, limits=LIMITS, log=lambda _: None)
    finally:
        holder.close()


def test_bad_submissions_folder(tmp_path):
    with pytest.raises(AmlError, match="is not a folder"):
        grade_class(EXERCISE, tmp_path / "nope", tmp_path / "g.csv")
    (tmp_path / "empty").mkdir()
    with pytest.raises(AmlError, match="no submissions in"):
        grade_class(EXERCISE, tmp_path / "empty", tmp_path / "g.csv")
    with pytest.raises(AmlError, match="inside the submissions folder"):
        grade_class(EXERCISE, tmp_path / "empty", tmp_path / "empty" / "g.csv")


L1_BODY = {
    "correct": "keras.layers.Dense(8, activation='relu'), "
               "keras.layers.Dense(3, activation='softmax')",
    "he_init": "keras.layers.Dense(8, activation='relu', kernel_initializer='he_normal'), "
               "keras.layers.Dense(3, activation='softmax')",
    "too_wide": "keras.layers.Dense(16, activation='relu'), "
                "keras.layers.Dense(3, activation='softmax')",
    "sigmoid": "keras.layers.Dense(8, activation='relu'), "
               "keras.layers.Dense(3, activation='sigmoid')",
}


def make_l1_class(folder, n=30):
    """n lecture 1 submissions: four Sequential variants, the functional API, a TODO left."""
    folder.mkdir()
    kinds = [*L1_BODY, "functional", "unfinished"]
    for i in range(n):
        kind = kinds[i % len(kinds)]
        if kind in L1_BODY:
            body = f"    return keras.Sequential([keras.Input((4,)), {L1_BODY[kind]}])\n"
        elif kind == "functional":
            body = ("    x = keras.Input((4,))\n"
                    "    h = keras.layers.Dense(8, activation='relu')(x)\n"
                    "    return keras.Model(x, keras.layers.Dense(3, activation='softmax')(h))\n")
        else:
            body = "    raise NotImplementedError('build the list of layers')\n"
        (folder / f"{kind}{i:02d}.py").write_text(f"import keras\n\n\ndef build_model():\n{body}")
    return folder


def test_six_lecture1_submissions_two_jobs_same_csv_for_same_seed(tmp_path):
    from aml import catalog

    exercise = catalog.get("l1.sequential")
    subs = make_l1_class(tmp_path / "subs", n=6)
    limits = Limits(timeout_s=240, memory_mb=4096)
    runs = [grade_class(exercise, subs, tmp_path / name / "grades.csv", jobs=2, limits=limits,
                        quick=True, log=lambda _: None) for name in ("a", "b")]
    a, b = ((tmp_path / name / "grades.csv").read_text() for name in ("a", "b"))
    assert without_seconds(a) == without_seconds(b) and len(without_seconds(a)) == 7
    totals = {}
    for record in runs[0]:
        kind = record["student"].rstrip("0123456789")
        totals.setdefault(kind, set()).add((record["status"], record["score"]))
    assert totals == {"correct": {("ok", 6)}, "he_init": {("ok", 6)},
                      "too_wide": {("ok", 3)}, "sigmoid": {("ok", 3)},
                      "functional": {("ok", 4)}, "unfinished": {("error", 0)}}


def test_cells_a_spreadsheet_would_run_are_neutralised():
    assert [spreadsheet_safe(t) for t in ("=1+1", "+cmd", "-x", "@SUM(A1)", "\tx", "\rx")] \
        == ["'=1+1", "'+cmd", "'-x", "'@SUM(A1)", "'\tx", "'\rx"]
    assert [spreadsheet_safe(t) for t in ("-0.5", "+3", "alice", "")] == ["-0.5", "+3", "alice", ""]
    assert display_name(os.fsdecode(b"caf\xe9")) == "caf\\xe9"
    assert display_name("café") == "café"
