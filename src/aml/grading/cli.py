"""`aml grade` (a teacher grades a class; see aml.grading.day), `aml grade-merge` (shards
graded on several machines into one gradebook) and `aml export gradescope`."""

from __future__ import annotations

from pathlib import Path

from aml import catalog
from aml.errors import AmlError
from aml.sandbox.run import DEFAULT_MEMORY_MB, Limits


def _positive(kind):
    def parse(text: str):
        value = kind(text)
        if value <= 0:
            raise ValueError(text)
        return value
    parse.__name__ = kind.__name__
    return parse


def _formats(text: str) -> tuple[str, ...]:
    from aml.grading.gradebook import FORMATS

    chosen = tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise AmlError(f"--format {text!r}: choose from {', '.join(FORMATS)} "
                       "(several with commas, e.g. canvas,moodle)")
    return chosen


def cmd_grade(args) -> int:
    from aml.grading.day import grade_day, parse_shard
    from aml.grading.grade import summary_table
    from aml.results import results_root

    exercise = catalog.get(args.exercise, kind="exercise")
    if args.hidden and not Path(args.hidden).is_file():
        raise AmlError(f"no hidden checks file at {args.hidden}")
    # the backend is chosen inside each sandbox; the grader itself never imports Keras
    formats, shard = _formats(args.format), parse_shard(args.shard)
    limits = Limits(timeout_s=args.timeout or exercise.timeout_s, memory_mb=args.memory)
    print(f"grading {exercise.id}: {limits.timeout_s:g} s per submission"
          + ("" if args.timeout else " (the exercise's default; change with --timeout)"))
    result = grade_day(exercise, Path(args.submissions), args.out, formats=formats,
                       points=args.points, assignment=args.assignment, shard=shard,
                       similarity_threshold=args.similarity,
                       report_results=results_root(args.results), jobs=args.jobs, limits=limits,
                       quick=args.quick, seed=args.seed, hidden=args.hidden,
                       restart=args.restart, backend=args.backend)
    print()
    print(summary_table(result["records"]))
    _print_files(result["files"], Path(args.out))
    return 0


def _print_files(files: dict, out: Path) -> None:
    print()
    for what, path in files.items():
        print(f"{what:>10}: {path}")
    print(f"{'json':>10}: {out.with_suffix('.json')} (every check of every student)")


def cmd_grade_merge(args) -> int:
    from aml.grading.merge import merge_shards
    from aml.results import results_root

    exercise = catalog.get(args.exercise, kind="exercise")
    result = merge_shards(exercise, [Path(p) for p in args.shards], Path(args.out),
                          formats=_formats(args.format), points=args.points,
                          assignment=args.assignment, similarity_threshold=args.similarity,
                          report_results=results_root(args.results))
    from aml.grading.grade import summary_table

    print(summary_table(result["records"]))
    _print_files(result["files"], Path(args.out))
    return 0


def cmd_export_gradescope(args) -> int:
    from aml.grading.gradescope import build_autograder

    exercise = catalog.get(args.exercise, kind="exercise")
    path = build_autograder(exercise, Path(args.out or f"autograder-{exercise.id}.zip"),
                            quick=args.quick, seed=args.seed)
    print(f"wrote {path}: upload it as the autograder of a Gradescope programming assignment")
    return 0


def _output_options(p) -> None:
    p.add_argument("--format", default="plain",
                   help="gradebooks to write: plain, canvas, moodle; several with commas "
                        "(plain always goes to --out, others beside it)")
    p.add_argument("--points", type=_positive(float),
                   help="grade out of this many points (default: the exercise's full marks)")
    p.add_argument("--assignment", default="",
                   help="assignment column name for Canvas (default: the exercise id)")
    p.add_argument("--similarity", type=float, default=0.8,
                   help="flag pairs sharing at least this share of their own code (0.8)")
    p.add_argument("--results", help="results folder whose HTML report (aml report) lists "
                                     "the class page (default: results/ or $AML_RESULTS)")


def register(subparsers) -> None:
    from aml.backend import BACKENDS

    p = subparsers.add_parser("grade", help="grade a class: folder or LMS export in, "
                                            "gradebooks, feedback and a class page out")
    p.add_argument("exercise", help="exercise id, e.g. l1.sequential")
    p.add_argument("submissions", help="folder or .zip: .py/.ipynb files, student folders, "
                                       "or a Canvas, Moodle or Gradescope export")
    p.add_argument("--jobs", type=_positive(int), default=1, help="parallel workers")
    p.add_argument("--timeout", type=_positive(float),
                   help="seconds per submission (default: the exercise's, from the catalog)")
    p.add_argument("--memory", type=_positive(int), default=DEFAULT_MEMORY_MB,
                   help=f"address-space limit in MB (default {DEFAULT_MEMORY_MB})")
    p.add_argument("--out", default="grades.csv", help="CSV to write; everything else beside")
    p.add_argument("--hidden", help="teacher's file defining hidden_checks(artifacts, quick) "
                   "(run on the measuring side, never in a student's jail)")
    p.add_argument("--quick", action="store_true", help="shorter training in the checks")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--restart", action="store_true", help="discard the journal, grade all")
    p.add_argument("--backend", choices=BACKENDS, help="Keras backend (default tensorflow)")
    p.add_argument("--shard", help="K/N: grade only the K-th of N parts of the class "
                                   "(one per machine; merge with aml grade-merge)")
    _output_options(p)
    p.set_defaults(func=cmd_grade)

    m = subparsers.add_parser("grade-merge", help="merge the journals of shards graded on "
                                                  "several machines")
    m.add_argument("exercise", help="exercise id, e.g. l1.sequential")
    m.add_argument("shards", nargs="+", help="each shard's grades CSV (its .journal beside it)")
    m.add_argument("--out", default="grades.csv", help="merged CSV; everything else beside")
    _output_options(m)
    m.set_defaults(func=cmd_grade_merge)

    e = subparsers.add_parser("export", help="export an exercise to another platform")
    targets = e.add_subparsers(dest="target", required=True, metavar="TARGET")
    g = targets.add_parser("gradescope", help="the autograder zip of a Gradescope assignment")
    g.add_argument("exercise", help="exercise id, e.g. l1.sequential")
    g.add_argument("--out", help="zip to write (default autograder-<exercise>.zip)")
    g.add_argument("--quick", action="store_true",
                   help="shorter training in the checks (fits small autograder machines)")
    g.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    g.set_defaults(func=cmd_export_gradescope)
