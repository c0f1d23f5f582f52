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

    root = results.writable_folder(results.results_root(out))
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
            # No applicable target means nothing was checked: not a pass (all([]) is True).
            "outcome": results.outcome({"targets": targets}),
            "passed": bool(targets) and all(t["met"] for t in targets),
            "figures": ctx.figures, "wall_seconds": round(wall, 3),
            "versions": library_versions(),
            "finished": time.strftime("%Y-%m-%dT%H:%M:%S"),
        }
        final = results.publish_run(staging, record)
    record["path"] = str(final)
    return record


def run_many(examples, **kwargs) -> list[dict]:
    """Run examples one after another; a failing one is recorded and the rest still run."""
    records = []
    for number, example in enumerate(examples, 1):
        if kwargs.get("verbose", True):
            print(f"[{number}/{len(examples)}] {example.id}: {example.title}", flush=True)
        try:
            records.append(run_example(example, **kwargs))
        except AmlError as err:
            print(f"  {example.id}: {err}", flush=True)
            records.append({"id": example.id, "error": str(err), "passed": False, "targets": [],
                            "outcome": "error"})
    return records
