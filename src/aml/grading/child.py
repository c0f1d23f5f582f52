"""The sandboxed side of a check: a fresh process that locks itself down, imports the
student's file, runs the checker and reports on a channel that only the parent can read.

`aml.grading.sandbox` starts it as `python -I -c BOOT` and sends the job as JSON on stdin.
The order is the point: while the process is still single-threaded it leaves the network (a
new network namespace); then the resource limits; then the trusted imports (checker, hidden
checks, Keras) and a fingerprint of the trusted objects; then an audit hook refusing writes
outside the private folder, access to protected paths, sockets, subprocesses, ctypes and gc
introspection; and only then the student's code. The report is one length-prefixed JSON
message carrying a per-run nonce; the parent validates it and computes the scores itself.

What this does not stop: the student's code shares the interpreter with the checker, so a
determined student can still walk stack frames to reach the checker's locals (e.g. the
fingerprint or the nonce). The OS-level limits (time, CPU, memory, processes, network
namespace, process-group/cgroup kill) hold regardless; file access then rests on the audit
hook and file permissions.
"""

from __future__ import annotations

import json
import os
import resource
import struct
import sys
import types

# Exit statuses the parent understands (the names are the grading statuses).
OK, MEMORY, ERROR, EXIT_CALLED, FORBIDDEN, TAMPERED, INVALID, CRASHED = (
    "ok", "memory", "error", "exit called", "forbidden", "tampered", "invalid output", "crashed")

_CLONE_NEWUSER, _CLONE_NEWNET = 0x10000000, 0x40000000
_PR_SET_PDEATHSIG = 1
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
_PATH_EVENTS = {  # audit event -> positions of path arguments that are written/changed
    "os.remove": (0,), "os.rmdir": (0,), "os.mkdir": (0,), "os.rename": (0, 1),
    "os.chmod": (0,), "os.chown": (0,), "os.truncate": (0,), "os.utime": (0,),
    "os.link": (0, 1), "os.symlink": (0, 1), "shutil.rmtree": (0,), "shutil.copyfile": (1,),
    "shutil.copytree": (1,), "shutil.move": (0, 1), "os.mkfifo": (0,), "os.mknod": (0,),
}
_AF_UNIX = 1
_LIST_EVENTS = ("os.listdir", "os.scandir", "glob.glob", "os.walk")
_REFUSED_EVENTS = ("subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn",
                   "os.startfile", "pty.spawn", "ctypes.dlopen", "ctypes.dlsym",
                   "ctypes.string_at", "ctypes.wstring_at", "ctypes.call_function",
                   "ctypes.addressof", "ctypes.cdata", "gc.get_objects", "gc.get_referrers",
                   "gc.get_referents")
# Families of module whose functions and classes a submission must leave untouched.
_TRUSTED_PACKAGES = ("aml", "keras", "numpy", "builtins", "math", "json", "operator",
                     "functools", "resource", "os", "struct")


def _libc():
    import ctypes

    return ctypes.CDLL(None, use_errno=True)


def _die_with_parent(parent_pid: int) -> None:
    """Ask the kernel to kill this process when the grader dies, so nothing is orphaned."""
    import signal

    _libc().prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent_pid:
        os._exit(1)


def _leave_network() -> str:
    """Enter a fresh network namespace (no interface up); needs root, else a user namespace."""
    libc = _libc()
    if os.geteuid() == 0:
        return "namespace" if libc.unshare(_CLONE_NEWNET) == 0 else "sockets refused"
    uid, gid = os.getuid(), os.getgid()
    if libc.unshare(_CLONE_NEWUSER | _CLONE_NEWNET) != 0:
        return "sockets refused"
    try:
        for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"),
                           ("gid_map", f"{gid} {gid} 1")):
            with open(f"/proc/self/{name}", "w") as handle:
                handle.write(text)
    except OSError:
        return "namespace (unmapped)"
    return "namespace"


def _set_limits(job: dict) -> None:
    """CPU seconds, address space, file size, core dumps and (for a normal user) processes."""
    cpu = int(job["cpu_s"])
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 2))
    memory = int(job["memory_mb"]) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    size = int(job["file_mb"]) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if job.get("nproc"):
        resource.setrlimit(resource.RLIMIT_NPROC, (job["nproc"], job["nproc"]))


def _trusted_modules(extra: tuple[str, ...]) -> list:
    return [module for name, module in list(sys.modules.items())
            if module is not None and (name.split(".")[0] in _TRUSTED_PACKAGES or name in extra)]


