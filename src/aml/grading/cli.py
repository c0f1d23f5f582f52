"""`aml grade`: a teacher grades a folder of submissions (see aml.grading.grade)."""

from __future__ import annotations

from pathlib import Path

from aml import catalog
from aml.errors import AmlError
from aml.sandbox.run import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_S, Limits


def _positive(kind):
    def parse(text: str):
        value = kind(text)
        if value <= 0:
            raise ValueError(text)
        return value
    parse.__name__ = kind.__name__
    return parse


def cmd_grade(args) -> int:
    from aml.backend import use_backend
    from aml.grading.grade import grade_class, summary_table

    exercise = catalog.get(args.exercise, kind="exercise")
    if args.hidden and not Path(args.hidden).is_file():
        raise AmlError(f"no hidden checks file at {args.hidden}")
    use_backend(args.backend)
    limits = Limits(timeout_s=args.timeout, memory_mb=args.memory)
    records = grade_class(exercise, Path(args.submissions), args.out, jobs=args.jobs,
                          limits=limits, quick=args.quick, seed=args.seed, hidden=args.hidden,
                          restart=args.restart, backend=args.backend)
    print()
    print(summary_table(records))
    out = Path(args.out)
    print(f"\ngrades in {out} and {out.with_suffix('.json')} (full feedback per student)")
    return 0


def register(subparsers) -> None:
    from aml.backend import BACKENDS

    p = subparsers.add_parser("grade", help="grade a folder of submissions, safely, in parallel")
    p.add_argument("exercise", help="exercise id, e.g. l1.sequential")
    p.add_argument("submissions", help="folder with one .py file or folder per student")
    p.add_argument("--jobs", type=_positive(int), default=1, help="parallel workers")
    p.add_argument("--timeout", type=_positive(float), default=DEFAULT_TIMEOUT_S,
                   help=f"seconds per submission (default {DEFAULT_TIMEOUT_S:g})")
    p.add_argument("--memory", type=_positive(int), default=DEFAULT_MEMORY_MB,
                   help=f"address-space limit in MB (default {DEFAULT_MEMORY_MB})")
    p.add_argument("--out", default="grades.csv", help="CSV to write; JSON and journal beside")
    p.add_argument("--hidden", help="teacher's file defining hidden_checks(artifacts, quick) "
                   "(run on the measuring side, never in a student's jail)")
    p.add_argument("--quick", action="store_true", help="shorter training in the checks")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--restart", action="store_true", help="discard the journal, grade all")
    p.add_argument("--backend", choices=BACKENDS, help="Keras backend (default tensorflow)")
    p.set_defaults(func=cmd_grade)
