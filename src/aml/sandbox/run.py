"""Grade one submission: produce in the student's jail, measure in the warm measuring jail.

The grader process never runs student code and never believes what a jail says: the
student's bundle is parsed with bounded sizes, its self-reported status can only lower the
result (an "ok" still needs artifacts that pass the measurement), and the scores are
computed here from the checks the measuring process returns (points and finiteness
validated again).
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import selectors
import signal
import subprocess
import threading
import time
import tokenize
from dataclasses import dataclass, field
from pathlib import Path

import aml
from aml.errors import AmlError
from aml.sandbox import jail
from aml.sandbox.bundle import BundleError, decode, encode
from aml.sandbox.measure import read_frame, write_frame
from aml.sandbox.protocol import as_checker, kept

# A lecture 1 student side (Keras on the numpy backend) peaks near 1.2 GB of address space;
# the TensorFlow backend near 1.6 GB (VmPeak, 1 thread). 4 GB leaves room for larger models
# and still stops a runaway allocation quickly.
DEFAULT_MEMORY_MB = 4096
DEFAULT_TIMEOUT_S = 600.0
STATUSES = ("ok", "invalid output", "error", "missing file", "exit called", "timeout",
            "memory", "crashed", "tampered", "not graded")
INVALID = "invalid output"
_MEMORY_WORDS = ("MemoryError", "bad_alloc", "Cannot allocate memory", "out of memory")
_STUDENT_BOOT = ("import sys; sys.path.insert(0, {src!r}); "
                 "from aml.sandbox.student import main; main()")
_MEASURE_BOOT = ("import sys; sys.path.insert(0, {src!r}); "
                 "from aml.sandbox.measure import main; main()")


@dataclass(frozen=True)
class Limits:
    """What one submission may use; cpu_s defaults to twice the timeout per thread."""

    timeout_s: float = DEFAULT_TIMEOUT_S
    memory_mb: int = DEFAULT_MEMORY_MB
    cpu_s: int | None = None
    file_mb: int = 64
    tmpfs_mb: int = 256
    nproc: int = 256
    output_kb: int = 64
    threads: int = 1

    def cpu_limit(self) -> int:
        return int(self.cpu_s or 2 * self.timeout_s * self.threads + 10)


@dataclass
class Outcome:
    """One submission's result: a status, the validated checks and their scores."""

    status: str
    detail: str = ""
    checks: list[dict] = field(default_factory=list)
    seconds: float = 0.0
    output: str = ""
    output_bytes: int = 0
    isolation: str = ""
    peak_memory_mb: float | None = None
    copied_reference: bool = False

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
                "isolation": self.isolation, "peak_memory_mb": self.peak_memory_mb,
                "copied_reference": self.copied_reference}


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
                       # held-out examples behind an accuracy (aml.grading.fairness)
                       "n": item["n"] if type(item.get("n")) is int
                       and 0 < item["n"] < 10**9 else 0})
    keys = [c["key"] for c in checks]
    if len(set(keys)) != len(keys):
        return [], "two checks have the same name"
    return checks, ""


def exercise_file(exercise, submission: Path) -> Path | None:
    """The file to check inside a submission: the file itself, or in a folder the file named
    like the exercise's template (e.g. sequential.py), else its only top-level .py file."""
    if submission.is_file():
        return submission
    expected = submission / Path(exercise.template).name
    if expected.is_file() and not expected.is_symlink():
        return expected
    candidates = sorted(p for p in submission.glob("*.py") if p.is_file()
                        and not p.is_symlink())
    return candidates[0] if len(candidates) == 1 else None


# ---- copies of the reference ---------------------------------------------------------------

def normalised_tokens(source: bytes) -> tuple | None:
    """The source's tokens without comments, blank lines and indentation detail (None when
    it does not tokenize): equal tuples mean the same program text."""
    import io

    skip = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT,
            tokenize.DEDENT, tokenize.ENCODING, tokenize.ENDMARKER}
    try:
        return tuple(t.string for t in tokenize.tokenize(io.BytesIO(source).readline)
                     if t.type not in skip)
    except (tokenize.TokenError, SyntaxError, UnicodeDecodeError, IndentationError):
        return None


def reference_file(exercise) -> Path | None:
    """The exercise's reference solution file ("package:file" in the lecture's spec)."""
    from aml.grading.templates import solution_path

    try:
        path = solution_path(exercise)
    except (ImportError, TypeError, ValueError):
        return None
    return path if path.is_file() else None


