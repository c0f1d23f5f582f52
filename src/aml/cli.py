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


WIDTH = 100  # `aml list` fits a standard terminal; `aml show ID` has the rest


def _run_status(last: dict | None) -> str:
    if last is None:
        return "never run"
    from aml.results import outcome

    word = {"missed": "MISSED"}.get(outcome(last), outcome(last))
    return word + (" (quick)" if last.get("quick") else "")


def _check_status(last: dict | None) -> str:
    if last is None:
        return "never checked"
    if last.get("passed"):
        word = "pass"
    else:
        word = "FAIL" if last.get("status") == "ok" else f"FAIL ({last.get('status')})"
    score = f" {last['score']:g}/{last['max_score']:g}" if last.get("max_score") else ""
    return word + score + (" (quick)" if last.get("quick") else "")


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[:max(width - 3, 0)] + "..."


def cmd_list(args) -> int:
    from aml.results import read_checks, read_index, results_root

    root = _results_folder(args.out)
    index, checks = read_index(root), read_checks(root)
    rows = []
    for entry in catalog.entries():
        status = (_run_status(index.get(entry.id)) if entry.kind == "example"
                  else _check_status(checks.get(entry.id)))
        rows.append([entry.id, entry.kind, status, entry.title])
    headers = ["id", "kind", "last result", "title"]
    fixed = sum(max(len(h), *(len(r[i]) for r in rows)) + 2 for i, h in enumerate(headers[:3]))
    for row in rows:
        row[3] = _clip(row[3], WIDTH - fixed)
    print(format_table(rows, headers))
    print(f"\ntargets, configuration and last results of one entry: aml show ID "
          f"(results in {results_root(args.out)}/)")
    return 0


def _results_folder(out) -> Path:
    """The results folder to read; a file given as --out is a user error, not "never run"."""
    from aml.results import results_root

    root = results_root(out)
    if root.exists() and not root.is_dir():
        raise AmlError(f"{root} is a file, not a results folder: pass --out a folder")
    return root


def cmd_show(args) -> int:
    from aml.results import outcome, read_checks, read_index

    entry = catalog.get(args.id)
    root = _results_folder(args.out)
    print(f"{entry.id}: {entry.title}")
    print(f"  lecture {entry.lecture} {entry.kind}")
    for target in entry.targets:
        quick = target.describe(True)
        extra = f" (quick configuration: {quick.split(' ', 2)[2]})" if quick != target.describe()\
            else ""
        print(f"  target  {target.describe()}{extra}")
        if target.source:
            print(f"          from {target.source}")
    if not entry.targets:
        print("  target  none: a run is reported as 'no target'")
    if entry.tiers is not None:
        for dataset, rungs in entry.tiers.levels:
            print(f"  tiers   {entry.tiers.metric} {entry.tiers.op} "
                  f"{' / '.join(f'{r:g}' for r in rungs)} [dataset={dataset}]")
            if entry.tiers.source(dataset):
                print(f"          from {entry.tiers.source(dataset)}")
    if entry.kind == "example":
        print(f"  code    {entry.runner.replace(':', '.')}, configured by "
              f"{entry.config.rsplit(':', 1)[-1]}")
        print(f"  run it  aml run {entry.id} [--quick]")
        last = read_index(root).get(entry.id)
        if last is None:
            print(f"  last    never run (results in {root}/)")
            return 0
        print(f"  last    {_run_status(last)}, {last.get('finished', '?')}, {last.get('path')}")
        for name, value in sorted(last.get("metrics", {}).items()):
            print(f"          {name} = {fmt(value)}")
        if outcome(last) == "no target":
            print("          no target applied to these metrics: nothing was checked")
        return 0
    print(f"  edit    {_default_file(entry)}")
    print(f"  check   aml check {entry.id} [--quick]")
    last = read_checks(root).get(entry.id)
    if last is None:
        print("  last    never checked")
        return 0
    print(f"  last    {_check_status(last)}, {last.get('finished', '?')}, file {last.get('file')}")
    for check in last.get("checks", []):
        print(f"          {'pass' if check.get('passed') else 'FAIL'}  {check.get('name')}: "
              f"{fmt(check.get('measured'))} (target {check.get('target')})")
    if not last.get("checks") and last.get("detail"):
        print(f"          {last.get('status')}: {last['detail']}")
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


def _seeds(text: str) -> list[int]:
    try:
        seeds = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise AmlError(f"--seeds wants integers separated by commas, e.g. 0,1,2; got {text!r}")\
            from None
    if not seeds or len(set(seeds)) != len(seeds):
        raise AmlError(f"--seeds wants distinct integers, e.g. 0,1,2; got {text!r}")
    return seeds


