"""The lectures, one package each, and the vocabulary their specs are written in.

A lecture package `lectureN/` holds `spec.py` (a `LECTURE = Lecture(...)` naming its examples
and exercises, their targets and tiers, by "module:attribute" strings so that reading a spec
never imports Keras), its example modules, its exercise checkers (`checks.py`) and reference
solutions (`solutions/`). `aml.catalog` reads the specs of the registered packages.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from aml.targets import Target


@dataclass(frozen=True)
class Example:
    """A runnable example: `runner(config, context) -> metrics`, configured by a dataclass.

    `search`, when set, names `space(trial, config) -> config`: the hyperparameters that
    `aml sweep` may vary (an Optuna trial suggests them; the result is a new config).
    """

    id: str
    lecture: int
    title: str
    runner: str
    config: str
    targets: tuple[Target, ...] = ()
    search: str | None = None
    kind: str = field(default="example", init=False)


@dataclass(frozen=True)
class Exercise:
    """A student exercise: the template path under exercises/, the reference solution as
    "package:file" (a file shipped inside that package), a checker "module:function"."""

    id: str
    lecture: int
    title: str
    template: str
    solution: str
    checker: str
    targets: tuple[Target, ...] = ()
    kind: str = field(default="exercise", init=False)


@dataclass(frozen=True)
class Lecture:
    """One lecture as data: its number, title and entries (examples and exercises)."""

    number: int
    title: str
    entries: tuple = ()
