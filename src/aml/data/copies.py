"""Unverified copies: datasets imported from a form no published checksum covers.

An image folder, an extracted aclImdb/ tree or Keras's cache cannot be checked against the
authors' digest, yet people have their data in those forms. Such a copy is read once, checked
for layout and content, and stored compactly in $AML_DATA/<name>/copy/ with a manifest
(copy.json) saying where it came from, how many files it held and a sha256 of what was stored,
so every run can name its data as an *unverified copy*. The copy is assembled in a hidden
temporary folder and renamed into place only when complete: a failed import leaves the cache
exactly as it was.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from aml import atomic
from aml.data import store
from aml.errors import AmlError

FOLDER = "copy"
MANIFEST = "copy.json"
VERIFIED = "verified archive"
UNVERIFIED = "unverified copy"


def copy_dir(name: str) -> Path:
    return store.dataset_dir(name) / FOLDER


def manifest(name: str) -> dict | None:
    """The manifest of an imported copy of `name`, or None when there is none."""
    try:
        return json.loads((copy_dir(name) / MANIFEST).read_text())
    except (OSError, ValueError):
        return None


def stored_digest(folder: Path, files: list[str]) -> str:
    """sha256 over the stored files, in the order given (names included, so order matters)."""
    h = hashlib.sha256()
    for filename in files:
        h.update(filename.encode() + b"\0")
        with open(folder / filename, "rb") as handle:
            for chunk in iter(lambda: handle.read(store.CHUNK), b""):
                h.update(chunk)
    return h.hexdigest()


@contextlib.contextmanager
def staged_copy(name: str) -> Iterator[Path]:
    """A hidden temporary folder in the dataset's cache folder; removed unless published."""
    parent = store.dataset_dir(name)
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=parent, prefix=f".{FOLDER}-", suffix=".part"))
    except OSError as err:
        raise AmlError(f"cannot write to the data cache {parent}: {err.strerror or err}; "
                       "set AML_DATA to a writable folder") from None
    try:
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def publish_copy(name: str, tmp: Path, stored: list[str], source: Path, layout: str,
                 files: int, counts: dict, notes: list[str] = (), extra: dict | None = None
                 ) -> dict:
    """Write the manifest into `tmp` and swap it in as the dataset's copy; returns the manifest.

    The old copy (if any) is renamed aside first and deleted only after the new one is in
    place, so at every moment the cache holds one complete copy or none.
    """
    info = {
        "dataset": name, "provenance": UNVERIFIED, "source": str(Path(source).resolve()),
        "layout": layout, "files": files, "counts": counts,
        "sha256": stored_digest(tmp, stored), "stored": stored, "notes": list(notes),
        "imported": time.strftime("%Y-%m-%dT%H:%M:%S"), **(extra or {}),
    }
    (tmp / MANIFEST).write_text(json.dumps(info, indent=2) + "\n")
    tmp.chmod(atomic.folder_mode())  # mkdtemp makes owner-only folders; a cache is shared
    final = copy_dir(name)
    aside = None
    if final.exists():
        aside = final.with_name(f".{FOLDER}-old-{os.getpid()}")
        os.rename(final, aside)
    os.rename(tmp, final)
    if aside is not None:
        shutil.rmtree(aside, ignore_errors=True)
    return info


def check_copy(name: str) -> dict:
    """Re-hash a stored copy against its manifest; AmlError when it changed since import."""
    info = manifest(name)
    if info is None:
        raise AmlError(f"{name} has no imported copy")
    found = stored_digest(copy_dir(name), info["stored"])
    if found != info["sha256"]:
        raise AmlError(f"the imported copy in {copy_dir(name)} changed since it was imported "
                       f"(sha256 {found}, imported as {info['sha256']}); import it again")
    return info


def describe(info: dict) -> str:
    """One line for `aml data list` and reports: unverified, file count, digest."""
    notes = "; ".join(info.get("notes") or ())
    return (f"{UNVERIFIED} ({info['layout']}, {info['files']:,} files, sha256 "
            f"{info['sha256'][:12]}){': ' + notes if notes else ''}")


def archive_or_copy(name: str, archive: str, system_dirs, title: str, read_archive, read_copy):
    """Read the verified `archive` where it is found, else the imported copy; with neither,
    the archive's own "not found" error (which says how to fetch or import it)."""
    try:
        path = store.locate(name, archive, system_dirs, title=title)
    except AmlError:
        if manifest(name) is None:
            raise
        return read_copy()
    return read_archive(path)


def provenance(name: str, archive: str, system_dirs=(), title: str = "") -> dict:
    """What a loader preferring its verified `archive` over an imported copy will read."""
    try:
        path = store.locate(name, archive, system_dirs, title=title)
        return {"dataset": name, "provenance": VERIFIED, "path": str(path),
                "detail": store.check(path, name, archive).describe()}
    except AmlError as err:
        info = manifest(name)
        if info is None:
            return {"dataset": name, "provenance": "missing", "detail": str(err)}
        return {"dataset": name, "provenance": UNVERIFIED, "path": str(copy_dir(name)),
                "detail": describe(info), "sha256": info["sha256"], "files": info["files"],
                "source": info["source"]}
