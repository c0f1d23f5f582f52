"""The pieces every exercise check uses: a result per check, and loading a student's file."""

from __future__ import annotations

import importlib.util
import itertools
import sys
import traceback
from dataclasses import asdict, dataclass
from pathlib import Path
from types import ModuleType

from aml.errors import AmlError

_counter = itertools.count()


@dataclass
class CheckResult:
    """One check: passed or not, the measured value against the target, a hint on failure."""

    name: str
    passed: bool
    measured: object = None
    target: str | None = None
    hint: str = ""
    points: float = 1.0

    @property
    def score(self) -> float:
        return self.points if self.passed else 0.0

    def as_dict(self) -> dict:
        return {**asdict(self), "score": self.score}


class SubmissionError(AmlError):
    """The student's file cannot be used at all (missing, unreadable, crashes on import)."""


def _where(err: BaseException, path: Path) -> str:
    """'line N' of the student's file where the exception came from, when it did."""
    frames = [f for f in traceback.extract_tb(err.__traceback__) if Path(f.filename) == path]
    return f" (line {frames[-1].lineno})" if frames else ""


def load_submission(path: str | Path) -> ModuleType:
    """Import a student's .py file under a private module name, with one-line errors."""
    path = Path(path).resolve()
    if not path.exists():
        raise SubmissionError(f"no file at {path}: pass the path of your exercise with --file")
    if not path.is_file() or path.suffix != ".py":
        raise SubmissionError(f"{path} is not a Python file: pass a .py file with --file")
    try:
        source = path.read_text()
    except (OSError, UnicodeDecodeError) as err:
        raise SubmissionError(f"cannot read {path}: {err}") from None
    try:
        compile(source, str(path), "exec")
    except SyntaxError as err:
        raise SubmissionError(
            f"{path.name} line {err.lineno}: syntax error ({err.msg}); fix it and check again"
        ) from None
    name = f"aml_submission_{next(_counter)}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except SystemExit:
        raise SubmissionError(f"{path.name} calls sys.exit() when imported; remove that call")\
            from None
    except Exception as err:  # noqa: BLE001 - any student error becomes a one-line message
        raise SubmissionError(f"{path.name} raised {type(err).__name__} when imported"
                              f"{_where(err, path)}: {err}") from None
    return module


def call_student(module: ModuleType, function: str, *args, **kwargs):
    """Call a function the exercise asks for; missing or crashing becomes a SubmissionError."""
    target = getattr(module, function, None)
    if not callable(target):
        raise SubmissionError(f"define a function {function}() in your file; it is missing")
    try:
        return target(*args, **kwargs)
    except NotImplementedError as err:
        raise SubmissionError(f"{function}() is not written yet: {err or 'a TODO is left'}")\
            from None
    except Exception as err:  # noqa: BLE001
        path = Path(getattr(module, "__file__", "") or "")
        raise SubmissionError(f"{function}() raised {type(err).__name__}"
                              f"{_where(err, path)}: {err}") from None


def summary(results: list[CheckResult]) -> tuple[float, float]:
    """Score and maximum score of a list of checks."""
    return sum(r.score for r in results), sum(r.points for r in results)


def run_check(exercise, path: str | Path, quick: bool = False) -> list[CheckResult]:
    """Import the student's file and run the exercise's checker; an unusable file is one
    failed check whose hint says what to fix."""
    from aml import catalog

    try:
        module = load_submission(path)
        return catalog.resolve(exercise.checker)(module, quick=quick)
    except SubmissionError as err:
        return [CheckResult("file loads and runs", False, None, None, str(err))]


def format_results(results: list[CheckResult]) -> str:
    """Human-readable lines: a mark, the check, measured vs target, a hint when it failed."""
    lines = []
    for r in results:
        mark = "PASS" if r.passed else "FAIL"
        measured = "" if r.measured is None else f": {r.measured}"
        target = f" (target {r.target})" if r.target else ""
        lines.append(f"  {mark}  {r.name}{measured}{target}")
        if not r.passed and r.hint:
            lines.append(f"        hint: {r.hint}")
    score, maximum = summary(results)
    lines.append(f"  score {score:g}/{maximum:g}")
    return "\n".join(lines)
