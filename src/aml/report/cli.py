"""`aml report`: write the static HTML report of every result and print where it is."""

from __future__ import annotations

from pathlib import Path

from aml.errors import AmlError


def register(subparsers) -> None:
    p = subparsers.add_parser("report", help="write results/ as a static HTML site",
                              description="Render the latest run of every example and every "
                                          "sweep as HTML pages that open offline.")
    p.add_argument("--out", type=Path, help="site folder (default: <results>/report)")
    p.add_argument("--results", help="results folder (default: results/ or $AML_RESULTS)")
    p.set_defaults(func=cmd_report)


def cmd_report(args) -> int:
    from aml.report.site import build_site
    from aml.results import results_root, writable_folder

    results = results_root(args.results)
    if not results.is_dir():
        raise AmlError(f"no results folder at {results}: run `aml run all` first, or pass "
                       "--results DIR")
    out = Path(args.out or results / "report")
    writable_folder(out.parent, "--out" if args.out else "--results")
    if out.exists() and not out.is_dir():
        raise AmlError(f"--out {out} is a file, not a folder: pass a folder for the site")
    index = build_site(results, out)
    print(f"report: {index.resolve()}")
    return 0
