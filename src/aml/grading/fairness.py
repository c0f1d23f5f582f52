"""Fair results near a boundary: a trained accuracy within one standard error of its target
is measured again with two more seeds and decided on the mean of the three.

A test accuracy p on n held-out examples has a binomial standard error sqrt(p(1-p)/n): on
lecture 1's 30 iris test flowers that is 0.05 at p = 0.93, one flower more or less. A student
whose first run lands that close to a target could have fallen either side by the luck of
the initial weights; three runs halve that luck's weight (the mean's spread shrinks with
sqrt(3)) at the price of two more runs for those students only. Only checks that report
their `n` (see aml.grading.checks) are considered; the feedback says what was re-measured.
"""

from __future__ import annotations

import math
import operator
import re
from concurrent.futures import ThreadPoolExecutor

from aml.stats import accuracy_se

_OPS = {">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt}
_TARGET = re.compile(r"^\s*(>=|<=|>|<)\s*([-+0-9.eE]+)\s*$")
EXTRA_SEEDS = 2


def standard_error(p: float, n: int) -> float:
    """The binomial standard error of aml.stats (0 when the check gave no n)."""
    return accuracy_se(p, n) if n > 0 else 0.0


_LEADING_NUMBER = re.compile(r"^\s*([-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)(?:\s|$)")


def _number(value) -> float | None:
    """The measured number; a measured text may carry context after its number (lecture 3's
    tiers report "0.7120 with 45,098 parameters")."""
    if isinstance(value, str):
        match = _LEADING_NUMBER.match(value)
        value = float(match[1]) if match else None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def near_boundary(check: dict) -> bool:
    """The check measured a fraction on n examples within one standard error of its target."""
    value, match = _number(check.get("measured")), _TARGET.match(str(check.get("target") or ""))
    if value is None or match is None or not check.get("n") or not 0 <= value <= 1:
        return False
    error = standard_error(value, check["n"])
    return abs(value - float(match[2])) <= error


def decide(check: dict, values: list[float]) -> tuple[bool, float]:
    op, threshold = _TARGET.match(str(check["target"])).groups()
    mean = sum(values) / len(values)
    return bool(_OPS[op](round(mean, 6), float(threshold))), mean


def to_remeasure(records: list[dict]) -> list[dict]:
    return [r for r in records if r["status"] == "ok" and not r.get("remeasured")
            and any(near_boundary(c) for c in r.get("checks", []))]


def remeasure(records: list[dict], measure, seed: int, jobs: int = 1) -> list[dict]:
    """Re-run each record near a boundary with seeds seed+1, seed+2 (`measure(student,
    seed)` returns the checks of one run, or None when that run failed) and decide those
    checks on the mean. Returns the records it changed (in place), each with "fairness"
    notes for the feedback and "remeasured" set."""
    chosen = to_remeasure(records)
    seeds = [seed + k for k in range(1, EXTRA_SEEDS + 1)]
    jobs_list = [(r, s) for r in chosen for s in seeds]
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        runs = list(pool.map(lambda job: measure(job[0]["student"], job[1]), jobs_list))
    by_student: dict[str, list] = {}
    for (record, s), checks in zip(jobs_list, runs):
        by_student.setdefault(record["student"], []).append((s, checks))
    for record in chosen:
        notes = []
        for check in record["checks"]:
            if not near_boundary(check):
                continue
            values, used = [_number(check["measured"])], [seed]
            for s, checks in by_student[record["student"]]:
                again = next((c for c in checks or [] if c["key"] == check["key"]), None)
                number = _number(again.get("measured")) if again else None
                if number is not None:
                    values.append(number)
                    used.append(s)
            passed, mean = decide(check, values)
            error = standard_error(values[0], check["n"])
            notes.append(
                f"{check['key']}: {check['measured']} (seed {seed}) is within one standard "
                f"error ({error:.3f}) of {check['target']}; measured with seeds "
                f"{', '.join(map(str, used))}: {', '.join(f'{v:.4g}' for v in values)}, mean "
                f"{mean:.4g}: {'pass' if passed else 'not reached'}")
            check.update(passed=passed, score=check["points"] if passed else 0.0,
                         measured_first=check["measured"], measured=round(mean, 4))
        record["score"] = sum(c["score"] for c in record["checks"])
        record["fairness"], record["remeasured"] = notes, True
    return chosen
