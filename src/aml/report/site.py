"""Write the report site: pages and copied figures assembled in a staging folder beside the
destination, then renamed into place, so a reader never sees a half-written site."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
import time
from pathlib import Path

from aml import catalog
from aml.atomic import staging_folder
from aml.report import pages
from aml.report.collect import latest_runs, sweeps


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", name)


def _copy_figures(runs: dict, found_sweeps: list, site: Path) -> tuple[dict, dict]:
    """Copy every figure into site/figures/; return the site-relative paths for the pages."""
    run_figures: dict[str, list[tuple[str, str]]] = {}
    for entry_id, record in runs.items():
        for name in record.get("figures", []):
            source = Path(record["folder"]) / name
            if not source.is_file():
                continue
            relative = f"figures/{_safe(entry_id)}/{_safe(record.get('run', 'run'))}/{_safe(name)}"
            (site / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, site / relative)
            run_figures.setdefault(entry_id, []).append((relative, Path(name).stem))
    sweep_figures: dict[str, str] = {}
    for summary in found_sweeps:
        source = Path(summary["folder"]) / "pareto.png"
        if source.is_file():
            relative = f"figures/sweeps/{_safe(summary['study'])}.png"
            (site / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, site / relative)
            sweep_figures[summary["study"]] = relative
    return run_figures, sweep_figures


def _copy_classes(results: Path, site: Path) -> list[str]:
    """Class pages `aml grade` left in results/classes/, copied into the site."""
    found = sorted((results / "classes").glob("*.html"))
    if found:
        (site / "classes").mkdir()
    for page in found:
        shutil.copyfile(page, site / "classes" / _safe(page.name))
    return [f"classes/{_safe(page.name)}" for page in found]


def _replace_dir(staging: Path, out: Path) -> None:
    """Put the finished staging folder at `out`, removing the previous site."""
    old = None
    if out.exists():
        old = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.old-"))
        os.replace(out, old / "site")
    os.replace(staging, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def build_site(results: Path, out: Path) -> Path:
    """Render results/ as a static site in `out`; return the path of its index page."""
    results, out = Path(results), Path(out)
    runs, found_sweeps = latest_runs(results), sweeps(results)
    examples, exercises = catalog.examples(), catalog.exercises()
    known = {e.id for e in examples}
    examples += [_orphan(record) for entry_id, record in sorted(runs.items())
                 if entry_id not in known]
    staging = staging_folder(out.parent, f".{out.name}.staging-")
    try:
        run_figures, sweep_figures = _copy_figures(runs, found_sweeps, staging)
        generated = time.strftime("%Y-%m-%d %H:%M:%S")
        classes = _copy_classes(results, staging)
        files = {"index.html": pages.index_page(examples, runs, found_sweeps, generated,
                                                classes),
                 "sweeps.html": pages.sweeps_page(found_sweeps, sweep_figures)}
        for lecture in pages.lecture_titles():
            files[pages.lecture_file(lecture)] = pages.lecture_page(
                lecture, examples, exercises, runs, run_figures, found_sweeps)
        for name, text in files.items():
            (staging / name).write_text(text, encoding="utf-8")
        _replace_dir(staging, out)
    finally:
        with contextlib.suppress(FileNotFoundError):
            shutil.rmtree(staging)
    return out / "index.html"


def _orphan(record: dict) -> catalog.Example:
    """A stand-in catalog entry for results of an example the catalog no longer has."""
    return catalog.Example(record["id"], int(record.get("lecture", 0) or 0),
                           record.get("title", "(not in the catalog)"), "", "")