def copies_reference(exercise, source: bytes) -> bool:
    reference = reference_file(exercise)
    if reference is None:
        return False
    mine = normalised_tokens(source)
    return mine is not None and mine == normalised_tokens(reference.read_bytes())


# ---- the measuring process -----------------------------------------------------------------

def _data_dir() -> str:
    return os.environ.get("AML_DATA") or str(Path.home() / ".cache" / "aml")


def grading_environment() -> dict:
    """The grader's $AML_GRADING_* settings (e.g. which data set the checks use) and
    $AML_LECTURES (extra lecture packages), the only part of its environment passed into
    the jails."""
    return {k: v for k, v in os.environ.items()
            if k.startswith("AML_GRADING_") or k == "AML_LECTURES"}


def _thread_env(threads: int) -> dict:
    text = str(threads)
    return {**grading_environment(), "OMP_NUM_THREADS": text, "OPENBLAS_NUM_THREADS": text,
            "MKL_NUM_THREADS": text,
            "TF_NUM_INTRAOP_THREADS": text, "TF_NUM_INTEROP_THREADS": "1",
            "XLA_FLAGS": "--xla_cpu_multi_thread_eigen=false", "TF_CPP_MIN_LOG_LEVEL": "3",
            "CUDA_VISIBLE_DEVICES": "", "MALLOC_ARENA_MAX": "2", "MPLBACKEND": "Agg",
            "MPLCONFIGDIR": "/tmp", "KERAS_HOME": "/tmp/.keras"}


def _checker_binds(exercise) -> tuple[list, list[str]]:
    """A checker outside aml's source (a test fixture, a teacher's lecture package registered
    with $AML_LECTURES) is bound alone, read-only: the module file, or its package folder."""
    module_name = exercise.checker.split(":")[0]
    import importlib.util

    top = module_name.split(".")[0]
    spec = importlib.util.find_spec(top)
    origin = Path(spec.origin).resolve() if spec and spec.origin else None
    source = Path(aml.SOURCE_ROOT).resolve()
    if origin is None or origin.is_relative_to(source):
        return [], []
    if origin.name == "__init__.py":
        return [(str(origin.parent), f"/checker/{top}")], ["/checker"]
    return [(str(origin), f"/checker/{origin.name}")], ["/checker"]


def _key_file() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "aml" / "grading.key"


_session_key = os.urandom(32)
_key_lock = threading.Lock()


def grading_key() -> bytes:
    """This machine's grading key: 32 random bytes made on first use, readable by the
    teacher only, never bound into a jail (only /usr, /etc, Python, aml's source and the
    data folder are). Where it cannot be kept, a key for this process only: the draws are
    then still secret, but another run draws afresh."""
    path = _key_file()
    with _key_lock:
        for _ in range(2):
            with contextlib.suppress(OSError):
                key = path.read_bytes()
                if len(key) == 32:
                    return key
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                _new_key(path)
            except OSError:
                return _session_key
    return _session_key


