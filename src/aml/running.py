"""Run catalog examples: seed, run, compare with targets, and publish the result atomically."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

from aml import catalog, results
from aml.backend import library_versions, seed_everything
from aml.context import RunContext
from aml.errors import AmlError, DataUnavailable
from aml.stats import accuracy_se, margin_in_se

PASS, WITHIN_SE, MISSED = "pass", "met (within 1 SE)", "MISSED"


def config_for(example: catalog.Example, quick: bool):
    config_cls = catalog.resolve(example.config)
    return config_cls.quick() if quick else config_cls()


def standard_error(metric: str, metrics: dict) -> float | None:
    """The runner's `<metric>_se`, else, for an accuracy on `n_test` examples, the binomial SE."""
    se = metrics.get(f"{metric}_se")
    if isinstance(se, (int, float)):
        return float(se)
    value, n = metrics.get(metric), metrics.get("n_test")
    if (metric.endswith("accuracy") and isinstance(value, (int, float)) and 0 <= value <= 1
            and isinstance(n, int) and n > 0):
        return accuracy_se(float(value), n)
    return None


def add_standard_errors(example, metrics: dict) -> dict:
    """Put `<metric>_se` beside every target metric whose standard error is known."""
    for target in example.targets:
        se = standard_error(target.metric, metrics)
        if se is not None and f"{target.metric}_se" not in metrics:
            metrics[f"{target.metric}_se"] = round(se, 5)
    return metrics


def check_targets(example, metrics: dict, quick: bool) -> list[dict]:
    """Each applicable target with the measured value, its standard error and the verdict:
    "pass", "met (within 1 SE)" when the margin is smaller than one SE, or "MISSED"."""
    rows = []
    for target in example.targets:
        if not target.applies(metrics):
            continue
        value = metrics.get(target.metric)
        met = target.met(value, quick)
        se = standard_error(target.metric, metrics)
        margin = (margin_in_se(float(value), target.threshold_for(quick), se, target.op)
                  if met else None)
        status = MISSED if not met else (WITHIN_SE if margin is not None and margin < 1
                                         else PASS)
        rows.append({"metric": target.metric, "target": target.describe(quick),
                     "value": value, "met": met, "se": None if se is None else round(se, 5),
                     "margin_se": None if margin is None else round(margin, 2),
                     "status": status})
    return rows


def run_example(example: catalog.Example, *, quick: bool = False, seed: int = 0,
                out: Path | None = None, verbose: bool = True) -> dict:
    """Run one example and return its published record (also written to metrics.json)."""
    import keras

    from aml import data

    root = results.writable_folder(results.results_root(out))
    config = config_for(example, quick)
    run_name = results.new_run_name(seed, quick)
    with results.staged_run(root, example.id, run_name) as staging:
        seed_everything(seed)
        ctx = RunContext(directory=staging, seed=seed, quick=quick, verbose=verbose)
        data.loaded()  # forget datasets loaded before this run
        start = time.perf_counter()
        metrics = add_standard_errors(example, catalog.resolve(example.runner)(config, ctx))
        wall = time.perf_counter() - start
        targets = check_targets(example, metrics, quick)
        provenance = data.loaded()
        record = {
            "id": example.id, "title": example.title, "lecture": example.lecture,
            "run": run_name, "quick": quick, "seed": seed,
            "backend": keras.backend.backend(), "config": dataclasses.asdict(config),
            "metrics": metrics, "targets": targets,
            # No applicable target means nothing was checked: not a pass (all([]) is True).
            "outcome": results.outcome({"targets": targets}),
            "passed": bool(targets) and all(t["met"] for t in targets),
            "data": provenance, "data_summary": "; ".join(map(data.describe, provenance)),
            "figures": ctx.figures, "wall_seconds": round(wall, 3),
            "versions": library_versions(),
            "finished": time.strftime("%Y-%m-%dT%H:%M:%S"),
        }
        final = results.publish_run(staging, record)
    record["path"] = str(final)
    return record


def run_many(examples, **kwargs) -> list[dict]:
    """Run examples one after another; a failing one is recorded and the rest still run, and
    one whose data is not on this machine is recorded as skipped with the command to get it."""
    records = []
    for number, example in enumerate(examples, 1):
        if kwargs.get("verbose", True):
            print(f"[{number}/{len(examples)}] {example.id}: {example.title}", flush=True)
        try:
            records.append(run_example(example, **kwargs))
        except DataUnavailable as err:
            print(f"  {example.id}: SKIPPED: {err}", flush=True)
            records.append({"id": example.id, "skipped": str(err), "fix": err.fix,
                            "passed": False, "targets": [], "outcome": "skipped"})
        except AmlError as err:
            print(f"  {example.id}: {err}", flush=True)
            records.append({"id": example.id, "error": str(err), "passed": False, "targets": [],
                            "outcome": "error"})
    return records


def seed_spread(records: list[dict]) -> list[dict]:
    """Per example and target metric: the value at each seed, mean, sample standard deviation
    and how many seeds met the target (runs of several seeds, `aml run --seeds`)."""
    import statistics

    groups: dict[tuple[str, str, str], list[tuple[int, float, bool]]] = {}
    for record in records:
        for target in record.get("targets", []):
            if isinstance(target["value"], (int, float)):
                key = (record["id"], target["metric"], target["target"])
                groups.setdefault(key, []).append((record["seed"], target["value"],
                                                   target["met"]))
    rows = []
    for (entry_id, metric, described), runs in groups.items():
        values = [v for _, v, _ in runs]
        rows.append({"id": entry_id, "metric": metric, "target": described,
                     "seeds": [s for s, _, _ in runs], "values": values,
                     "mean": statistics.fmean(values),
                     "sd": statistics.stdev(values) if len(values) > 1 else 0.0,
                     "met": sum(m for _, _, m in runs), "runs": len(runs)})
    return rows
