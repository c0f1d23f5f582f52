"""The jail every piece of untrusted work runs in: bubblewrap, cgroups and rlimits.

What a jailed process gets (see `command`):
- its own user, PID, mount, IPC, UTS, network and (where the kernel has them) cgroup
  namespaces; uid/gid 65534 inside, no capabilities, no further user namespaces;
- a read-only view of the system (/usr, /etc and the /bin, /lib links), the Python
  installation, the virtualenv and aml's own source with every reference-solution folder
  covered by an empty tmpfs (so `import aml.lectures....solutions` finds nothing);
- one writable place, a size-capped tmpfs at /tmp (also HOME and the working folder); the
  jail's own root, where bwrap makes the mount points, is remounted read-only;
- a fresh /proc of its own PID namespace (the grader's /proc/<pid>/environ does not exist
  there) and a minimal /dev; a cleared environment rebuilt from `environment`;
- `--die-with-parent` and `--new-session`: it dies with the grader thread that started it
  and cannot reach the grader's terminal. The PID namespace's init is bwrap itself, so when
  it dies the kernel kills every process left in the namespace: nothing can outlive a run.
Limits: RLIMIT_AS/CPU/FSIZE/CORE always; when the grader may create cgroups (root with
cgroup v1 controllers here, or a delegated v2 subtree), a fresh cgroup bounds memory, tasks
and CPU share, and is removed afterwards; stale ones of a killed grader are removed by the
next run (`sweep_stale_cgroups`). Without cgroups, RLIMIT_NPROC bounds the tasks.
"""

from __future__ import annotations

import contextlib
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import aml

BWRAP = "/usr/bin/bwrap"
SANDBOX_UID = 65534
CGROUP_ROOT = Path("/sys/fs/cgroup")
CGROUP_PREFIX = "aml-jail-"
_SYSTEM = ("/usr", "/etc")
_LINKS = ("/bin", "/lib", "/lib64", "/lib32", "/sbin")


def _solution_folders(source_root: Path) -> list[Path]:
    """Every folder of reference solutions under aml's source (old and new layout)."""
    aml_root = source_root / "aml"
    found = [aml_root / "solutions"] + sorted(aml_root.glob("lectures/*/solutions"))
    return [path for path in found if path.is_dir()]


def python_paths() -> list[Path]:
    """The Python installation and virtualenv the jailed interpreter needs, as real paths."""
    paths = {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve()}
    return sorted(paths)


def interpreter() -> str:
    """The virtualenv's python, by a path that exists inside the jail."""
    venv = Path(sys.prefix).resolve()
    candidate = venv / "bin" / Path(sys.executable).name
    return str(candidate if candidate.exists() else Path(sys.executable).resolve())


@dataclass(frozen=True)
class Jail:
    """How to jail one process: what it sees, its writable space, its environment."""

    tmpfs_mb: int = 512
    readable: tuple[tuple[str, str], ...] = ()   # (host path, path inside) read-only binds
    environment: dict = field(default_factory=dict)
    network: bool = False
    python: bool = True    # bind the Python installation, the virtualenv and aml's source

    def command(self, argv: list[str]) -> list[str]:
        cmd = [BWRAP, "--unshare-all", "--unshare-user", "--uid", str(SANDBOX_UID),
               "--gid", str(SANDBOX_UID), "--hostname", "sandbox", "--disable-userns",
               "--die-with-parent", "--new-session", "--cap-drop", "ALL", "--clearenv"]
        if self.network:
            cmd.append("--share-net")
        for path in _SYSTEM:
            cmd += ["--ro-bind", path, path]
        for path in _LINKS:
            if os.path.islink(path):
                cmd += ["--symlink", os.readlink(path), path]
            elif os.path.isdir(path):
                cmd += ["--ro-bind", path, path]
        # /tmp first: a bind below it (aml or a virtualenv unpacked under /tmp, as in the
        # Gradescope runner's tests) is then mounted on top and stays visible, while nothing
        # else of the host's /tmp is
        cmd += ["--proc", "/proc", "--dev", "/dev",
                "--size", str(self.tmpfs_mb * 1024 * 1024), "--tmpfs", "/tmp"]
        if self.python:
            for path in python_paths():
                cmd += ["--ro-bind", str(path), str(path)]
            source = Path(aml.SOURCE_ROOT).resolve()
            cmd += ["--ro-bind", str(source), str(source)]
            for folder in _solution_folders(source):
                cmd += ["--tmpfs", str(folder)]
        for host, inside in self.readable:
            cmd += ["--ro-bind", host, inside]
        cmd += ["--remount-ro", "/", "--chdir", "/tmp"]
        env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "TMPDIR": "/tmp", "LANG": "C.UTF-8",
               "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1", **self.environment}
        for key, value in env.items():
            cmd += ["--setenv", key, str(value)]
        return cmd + ["--", *argv]