def _new_key(path: Path) -> None:
    """Write a key beside `path`, then link it in place: the first grader wins, a racing
    one reads the winner's key."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(os.urandom(32))
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        os.unlink(temporary)


def key_fingerprint() -> str:
    """A short name of the grading key for the journal's settings (it tells nothing of the
    key): shards drawn under different keys are not merged, a resume under another key
    does not mix draws."""
    import hashlib

    return hashlib.sha256(b"aml grading key\0" + grading_key()).hexdigest()[:12]


def grading_secret(checker: str, quick: bool, seed: int) -> int:
    """The secret an exercise's inputs are drawn from: the grading key's HMAC of the
    exercise and the seed. A student knows the code and the seed but not the key, so what
    is drawn cannot be known (or typed in) before the run; the same seed on the same
    machine draws the same, so grades are reproducible."""
    import hashlib
    import hmac

    digest = hmac.new(grading_key(), f"{checker}\0{bool(quick)}\0{int(seed)}".encode(),
                      hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") >> 1


class Measurer:
    """A warm measuring process for one grading slot; restarted when it fails."""

    def __init__(self, exercise, backend: str | None, threads: int = 1,
                 memory_mb: int = 16384):
        self.exercise, self.backend = exercise, backend or "tensorflow"
        self.threads, self.memory_mb = threads, memory_mb
        self.process: subprocess.Popen | None = None
        self.inputs_cache: dict = {}
        self.lock = threading.Lock()

    def use(self, exercise) -> None:
        """Measure another exercise with this process (kept warm when it can see that
        exercise's checker; `aml check --all` measures every exercise in one process)."""
        if exercise.checker == self.exercise.checker:
            return
        if _checker_binds(exercise) != _checker_binds(self.exercise):
            self.close()
        self.exercise = exercise
        self.inputs_cache.clear()

    def _start(self) -> None:
        binds, extra = _checker_binds(self.exercise)
        data = _data_dir()
        if os.path.isdir(data):
            binds.append((data, data))
        from aml import catalog

        env = {**_thread_env(self.threads), "KERAS_BACKEND": self.backend, "AML_DATA": data,
               "AML_EXTRA_PATH": json.dumps(extra),
               "AML_PRELOAD_KERAS": "1" if as_checker(catalog.resolve(
                   self.exercise.checker)).keras
               else "0"}
        box = jail.Jail(tmpfs_mb=2048, readable=tuple(binds), environment=env)
        argv = [jail.interpreter(), "-I", "-B", "-c", _MEASURE_BOOT.format(
            src=str(Path(aml.SOURCE_ROOT).resolve()))]
        limits = jail.Rlimits(memory_mb=self.memory_mb, cpu_s=10**7, file_mb=1024,
                              nproc=None)
        self.process = jail.start(box, argv, limits, None, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        ready = self._read(300)
        if ready is None or "ready" not in ready:
            self.close()
            raise AmlError("the measuring process did not start (try `aml check --all "
                           "--reference --quick` to see why)")

    def _read(self, timeout: float) -> dict | None:
        stream = self.process.stdout
        selector = selectors.DefaultSelector()
        selector.register(stream, selectors.EVENT_READ)
        ready = selector.select(timeout)
        selector.close()
        if not ready:
            return None
        frame = read_frame(stream)
        return None if frame is None else decode(frame)

    def request(self, job: dict, entries: dict, timeout: float) -> dict | None:
        """One request; None when the process died or ran past the timeout (then it is
        killed and the next request starts a fresh one)."""
        with self.lock:
            if self.process is None or self.process.poll() is not None:
                self._start()
            try:
                write_frame(self.process.stdin.fileno(), encode(
                    {"job": json.dumps(job).encode(), **entries}))
                answer = self._read(timeout)
            except (OSError, BundleError):
                answer = None
            if answer is None:
                self.close()
            return answer

    def inputs(self, quick: bool, seed: int, timeout: float) -> dict[str, bytes]:
        key = (self.exercise.checker, quick, seed)
        if key not in self.inputs_cache:
            answer = self.request({"kind": "inputs", "checker": self.exercise.checker,
                                   "quick": quick, "seed": seed, "secret": grading_secret(
                                       self.exercise.checker, quick, seed)}, {}, timeout)
            if answer is None or "reply" not in answer:
                raise AmlError("the measuring process could not make the exercise's inputs")
            reply = json.loads(answer.pop("reply"))
            if reply.get("status", "ok") != "ok":
                raise AmlError(f"making the exercise's inputs failed: {reply.get('detail')}")
            self.inputs_cache[key] = answer
        return self.inputs_cache[key]

    def close(self) -> None:
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signal.SIGKILL)
            with contextlib.suppress(Exception):
                self.process.wait(timeout=10)
            for stream in (self.process.stdin, self.process.stdout):
                with contextlib.suppress(OSError):
                    stream.close()
            self.process = None


# ---- the student's side --------------------------------------------------------------------

def _student_binds(submission: Path, chosen: Path) -> tuple[list, str]:
    """The submission (file or folder) read-only under /submission; the file to import."""
    if submission.is_file():
        return [(str(submission), "/submission/" + chosen.name)], "/submission/" + chosen.name
    inside = "/submission/" + chosen.relative_to(submission).as_posix()
    return [(str(submission), "/submission")], inside


def _drain(process, channel_fd: int, limits: Limits) -> tuple[bytes, bytes, int, bool]:
    """Read the output (bounded) and the channel until both close or the time is up."""
    keep = limits.output_kb * 1024
    output, channel, total = bytearray(), bytearray(), 0
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ, "out")
    selector.register(channel_fd, selectors.EVENT_READ, "channel")
    deadline = time.monotonic() + limits.timeout_s
    timed_out, open_streams = False, 2
    while open_streams:
        left = deadline - time.monotonic()
        if left <= 0:
            timed_out = True
            break
        for key, _ in selector.select(min(left, 1.0)):
            data = os.read(key.fd if key.data == "channel" else process.stdout.fileno(),
                           1 << 16)
            if not data:
                selector.unregister(key.fileobj)
                open_streams -= 1
            elif key.data == "channel":
                if len(channel) < 512 * 2**20:
                    channel += data
            else:
                total += len(data)
                if len(output) < keep:
                    output += data[: keep - len(output)]
    selector.close()
    return bytes(output), bytes(channel), total, timed_out


