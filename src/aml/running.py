"""Run catalog examples: seed, run, compare with targets, and publish the result atomically."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

from aml import catalog, results
from aml.backend import library_versions, seed_everything
from aml.context import RunContext
from aml.errors import AmlError


def config_for(example: catalog.Example, quick: bool):
    config_cls = catalog.resolve(example.config)
    return config_cls.quick() if quick else config_cls()


def check_targets(example, metrics: dict, quick: bool) -> list[dict]:
    """Each applicable target with the measured value and whether it was met."""
    rows = []
    for target in example.targets:
        if not target.applies(metrics):
            continue
        value = metrics.get(target.metric)
        rows.append({"metric": target.metric, "target": target.describe(quick),
                     "value": value, "met": target.met(value, quick)})
    return rows


def run_example(example: catalog.Example, *, quick: bool = False, seed: int = 0,
                out: Path | None = None, verbose: bool = True) -> dict:
    """Run one example and return its published record (also written to metrics.json)."""
    import keras

    root = results.results_root(out)
    config = config_for(example, quick)
    run_name = results.new_run_name(seed, quick)
    with results.staged_run(root, example.id, run_name) as staging:
        seed_everything(seed)
        ctx = RunContext(directory=staging, seed=seed, quick=quick, verbose=verbose)
        start = time.perf_counter()
        metrics = catalog.resolve(example.runner)(config, ctx)
        wall = time.perf_counter() - start
        targets = check_targets(example, metrics, quick)
        record = {
            "id": example.id, "title": example.title, "lecture": example.lecture,
            "run": run_name, "quick": quick, "seed": seed,
            "backend": keras.backend.backend(), "config": dataclasses.asdict(config),
            "metrics": metrics, "targets": targets,
            "passed": all(t["met"] for t in targets),
            "figures": ctx.figures, "wall_seconds": round(wall, 3),
            "versions": library_versions(),
            "finished": time.strftime("%Y-%m-%dT%H:%M:%S"),
        }
        final = results.publish_run(staging, record)
    record["path"] = str(final)
    return record


def run_in_child(example: catalog.Example, backend: str, *, quick: bool = False,
                 seed: int = 0, out: Path | None = None, verbose: bool = True) -> dict:
    """Run one example with `aml run` in a fresh process on another Keras backend (a process
    keeps the backend it started with) and return the record it published."""
    import os
    import subprocess
    import sys

    import aml

    root = results.results_root(out)
    before = results.read_index(root).get(example.id, {}).get("run")
    command = [sys.executable, "-m", "aml", "run", example.id, "--backend", backend,
               "--seed", str(seed), "--out", str(root)]
    command += (["--quick"] if quick else []) + ([] if verbose else ["--quiet"])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (aml.SOURCE_ROOT, os.environ.get("PYTHONPATH")) if p)}
    env.pop("KERAS_BACKEND", None)
    finished = subprocess.run(command, env=env, stdout=None if verbose else subprocess.DEVNULL)
    latest = results.read_index(root).get(example.id, {})
    if latest.get("run") in (None, before):
        raise AmlError(f"{example.id} on {backend} ended without a result (exit code "
                       f"{finished.returncode}); run `aml run {example.id} --backend {backend}` "
                       "to see why")
    record = results.load_run(Path(latest["path"]))
    record["path"] = latest["path"]
    return record


def preferred_backend(example, current: str) -> str | None:
    """The backend to run `example` on in a child process, or None to run it here."""
    import importlib.util

    wanted = getattr(example, "backend", None)
    if not wanted or wanted == current or importlib.util.find_spec(wanted) is None:
        return None
    return wanted


def run_many(examples, backend_chosen: bool = False, **kwargs) -> list[dict]:
    """Run examples one after another; a failing one is recorded and the rest still run.

    An example with a preferred backend other than this process's runs in a child process
    on that backend, unless `backend_chosen` (the user named one)."""
    import keras

    records = []
    for number, example in enumerate(examples, 1):
        if kwargs.get("verbose", True):
            print(f"[{number}/{len(examples)}] {example.id}: {example.title}", flush=True)
        other = None if backend_chosen else preferred_backend(example, keras.backend.backend())
        try:
            if other:
                if kwargs.get("verbose", True):
                    print(f"  on {other} (measured faster for this example; --backend "
                          "overrides)", flush=True)
                records.append(run_in_child(example, other, **kwargs))
                continue
            records.append(run_example(example, **kwargs))
        except AmlError as err:
            print(f"  {example.id}: {err}", flush=True)
            records.append({"id": example.id, "error": str(err), "passed": False, "targets": []})
    return records
