"""What a run must reach: `Target` (one number against a threshold) and `Tiers` (a ladder of
thresholds). A leaf: specs, checkers, runners, sweeps and the report all import it, and it
imports nothing of aml, so a lecture spec can name its targets without loading Keras."""

from __future__ import annotations

import operator
from dataclasses import dataclass
from typing import Any

_COMPARE = {">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt,
            "==": operator.eq}


@dataclass(frozen=True)
class Target:
    """A number a run must reach: `metric op threshold`, optionally only `when` metrics match.

    `quick` is a looser threshold for the quick configuration, which must still show learning.
    `source` says where the threshold comes from: the course's own number ("the course: ..."),
    a published result with its citation, or a baseline the run computes on the same data
    ("baseline in the run: ..."); never our own best run. `validation` names the metric every
    choice is made on instead (sweeps, the smallest model per tier); by default `val_<x>`
    for a target on `test_<x>`.
    """

    metric: str
    op: str
    threshold: float
    quick: float | None = None
    when: tuple[tuple[str, Any], ...] = ()
    source: str = ""
    validation: str | None = None

    def __post_init__(self):
        if self.op not in _COMPARE:
            raise ValueError(f"Target op must be one of {sorted(_COMPARE)}, got {self.op!r}")

    def applies(self, metrics: dict) -> bool:
        return all(metrics.get(key) == value for key, value in self.when)

    @property
    def selection_metric(self) -> str:
        """The validation metric that choices use, so the test set is read only once."""
        return self.validation or "val_" + self.metric.removeprefix("test_")

    def threshold_for(self, quick: bool) -> float:
        return self.quick if (quick and self.quick is not None) else self.threshold

    def met(self, value: float, quick: bool = False) -> bool:
        return value is not None and bool(_COMPARE[self.op](value, self.threshold_for(quick)))

    def describe(self, quick: bool = False) -> str:
        condition = "".join(f" [{k}={v}]" for k, v in self.when)
        return f"{self.metric} {self.op} {self.threshold_for(quick):g}{condition}"


def percent(fraction: float) -> str:
    """A rung as a percentage: 0.7 -> "70%", 0.794 -> "79.4%" (a cited rung keeps its decimal)."""
    return f"{100 * fraction:.4g}%"


@dataclass(frozen=True)
class Tiers:
    """A ladder of thresholds on one metric, per dataset: each rung reached is worth a point.

    `levels` pairs a dataset with its rungs, lowest first; `on(dataset)` falls back to the
    first dataset's rungs for data the ladder does not name. `sources` pairs each dataset with
    where its rungs come from, as `Target.source` does.
    """

    metric: str
    levels: tuple[tuple[str, tuple[float, ...]], ...]
    op: str = ">="
    sources: tuple[tuple[str, str], ...] = ()

    def __post_init__(self):
        if self.op not in _COMPARE:
            raise ValueError(f"Tiers op must be one of {sorted(_COMPARE)}, got {self.op!r}")

    def on(self, dataset: str) -> tuple[float, ...]:
        return dict(self.levels).get(dataset, self.levels[0][1])

    def source(self, dataset: str) -> str:
        return dict(self.sources).get(dataset, "")

    def targets(self) -> tuple[Target, ...]:
        """Every rung as a Target that applies only to its dataset (what sweeps and lists show)."""
        return tuple(Target(self.metric, self.op, rung, when=(("dataset", dataset),),
                            source=self.source(dataset))
                     for dataset, rungs in self.levels for rung in rungs)

    def describe(self) -> str:
        return "; ".join(f"{self.metric} {self.op} " + "/".join(f"{r:g}" for r in rungs)
                         + f" [dataset={dataset}]" for dataset, rungs in self.levels)