def run_student(exercise, submission: Path, chosen: Path, inputs: dict, *, quick: bool,
                seed: int, limits: Limits, backend: str | None) -> dict:
    """Run the producing side in a fresh jail; what came back, and how the jail ended."""
    from aml import catalog

    checker = as_checker(catalog.resolve(exercise.checker))
    binds, extra = _checker_binds(exercise)
    sub_binds, inside = _student_binds(submission, chosen)
    binds += sub_binds
    env = {**_thread_env(limits.threads), "KERAS_BACKEND": checker.student_backend or
           backend or "tensorflow"}
    if checker.data:
        data = _data_dir()
        if os.path.isdir(data):
            binds.append((data, data))
        env["AML_DATA"] = data
    box = jail.Jail(tmpfs_mb=limits.tmpfs_mb, readable=tuple(binds), environment=env)
    argv = [jail.interpreter(), "-I", "-B", "-c", _STUDENT_BOOT.format(
        src=str(Path(aml.SOURCE_ROOT).resolve()))]
    cgroup = jail.make_cgroup(limits.memory_mb, limits.nproc, max(1, limits.threads))
    rlimits = jail.Rlimits(limits.memory_mb, limits.cpu_limit(), limits.file_mb,
                           None if cgroup and "pids" in cgroup.kind else limits.nproc)
    read_end, write_end = os.pipe()
    job = {"checker": exercise.checker, "quick": quick, "seed": seed, "file": inside,
           "channel": write_end, "extra_path": extra}
    request = encode({"job": json.dumps(job).encode(), **inputs})
    start = time.perf_counter()
    process = None
    try:
        process = jail.start(box, argv, rlimits, cgroup, pass_fds=(write_end,),
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT)
        os.close(write_end)
        write_end = -1
        with _live_lock:
            _live.add(process)
        writer = threading.Thread(target=_feed, args=(process.stdin, request), daemon=True)
        writer.start()
        output, channel, total, timed_out = _drain(process, read_end, limits)
        if timed_out:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
        returncode = process.wait()
        usage = _child_cpu()
    finally:
        if write_end >= 0:
            os.close(write_end)
        os.close(read_end)
        if process is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            process.stdout.close()
            with _live_lock:
                _live.discard(process)
        peak = cgroup.peak_memory_mb() if cgroup else None
        oom = cgroup.out_of_memory() if cgroup else False
        if cgroup:
            cgroup.kill_all()
    return {"output": output, "channel": channel, "output_bytes": total,
            "timed_out": timed_out, "returncode": returncode, "cpu": usage, "oom": oom,
            "peak_mb": peak, "seconds": time.perf_counter() - start,
            "isolation": "bwrap" + (f", cgroup {cgroup.kind}" if cgroup else ", rlimits")}


def _feed(stream, data: bytes) -> None:
    with contextlib.suppress(OSError, ValueError):
        stream.write(data)
        stream.close()


_cpu_lock = threading.Lock()
_live: set = set()
_live_lock = threading.Lock()


def kill_running() -> None:
    """SIGKILL every student jail still running (an interrupted grade)."""
    with _live_lock:
        for process in list(_live):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)


def _child_cpu() -> float:
    # RUSAGE_CHILDREN sums every waited-for child of this process; it only serves to tell a
    # CPU-limit kill from another SIGKILL, so an over-estimate with parallel jobs is fine.
    import resource

    with _cpu_lock:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _output_text(data: bytes, total: int, limits: Limits) -> str:
    text = data.decode("utf-8", "replace")
    if total > len(data):
        text += f"\n[output truncated: {total} bytes, first {limits.output_kb} KB kept]"
    return text


