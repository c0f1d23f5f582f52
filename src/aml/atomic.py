"""Atomic file writing: every file and folder aml publishes appears whole or not at all.

A file is written to a temporary sibling and renamed over its destination; a folder is
assembled under a temporary name and renamed into place. Python's `tempfile` creates both
owner-only (0600/0700), which would leave a class's shared results unreadable to the rest of
the group, so published files get the permissions an ordinary `open` would give: 0666 and
0777 less the process umask (0644 and 0755 under the usual umask 022).
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO


def umask() -> int:
    """The process umask, read without changing it where Linux allows (threads may write)."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def file_mode() -> int:
    return 0o666 & ~umask()


def folder_mode() -> int:
    return 0o777 & ~umask()


def jsonable(value):
    """NumPy scalars and arrays as lists and numbers, non-finite floats as strings: strict JSON."""
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


@contextlib.contextmanager
def staged_file(path: str | os.PathLike, suffix: str = ".tmp") -> Iterator[StagedFile]:
    """Yield a temporary sibling of `path` open for binary writing; its `publish()` makes it
    `path`. Leaving the block without publishing (an error, a failed check) removes it and
    leaves any existing `path` exactly as it was."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=suffix)
    staged = StagedFile(os.fdopen(fd, "wb"), Path(tmp), path)
    try:
        yield staged
    finally:
        staged.handle.close()
        with contextlib.suppress(FileNotFoundError):
            staged.temporary.unlink()


@dataclass
class StagedFile:
    handle: BinaryIO
    temporary: Path
    path: Path

    def finish(self) -> Path:
        """Flush and close the temporary file (it can then be read back and checked)."""
        if not self.handle.closed:
            self.handle.flush()
            os.fsync(self.handle.fileno())
            self.handle.close()
        return self.temporary

    def publish(self) -> Path:
        self.finish()
        os.chmod(self.temporary, file_mode())
        os.replace(self.temporary, self.path)
        return self.path


def write_bytes_atomic(path: str | os.PathLike, data: bytes) -> Path:
    """Write `data` to a temporary sibling, flush it to disk, then rename it over `path`."""
    with staged_file(path) as staged:
        staged.handle.write(data)
        return staged.publish()


def write_text_atomic(path: str | os.PathLike, text: str) -> Path:
    return write_bytes_atomic(path, text.encode("utf-8"))


def write_json_atomic(path: str | os.PathLike, data) -> Path:
    """Strict, sorted, indented JSON (see `jsonable`), written atomically."""
    text = json.dumps(jsonable(data), indent=2, sort_keys=True, allow_nan=False)
    return write_bytes_atomic(path, (text + "\n").encode("utf-8"))


def staging_folder(parent: str | os.PathLike, prefix: str) -> Path:
    """A new hidden folder in `parent` (created if needed), to be renamed into place later;
    it carries the umask's permissions so the published folder does too."""
    parent = Path(parent)
    parent.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(dir=parent, prefix=prefix))
    os.chmod(folder, folder_mode())
    return folder