def isolation_problem() -> str:
    """'' when bubblewrap can jail a process here, else one line saying what is missing."""
    if not os.path.exists(BWRAP):
        return (f"{BWRAP} is missing: install bubblewrap (Debian/Ubuntu: apt-get install "
                "bubblewrap) to grade or check in the sandbox")
    probe = Jail().command(["/usr/bin/true"] if os.path.exists("/usr/bin/true")
                           else [interpreter(), "-c", "pass"])
    try:
        run = subprocess.run(probe, capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as err:
        return f"bubblewrap cannot start here ({err}); grading needs it"
    if run.returncode == 0:
        return ""
    why = run.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no message"]
    return ("bubblewrap cannot create an unprivileged sandbox here (" + why[0] + "): the "
            "kernel must allow user namespaces (sysctl kernel.unprivileged_userns_clone=1 "
            "or user.max_user_namespaces > 0, and no AppArmor userns restriction)")


# ---- cgroups ---------------------------------------------------------------------------------

def _v1_controllers() -> dict[str, Path]:
    found = {}
    for name in ("memory", "pids", "cpu"):
        path = CGROUP_ROOT / name
        if path.is_dir() and os.access(path, os.W_OK) and not (path / "cgroup.controllers"
                                                                  ).exists():
            found[name] = path
    return found


def _v2_root() -> Path | None:
    """A cgroup v2 folder we may create children in (root, or a delegated subtree)."""
    for candidate in (CGROUP_ROOT, CGROUP_ROOT / "unified"):
        if (candidate / "cgroup.controllers").is_file():
            try:
                own = Path("/proc/self/cgroup").read_text().splitlines()
                relative = next(line.split("::", 1)[1] for line in own if line.startswith("0::"))
            except (OSError, StopIteration):
                continue
            base = candidate / relative.lstrip("/")
            if os.access(base, os.W_OK) and os.access(base / "cgroup.subtree_control",
                                                     os.W_OK):
                return base
    return None


@dataclass
class Cgroup:
    """One fresh cgroup (v1: one per controller; v2: one folder) for a single run."""

    folders: list[Path]
    kind: str

    def procs_files(self) -> list[str]:
        return [str(folder / "cgroup.procs") for folder in self.folders]

    def kill_all(self) -> None:
        """SIGKILL every task until none is left, then remove the folders."""
        for _ in range(300):
            pids = set()
            for folder in self.folders:
                with contextlib.suppress(OSError, ValueError):
                    pids |= {int(p) for p in (folder / "cgroup.procs").read_text().split()}
            if not pids:
                break
            for pid in pids:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.01)
        for folder in self.folders:
            with contextlib.suppress(OSError):
                folder.rmdir()

    def peak_memory_mb(self) -> float | None:
        for folder in self.folders:
            for name in ("memory.max_usage_in_bytes", "memory.peak"):
                with contextlib.suppress(OSError, ValueError):
                    return round(int((folder / name).read_text()) / 2**20, 1)
        return None

    def out_of_memory(self) -> bool:
        for folder in self.folders:
            with contextlib.suppress(OSError, ValueError):
                text = (folder / "memory.events").read_text()
                if any(line.split()[0] == "oom_kill" and int(line.split()[1]) > 0
                       for line in text.splitlines()):
                    return True
            with contextlib.suppress(OSError, ValueError):
                if int((folder / "memory.failcnt").read_text()) > 0:
                    return True
        return False


