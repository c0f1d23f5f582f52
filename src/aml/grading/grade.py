"""Grade a class: every submission checked in its own jail, in parallel, resumably.

Submissions: each entry of the submissions folder is one student, named after it: a file
`alice.py` (student "alice") or a folder `alice/` holding the exercise file (named like the
template, e.g. `sequential.py`, or the folder's only .py file; the folder is visible to the
student's code read-only, so a student may add helper modules). Every other entry gets a
row too, with status "not graded" (a symbolic link, a file that is not .py, a device...);
only names starting with "." or "__" (system clutter such as .DS_Store, __MACOSX) are
skipped. A file name in any encoding is graded; its student name shows undecodable bytes as
backslash escapes (\\xNN).

Per-student record (one JSON line in the journal, the list `grade_class` returns and the
"students" of the JSON file): student (display name), hash (SHA-256 of the submission's
files, "" when not graded), status (one of aml.sandbox.run.STATUSES), detail (one line),
checks (list of {name, tier, key, passed, measured, target, hint, points, score, status,
n: the held-out examples behind an accuracy, 0 when none}), score, max_score, seconds,
output (the first 64 KB the student's code printed), output_bytes, isolation (how the jail
was made, e.g. "bwrap, cgroup v1 memory+pids+cpu"), peak_memory_mb, copied_reference (True
when the file reproduces the reference solution token for token; the detail says so too),
info (what intake knew: name, LMS id, notes, the graded code; see aml.grading.day).
Re-measured records (aml.grading.fairness) are appended again with "remeasured" and
"fairness" notes; a student's last line counts.

Resuming: each finished result is appended as one JSON line to `<out>.journal` (a single
O_APPEND write, then fsync), so an interrupted run keeps every finished result. The next run
with the same settings skips students whose submission (content hash) is already there, so
nothing is graded twice; a torn last line is ignored and that student graded again. The CSV
and JSON are rendered from the journal at the end, atomically. The CSV is the plain
gradebook of aml.grading.gradebook, sorted by student and, for the same seed, identical
between runs except its last column, `seconds`.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from aml.atomic import write_bytes_atomic, write_json_atomic
from aml.errors import AmlError
from aml.grading import gradebook
from aml.grading.intake import display_name
from aml.sandbox import jail
from aml.sandbox.run import (
    Limits,
    Measurer,
    grade_submission,
    grading_environment,
    key_fingerprint,
    kill_running,
)
from aml.tables import format_table


def discover(submissions: Path) -> dict[str, Path]:
    """Student name -> submission entry (anything but system clutter), sorted by name."""
    if not submissions.is_dir():
        raise AmlError(f"{submissions} is not a folder: pass the folder of submissions")
    found = {}
    for entry in sorted(submissions.iterdir()):
        if entry.name.startswith((".", "__")):
            continue
        is_file = entry.is_file() and not entry.is_symlink()
        name = display_name(entry.stem if is_file and entry.suffix == ".py" else entry.name)
        while name in found:  # alice.py and a folder alice/: both get a row
            name += "~"
        found[name] = entry
    if not found:
        raise AmlError(f"no submissions in {submissions}: expected student .py files or folders")
    return found


def not_gradable(path: Path) -> str:
    """Why an entry is not a submission ('' when it is one)."""
    if path.is_symlink():
        return "a symbolic link; submit the file or folder itself"
    if path.is_dir():
        return ""
    if not path.is_file():
        return "not a regular file or folder"
    if path.suffix != ".py":
        return f"not a .py file ({display_name(path.name)}); submit the exercise's .py file"
    return ""


def submission_hash(path: Path) -> str:
    """SHA-256 of a submission's regular files (relative names and bytes); "" when the
    entry is not a submission or cannot be read."""
    if not_gradable(path):
        return ""
    digest = hashlib.sha256()
    files = [path] if path.is_file() else sorted(
        p for p in path.rglob("*") if p.is_file() and not p.is_symlink())
    try:
        for file in files:
            digest.update(os.fsencode(file.relative_to(path) if path.is_dir() else file.name))
            digest.update(hashlib.sha256(file.read_bytes()).digest())
    except OSError:
        return ""
    return digest.hexdigest()


def journal_path(out: Path) -> Path:
    return out.with_name(out.name + ".journal")


class Journal:
    """The append-only record of finished results; holds an exclusive lock while open."""

    def __init__(self, path: Path, settings: dict, restart: bool = False):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.lock = open(path.with_name(path.name + ".lock"), "w")  # noqa: SIM115
        try:
            fcntl.flock(self.lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.lock.close()
            raise AmlError(f"another `aml grade` is writing {path}; wait for it or pass "
                           "another --out") from None
        self.done: dict[str, dict] = {}
        header, records = self._read()
        if header is not None and header != settings and not restart:
            self.close()
            raise AmlError(f"{path} was made with other settings ({_differences(header, settings)})"
                           "; pass --restart to grade everything again, or another --out")
        if restart or header is None:
            records = []
        if restart or header is None or self.torn:  # rewrite without the torn tail
            write_bytes_atomic(path, b"".join(
                (json.dumps(line, sort_keys=True) + "\n").encode()
                for line in [{"settings": settings}, *records]))
        for record in records:
            self.done[record["student"]] = record
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND)
        self.write_lock = threading.Lock()

    def _read(self) -> tuple[dict | None, list[dict]]:
        self.torn = False
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return None, []
        lines = data.splitlines()
        self.torn = not data.endswith(b"\n")
        records = []
        for line in lines[1:]:
            try:
                record = json.loads(line)
            except ValueError:  # a torn last line: that student is graded again
                self.torn = True
                continue
            if isinstance(record, dict) and "student" in record:
                records.append(record)
        try:
            return json.loads(lines[0])["settings"], records
        except (IndexError, ValueError, KeyError, TypeError):
            return None, []

    def append(self, record: dict) -> None:
        line = (json.dumps(record, sort_keys=True) + "\n").encode()
        with self.write_lock:
            written = os.write(self.fd, line)
            if written != len(line):
                raise OSError(f"short write to {self.path}")
            os.fsync(self.fd)
            self.done[record["student"]] = record

    def close(self) -> None:
        with contextlib.suppress(AttributeError, OSError):
            os.close(self.fd)
        fcntl.flock(self.lock, fcntl.LOCK_UN)
        self.lock.close()


def _differences(old: dict, new: dict) -> str:
    keys = [k for k in sorted(set(old) | set(new)) if old.get(k) != new.get(k)]
    return ", ".join(f"{k}: {old.get(k)!r} -> {new.get(k)!r}" for k in keys[:3])


class Progress:
    """Progress lines: done/total, failures so far and an ETA from the mean time so far
    (wall clock, so parallel workers count once)."""

    def __init__(self, total: int, clock=time.monotonic):
        self.total, self.done, self.failed = total, 0, 0
        self.clock, self.start = clock, clock()

    def line(self, name: str, score: float, status: str, seconds: float) -> str:
        self.done += 1
        self.failed += status != "ok"
        elapsed = self.clock() - self.start
        left = (self.total - self.done) * elapsed / self.done
        eta = f"ETA {_duration(left)}" if self.done < self.total else "done"
        return (f"[{self.done}/{self.total}, {self.failed} not ok, {eta}] {name}: "
                f"{score:g} points, {status} ({seconds:.1f} s)")


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


# one formula-neutralising function for every CSV aml writes (kept importable from here)
spreadsheet_safe = gradebook.spreadsheet_safe


def render_csv(records: list[dict]) -> str:
    """The plain gradebook (see aml.grading.gradebook)."""
    return gradebook.render(records, "plain")


def summary_table(records: list[dict]) -> str:
    """One row per student (scores out of the exercise's full marks) and a closing line
    counting each status."""
    maximum = gradebook.exercise_maximum(records)
    rows = [[r["student"], f"{r['score']:g}/{maximum:g}", r["status"],
             (r["detail"] or "")[:60], f"{r['seconds']:.1f}"]
            for r in sorted(records, key=lambda r: r["student"])]
    table = format_table(rows, ["student", "score", "status", "detail", "seconds"])
    counts: dict[str, int] = {}
    for r in records:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    mean = sum(r["score"] for r in records) / max(1, len(records))
    return (table + f"\n\n{len(records)} submissions: "
            + ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
            + f"; mean score {mean:.2f}/{maximum:g}")


def _not_run(name: str, status: str, detail: str) -> dict:
    """The record of a submission that was not run (not a submission, or judged before)."""
    return {"student": name, "hash": "", "status": status, "detail": detail, "checks": [],
            "score": 0.0, "max_score": 0.0, "seconds": 0.0, "output": "", "output_bytes": 0,
            "isolation": "", "peak_memory_mb": None, "copied_reference": False}


def grade_class(exercise, submissions: str | Path, out: str | Path = "grades.csv", *,
                jobs: int = 1, limits: Limits | None = None, quick: bool = False, seed: int = 0,
                hidden: str | Path | None = None, restart: bool = False,
                backend: str | None = None, info: dict[str, dict] | None = None,
                prejudged: dict[str, tuple[str, str]] | None = None,
                log=print) -> list[dict]:
    """Grade every submission not yet in the journal; write the CSV and JSON; return all
    records (sorted by student; the record format is in this module's docstring).

    `info` (student -> dict) is kept in each record as "info" (name, LMS id, intake notes);
    `prejudged` (student -> (status, detail)) are rows for submissions that cannot run (a
    notebook that does not parse): recorded without starting a jail. Nothing else needs
    protecting: a student's jail sees only its own submission (aml.sandbox.jail), never the
    teacher's originals, the other prepared copies or the grades."""
    submissions, out = Path(submissions).resolve(), Path(out).resolve()
    limits = limits or Limits()
    if out.is_relative_to(submissions):
        raise AmlError(f"--out {out} is inside the submissions folder; write the grades "
                       "elsewhere")
    problem = jail.isolation_problem()
    if problem:
        raise AmlError(problem)
    jail.sweep_stale_cgroups()
    prejudged = prejudged or {}
    info = info or {}
    if prejudged and submissions.is_dir() and not any(submissions.iterdir()):
        students = {}  # every submission was judged before running (none can run)
    else:
        students = discover(submissions)
    hidden_source = None
    if hidden is not None:
        try:
            hidden_source = Path(hidden).read_text()
            compile(hidden_source, str(hidden), "exec")
        except (OSError, UnicodeDecodeError, SyntaxError) as err:
            raise AmlError(f"cannot use the hidden checks {hidden}: {err}") from None
    settings = {"exercise": exercise.id, "checker": exercise.checker, "quick": quick,
                "seed": seed, "timeout_s": limits.timeout_s, "memory_mb": limits.memory_mb,
                "backend": backend or "tensorflow", **(
                    {"environment": grading_environment()} if grading_environment() else {}),
                "hidden": hashlib.sha256((hidden_source or "").encode()).hexdigest()[:16],
                "key": key_fingerprint()}
    journal = Journal(journal_path(out), settings, restart)
    json_path = out.with_suffix(".json")
    hashes = {name: submission_hash(path) for name, path in students.items()}
    for name, (status, detail) in prejudged.items():
        digest = hashlib.sha256(f"{status}\0{detail}".encode()).hexdigest()
        if journal.done.get(name, {}).get("hash") != digest:
            journal.append({**_not_run(name, status, detail), "hash": digest,
                            "info": info.get(name, {})})
    todo = [name for name in students if journal.done.get(name, {}).get("hash") != hashes[name]
            or not hashes[name]]
    kept = len(students) - len(todo)
    if kept:
        log(f"{kept} submissions already graded in {journal.path.name}; grading {len(todo)}")
    measurers = [Measurer(exercise, backend, limits.threads) for _ in range(max(1, jobs))]
    free = list(measurers)
    slot_lock, stopping = threading.Lock(), threading.Event()
    progress = Progress(len(todo))

    def grade_one(name: str) -> None:
        path = students[name]
        why = not_gradable(path)
        if why:
            record = _not_run(name, "not graded", why)
        else:
            with slot_lock:
                measurer = free.pop()
            try:
                outcome = grade_submission(exercise, path, measurer, quick=quick, seed=seed,
                                           limits=limits, hidden_source=hidden_source,
                                           backend=backend)
            finally:
                with slot_lock:
                    free.append(measurer)
            if stopping.is_set():  # killed by our own interrupt: not a result
                return
            record = {"student": name, "hash": hashes[name], **outcome.as_dict()}
        record["info"] = info.get(name, {})
        journal.append(record)
        with slot_lock:
            log(progress.line(name, record["score"], record["status"], record["seconds"]))

    pool = ThreadPoolExecutor(max_workers=max(1, jobs))
    try:
        futures = [pool.submit(grade_one, name) for name in todo]
        for future in as_completed(futures):
            future.result()
    except BaseException:
        stopping.set()
        kill_running()
        for measurer in measurers:
            measurer.close()
        pool.shutdown(wait=True, cancel_futures=True)
        journal.close()
        raise
    pool.shutdown(wait=True)
    for measurer in measurers:
        measurer.close()
    records = [journal.done[name] for name in [*students, *prejudged] if name in journal.done]
    journal.close()
    write_bytes_atomic(out, render_csv(records).encode())
    write_json_atomic(json_path, {"settings": settings, "students": records,
                                  "rendered": time.strftime("%Y-%m-%d %H:%M:%S")})
    return sorted(records, key=lambda r: r["student"])
