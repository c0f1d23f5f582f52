"""Run one submission's checks in a locked-down child process and judge what comes back.

Safety, in layers (what each stops):
- a private temporary folder holding a copy of this submission only; the child's cwd, HOME
  and TMPDIR point there, and the environment is rebuilt from scratch (no secrets, 1 thread);
- its own session/process group, a wall-clock timeout, then SIGKILL to the whole group;
  processes are bounded by RLIMIT_NPROC (set just above the user's current task count) for a
  normal user; root ignores RLIMIT_NPROC, so under root the child goes into its own cgroup
  (v1 pids controller, pids.max) when /sys/fs/cgroup/pids is writable, and every task left in
  it is killed afterwards, even ones that escaped the process group with setsid();
- RLIMIT_CPU, RLIMIT_AS (address space; see DEFAULT_MEMORY_MB), RLIMIT_FSIZE, no core dumps;
- a new network namespace (no interface up) where the kernel allows it, as root or through
  a user namespace, plus an audit hook refusing non-Unix sockets anyway;
- an audit hook refusing writes outside the private folder, any access to the submissions
  folder, the grades and the hidden checks, subprocesses and ctypes (see aml.grading.child);
- results travel on a pipe the parent opened, as one message with a per-run nonce; the
  parent validates it, forces non-finite measurements to fail, and computes the scores.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import secrets
import selectors
import shutil
import signal
import struct
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import aml
from aml.grading.checks import INVALID

# Measured in the sandbox (Outcome.peak_vm_mb): a lecture 1 Keras check (TensorFlow 2.21 CPU,
# one thread, MALLOC_ARENA_MAX=2) peaks at 1.53 GB of address space (VmPeak) for 0.88 GB
# resident, and TensorFlow cannot even be imported under 1 GB (reported as "memory"). 4 GB
# leaves room for larger models and data and still stops a runaway allocation quickly.
# RLIMIT_AS rather than RLIMIT_DATA: DATA ignores mmap'd memory before Linux 4.7, and NumPy
# and TensorFlow allocate their large blocks with mmap. A CUDA build
# reserves far more address space, so the child hides GPUs (CUDA_VISIBLE_DEVICES="").
DEFAULT_MEMORY_MB = 4096
DEFAULT_TIMEOUT_S = 600.0
PIDS_ROOT = Path("/sys/fs/cgroup/pids")
STATUSES = ("ok", "invalid output", "error", "missing file", "exit called", "forbidden",
            "tampered", "timeout", "memory", "crashed")
_CHANNEL_MAX = 4 * 1024 * 1024
_MEMORY_WORDS = ("MemoryError", "bad_alloc", "Cannot allocate memory", "out of memory",
                 "OOM")
_BOOT = "import sys; sys.path.insert(0, {src!r}); from aml.grading.child import main; main()"


@dataclass(frozen=True)
class Limits:
    """What one submission may use; cpu_s defaults to twice the timeout per thread."""

    timeout_s: float = DEFAULT_TIMEOUT_S
    memory_mb: int = DEFAULT_MEMORY_MB
    cpu_s: int | None = None
    file_mb: int = 64
    nproc: int = 256
    output_kb: int = 64
    threads: int = 1

    def cpu_limit(self) -> int:
        return int(self.cpu_s or 2 * self.timeout_s * self.threads + 10)


@dataclass
class Outcome:
    """What grading one submission gave: a status, the validated checks and their scores."""

    status: str
    detail: str = ""
    checks: list[dict] = field(default_factory=list)
    seconds: float = 0.0
    output: str = ""
    output_bytes: int = 0
    network: str = ""
    max_rss_mb: float | None = None
    peak_vm_mb: float | None = None

    @property
    def score(self) -> float:
        return sum(c["score"] for c in self.checks)

    @property
    def max_score(self) -> float:
        return sum(c["points"] for c in self.checks)

    def as_dict(self) -> dict:
        return {"status": self.status, "detail": self.detail, "checks": self.checks,
                "score": self.score, "max_score": self.max_score, "seconds": self.seconds,
                "output": self.output, "output_bytes": self.output_bytes,
                "network": self.network, "max_rss_mb": self.max_rss_mb,
                "peak_vm_mb": self.peak_vm_mb}


def exercise_file(exercise, submission: Path) -> Path | None:
    """The file to check inside a submission: the file itself, or in a folder the file named
    like the exercise's template (e.g. sequential.py), else its only top-level .py file."""
    if submission.is_file():
        return submission
    expected = submission / Path(exercise.template).name
    if expected.is_file():
        return expected
    candidates = sorted(p for p in submission.glob("*.py") if p.is_file())
    return candidates[0] if len(candidates) == 1 else None


