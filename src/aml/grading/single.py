"""One prepared submission graded on its own, outside a class run: the Gradescope runner,
the reference solution when an autograder is exported, and re-measuring a result near a
boundary with another seed. Like `grade_class`, it produces in the student's jail and
measures in a jailed measuring process (aml.sandbox)."""

from __future__ import annotations

import queue
from contextlib import contextmanager
from pathlib import Path

from aml.errors import AmlError
from aml.sandbox import Limits, Measurer, Outcome, grade_submission, isolation_problem


def require_isolation() -> None:
    """Stop with one line when this machine cannot build the jails."""
    problem = isolation_problem()
    if problem:
        raise AmlError(problem)


def grade_one(exercise, path: Path, *, quick: bool = False, seed: int = 0,
              limits: Limits | None = None, hidden_source: str | None = None,
              backend: str | None = None, measurer: Measurer | None = None) -> Outcome:
    """The outcome of one file or folder. Pass a `measurer` to reuse a warm measuring
    process over several calls; without one, a measuring process is started and closed."""
    limits = limits or Limits()
    own = measurer is None
    if own:
        require_isolation()
        measurer = Measurer(exercise, backend, limits.threads)
    try:
        return grade_submission(exercise, path, measurer, quick=quick, seed=seed,
                                limits=limits, hidden_source=hidden_source, backend=backend)
    finally:
        if own:
            measurer.close()


@contextmanager
def measurers(exercise, backend: str | None, count: int, threads: int = 1):
    """`count` warm measuring processes to borrow from parallel workers: yields borrow(),
    a context manager lending one; every process is closed at the end."""
    require_isolation()
    made = [Measurer(exercise, backend, threads) for _ in range(max(1, count))]
    free: queue.Queue = queue.Queue()
    for measurer in made:
        free.put(measurer)

    @contextmanager
    def borrow():
        measurer = free.get()
        try:
            yield measurer
        finally:
            free.put(measurer)

    try:
        yield borrow
    finally:
        for measurer in made:
            measurer.close()