def fingerprint(modules) -> dict:
    """Every callable of the trusted modules and of their classes, held by reference, and
    each class's attribute names; for the course's own classes every attribute."""
    prints = {}
    for module in modules:
        name = getattr(module, "__name__", "?")
        for key, value in list(vars(module).items()):
            if not (callable(value) or isinstance(value, types.ModuleType)):
                continue
            prints[(name, key)] = value
            if isinstance(value, type) and str(value.__module__).split(".")[0] in ("aml",
                                                                                    "keras"):
                ours = str(value.__module__).startswith("aml")
                for attribute, member in list(vars(value).items()):
                    if ours or callable(member) or isinstance(member, (property, classmethod,
                                                                       staticmethod)):
                        prints[(name, key, attribute)] = member
                prints[(name, key, "__dict__ keys")] = frozenset(vars(value))
            code = getattr(value, "__code__", None)
            if code is not None:
                prints[(name, key, "__code__")] = code
    return prints


def _shadowing(cls: type, added) -> list[str]:
    """Attributes added to a class since the fingerprint that override an inherited method
    (any addition at all for the course's own classes, which never change)."""
    ours = str(cls.__module__).startswith("aml")
    return [name for name in sorted(added)
            if ours or ((callable(vars(cls)[name]) or isinstance(
                vars(cls)[name], (property, classmethod, staticmethod)))
                and any(name in vars(base) for base in cls.__mro__[1:]))]


def tampered(before: dict, modules) -> list[str]:
    """Names of trusted objects that were replaced, deleted or shadowed since `before`."""
    after = fingerprint(modules)
    changed = []
    for key, value in before.items():
        if isinstance(value, frozenset):
            cls = before[key[:2]]
            changed += [f"{key[0]}.{key[1]}.{name}" for name in
                        _shadowing(cls, after.get(key, frozenset()) - value)]
        elif key not in after or after[key] is not value:
            changed.append(".".join(key))
    return changed


def _audit_hook(home: str, protected: list[str], unlistable: list[str], violations: list):
    """The audit hook: refuses what a submission must not do and records each attempt.

    It is a closure over immutable settings and is never switched off; nothing in Python
    keeps a reference to it but the interpreter's hook list, so the student's code cannot
    reach it to change its settings (gc introspection is refused too).
    """
    home = os.path.realpath(home)
    writable = (home, "/dev/null")
    protected = tuple(os.path.realpath(p) for p in protected)
    unlistable = frozenset(os.path.realpath(p) for p in unlistable)

    def inside(path: str, roots) -> bool:
        return any(path == root or path.startswith(root.rstrip("/") + "/") for root in roots)

    def resolve(path) -> str | None:
        if isinstance(path, int) or path is None:
            return None
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        return os.path.realpath(os.fspath(path))

    def refuse(what: str) -> None:
        if len(violations) < 20:
            violations.append(what)
        raise PermissionError(f"the grading sandbox refused: {what}")

    def hook(event: str, args: tuple) -> None:
        if event == "open":
            path = resolve(args[0])
            if path is None:
                return
            mode, flags = args[1] or "", args[2] or 0
            writes = any(c in str(mode) for c in "wax+") or bool(flags & _WRITE_FLAGS)
            if inside(path, protected):
                refuse(f"open {path}")
            if writes and not inside(path, writable):
                refuse(f"write {path} outside the submission folder")
            # a directory descriptor from outside would let openat(dir_fd, ...) escape: the
            # "open" event does not carry dir_fd, so such descriptors are never handed out
            if not inside(path, (home,)) and os.path.isdir(path):
                refuse(f"open folder {path} outside the submission folder")
        elif event in _PATH_EVENTS:
            for position in _PATH_EVENTS[event]:
                path = resolve(args[position]) if len(args) > position else None
                if path is not None and not inside(path, (home,)):
                    refuse(f"{event} {path} outside the submission folder")
        elif event in _LIST_EVENTS:
            path = resolve(args[0] if args else ".")
            if path is not None and (path in unlistable or inside(path, protected)):
                refuse(f"list {path}")
        elif event == "socket.__new__":
            if len(args) > 1 and args[1] not in (_AF_UNIX, -1):
                refuse("network socket")
        elif event in ("socket.connect", "socket.bind", "socket.sendto"):
            refuse("network socket")
        elif event.startswith(_REFUSED_EVENTS):
            refuse(event)

    return hook