def _spread_table(records: list[dict]) -> str:
    from aml.running import seed_spread

    rows = [[r["id"], r["metric"], " / ".join(fmt(v) for v in r["values"]),
             f"{fmt(r['mean'])} ± {fmt(r['sd'])}", r["target"], f"{r['met']}/{r['runs']}"]
            for r in seed_spread(records)]
    return format_table(rows, ["example", "metric", "per seed", "mean ± sd", "target",
                               "seeds met"])


def _results_table(records: list[dict], with_seed: bool = False) -> str:
    rows = []
    for record in records:
        if with_seed and "seed" in record:
            record = {**record, "id": f"{record['id']} (seed {record['seed']})"}
        if "skipped" in record:
            rows.append([record["id"], "-", "-", "-", f"SKIPPED: no data; `{record['fix']}`"])
            continue
        if "error" in record:
            rows.append([record["id"], "-", "-", "-", "ERROR: " + record["error"][:60]])
            continue
        if not record["targets"]:
            rows.append([record["id"], "-", "-", "-", "no target (nothing checked)"])
        for target in record["targets"]:
            measured = fmt(target["value"]) + (f" ± {fmt(target['se'])}"
                                                if target.get("se") is not None else "")
            status = target.get("status") or ("pass" if target["met"] else "MISSED")
            rows.append([record["id"], target["metric"], measured, target["target"], status])
    return format_table(rows, ["example", "metric", "measured ± SE", "target", "result"])


def _data_lines(records: list[dict]) -> list[str]:
    """Where each example's data came from, for the examples that read a dataset file."""
    lines = {f"  {r['id']}: {r['data_summary']}": None for r in records
             if r.get("data_summary") and any(d["provenance"] != "generated" for d in r["data"])}
    return list(lines)  # once per example, however many seeds ran


def cmd_run(args) -> int:
    from aml.backend import use_backend
    from aml.results import results_root, writable_folder

    examples = _select_examples(args.ids)
    chosen = bool(args.backend or os.environ.get("KERAS_BACKEND"))
    writable_folder(results_root(args.out))  # before minutes of training, not after
    use_backend(args.backend)
    from aml.running import run_many

    seeds = _seeds(args.seeds) if args.seeds else [args.seed]
    records = []
    for seed in seeds:
        if len(seeds) > 1 and not args.quiet:
            print(f"== seed {seed} ==", flush=True)
        records += run_many(examples, backend_chosen=chosen, quick=args.quick, seed=seed,
                            out=args.out, verbose=not args.quiet)
    print()
    print(_results_table(records, with_seed=len(seeds) > 1))
    if len(seeds) > 1:
        print("\nspread over seeds " + ", ".join(map(str, seeds)) + ":")
        print(_spread_table(records))
    sources = _data_lines(records)
    if sources:
        print("\ndata:\n" + "\n".join(sources))
    from aml.results import outcome

    by_outcome: dict[str, list[str]] = {}
    for record in records:
        by_outcome.setdefault(outcome(record), []).append(record["id"])
    print()
    skipped = [r for r in records if "skipped" in r]
    if skipped:  # not run, not failed: the data is missing, and here is how to get it
        print(f"{len(skipped)} example(s) skipped because their data is not on this machine: "
              + "; ".join(f"{r['id']}: `{r['fix']}`" for r in skipped))
    if "met (within 1 SE)" in by_outcome:
        print(f"{len(by_outcome['met (within 1 SE)'])} example(s) met a target by less than one "
              f"standard error of the test set: {', '.join(by_outcome['met (within 1 SE)'])}")
    for word, meaning in (("missed", "missed a target"), ("error", "failed with an error"),
                          ("no target", "had no applicable target, so nothing was checked")):
        if word in by_outcome:
            print(f"{len(by_outcome[word])} of {len(records)} examples {meaning}: "
                  f"{', '.join(by_outcome[word])}")
    if set(by_outcome) - {"pass", "met (within 1 SE)", "skipped"}:
        return 1
    ran = len(records) - len(skipped)
    print(f"all {ran} examples that ran met their targets; results in "
          f"{results_root(args.out)}/")
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
    if args.file and (args.all or args.reference):
        raise AmlError("--file names one file; drop --file, or drop --all/--reference")
    use_backend(args.backend)
    from aml.grading.templates import solution_path
    from aml.sandbox import Limits, Measurer, grade_submission, isolation_problem

    problem = isolation_problem()
    if problem:
        raise AmlError(problem)
    threads = os.cpu_count() or 1
    rows, all_passed = [], True
    measurer = Measurer(chosen[0], args.backend, threads)
    try:
        for exercise in chosen:
            path = Path(args.file) if args.file else (
                solution_path(exercise) if args.reference else _default_file(exercise))
            print(f"{exercise.id}: {exercise.title}\n  file {path}", flush=True)
            measurer.use(exercise)
            # the exercise's own timeout from the catalog unless --timeout says otherwise
            limits = Limits(timeout_s=args.timeout or exercise.timeout_s,
                            memory_mb=args.memory, threads=threads)
            outcome = grade_submission(exercise, path, measurer, quick=args.quick,
                                       seed=args.seed, limits=limits, backend=args.backend)
            passed = _print_outcome(outcome, rows, exercise)
            _remember_check(exercise, path, outcome, passed, args.quick)
            all_passed &= passed
    finally:
        measurer.close()
    if args.all or args.reference:
        print()
        print(format_table(rows, ["exercise", "score", "status", "result"]))
    return 0 if all_passed else 1


