"""The lectures, one package each, and the vocabulary their specs are written in.

A lecture package `lectureN/` holds `spec.py` (a `LECTURE = Lecture(...)` naming its examples
and exercises, their targets and tiers, by "module:attribute" strings so that reading a spec
never imports Keras), its example modules, its exercise checkers (`checks.py`) and reference
solutions (`solutions/`). `aml.catalog` reads the specs of the registered packages.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from aml.targets import Target, Tiers


@dataclass(frozen=True)
class Example:
    """A runnable example: `runner(config, context) -> metrics`, configured by a dataclass.

    `search`, when set, names `space(trial, config) -> config`: the hyperparameters that
    `aml sweep` may vary (an Optuna trial suggests them; the result is a new config).
    `tiers` are the rungs a sweep reports against; `topics` name the lecture's topics its
    notebook explains (all of the lecture's when empty). `backend`, when set, is the Keras
    backend the example was measured to run fastest on; `aml run` uses it unless the user
    picks one (--backend or $KERAS_BACKEND).
    """

    id: str
    lecture: int
    title: str
    runner: str
    config: str
    targets: tuple[Target, ...] = ()
    search: str | None = None
    tiers: Tiers | None = None
    topics: tuple[str, ...] = ()
    backend: str | None = None
    kind: str = field(default="example", init=False)


@dataclass(frozen=True)
class Exercise:
    """A student exercise: the template path under exercises/, the reference solution as
    "package:file" (a file shipped inside that package), a checker "module:function".

    The checker grades against `targets` and `tiers`, read from here: what `aml list` shows
    is what `aml check` applies.
    """

    id: str
    lecture: int
    title: str
    template: str
    solution: str
    checker: str
    targets: tuple[Target, ...] = ()
    tiers: Tiers | None = None
    # seconds a sandboxed check may run before `aml grade`/`aml check` stop it (their
    # --timeout default): a few times what the reference solution needs on one busy core,
    # so an endless loop costs a class little
    timeout_s: float = 600.0
    kind: str = field(default="exercise", init=False)


@dataclass(frozen=True)
class Lecture:
    """One lecture as data: its number, title, entries (examples and exercises) and topics.

    `topics` are (name, markdown) pairs: the ideas and equations of the lecture in our words,
    shown in notebooks (each example names the ones it needs) and on the report's pages.
    """

    number: int
    title: str
    entries: tuple = ()
    topics: tuple[tuple[str, str], ...] = ()

    def topic(self, name: str) -> str:
        return dict(self.topics)[name]
