"""Exercise templates generated from the reference solutions, so there is one source of truth.

In a solution file, a region between `# BEGIN SOLUTION: <hint>` and `# END SOLUTION` becomes,
in the template, a `# TODO: <hint>` comment and a `raise NotImplementedError` with that hint.
"""

from __future__ import annotations

import importlib.resources
import re
from pathlib import Path

import aml
from aml import catalog
from aml.atomic import write_bytes_atomic

_BEGIN = re.compile(r"^(?P<indent>\s*)# BEGIN SOLUTION(?::\s*(?P<hint>.*))?$")
_END = re.compile(r"^\s*# END SOLUTION\s*$")


def template_from_solution(source: str, name: str = "solution") -> str:
    """Replace every marked solution region by a TODO stub; unbalanced markers are errors."""
    out, inside = [], None
    for number, line in enumerate(source.splitlines(), 1):
        begin = _BEGIN.match(line)
        if begin:
            if inside is not None:
                raise ValueError(f"{name}:{number}: BEGIN SOLUTION inside another region")
            inside = begin
            hint = (begin["hint"] or "write this part").strip()
            out.append(f"{begin['indent']}# TODO: {hint}")
            out.append(f"{begin['indent']}raise NotImplementedError({hint!r})")
        elif _END.match(line):
            if inside is None:
                raise ValueError(f"{name}:{number}: END SOLUTION without BEGIN SOLUTION")
            inside = None
        elif inside is None:
            out.append(line)
    if inside is not None:
        raise ValueError(f"{name}: BEGIN SOLUTION is never closed")
    return "\n".join(out) + "\n"


def default_exercises_dir() -> Path:
    """The repository's exercises/ folder when running from a checkout, else ./exercises."""
    repo = Path(aml.__file__).resolve().parents[2] / "exercises"
    return repo if repo.is_dir() else Path("exercises")


def solution_path(exercise: catalog.Exercise) -> Path:
    """The reference solution's file: `solution` is "package:file", a file of that package."""
    package, _, name = exercise.solution.partition(":")
    return Path(str(importlib.resources.files(package) / name))


def expected_templates() -> dict[str, str]:
    """Relative template path -> the text it must have, for every exercise of the catalog."""
    return {ex.template: template_from_solution(solution_path(ex).read_text(), ex.solution)
            for ex in catalog.exercises()}


def build(destination: Path | None = None) -> list[Path]:
    """Write every template under `destination` (default: the exercises/ folder)."""
    destination = Path(destination or default_exercises_dir())
    written = []
    for relative, text in expected_templates().items():
        path = destination / relative
        write_bytes_atomic(path, text.encode())
        written.append(path)
    return written


def stale_templates(destination: Path | None = None) -> list[str]:
    """Templates that differ from what their solutions generate (empty when up to date)."""
    destination = Path(destination or default_exercises_dir())
    stale = []
    for relative, text in expected_templates().items():
        path = destination / relative
        if not path.exists() or path.read_text() != text:
            stale.append(relative)
    return stale
