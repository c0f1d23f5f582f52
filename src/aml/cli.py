"""The `aml` command: list, run and check the course; more commands plug in from modules.

Keras is imported only after the backend is chosen, so `aml list` stays instant.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path

from aml import catalog
from aml.errors import AmlError
from aml.tables import fmt, format_table

# Modules that add their own subcommands with `register(subparsers)`.
COMMAND_MODULES: tuple[str, ...] = (
    "aml.data.cli",
    "aml.grading.cli",
    "aml.sweeps.cli",
    "aml.report.cli",
    "aml.notebooks",
)


def _targets_text(entry) -> str:
    return "; ".join(t.describe() for t in entry.targets) or "-"


def cmd_list(args) -> int:
    from aml.results import read_index, results_root

    index = read_index(results_root(args.out))
    rows = []
    for entry in catalog.ENTRIES:
        last = index.get(entry.id)
        if last is None:
            status = "never run"
        else:
            status = ("pass" if last["passed"] else "FAIL") + (" (quick)" if last.get("quick")
                                                               else "")
        rows.append([entry.id, entry.lecture, entry.kind, entry.title, _targets_text(entry),
                     status])
    print(format_table(rows, ["id", "lecture", "kind", "title", "targets", "last run"]))
    return 0


def _select_examples(ids: list[str]) -> list:
    if ids == ["all"]:
        return catalog.examples()
    chosen = []
    for entry_id in ids:
        if entry_id.startswith("l") and entry_id[1:].isdigit():  # a whole lecture: l3
            chosen += [e for e in catalog.examples() if e.lecture == int(entry_id[1:])]
        else:
            chosen.append(catalog.get(entry_id, kind="example"))
    return chosen


def _results_table(records: list[dict]) -> str:
    rows = []
    for record in records:
        if "error" in record:
            rows.append([record["id"], "-", "-", "-", "ERROR: " + record["error"][:60]])
            continue
        if not record["targets"]:
            rows.append([record["id"], "-", "-", "-", "no target"])
        for target in record["targets"]:
            rows.append([record["id"], target["metric"], fmt(target["value"]), target["target"],
                         "pass" if target["met"] else "MISSED"])
    return format_table(rows, ["example", "metric", "measured", "target", "result"])


def cmd_run(args) -> int:
    from aml.backend import use_backend

    examples = _select_examples(args.ids)
    use_backend(args.backend)
    from aml.running import run_many

    records = run_many(examples, quick=args.quick, seed=args.seed, out=args.out,
                       verbose=not args.quiet)
    print()
    print(_results_table(records))
    failed = [r["id"] for r in records if not r["passed"]]
    if failed:
        print(f"\n{len(failed)} of {len(records)} examples missed a target: {', '.join(failed)}")
        return 1
    print(f"\nall {len(records)} examples met their targets; results in "
          f"{Path(args.out or 'results')}/")
    return 0


def _default_file(exercise) -> Path:
    from aml.grading.templates import default_exercises_dir

    local = Path("exercises") / exercise.template
    return local if local.exists() else default_exercises_dir() / exercise.template


def cmd_check(args) -> int:
    """Check exercise files, each in a sandboxed process; exit 0 only when every check passes."""
    from aml.backend import use_backend

    if args.all == bool(args.exercise):
        raise AmlError("name one exercise (see `aml list`) or pass --all")
    chosen = catalog.exercises() if args.all else [catalog.get(args.exercise, kind="exercise")]
    if args.file and args.all:
        raise AmlError("--file checks one exercise; drop --all or --file")
    use_backend(args.backend)
    from aml.grading.checks import CheckResult, format_results
    from aml.grading.sandbox import Limits, run_sandboxed

    rows, all_passed = [], True
    for exercise in chosen:
        limits = Limits(timeout_s=args.timeout or exercise.timeout_s, memory_mb=args.memory,
                        threads=os.cpu_count() or 1)
        path = Path(args.file) if args.file else _default_file(exercise)
        print(f"{exercise.id}: {exercise.title}\n  file {path}", flush=True)
        outcome = run_sandboxed(exercise, path, quick=args.quick, seed=args.seed,
                                limits=limits, backend=args.backend)
        results = [CheckResult(c["name"], c["passed"], c["measured"], c["target"], c["hint"],
                               c["points"], c["tier"], c["status"]) for c in outcome.checks]
        if results:
            print(format_results(results))
        if outcome.status not in ("ok", "error") or not results:
            print(f"  status: {outcome.status}: {outcome.detail}")
            if outcome.status in ("crashed", "memory", "timeout") and outcome.output.strip():
                print("  your code printed (last lines):")
                print("\n".join("    " + line for line in outcome.output.splitlines()[-15:]))
        passed = outcome.status == "ok" and all(r.passed for r in results)
        all_passed &= passed
        score = f"{outcome.score:g}/{outcome.max_score:g}" if outcome.max_score else "-"
        rows.append([exercise.id, score, outcome.status,
                     "pass" if passed else "FAIL"])
    if args.all:
        print()
        print(format_table(rows, ["exercise", "score", "status", "result"]))
    return 0 if all_passed else 1


def cmd_exercises_build(args) -> int:
    from aml.grading.templates import build

    for path in build(args.out):
        print(f"wrote {path}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    from aml.backend import BACKENDS

    parser = argparse.ArgumentParser(prog="aml", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("list", help="every example and exercise with targets and last result")
    p.add_argument("--out", help="results folder (default: results/ or $AML_RESULTS)")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("run", help="run examples: an id, a lecture (l2) or all")
    p.add_argument("ids", nargs="+", metavar="ID", help="example id, lecture like l2, or all")
    p.add_argument("--quick", action="store_true", help="tiny configuration (seconds)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--backend", choices=BACKENDS, help="Keras backend (default tensorflow)")
    p.add_argument("--out", help="results folder (default: results/ or $AML_RESULTS)")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("check", help="check an exercise file against the course's targets")
    p.add_argument("exercise", nargs="?", help="exercise id, e.g. l1.sequential")
    p.add_argument("--file", help="your file (default: exercises/<lecture>/<name>.py)")
    p.add_argument("--all", action="store_true", help="check every exercise in exercises/")
    p.add_argument("--quick", action="store_true", help="shorter training (a first look)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--timeout", type=float,
                   help="seconds per exercise (default: the exercise's, from the catalog)")
    p.add_argument("--memory", type=int, default=4096, help="address-space limit in MB")
    p.add_argument("--backend", choices=BACKENDS, help="Keras backend (default tensorflow)")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("exercises", help="manage exercise templates")
    exercises_sub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    b = exercises_sub.add_parser("build", help="regenerate templates from the solutions")
    b.add_argument("--out", type=Path, help="destination (default: the exercises/ folder)")
    b.set_defaults(func=cmd_exercises_build)

    for module in COMMAND_MODULES:
        importlib.import_module(module).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except AmlError as err:
        print(f"aml: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("aml: interrupted; finished results are kept, the unfinished one was discarded",
              file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
