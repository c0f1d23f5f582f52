"""Where runs are written: results/<id>/<run>/ holding metrics.json and figures, atomically.

A run is assembled in a hidden staging folder and renamed into place only when complete, so
an interrupted run leaves nothing half-written. results/index.json remembers each entry's
latest run for `aml list`.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import math
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

INDEX = "index.json"
STAGING_PREFIX = ".staging-"


def results_root(out: str | os.PathLike | None = None) -> Path:
    """The results folder: --out, else $AML_RESULTS, else ./results."""
    return Path(out or os.environ.get("AML_RESULTS") or "results")


def _jsonable(value):
    """Make NumPy scalars/arrays and non-finite floats safe for strict JSON."""
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def write_json_atomic(path: Path, data) -> None:
    """Write JSON to a temporary file in the same folder, then rename it over `path`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as handle:
            json.dump(_jsonable(data), handle, indent=2, sort_keys=True)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write bytes to a temporary sibling, then rename it over `path`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def new_run_name(seed: int, quick: bool) -> str:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    return f"{stamp}-s{seed}{'-quick' if quick else ''}-{os.getpid()}"


@contextlib.contextmanager
def staged_run(root: Path, entry_id: str, run_name: str) -> Iterator[Path]:
    """Yield a staging folder; on success the caller publishes it, on any error it vanishes."""
    parent = Path(root) / entry_id
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=parent, prefix=STAGING_PREFIX + run_name + "."))
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
    update_index(staging.parent.parent, record["id"], {
        "run": record["run"],
        "path": str(final),
        "passed": record["passed"],
        "quick": record["quick"],
        "metrics": record["metrics"],
        "finished": record["finished"],
    })
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
    """Latest run of every entry; an unreadable index reads as empty rather than failing."""
    try:
        return json.loads((Path(root) / INDEX).read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def update_index(root: Path, entry_id: str, summary: dict) -> None:
    root = Path(root)
    with _locked(root):
        index = read_index(root)
        index[entry_id] = summary
        write_json_atomic(root / INDEX, index)


def load_run(path: Path) -> dict:
    return json.loads((Path(path) / "metrics.json").read_text())
