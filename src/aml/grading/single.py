"""One prepared submission graded on its own, outside a class run: the Gradescope runner,
the reference solution when an autograder is exported, and re-measuring a result near a
boundary with another seed. The one place besides `grade_class` that starts the sandbox."""

from __future__ import annotations

from pathlib import Path

from aml.grading.sandbox import Limits, Outcome, run_sandboxed


def grade_one(exercise, path: Path, *, quick: bool = False, seed: int = 0,
              limits: Limits | None = None, hidden_source: str | None = None,
              backend: str | None = None, private: tuple = (),
              unlistable: tuple = ()) -> Outcome:
    """The sandboxed outcome of one file or folder; `private` paths (other students, the
    grades) cannot be opened from inside, `unlistable` folders cannot be listed."""
    return run_sandboxed(exercise, path, quick=quick, seed=seed, limits=limits or Limits(),
                         hidden_source=hidden_source, backend=backend, protected=private,
                         unlistable=unlistable)
