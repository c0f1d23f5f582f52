"""The pieces every exercise check uses: a result per check, and loading a student's file.

Contract for a checker (`check_x(module, quick=False) -> list[CheckResult]`):
- One `CheckResult` per thing checked; `points` is its weight, `measured`/`target` say what was
  found and what was wanted, `hint` what to try when it failed. Keep `measured` a number, a
  short string or a short list: it goes into the teacher's CSV.
- Tiers (a ladder of targets on one measurement, e.g. CNN accuracy 0.6 / 0.7 / 0.8): build them
  with `tiered(name, measured, thresholds, ...)`, which returns one CheckResult per rung with
  the same `name` and `tier` set to the rung's label. Each rung scores its points on its own,
  so a grade rewards the highest tier reached, and `format_results` prints "tier 0.7 reached,
  0.8 not yet".
- A trained accuracy sets `n` (the number of test examples), so grading can tell a result
  within noise of its target and re-measure it (aml.grading.fairness).
- When the student's code returns something unusable (NaN, inf, a wrong shape), return the
  check failed with `status=INVALID` (or use `finite_number` / `checked_array`), so the
  teacher sees "invalid output" rather than a plain miss. Grading also forces every check
  whose measured value is a non-finite number to fail with that status.
- Call student functions through `call_student`, so a missing or crashing function becomes a
  one-line hint instead of a traceback. Never catch MemoryError: the sandbox reports it.
- Thresholds and tiers are never the checker's own: read them from the exercise's spec with
  `target_of(exercise_id, metric)` / `tiers_of(exercise_id)`, so `aml check` grades against
  exactly what `aml list` shows, and compare with `against(...)`.
- An exercise's checker is an aml.sandbox.protocol.Checker: `produce` calls the student's
  functions in the student's jail and records artifacts (nothing it records is trusted),
  `measure` validates them and computes every CheckResult in a process that never imports
  student code (see aml.sandbox). The jails are read-only but for their own /tmp and have
  no network; a checker prepares data caches beforehand.
"""

from __future__ import annotations

import importlib.util
import itertools
import math
import sys
import traceback
from dataclasses import asdict, dataclass
from pathlib import Path
from types import ModuleType

from aml.errors import AmlError
from aml.targets import Target, Tiers

_counter = itertools.count()
INVALID = "invalid output"
LOAD_CHECK = "file loads and runs"


@dataclass
class CheckResult:
    """One check: passed or not, the measured value against the target, a hint on failure."""

    name: str
    passed: bool
    measured: object = None
    target: str | None = None
    hint: str = ""
    points: float = 1.0
    tier: str = ""
    status: str = ""
    # held-out examples behind a measured fraction (an accuracy): `aml grade` re-measures a
    # result within one binomial standard error of its target with two more seeds
    n: int = 0

    @property
    def score(self) -> float:
        return self.points if self.passed else 0.0

    @property
    def key(self) -> str:
        """Unique name of the check within an exercise (tiers share a name)."""
        return f"{self.name} [tier {self.tier}]" if self.tier else self.name

    def as_dict(self) -> dict:
        return {**asdict(self), "score": self.score}


class SubmissionError(AmlError):
    """The student's file cannot be used at all (missing, unreadable, crashes on import)."""


class ExitCalled(SubmissionError):
    """The student's file calls sys.exit() when imported."""


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
    try:  # decoded as Python decodes a module: a BOM or a coding cookie is honoured
        source = importlib.util.decode_source(path.read_bytes())
    except (OSError, UnicodeDecodeError, SyntaxError, LookupError) as err:
        raise SubmissionError(f"cannot read {path.name}: {err}; save it as UTF-8") from None
    try:
        compile(source, str(path), "exec")
    except (SyntaxError, ValueError) as err:
        raise SubmissionError(
            f"{path.name} line {getattr(err, 'lineno', '?')}: syntax error "
            f"({getattr(err, 'msg', err)}); fix it and check again"
        ) from None
    name = f"aml_submission_{next(_counter)}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except MemoryError:
        raise
    except SystemExit:
        raise ExitCalled(f"{path.name} calls sys.exit() when imported; remove that call")\
            from None
    except Exception as err:  # noqa: BLE001 - any student error becomes a one-line message
        raise SubmissionError(f"{path.name} raised {type(err).__name__} when imported"
                              f"{_where(err, path)}: {err}") from None
    return module


