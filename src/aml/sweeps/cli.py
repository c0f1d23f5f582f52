"""`aml sweep ID`: search an example's declared space for the smallest models per tier."""

from __future__ import annotations

import argparse
import ast
import dataclasses
import os
import subprocess
import sys

import aml
from aml import catalog
from aml.errors import AmlError


def register(subparsers) -> None:
    from aml.backend import BACKENDS

    p = subparsers.add_parser(
        "sweep", help="multi-objective search: best metric for fewest parameters",
        description="Search the example's declared space (Optuna, multi-objective: its first "
                    "target metric vs parameters); print the Pareto front and the smallest "
                    "model per tier; write results/sweeps/<study>/.")
    p.add_argument("id", metavar="ID", help="example id with a search space, e.g. l1.iris")
    p.add_argument("--trials", type=int, default=20,
                   help="trials this command runs (0: only summarise the study; default 20)")
    p.add_argument("--storage", help="database URL shared by workers, e.g. "
                   "postgresql://user:pw@host/db (default: sqlite file results/sweeps.db)")
    p.add_argument("--study", help="study name (default: the example id, '-quick' appended "
                   "with --quick); workers with the same storage and name share it")
    p.add_argument("--jobs", type=int, default=1,
                   help="worker processes on this machine sharing the trials (default 1)")
    p.add_argument("--quick", action="store_true", help="vary the quick configuration")
    p.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE",
                   help="change a configuration field before the search, e.g. "
                        "train_limit=20000 (repeatable)")
    p.add_argument("--fix", action="append", default=[], metavar="PARAM=VALUE",
                   help="hold a search parameter at one value, e.g. epochs=4 (repeatable)")
    p.add_argument("--seed", type=int, default=0, help="training seed of every trial")
    p.add_argument("--no-prune", action="store_true",
                   help="run every trial to its end (by default a trial far below the lowest "
                        "tier at half its epochs is stopped)")
    p.add_argument("--sampler-seed", type=int,
                   help="seed of the search itself, for a repeatable one-process sweep")
    p.add_argument("--heartbeat", type=int, default=20, help="seconds between liveness "
                   "signals; a trial silent for twice this is failed and re-queued once")
    p.add_argument("--worker", action="store_true",
                   help="only run trials, print no summary (for extra processes)")
    p.add_argument("--backend", choices=BACKENDS, help="Keras backend (default tensorflow)")
    p.add_argument("--out", help="results folder (default: results/ or $AML_RESULTS)")
    p.set_defaults(func=cmd_sweep)


def _shares(trials: int, jobs: int) -> list[int]:
    return [trials // jobs + (1 if i < trials % jobs else 0) for i in range(jobs)]


def parse_assignments(items: list[str], option: str) -> dict:
    """NAME=VALUE pairs; VALUE is a Python literal (4, 1e-3, (64, 32), None) or else text."""
    result = {}
    for item in items:
        name, sep, text = item.partition("=")
        if not sep or not name.strip():
            raise AmlError(f"{option} wants NAME=VALUE, got {item!r}")
        try:
            result[name.strip()] = ast.literal_eval(text.strip())
        except (ValueError, SyntaxError):
            result[name.strip()] = text.strip()
    return result


def _spawn_worker(args, trials: int, storage: str, study: str, backend: str):
    command = [sys.executable, "-m", "aml", "sweep", args.id, "--trials", str(trials),
               "--storage", storage, "--study", study, "--seed", str(args.seed),
               "--heartbeat", str(args.heartbeat), "--backend", backend, "--worker"]
    if args.quick:
        command.append("--quick")
    if args.no_prune:
        command.append("--no-prune")
    for item in args.set:
        command += ["--set", item]
    for item in args.fix:
        command += ["--fix", item]
    # The workers run the same aml as this process, installed or not.
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        p for p in (aml.SOURCE_ROOT, os.environ.get("PYTHONPATH")) if p))
    return subprocess.Popen(command, env=env)


def cmd_sweep(args: argparse.Namespace) -> int:
    from aml.backend import use_backend
    from aml.results import results_root, writable_folder
    from aml.sweeps.study import default_storage, goal_for

    if args.trials < 0 or args.jobs < 1 or args.heartbeat < 1:
        raise AmlError("--trials must be >= 0, --jobs and --heartbeat >= 1")
    goal = goal_for(catalog.get(args.id, kind="example"), args.quick,
                    parse_assignments(args.set, "--set"), parse_assignments(args.fix, "--fix"))
    writable_folder(results_root(args.out))  # before the trials, not after them
    backend = use_backend(args.backend)
    storage = args.storage or default_storage(args.out)
    study_name = args.study or (args.id + ("-quick" if args.quick else ""))
    from aml.sweeps.study import open_storage, open_study, run_trials

    # Create the study (and check the storage) before any worker races to do it.
    study = open_study(goal, open_storage(storage, args.heartbeat), study_name,
                       read_only=args.trials == 0)
    if args.trials == 0:  # summarising: report what the study held, whatever we were told
        goal = dataclasses.replace(goal, settings=study.user_attrs.get("settings") or {},
                                   fixed=study.user_attrs.get("fixed") or {})
    shares = _shares(args.trials, args.jobs)
    workers = [_spawn_worker(args, n, storage, study_name, backend) for n in shares[1:] if n]
    try:
        if shares[0]:
            print(f"{args.id}: {args.trials} trials in study {study_name!r} "
                  f"({args.jobs} process{'es' if args.jobs > 1 else ''})", flush=True)
            study = run_trials(goal, shares[0], storage_url=storage, study_name=study_name,
                               seed=args.seed, heartbeat=args.heartbeat,
                               sampler_seed=args.sampler_seed, prune=not args.no_prune,
                               verbose=True)
    except BaseException:  # an error or Ctrl-C here: leave no worker running on its own
        for worker in workers:
            worker.terminate()
            worker.wait()
        raise
    failed_workers = sum(worker.wait() != 0 for worker in workers)
    if failed_workers:
        print(f"aml: {failed_workers} worker process(es) failed; see their messages above",
              file=sys.stderr)
    if args.worker:
        return 1 if failed_workers else 0
    from aml.sweeps.pareto import format_summary, summarize, write_summary

    summary = summarize(study, goal, storage)
    print()
    print(format_summary(summary))
    if not summary["trials"]:
        print("no trial completed yet: nothing to plot")
        return 1
    folder = write_summary(summary, args.out)
    print(f"\nPareto front, tiers and configs: {folder}/sweep.json, figure {folder}/pareto.png")
    return 1 if failed_workers else 0