def _peak_address_space_mb() -> float | None:
    """VmPeak: the most address space this process held, the figure RLIMIT_AS bounds."""
    try:
        for line in open("/proc/self/status"):
            if line.startswith("VmPeak:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


def _send(fd: int, message: dict) -> None:
    data = json.dumps(message, default=str, allow_nan=True).encode()
    data = struct.pack(">Q", len(data)) + data
    while data:
        data = data[os.write(fd, data):]


def _plain(value, depth: int = 0):
    """A JSON-safe copy of a measured value (short, no student objects)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value[:200] if isinstance(value, str) else value
    if isinstance(value, (list, tuple)) and depth < 3 and len(value) <= 20:
        return [_plain(v, depth + 1) for v in value]
    if hasattr(value, "item") and getattr(value, "size", 2) == 1:
        return _plain(value.item(), depth)
    return repr(value)[:200]


def _load_hidden(source: str | None):
    """Compile the teacher's hidden checks from source; the file itself is never visible."""
    if source is None:
        return None
    module = types.ModuleType("aml_hidden_checks")
    exec(compile(source, "<hidden checks>", "exec"), module.__dict__)  # noqa: S102
    sys.modules["aml_hidden_checks"] = module
    function = getattr(module, "hidden_checks", None)
    if not callable(function):
        raise ValueError("the hidden checks file must define hidden_checks(module, quick)")
    return function


def _run_checks(job, checker, hidden):
    """Import the student's file and run the checks; returns status, detail, results."""
    from aml.grading.checks import (
        LOAD_CHECK,
        CheckResult,
        ExitCalled,
        SubmissionError,
        load_submission,
    )

    results = []
    sys.path.insert(0, os.path.dirname(job["file"]))  # a folder submission's own modules
    try:
        module = load_submission(job["file"])
        results = list(checker(module, quick=job["quick"]))
        if hidden is not None:
            extra = list(hidden(module, quick=job["quick"]))
            for r in extra:
                r.name = f"hidden: {r.name}"
            results += extra
        return OK, "", results
    except MemoryError:
        return MEMORY, "MemoryError: the submission used more memory than allowed", []
    except ExitCalled as err:
        return EXIT_CALLED, str(err), [CheckResult(LOAD_CHECK, False, None, None, str(err),
                                                   points=0)]
    except SubmissionError as err:
        return ERROR, str(err), results + [CheckResult(LOAD_CHECK, False, None, None,
                                                       str(err), points=0)]
    except SystemExit as err:
        return EXIT_CALLED, f"sys.exit({err.code!r}) called while checking", []
    except RecursionError as err:
        return INVALID, f"RecursionError: {err}"[:300], []
    except Exception as err:  # noqa: BLE001 - student objects broke the checker
        return INVALID, f"the checker could not use the submission: " \
                        f"{type(err).__name__}: {err}"[:300], []


def _prepare(job: dict):
    """Trusted imports and seeding, before any student code: the checker, the hidden
    checks, and Keras unless the checker module says NEEDS_KERAS = False."""
    import random

    from aml import catalog

    checker = catalog.resolve(job["checker"])
    hidden = _load_hidden(job.get("hidden_source"))
    random.seed(job["seed"])
    if getattr(sys.modules[checker.__module__], "NEEDS_KERAS", True):
        from aml.backend import seed_everything, use_backend

        use_backend(job.get("backend"))
        seed_everything(job["seed"])
    else:
        import numpy as np

        np.random.seed(job["seed"])
    return checker, hidden


def main() -> None:
    me = os.getpid()
    job = json.loads(sys.stdin.buffer.read())
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    channel, nonce = job["channel_fd"], job.pop("nonce")
    _die_with_parent(job["parent_pid"])
    network = _leave_network() if job["isolate_network"] else "not isolated"
    _set_limits(job)
    sys.path[:] = job["sys_path"]
    sys.dont_write_bytecode = True
    try:
        checker, hidden = _prepare(job)
    except BaseException as err:  # noqa: BLE001 - the grader itself could not start
        peak, limit = _peak_address_space_mb() or 0, job["memory_mb"]
        status = MEMORY if isinstance(err, MemoryError) or peak > 0.75 * limit else CRASHED
        detail = (f"the checker needs more than {limit} MB of address space to start "
                  f"(peak {peak:.0f} MB); raise --memory" if status == MEMORY else
                  f"the checker could not start: {type(err).__name__}: {err}"[:300])
        _send(channel, {"nonce": nonce, "status": status, "detail": detail, "checks": [],
                        "network": network, "peak_vm_mb": peak})
        os._exit(0)
    trusted = _trusted_modules((job["checker"].split(":")[0], "aml_hidden_checks"))
    before = fingerprint(trusted)
    violations: list[str] = []
    sys.addaudithook(_audit_hook(os.getcwd(), job["protected"], job.get("unlistable", ()),
                                 violations))

    status, detail, results = _run_checks(job, checker, hidden)
    if os.getpid() != me:  # a fork of the submission must not report
        os._exit(0)
    if violations:
        status, detail = FORBIDDEN, "; ".join(violations[:3])
    changed = tampered(before, trusted)
    if changed:
        status, detail = TAMPERED, "changed the checker's objects: " + ", ".join(changed[:5])
    checks = [{"name": str(r.name)[:200], "passed": r.passed is True, "measured":
               _plain(r.measured), "target": None if r.target is None else str(r.target)[:200],
               "hint": str(r.hint)[:500], "points": r.points, "tier": str(r.tier)[:40],
               "status": str(r.status)[:40],
               "n": r.n if type(getattr(r, "n", 0)) is int else 0} for r in results]
    usage = resource.getrusage(resource.RUSAGE_SELF)
    if os.getpid() != me:
        os._exit(0)
    _send(channel, {"nonce": nonce, "status": status, "detail": detail, "checks": checks,
                    "network": network, "max_rss_mb": round(usage.ru_maxrss / 1024, 1),
                    "peak_vm_mb": _peak_address_space_mb()})
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