def _write(path: Path, text: str) -> None:
    with contextlib.suppress(OSError):
        path.write_text(text)


def make_cgroup(memory_mb: int, pids: int, cpus: float) -> Cgroup | None:
    """A fresh cgroup with the limits, or None where this machine does not let us."""
    name = f"{CGROUP_PREFIX}{os.getpid()}-{time.monotonic_ns()}"
    v1 = _v1_controllers()
    if v1:
        folders = []
        try:
            for controller, root in v1.items():
                folder = root / name
                folder.mkdir()
                folders.append(folder)
                if controller == "memory":
                    (folder / "memory.limit_in_bytes").write_text(str(memory_mb * 2**20))
                    _write(folder / "memory.memsw.limit_in_bytes", str(memory_mb * 2**20))
                elif controller == "pids":
                    (folder / "pids.max").write_text(str(pids))
                elif controller == "cpu":
                    (folder / "cpu.cfs_period_us").write_text("100000")
                    (folder / "cpu.cfs_quota_us").write_text(str(int(cpus * 100000)))
        except OSError:
            Cgroup(folders, "v1").kill_all()
            return None
        return Cgroup(folders, "v1 " + "+".join(v1))
    base = _v2_root()
    if base is None:
        return None
    folder = base / name
    try:
        _write(base / "cgroup.subtree_control", "+memory +pids +cpu")
        folder.mkdir()
        (folder / "memory.max").write_text(str(memory_mb * 2**20))
        _write(folder / "memory.swap.max", "0")
        (folder / "pids.max").write_text(str(pids))
        _write(folder / "cpu.max", f"{int(cpus * 100000)} 100000")
    except OSError:
        Cgroup([folder], "v2").kill_all()
        return None
    return Cgroup([folder], "v2 memory+pids+cpu")


def sweep_stale_cgroups() -> int:
    """Remove the cgroups of graders that were killed before they could clean up."""
    roots = list(_v1_controllers().values())
    base = _v2_root()
    if base is not None:
        roots.append(base)
    removed = 0
    for root in roots:
        for folder in root.glob(f"{CGROUP_PREFIX}*"):
            try:
                owner = int(folder.name[len(CGROUP_PREFIX):].split("-")[0])
            except ValueError:
                continue
            if owner == os.getpid() or Path(f"/proc/{owner}").exists():
                continue
            Cgroup([folder], "stale").kill_all()
            removed += not folder.exists()
    return removed


# ---- starting a jailed process --------------------------------------------------------------

@dataclass(frozen=True)
class Rlimits:
    memory_mb: int
    cpu_s: int
    file_mb: int
    nproc: int | None  # None: the cgroup bounds tasks


def _user_tasks(uid: int) -> int:
    """Threads currently owned by `uid` (RLIMIT_NPROC counts them all)."""
    count = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError):
            status = Path(entry.path, "status").read_text()
            fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
            if fields.get("Uid", "").split()[:1] == [str(uid)]:
                count += int(fields.get("Threads", "1"))
    return count


def start(jail: Jail, argv: list[str], limits: Rlimits, cgroup: Cgroup | None,
          pass_fds: tuple = (), **popen) -> subprocess.Popen:
    """Start argv in the jail. The limits are set in the forked child before bwrap runs
    (only async-signal-safe calls there: setrlimit and writes), so every process of the
    jail inherits them and is in the cgroup from its first instruction."""
    procs = [os.fsencode(p) for p in (cgroup.procs_files() if cgroup else [])]
    nproc = None if limits.nproc is None else _user_tasks(os.getuid()) + limits.nproc
    memory = limits.memory_mb * 2**20
    size = limits.file_mb * 2**20

    def limit() -> None:
        for path in procs:
            fd = os.open(path, os.O_WRONLY)
            os.write(fd, b"0")
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_s, limits.cpu_s + 2))
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if nproc is not None:
            resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))

    return subprocess.Popen(jail.command(argv), preexec_fn=limit, pass_fds=pass_fds,
                            start_new_session=True, **popen)


def bwrap_available() -> bool:
    return shutil.which(BWRAP) is not None