def _copy_submission(submission: Path, chosen: Path, private: Path, name: str,
                     max_bytes: int = 50 * 1024 * 1024) -> Path:
    """Copy regular files only (no symlinks, bounded size) into the private folder."""
    if submission.is_file():
        target = private / name
        shutil.copyfile(submission, target)
        return target
    total = 0
    for root, dirs, files in os.walk(submission, followlinks=False):
        rel = Path(root).relative_to(submission)
        dirs[:] = [d for d in dirs if not (Path(root) / d).is_symlink()]
        for filename in files:
            source = Path(root) / filename
            if source.is_symlink() or not source.is_file():
                continue
            total += source.stat().st_size
            if total > max_bytes:
                raise OSError(f"the submission folder is larger than {max_bytes >> 20} MB")
            (private / rel).mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, private / rel / filename)
    return private / chosen.relative_to(submission)


def _data_dir() -> str:
    return os.environ.get("AML_DATA") or str(Path.home() / ".cache" / "aml")


def _environment(private: Path, backend: str | None, threads: int) -> dict[str, str]:
    """A fresh environment: nothing of the grader's is passed on but the data folder."""
    threads_text = str(threads)
    return {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(private),
            "TMPDIR": str(private), "LANG": "C.UTF-8", "PYTHONHASHSEED": "0",
            "PYTHONDONTWRITEBYTECODE": "1", "KERAS_BACKEND": backend or "tensorflow",
            "KERAS_HOME": str(private / ".keras"), "TF_CPP_MIN_LOG_LEVEL": "2",
            "CUDA_VISIBLE_DEVICES": "", "MALLOC_ARENA_MAX": "2",
            "OMP_NUM_THREADS": threads_text, "OPENBLAS_NUM_THREADS": threads_text,
            "MKL_NUM_THREADS": threads_text, "TF_NUM_INTRAOP_THREADS": threads_text,
            "TF_NUM_INTEROP_THREADS": "1", "XLA_FLAGS": "--xla_cpu_multi_thread_eigen=false",
            "MPLCONFIGDIR": str(private), "MPLBACKEND": "Agg", "AML_DATA": _data_dir()}


def _user_tasks(uid: int) -> int:
    """Threads currently owned by `uid` (RLIMIT_NPROC counts them all)."""
    count = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            status = Path(entry.path, "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if fields.get("Uid", "").split()[:1] == [str(uid)]:
            count += int(fields.get("Threads", "1"))
    return count


def _pids_cgroup(limit: int) -> Path | None:
    """A fresh cgroup (v1 pids controller) bounding the number of tasks, when we may make one."""
    if not PIDS_ROOT.is_dir() or not os.access(PIDS_ROOT, os.W_OK):
        return None
    try:
        path = Path(tempfile.mkdtemp(prefix="aml-grade-", dir=PIDS_ROOT))
        (path / "pids.max").write_text(str(limit))
        return path
    except OSError:
        return None


def _kill_cgroup(path: Path | None) -> None:
    """SIGKILL every task of the cgroup until it is empty (pids.max stops refills), then
    remove it."""
    if path is None:
        return
    for _ in range(200):
        try:
            pids = [int(p) for p in (path / "cgroup.procs").read_text().split()]
        except OSError:
            break
        if not pids:
            break
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.01)
    with contextlib.suppress(OSError):
        path.rmdir()


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def _parse_message(data: bytes, nonce: str) -> tuple[dict | None, str]:
    """The child's one report, or None and why the channel cannot be trusted."""
    if len(data) < 8:
        return None, "no report"
    (length,) = struct.unpack(">Q", data[:8])
    if length != len(data) - 8:
        return None, "the report channel holds more or less than one report"
    try:
        message = json.loads(data[8:])
    except ValueError:
        return None, "the report is not valid JSON"
    if not isinstance(message, dict) or not secrets.compare_digest(
            str(message.get("nonce", "")), nonce):
        return None, "the report does not carry this run's nonce"
    return message, ""


def _finite(value) -> bool:
    return not (isinstance(value, float) and not math.isfinite(value))


