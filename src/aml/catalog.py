"""The registry: every lecture's spec, read in course order; nothing course-specific here.

Specs name functions and configurations by "module:attribute" strings, so reading the
catalog never imports Keras (fast `aml list`, and the backend can still be chosen).
"""

from __future__ import annotations

import difflib
import importlib

from aml.errors import AmlError
from aml.lectures import Example, Exercise, Lecture
from aml.targets import Target

__all__ = ["Example", "Exercise", "Lecture", "Target", "LECTURES", "ENTRIES", "resolve", "get",
           "examples", "exercises"]

# The lecture packages, in course order: each has a spec module with `LECTURE`.
LECTURE_PACKAGES: tuple[str, ...] = (
    "aml.lectures.lecture1",
    "aml.lectures.lecture2",
    "aml.lectures.lecture3",
    "aml.lectures.lecture4",
    "aml.lectures.lecture5",
)


def resolve(reference: str):
    """Import 'package.module:attribute' and return the attribute."""
    module_name, _, attribute = reference.partition(":")
    return getattr(importlib.import_module(module_name), attribute)


def _load(packages) -> tuple[Lecture, ...]:
    return tuple(importlib.import_module(f"{package}.spec").LECTURE for package in packages)


LECTURES: tuple[Lecture, ...] = _load(LECTURE_PACKAGES)
ENTRIES: tuple = tuple(entry for lecture in LECTURES for entry in lecture.entries)


def examples() -> list[Example]:
    return [entry for entry in ENTRIES if entry.kind == "example"]


def exercises() -> list[Exercise]:
    return [entry for entry in ENTRIES if entry.kind == "exercise"]


def get(entry_id: str, kind: str | None = None):
    """The entry with this id; an unknown id is a user error that suggests close matches."""
    pool = [e for e in ENTRIES if kind is None or e.kind == kind]
    for entry in pool:
        if entry.id == entry_id:
            return entry
    close = difflib.get_close_matches(entry_id, [e.id for e in pool], n=3)
    hint = f"did you mean {', '.join(close)}?" if close else "run `aml list` to see them"
    raise AmlError(f"no {kind or 'entry'} called {entry_id!r}: {hint}")
