"""The registry: every lecture's spec, read in course order; nothing course-specific here.

A lecture is a package with a `spec` module defining `LECTURE` (see `aml.lectures`). The
course's packages are listed in `LECTURE_PACKAGES`, the one place to register a lecture;
`$AML_LECTURES` (comma-separated package names) adds more without editing aml, e.g. a
teacher's own lecture 6. Specs name functions and configurations by "module:attribute"
strings, so reading the catalog never imports Keras (fast `aml list`, and the backend can
still be chosen).
"""

from __future__ import annotations

import difflib
import importlib
import os

from aml.errors import AmlError
from aml.lectures import Example, Exercise, Lecture
from aml.targets import Target, Tiers

__all__ = ["Example", "Exercise", "Lecture", "Target", "Tiers", "LECTURE_PACKAGES",
           "lecture_packages", "lectures", "lecture", "entries", "resolve", "get", "examples",
           "exercises"]

LECTURE_PACKAGES: tuple[str, ...] = (
    "aml.lectures.lecture1",
    "aml.lectures.lecture2",
    "aml.lectures.lecture3",
    "aml.lectures.lecture4",
    "aml.lectures.lecture5",
)
ENV = "AML_LECTURES"

_registry: dict[tuple[str, ...], tuple[Lecture, ...]] = {}


def resolve(reference: str):
    """Import 'package.module:attribute' and return the attribute."""
    module_name, _, attribute = reference.partition(":")
    return getattr(importlib.import_module(module_name), attribute)


def lecture_packages() -> tuple[str, ...]:
    extra = tuple(p.strip() for p in os.environ.get(ENV, "").split(",") if p.strip())
    return LECTURE_PACKAGES + tuple(p for p in extra if p not in LECTURE_PACKAGES)


def _spec(package: str) -> Lecture:
    try:
        module = importlib.import_module(f"{package}.spec")
    except ImportError as err:
        raise AmlError(f"lecture package {package!r} has no importable spec module ({err}); "
                       f"check {ENV} and PYTHONPATH") from None
    spec = getattr(module, "LECTURE", None)
    if not isinstance(spec, Lecture):
        raise AmlError(f"{package}.spec must define LECTURE = aml.lectures.Lecture(...)")
    return spec


def lectures() -> tuple[Lecture, ...]:
    """Every registered lecture's spec, sorted by number; numbers and ids must be unique."""
    packages = lecture_packages()
    if packages not in _registry:
        found = sorted((_spec(p) for p in packages), key=lambda spec: spec.number)
        numbers = [spec.number for spec in found]
        ids = [entry.id for spec in found for entry in spec.entries]
        for spec in found:
            stray = next((e for e in spec.entries if e.lecture != spec.number), None)
            if stray is not None:
                raise AmlError(f"{stray.id} is in the spec of lecture {spec.number} but says "
                               f"lecture {stray.lecture}; make them agree")
        for name, values in (("lecture number", numbers), ("entry id", ids)):
            twice = sorted({v for v in values if values.count(v) > 1})
            if twice:
                raise AmlError(f"two lectures declare the same {name} {twice[0]}; "
                               "give each a unique one in its spec")
        _registry[packages] = tuple(found)
    return _registry[packages]


def lecture(number: int) -> Lecture:
    for spec in lectures():
        if spec.number == number:
            return spec
    raise AmlError(f"no lecture {number}: the course has lectures "
                   f"{', '.join(str(s.number) for s in lectures())}")


def entries() -> tuple:
    """Every example and exercise of every registered lecture, in course order."""
    return tuple(entry for spec in lectures() for entry in spec.entries)


def __getattr__(name: str):
    # LECTURES and ENTRIES are read lazily, so a broken spec is a one-line error of the
    # command that needs it rather than an import-time traceback.
    if name == "LECTURES":
        return lectures()
    if name == "ENTRIES":
        return entries()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def examples() -> list[Example]:
    return [entry for entry in entries() if entry.kind == "example"]


def exercises() -> list[Exercise]:
    return [entry for entry in entries() if entry.kind == "exercise"]


def get(entry_id: str, kind: str | None = None):
    """The entry with this id; an unknown id is a user error that suggests close matches."""
    pool = [e for e in entries() if kind is None or e.kind == kind]
    for entry in pool:
        if entry.id == entry_id:
            return entry
    close = difflib.get_close_matches(entry_id, [e.id for e in pool], n=3)
    hint = f"did you mean {', '.join(close)}?" if close else "run `aml list` to see them"
    raise AmlError(f"no {kind or 'entry'} called {entry_id!r}: {hint}")