def _print_outcome(outcome, rows: list, exercise) -> bool:
    """Print one exercise's checks; add its summary row; True when everything passed."""
    from aml.grading.checks import CheckResult, format_results

    results = [CheckResult(c["name"], c["passed"], c["measured"], c["target"], c["hint"],
                           c["points"], c["tier"], c["status"]) for c in outcome.checks]
    if results:
        print(format_results(results))
    if outcome.status not in ("ok", "error") or not results:
        print(f"  status: {outcome.status}: {outcome.detail}")
        if outcome.status in ("crashed", "memory", "timeout") and outcome.output.strip():
            print("  your code printed (last lines):")
            print("\n".join("    " + line for line in outcome.output.splitlines()[-15:]))
    elif outcome.detail:  # e.g. a copy of the reference, or a third-party check's trust
        print(f"  note: {outcome.detail}")
    passed = outcome.status == "ok" and bool(results) and all(r.passed for r in results)
    score = f"{outcome.score:g}/{outcome.max_score:g}" if outcome.max_score else "-"
    rows.append([exercise.id, score, outcome.status, "pass" if passed else "FAIL"])
    return passed


def _remember_check(exercise, path: Path, outcome, passed: bool, quick: bool) -> None:
    """Keep the latest check for `aml list`; a results folder we cannot write only warns,
    since the check itself has been done and printed."""
    import time

    from aml.results import record_check, results_root

    summary = {"exercise": exercise.id, "file": str(path), "status": outcome.status,
               "detail": outcome.detail, "passed": passed, "score": outcome.score,
               "max_score": outcome.max_score, "quick": quick,
               "finished": time.strftime("%Y-%m-%dT%H:%M:%S"), "checks": outcome.checks}
    try:
        record_check(results_root(), exercise.id, summary)
    except OSError as err:
        print(f"aml: warning: could not remember this check in {results_root()}: "
              f"{err.strerror or err}", file=sys.stderr)


def cmd_exercises_build(args) -> int:
    from aml.grading.templates import build

    for path in build(args.out):
        print(f"wrote {path}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    from aml.backend import BACKENDS

    parser = argparse.ArgumentParser(prog="aml", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("list", help="every example and exercise with its last result")
    p.add_argument("--out", help="results folder (default: results/ or $AML_RESULTS)")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("show", help="one example or exercise: targets, code, last result")
    p.add_argument("id", metavar="ID", help="example or exercise id, e.g. l1.iris")
    p.add_argument("--out", help="results folder (default: results/ or $AML_RESULTS)")
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("run", help="run examples: an id, a lecture (l2) or all")
    p.add_argument("ids", nargs="+", metavar="ID", help="example id, lecture like l2, or all")
    p.add_argument("--quick", action="store_true", help="tiny configuration (seconds)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--seeds", metavar="S1,S2,...",
                   help="run every example once per seed and print the spread, e.g. 0,1,2")
    p.add_argument("--backend", choices=BACKENDS, help="Keras backend (default tensorflow)")
    p.add_argument("--out", help="results folder (default: results/ or $AML_RESULTS)")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("check", help="check an exercise file against the course's targets")
    p.add_argument("exercise", nargs="?", help="exercise id, e.g. l1.sequential")
    p.add_argument("--file", help="your file (default: exercises/<lecture>/<name>.py)")
    p.add_argument("--all", action="store_true", help="check every exercise in exercises/")
    p.add_argument("--reference", action="store_true",
                   help="check the course's reference solution instead (a self-test of the "
                        "sandbox: each must get full marks)")
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
    try:
        args = build_parser().parse_args(argv)
        code = args.func(args)
        sys.stdout.flush()  # a closed pipe shows here, inside the handler, not at exit
        return code
    except AmlError as err:
        print(f"aml: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("aml: interrupted; finished results are kept, the unfinished one was discarded",
              file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader left (`aml list | head`): stop quietly. Pointing stdout at /dev/null
        # keeps Python's flush at exit from raising the same error again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # 128 + SIGPIPE, what a shell reports for a writer the pipe stopped
    except OSError as err:
        if err.filename is None:
            raise
        print(f"aml: error: {err.filename}: {err.strerror or err}; check the path and its "
              "permissions", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
