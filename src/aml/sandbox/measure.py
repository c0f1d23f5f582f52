"""The measuring process: a warm interpreter (Keras imported once) that never imports student
code. It makes each exercise's inputs, and turns a jail's bundle into scored checks.

It runs jailed itself (no network, read-only system, its own tmpfs), as a second wall in case
a crafted artifact ever got past validation. Requests and replies are length-prefixed
bundles on stdin/stdout; whatever library code prints goes to stderr. Before each request
Keras's session is cleared and every generator reseeded, so a result does not depend on
which submissions this process measured before.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import sys
import types


def read_frame(stream) -> bytes | None:
    head = stream.read(8)
    if len(head) < 8:
        return None
    (length,) = struct.unpack(">Q", head)
    return stream.read(length)


def write_frame(fd: int, data: bytes) -> None:
    data = struct.pack(">Q", len(data)) + data
    while data:
        data = data[os.write(fd, data):]


_hidden: dict[str, object] = {}


def hidden_function(source: str):
    """The teacher's hidden_checks(artifacts, quick), compiled here only."""
    key = hashlib.sha256(source.encode()).hexdigest()
    if key not in _hidden:
        module = types.ModuleType("aml_hidden_checks")
        exec(compile(source, "<hidden checks>", "exec"), module.__dict__)  # noqa: S102
        function = getattr(module, "hidden_checks", None)
        if not callable(function):
            raise ValueError("the hidden checks file must define hidden_checks(artifacts, "
                             "quick)")
        _hidden[key] = function
    return _hidden[key]


def _reseed(seed: int, keras_used: bool) -> None:
    import random

    import numpy as np

    random.seed(seed)
    np.random.seed(seed)
    if keras_used:
        import keras

        from aml.backend import seed_everything

        keras.backend.clear_session()
        seed_everything(seed)


def _check_dict(r) -> dict:
    from aml.grading.checks import plain

    return {"name": str(r.name)[:200], "passed": r.passed is True, "measured":
            plain(r.measured), "target": None if r.target is None else str(r.target)[:200],
            "hint": str(r.hint)[:500], "points": r.points, "tier": str(r.tier)[:40],
            "status": str(r.status)[:40], "n": r.n}


def handle(job: dict, entries: dict) -> dict:
    from aml import catalog
    from aml.sandbox.bundle import array_bytes, load_array
    from aml.sandbox.protocol import UNTRUSTED_NOTE, Artifacts, artifact_error_types, as_checker

    checker = as_checker(catalog.resolve(job["checker"]))
    _reseed(job["seed"], checker.keras)
    if job["kind"] == "inputs":
        made = checker.make_inputs(job["quick"], job["seed"], int(job.get("secret", 0)))
        return {"entries": {f"input:{k}": array_bytes(v) for k, v in made.items()}}
    inputs = {name[len("input:"):]: load_array(data) for name, data in entries.items()
              if name.startswith("input:")}
    produced = {name: data for name, data in entries.items() if not name.startswith("input:")}
    seconds = job.get("jail_seconds")
    artifacts = Artifacts(produced, inputs, job.get("source", ""),
                          float(seconds) if isinstance(seconds, (int, float)) else None)
    try:
        results = list(checker.measure(artifacts, job["quick"]))
        if job.get("hidden_source"):
            extra = list(hidden_function(job["hidden_source"])(artifacts, job["quick"]))
            for r in extra:
                r.name = f"hidden: {r.name}"
            results += extra
    except artifact_error_types() as err:
        return {"status": "invalid output", "detail": str(err)[:300], "checks": []}
    return {"status": "ok", "detail": "" if checker.trusted else UNTRUSTED_NOTE,
            "checks": [_check_dict(r) for r in results]}


def main() -> None:
    from aml.sandbox.bundle import decode, encode

    reply = os.dup(1)
    os.dup2(2, 1)  # library prints must not corrupt the reply channel
    sys.path[:0] = json.loads(os.environ.get("AML_EXTRA_PATH", "[]"))
    sys.dont_write_bytecode = True
    if os.environ.get("AML_PRELOAD_KERAS") == "1":
        import keras  # noqa: F401 - warm: pay the import once, before the first request
    write_frame(reply, encode({"ready": b"1"}))
    while True:
        frame = read_frame(sys.stdin.buffer)
        if frame is None:
            return
        entries = decode(frame)
        job = json.loads(entries.pop("job"))
        try:
            answer = handle(job, entries)
        except MemoryError:
            answer = {"status": "memory", "detail": "measuring ran out of memory",
                      "checks": []}
        except Exception as err:  # noqa: BLE001 - reported to the grader as one line
            detail = f"measuring what came back failed: {type(err).__name__}: {err}"
            answer = {"status": "invalid output", "detail": detail[:300], "checks": []}
        out = answer.pop("entries", {})
        out["reply"] = json.dumps(answer, allow_nan=True, default=str).encode()
        write_frame(reply, encode(out))


if __name__ == "__main__":
    main()