def validate_checks(raw) -> tuple[list[dict], str]:
    """Checks with types enforced and scores computed here; an error when malformed."""
    if not isinstance(raw, list) or len(raw) > 500:
        return [], "the check list is malformed"
    checks = []
    for item in raw:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) \
                or not isinstance(item.get("passed"), bool):
            return [], "a check is malformed"
        points = item.get("points")
        if isinstance(points, bool) or not isinstance(points, (int, float)) \
                or not math.isfinite(points) or not 0 <= points <= 1000:
            return [], f"check {item['name']!r} has invalid points {points!r}"
        measured = item.get("measured")
        passed, status = item["passed"], str(item.get("status") or "")
        if not _finite(measured) or (isinstance(measured, list)
                                     and not all(_finite(v) for v in measured)):
            passed, status = False, INVALID
        tier = str(item.get("tier") or "")
        checks.append({"name": item["name"], "tier": tier,
                       "key": f"{item['name']} [tier {tier}]" if tier else item["name"],
                       "passed": passed, "measured": measured if _finite(measured) else
                       str(measured), "target": item.get("target"),
                       "hint": str(item.get("hint") or ""), "points": float(points),
                       "score": float(points) if passed else 0.0, "status": status,
                       "n": item["n"] if type(item.get("n")) is int and item["n"] > 0 else 0})
    keys = [c["key"] for c in checks]
    if len(set(keys)) != len(keys):
        return [], "two checks have the same name"
    return checks, ""


def _judge(message: dict | None, why: str, returncode: int, cpu_used: float, limits: Limits,
           timed_out: bool, output: str) -> tuple[str, str, list[dict]]:
    """Status, detail and checks from how the child ended and what it reported."""
    if timed_out:
        return "timeout", f"still running after {limits.timeout_s:g} s (wall clock)", []
    if returncode == -signal.SIGXCPU or (returncode == -signal.SIGKILL
                                         and cpu_used >= limits.cpu_limit() - 1):
        return "timeout", f"used the {limits.cpu_limit()} s CPU-time limit", []
    if message is None:
        if any(word in output for word in _MEMORY_WORDS):
            return "memory", f"ran out of memory ({limits.memory_mb} MB)", []
        if returncode < 0:
            return "crashed", f"killed by {signal.Signals(-returncode).name}", []
        if why != "no report":
            return "tampered", why, []
        return "crashed", f"exited with code {returncode} before reporting", []
    status, detail = message.get("status"), str(message.get("detail") or "")[:500]
    if status not in STATUSES:
        return "tampered", f"unknown status {status!r}", []
    checks, error = validate_checks(message.get("checks"))
    if error:
        return "tampered", error, []
    if status != "ok":
        for check in checks:
            check["score"] = 0.0
            check["passed"] = False
        return status, detail, checks
    invalid = [c["key"] for c in checks if c["status"] == INVALID]
    if invalid:
        return INVALID, "unusable values in: " + ", ".join(invalid[:5]), checks
    return "ok", detail, checks


def run_sandboxed(exercise, submission: str | Path, *, quick: bool = False, seed: int = 0,
                  limits: Limits | None = None, hidden_source: str | None = None,
                  protected: tuple = (), unlistable: tuple = (), slot: int = 0,
                  backend: str | None = None, processes: dict | None = None) -> Outcome:
    """Check one submission (file or folder) in a sandboxed child; never raises for anything
    the submission does. `protected` paths (and everything under them) cannot be opened or
    listed, `unlistable` folders cannot be listed. `processes`, when given, maps
    slot -> pid while the child runs."""
    start = time.perf_counter()
    limits = limits or Limits()
    submission = Path(submission)
    chosen = exercise_file(exercise, submission) if submission.exists() else None
    if chosen is None:
        what = "no such file or folder" if not submission.exists() else \
            f"no {Path(exercise.template).name} (or single .py file) in the folder"
        return Outcome("missing file", what, seconds=time.perf_counter() - start)
    root = Path(tempfile.mkdtemp(prefix="aml-sandbox-"))
    cgroup = _pids_cgroup(limits.nproc) if os.geteuid() == 0 else None
    try:
        os.chmod(root, 0o711)
        private = root / "work"
        private.mkdir(mode=0o700)
        try:
            target = _copy_submission(submission, chosen, private, Path(exercise.template).name)
        except OSError as err:
            return Outcome("missing file", f"cannot copy the submission: {err}",
                           seconds=time.perf_counter() - start)
        outcome = _run_child(exercise, target, private, quick=quick, seed=seed,
                             limits=limits, hidden_source=hidden_source,
                             protected=protected, unlistable=unlistable, cgroup=cgroup,
                             backend=backend,
                             processes=processes, slot=slot)
    finally:
        _kill_cgroup(cgroup)
        shutil.rmtree(root, ignore_errors=True)
    outcome.seconds = time.perf_counter() - start
    return outcome