def plain(value, depth: int = 0):
    """A JSON-safe copy of a measured value (short, no live objects)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value[:200] if isinstance(value, str) else value
    if isinstance(value, (list, tuple)) and depth < 3 and len(value) <= 20:
        return [plain(v, depth + 1) for v in value]
    if hasattr(value, "item") and getattr(value, "size", 2) == 1:
        return plain(value.item(), depth)
    return repr(value)[:200]


def call_student(module: ModuleType, function: str, *args, **kwargs):
    """Call a function the exercise asks for; missing or crashing becomes a SubmissionError."""
    target = getattr(module, function, None)
    if not callable(target):
        raise SubmissionError(f"define a function {function}() in your file; it is missing")
    try:
        return target(*args, **kwargs)
    except MemoryError:
        raise
    except NotImplementedError as err:
        raise SubmissionError(f"{function}() is not written yet: {err or 'a TODO is left'}")\
            from None
    except Exception as err:  # noqa: BLE001
        path = Path(getattr(module, "__file__", "") or "")
        raise SubmissionError(f"{function}() raised {type(err).__name__}"
                              f"{_where(err, path)}: {err}") from None


def tiered(name: str, measured, thresholds, op: str = ">=", points: float = 1.0,
           hint: str = "", labels=None) -> list[CheckResult]:
    """One CheckResult per rung of a ladder of targets on one measurement (see module doc)."""
    labels = labels or [f"{t:g}" for t in thresholds]
    value = measured if isinstance(measured, (int, float)) and math.isfinite(measured) else None
    status = "" if value is not None or measured is None else INVALID
    return [CheckResult(name, Target(name, op, threshold).met(value), measured,
                        f"{op} {threshold:g}", hint, points, tier=label, status=status)
            for threshold, label in zip(thresholds, labels)]


def _exercise(exercise_id: str):
    from aml import catalog

    return catalog.get(exercise_id, kind="exercise")


def read_specs() -> None:
    """Read the registered specs now: a checker module calls this when it is imported (as a
    trusted import, before any student code), so the targets it grades against are the
    specs as they were then."""
    from aml import catalog

    catalog.lectures()


def target_of(exercise_id: str, metric: str, **when) -> Target:
    """The exercise's target on `metric` from its spec (the one whose condition `when`
    matches, e.g. dataset="imdb")."""
    for target in _exercise(exercise_id).targets:
        if target.metric == metric and target.applies(when):
            return target
    raise LookupError(f"{exercise_id} has no target on {metric} for {when}: add it to its spec")


def tiers_of(exercise_id: str) -> Tiers:
    """The exercise's ladder of tiers from its spec."""
    tiers = _exercise(exercise_id).tiers
    if tiers is None:
        raise LookupError(f"{exercise_id} declares no tiers: add them to its spec")
    return tiers


def against(name: str, measured, target: Target, quick: bool = False, hint: str = "",
            shown=None, **fields) -> CheckResult:
    """A check of a measured number against a spec Target (its quick threshold when quick);
    a non-finite measurement fails as invalid output. `shown` replaces the number in the
    report (e.g. with its unit)."""
    value = finite_number(measured) if measured is not None else None
    status = INVALID if measured is not None and value is None else ""
    return CheckResult(name, target.met(value, quick), measured if shown is None else shown,
                       f"{target.op} {target.threshold_for(quick):g}", hint,
                       status=status, **fields)


