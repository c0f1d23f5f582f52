"""Atomic writing: whole files or none, strict JSON, and the umask's permissions."""

import json
import os
import stat

import numpy as np
import pytest

from aml import atomic


@pytest.fixture
def umask():
    """Set a umask for one test and restore the previous one afterwards."""
    previous = os.umask(0o022)
    os.umask(previous)
    yield os.umask
    os.umask(previous)


def mode(path):
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("mask, file_mode, folder_mode",
                         [(0o022, 0o644, 0o755), (0o077, 0o600, 0o700), (0o002, 0o664, 0o775)])
def test_written_files_and_folders_follow_the_umask(tmp_path, umask, mask, file_mode,
                                                     folder_mode):
    umask(mask)
    assert atomic.umask() == mask
    written = atomic.write_json_atomic(tmp_path / "a" / "b.json", {"x": 1})
    folder = atomic.staging_folder(tmp_path / "runs", ".staging-")
    assert mode(written) == file_mode
    assert mode(folder) == folder_mode


def test_json_is_strict_and_numpy_safe(tmp_path):
    path = atomic.write_json_atomic(tmp_path / "m.json", {
        "acc": np.float32(0.5), "curve": np.arange(3), "bad": float("nan"), 1: (np.inf,)})
    assert json.loads(path.read_text()) == {"acc": 0.5, "curve": [0, 1, 2], "bad": "nan",
                                            "1": ["inf"]}


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    atomic.write_json_atomic(tmp_path / "a.json", {"x": 1})
    with pytest.raises(TypeError):
        atomic.write_json_atomic(tmp_path / "a.json", {"x": object()})
    assert json.loads((tmp_path / "a.json").read_text()) == {"x": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]


def test_every_writer_in_the_package_uses_this_module():
    """No second copy of the temporary-file-and-rename dance hides elsewhere in aml."""
    import pathlib

    root = pathlib.Path(atomic.__file__).parent
    offenders = [str(p.relative_to(root)) for p in root.rglob("*.py")
                 if p.name != "atomic.py" and "os.replace(" in p.read_text()
                 and "mkstemp(" in p.read_text()]
    assert offenders == []