def _run_child(exercise, target: Path, private: Path, *, quick, seed, limits, hidden_source,
               protected, unlistable, cgroup, backend, processes, slot) -> Outcome:
    import subprocess

    read_fd, write_fd = os.pipe()
    nonce = secrets.token_hex(16)
    nproc = None if os.geteuid() == 0 else _user_tasks(os.getuid()) + limits.nproc
    job = {"channel_fd": write_fd, "nonce": nonce, "parent_pid": os.getpid(),
           "isolate_network": True, "cpu_s": limits.cpu_limit(),
           "memory_mb": limits.memory_mb, "file_mb": limits.file_mb, "nproc": nproc,
           "sys_path": [str(Path(p).resolve()) for p in sys.path if p], "checker": exercise.checker,
           "hidden_source": hidden_source, "seed": seed, "quick": quick,
           "backend": backend, "file": str(target),
           "protected": [str(Path(p).resolve()) for p in protected],
           "unlistable": [str(Path(p).resolve()) for p in unlistable]}
    try:
        proc = subprocess.Popen(
            [sys.executable, "-I", "-c", _BOOT.format(src=aml.SOURCE_ROOT)], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=private,
            env=_environment(private, backend, limits.threads), pass_fds=(write_fd,),
            start_new_session=True)
    finally:
        os.close(write_fd)
    if processes is not None:
        processes[slot] = proc.pid
    if cgroup is not None:  # before the job is sent, so before the child can fork
        with contextlib.suppress(OSError):
            (cgroup / "cgroup.procs").write_text(str(proc.pid))
    try:
        proc.stdin.write(json.dumps(job).encode())
        proc.stdin.close()
    except BrokenPipeError:
        pass
    output, total, channel, timed_out, waited = _collect(proc, read_fd, limits, cgroup)
    os.close(read_fd)
    _kill_group(proc.pid)
    if waited is None:
        waited = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(waited[1])
    if processes is not None:
        processes.pop(slot, None)
    cpu_used = waited[2].ru_utime + waited[2].ru_stime
    message, why = _parse_message(channel, nonce)
    text = output.decode(errors="replace")
    status, detail, checks = _judge(message, why, proc.returncode, cpu_used, limits,
                                    timed_out, text)
    if total > len(output):
        text += f"\n[output truncated: {total} bytes printed, first {len(output)} kept]"
    return Outcome(status, detail, checks, output=text, output_bytes=total,
                   network=(message or {}).get("network", ""),
                   max_rss_mb=(message or {}).get("max_rss_mb"),
                   peak_vm_mb=(message or {}).get("peak_vm_mb"))


def _collect(proc, read_fd: int, limits: Limits, cgroup: Path | None):
    """Read output (capped) and the report until the child ends or the deadline passes."""
    deadline = time.monotonic() + limits.timeout_s
    keep = limits.output_kb * 1024
    output, total, channel = bytearray(), 0, bytearray()
    selector = selectors.DefaultSelector()
    selector.register(proc.stdout, selectors.EVENT_READ, "out")
    selector.register(read_fd, selectors.EVENT_READ, "channel")
    open_streams, waited, timed_out = 2, None, False
    while open_streams:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            timed_out = waited is None  # else: escaped processes hold the pipes; stop reading
            break
        for key, _ in selector.select(min(remaining, 0.2)):
            chunk = os.read(key.fd, 65536)
            if not chunk:
                selector.unregister(key.fileobj)
                open_streams -= 1
            elif key.data == "out":
                total += len(chunk)
                output += chunk[:max(0, keep - len(output))]
            else:
                channel += chunk[:max(0, _CHANNEL_MAX - len(channel))]
        if waited is None:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                waited = (pid, status, usage)
                _kill_group(proc.pid)  # leftovers holding the pipes open
                _kill_cgroup(cgroup)
                deadline = min(deadline, time.monotonic() + 2.0)
    selector.close()
    if timed_out:
        _kill_group(proc.pid)
    return bytes(output), total, bytes(channel), timed_out, waited