def tier_summary(results: list[CheckResult]) -> dict[str, str]:
    """Check name -> "tier X reached, Y not yet" for every tiered measurement."""
    ladders: dict[str, list[CheckResult]] = {}
    for r in results:
        if r.tier:
            ladders.setdefault(r.name, []).append(r)
    lines = {}
    for name, rungs in ladders.items():
        reached = [r.tier for r in rungs if r.passed]
        missed = [r.tier for r in rungs if not r.passed]
        text = f"tier {reached[-1]} reached" if reached else "no tier reached"
        lines[name] = text + (f", {missed[0]} not yet" if missed else " (the top one)")
    return lines


def finite_number(value) -> float | None:
    """The value as a finite float, or None when it is NaN, inf or not a number."""
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def checked_array(value, shape: tuple):
    """The value as a finite float array of `shape` (None in shape = any size), or None and
    what is wrong with it."""
    import numpy as np

    try:
        array = np.asarray(value, dtype="float64")
    except Exception as err:  # noqa: BLE001 - anything unusable is reported, not raised
        return None, f"not an array of numbers ({type(err).__name__})"
    if array.ndim != len(shape) or any(s is not None and s != a
                                       for s, a in zip(shape, array.shape)):
        return None, f"shape {array.shape}, expected {tuple(shape)}"
    if not np.all(np.isfinite(array)):
        return None, "contains NaN or inf"
    return array, ""


def returns_model(model, function: str = "build_model") -> CheckResult:
    """The check every model exercise starts with: the student's function gave a keras.Model."""
    import keras

    return CheckResult(f"{function}() returns a keras.Model", isinstance(model, keras.Model),
                       type(model).__name__, "keras.Model",
                       f"return the model at the end of {function}(), e.g. `return model`")


def summary(results: list[CheckResult]) -> tuple[float, float]:
    """Score and maximum score of a list of checks."""
    return sum(r.score for r in results), sum(r.points for r in results)


def run_check(exercise, path: str | Path, quick: bool = False,
              seed: int = 0) -> list[CheckResult]:
    """Both sides of an exercise's check in this process, with the artifacts passed through
    the same bundle encoding as between the jails (for tests and debugging; `aml check`
    and `aml grade` run them jailed). An unusable file is one failed check whose hint says
    what to fix. Seeded first, so a file always scores the same."""
    from aml import catalog
    from aml.backend import seed_everything
    from aml.sandbox.protocol import artifact_error_types, as_checker

    checker = as_checker(catalog.resolve(exercise.checker))
    seed_everything(seed)
    try:
        module = load_submission(path)
        return checker(module, quick, seed, Path(path).read_bytes().decode("utf-8", "replace"))
    except SubmissionError as err:
        return [CheckResult(LOAD_CHECK, False, None, None, str(err), points=0)]
    except artifact_error_types() as err:
        return [CheckResult("what came back is usable", False, None, None, str(err),
                            points=0, status=INVALID)]


def _first_missed(results: list[CheckResult], rung: CheckResult) -> str:
    return next((x.tier for x in results if x.name == rung.name and not x.passed), "")


def format_results(results: list[CheckResult]) -> str:
    """Human-readable lines: a mark, the check, measured vs target, a hint when it failed."""
    lines = []
    tiers = tier_summary(results)
    for r in results:
        mark = "PASS" if r.passed else "FAIL"
        measured = "" if r.measured is None else f": {r.measured}"
        target = f" (target {r.target})" if r.target else ""
        status = f" [{r.status}]" if r.status else ""
        lines.append(f"  {mark}  {r.key}{measured}{target}{status}")
        if not r.passed and r.hint and not (r.tier and r.tier != _first_missed(results, r)):
            lines.append(f"        hint: {r.hint}")
        if r.tier and r is [x for x in results if x.name == r.name][-1]:
            lines.append(f"        {r.name}: {r.measured}: {tiers[r.name]}")
    score, maximum = summary(results)
    lines.append(f"  score {score:g}/{maximum:g}" if maximum else
                 "  score: none yet (the checks could not run; fix the file first)")
    return "\n".join(lines)
