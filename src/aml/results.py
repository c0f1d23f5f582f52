"""Where runs are written: results/<id>/<run>/ holding metrics.json and figures, atomically.

A run is assembled in a hidden staging folder and renamed into place only when complete, so
an interrupted run leaves nothing half-written. results/index.json remembers each entry's
latest run for `aml list`.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from aml.atomic import staging_folder, write_json_atomic
from aml.errors import AmlError

INDEX = "index.json"
STAGING_PREFIX = ".staging-"


def results_root(out: str | os.PathLike | None = None) -> Path:
    """The results folder: --out, else $AML_RESULTS, else ./results."""
    return Path(out or os.environ.get("AML_RESULTS") or "results")


def new_run_name(seed: int, quick: bool) -> str:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    return f"{stamp}-s{seed}{'-quick' if quick else ''}-{os.getpid()}"


@contextlib.contextmanager
def staged_run(root: Path, entry_id: str, run_name: str) -> Iterator[Path]:
    """Yield a staging folder; on success the caller publishes it, on any error it vanishes."""
    staging = staging_folder(Path(root) / entry_id, STAGING_PREFIX + run_name + ".")
    try:
        yield staging
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def publish_run(staging: Path, record: dict) -> Path:
    """Write metrics.json into the staging folder and rename it to its final name (with a
    "-2", "-3", ... suffix when a run of the same second, seed and process already has it)."""
    name, copy = record["run"], 1
    while (staging.parent / record["run"]).exists():
        copy += 1
        record["run"] = f"{name}-{copy}"
    write_json_atomic(staging / "metrics.json", record)
    final = staging.parent / record["run"]
    os.rename(staging, final)
    update_index(staging.parent.parent, record["id"], _summary({**record, "folder": str(final)}))
    return final


@contextlib.contextmanager
def _locked(root: Path) -> Iterator[None]:
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".index.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def read_index(root: Path) -> dict:
    """Latest run of every entry. An index that is unreadable, or missing while runs exist,
    is rebuilt from the run folders (with a warning on stderr) and written back."""
    root = Path(root)
    try:
        index = json.loads((root / INDEX).read_text())
        if isinstance(index, dict):
            return index
        problem = "is not a JSON object"
    except FileNotFoundError:
        problem = "is missing"
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        problem = f"is unreadable ({type(err).__name__})"
    runs = latest_runs(root)
    if not runs:
        return {}
    try:
        with _locked(root):
            return _rebuild(root, problem)
    except OSError:  # a read-only results folder: show the rebuilt index, keep the file
        index = {entry_id: _summary(record) for entry_id, record in runs.items()}
        _warn(root, problem, len(index), "(not saved: the folder is read-only)")
        return index


def _rebuild(root: Path, problem: str) -> dict:
    index = {entry_id: _summary(record) for entry_id, record in latest_runs(root).items()}
    write_json_atomic(root / INDEX, index)
    _warn(root, problem, len(index))
    return index


def _warn(root: Path, problem: str, entries: int, note: str = "") -> None:
    print(f"aml: warning: {root / INDEX} {problem}; rebuilt it from the run folders of "
          f"{entries} entries {note}".rstrip(), file=sys.stderr)


def published_runs(root: Path) -> Iterator[tuple[Path, dict]]:
    """(folder, record) of every published run under root; staging folders and unreadable
    metrics.json files are skipped (a reader never fails on one broken run)."""
    root = Path(root)
    for path in sorted(root.glob("*/*/metrics.json")):
        if any(part.startswith(".") for part in path.relative_to(root).parts):
            continue
        try:
            record = json.loads(path.read_text())
        except (OSError, UnicodeDecodeError, ValueError):
            continue
        if isinstance(record, dict) and "id" in record and "metrics" in record:
            yield path.parent, record


def latest_runs(root: Path, *, prefer_full: bool = False) -> dict[str, dict]:
    """Per entry id its newest run, with its folder; with `prefer_full`, its newest full run
    when it has one (the report shows those before quick ones)."""
    chosen: dict[str, dict] = {}

    def rank(record):
        order = (record.get("finished", ""), record.get("run", ""))
        return (not record.get("quick", False), *order) if prefer_full else order

    for folder, record in published_runs(root):
        record["folder"] = str(folder)
        current = chosen.get(record["id"])
        if current is None or rank(record) > rank(current):
            chosen[record["id"]] = record
    return chosen


def _summary(record: dict) -> dict:
    return {"run": record.get("run"), "path": record.get("folder") or record.get("path"),
            "passed": bool(record.get("passed")), "outcome": outcome(record),
            "quick": bool(record.get("quick")), "metrics": record["metrics"],
            "finished": record.get("finished", "")}


def update_index(root: Path, entry_id: str, summary: dict) -> None:
    root = Path(root)
    with _locked(root):
        try:
            index = json.loads((root / INDEX).read_text())
            if not isinstance(index, dict):
                raise ValueError("not an object")
        except FileNotFoundError:
            index = {}
        except (OSError, UnicodeDecodeError, ValueError) as err:
            # Rebuilding keeps every other entry's latest run (it includes this one, already
            # renamed into place) instead of starting a fresh index with one entry.
            index = _rebuild(root, f"is unreadable ({type(err).__name__})")
        index[entry_id] = summary
        write_json_atomic(root / INDEX, index)


def outcome(record: dict) -> str:
    """One word for a run, used alike by `aml run`, `aml list` and the report: "pass" (every
    applicable target met), "met (within 1 SE)" (met, one by less than its standard error),
    "missed", "no target" (nothing applied, so nothing was checked), "skipped" (its data is
    not on this machine) or "error" (the run failed)."""
    if "outcome" in record:
        return record["outcome"]
    if "skipped" in record:  # its data is not on this machine: not run, not failed
        return "skipped"
    if "error" in record:
        return "error"
    if "targets" in record:
        if not record["targets"]:
            return "no target"
        if not all(t["met"] for t in record["targets"]):
            return "missed"
        # Met, but by less than the test set's standard error somewhere: not a clean pass.
        close = any(t.get("status") == "met (within 1 SE)" for t in record["targets"])
        return "met (within 1 SE)" if close else "pass"
    return "pass" if record.get("passed") else "missed"


def writable_folder(path: str | os.PathLike, option: str = "--out") -> Path:
    """`path` as a folder aml can write into (created if missing), else a one-line AmlError
    naming the option, checked before any long work starts."""
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
        staging_folder(path, ".aml-write-check-").rmdir()
    except FileExistsError:
        raise AmlError(f"{option} {path} is a file, not a folder: pass a folder") from None
    except OSError as err:
        raise AmlError(f"cannot write to {option} {path}: {err.strerror or err}; pass a "
                       "folder you can write to") from None
    return path


def load_run(path: Path) -> dict:
    return json.loads((Path(path) / "metrics.json").read_text())


CHECKS = "checks"


def record_check(root: Path, exercise_id: str, summary: dict) -> Path:
    """Remember the latest `aml check` of one exercise, for `aml list` and `aml show`."""
    return write_json_atomic(Path(root) / CHECKS / f"{exercise_id}.json", summary)


def read_checks(root: Path) -> dict[str, dict]:
    """Latest check of each exercise; an unreadable file is skipped (it is a display only)."""
    found = {}
    for path in sorted((Path(root) / CHECKS).glob("*.json")):
        try:
            summary = json.loads(path.read_text())
        except (OSError, UnicodeDecodeError, ValueError):
            continue
        if isinstance(summary, dict):
            found[path.stem] = summary
    return found