def judge_student(ran: dict, limits: Limits) -> tuple[str, str, dict | None]:
    """Status and detail from how the jail ended; the parsed bundle when there is one."""
    output = ran["output"].decode("utf-8", "replace")
    code = ran["returncode"]
    if ran["timed_out"]:
        return "timeout", f"still running after {limits.timeout_s:g} s (wall clock)", None
    if code in (-signal.SIGXCPU, 128 + signal.SIGXCPU) or (
            code in (-signal.SIGKILL, 128 + signal.SIGKILL) and not ran["oom"]
            and ran["cpu"] >= limits.cpu_limit() - 1 and not ran["channel"]):
        return "timeout", f"used the {limits.cpu_limit()} s CPU-time limit", None
    if not ran["channel"]:
        if ran["oom"] or any(word in output for word in _MEMORY_WORDS):
            return "memory", f"ran out of memory ({limits.memory_mb} MB)", None
        if code > 128:  # bwrap reports the command's death by signal as 128 + signal
            with contextlib.suppress(ValueError):
                return "crashed", f"killed by {signal.Signals(code - 128).name}", None
        if code < 0:
            return "crashed", f"killed by {signal.Signals(-code).name}", None
        return "crashed", f"exited with code {code} before reporting", None
    try:
        entries = decode(ran["channel"])
        reported = json.loads(entries.get("value:status", b"null"))
    except (BundleError, ValueError) as err:
        return "tampered", f"what came back is not one well-formed bundle ({err})", None
    if not isinstance(reported, dict) or reported.get("status") not in (
            "ok", "error", "exit called", "memory", INVALID):
        return "tampered", "what came back carries no valid status", None
    return str(reported["status"]), str(reported.get("detail") or "")[:500], entries


def grade_submission(exercise, submission: str | Path, measurer: Measurer, *,
                     quick: bool = False, seed: int = 0, limits: Limits | None = None,
                     hidden_source: str | None = None, backend: str | None = None) -> Outcome:
    """Check one submission (file or folder); never raises for anything it does."""
    start = time.perf_counter()
    limits = limits or Limits()
    submission = Path(submission)
    if submission.is_symlink():
        return Outcome("not graded", "the submission is a symbolic link; submit the file "
                       "itself", seconds=time.perf_counter() - start)
    chosen = exercise_file(exercise, submission) if submission.exists() else None
    if chosen is None:
        what = "no such file or folder" if not submission.exists() else \
            f"no {Path(exercise.template).name} (or single .py file) in the folder"
        return Outcome("missing file", what, seconds=time.perf_counter() - start)
    try:
        source = chosen.read_bytes()
    except OSError as err:
        return Outcome("missing file", f"cannot read the file: {err.strerror}",
                       seconds=time.perf_counter() - start)
    copied = copies_reference(exercise, source)
    inputs = measurer.inputs(quick, seed, limits.timeout_s)
    handed = {k: v for k, v in inputs.items() if not kept(k[len("input:"):])}
    ran = run_student(exercise, submission, chosen, handed, quick=quick, seed=seed,
                      limits=limits, backend=backend)
    status, detail, entries = judge_student(ran, limits)
    outcome = Outcome(status, detail, output=_output_text(ran["output"], ran["output_bytes"],
                                                           limits),
                      output_bytes=ran["output_bytes"], isolation=ran["isolation"],
                      peak_memory_mb=ran["peak_mb"], copied_reference=copied)
    if status == "ok":
        job = {"kind": "measure", "checker": exercise.checker, "quick": quick, "seed": seed,
               "hidden_source": hidden_source, "jail_seconds": ran["seconds"],
               "source": source.decode("utf-8", "replace")[:200_000]}
        entries = {k: v for k, v in entries.items() if not k.startswith("input:")}
        answer = measurer.request(job, {**entries, **inputs}, limits.timeout_s)
        if answer is None or "reply" not in answer:
            outcome.status, outcome.detail = "crashed", \
                "measuring what came back did not finish in time or failed"
        else:
            reply = json.loads(answer["reply"])
            checks, error = validate_checks(reply.get("checks"))
            outcome.checks = checks
            outcome.status = reply.get("status") if reply.get("status") in STATUSES else \
                INVALID
            outcome.detail = str(reply.get("detail") or "")[:500]
            if error:
                outcome.status, outcome.detail, outcome.checks = "crashed", error, []
            invalid = [c["key"] for c in checks if c["status"] == INVALID]
            if outcome.status == "ok" and invalid:
                outcome.status = INVALID
                outcome.detail = "unusable values in: " + ", ".join(invalid[:5])
    if copied:
        outcome.detail = ("reproduces the reference solution verbatim; " + outcome.detail
                          ).strip("; ")
    outcome.seconds = time.perf_counter() - start
    return outcome
