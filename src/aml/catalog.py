"""The course as data: every example and exercise, its lecture, its configuration, its targets.

Functions and configurations are named by "module:attribute" strings so that listing the
catalog never imports Keras (fast `aml list`, and the backend can still be chosen).
"""

from __future__ import annotations

import difflib
import importlib
import operator
from dataclasses import dataclass, field
from typing import Any

from aml.errors import AmlError

_COMPARE = {">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt}


@dataclass(frozen=True)
class Target:
    """A number a run must reach: `metric op threshold`, optionally only `when` metrics match.

    `quick` is a looser threshold for the quick configuration, which must still show learning.
    """

    metric: str
    op: str
    threshold: float
    quick: float | None = None
    when: tuple[tuple[str, Any], ...] = ()

    def __post_init__(self):
        if self.op not in _COMPARE:
            raise ValueError(f"Target op must be one of {sorted(_COMPARE)}, got {self.op!r}")

    def applies(self, metrics: dict) -> bool:
        return all(metrics.get(key) == value for key, value in self.when)

    def threshold_for(self, quick: bool) -> float:
        return self.quick if (quick and self.quick is not None) else self.threshold

    def met(self, value: float, quick: bool = False) -> bool:
        return value is not None and bool(_COMPARE[self.op](value, self.threshold_for(quick)))

    def describe(self, quick: bool = False) -> str:
        condition = "".join(f" [{k}={v}]" for k, v in self.when)
        return f"{self.metric} {self.op} {self.threshold_for(quick):g}{condition}"


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
    """A student exercise: a template to edit, a reference solution, a checker."""

    id: str
    lecture: int
    title: str
    template: str
    solution: str
    checker: str
    targets: tuple[Target, ...] = ()
    kind: str = field(default="exercise", init=False)


def resolve(reference: str):
    """Import 'package.module:attribute' and return the attribute."""
    module_name, _, attribute = reference.partition(":")
    return getattr(importlib.import_module(module_name), attribute)


# ---- Lecture 1: neural networks -------------------------------------------------------------

_IRIS_TARGET = (Target("test_accuracy", ">=", 0.93),)

LECTURE1 = (
    Example("l1.iris", 1, "Iris classifier, Dense(8, relu) -> Dense(3, softmax)",
            "aml.lectures.lecture1:iris", "aml.lectures.lecture1:IrisConfig", _IRIS_TARGET,
            search="aml.lectures.lecture1:iris_search_space"),
    Exercise("l1.sequential", 1, "The iris network as Sequential([...]) from a list",
             "lecture1/sequential.py", "lecture1/sequential.py",
             "aml.grading.lecture1:check_sequential", _IRIS_TARGET),
    Exercise("l1.functional", 1, "The iris network with the functional API",
             "lecture1/functional.py", "lecture1/functional.py",
             "aml.grading.lecture1:check_functional", _IRIS_TARGET),
    Exercise("l1.subclassing", 1, "The iris network as a subclass of keras.Model",
             "lecture1/subclassing.py", "lecture1/subclassing.py",
             "aml.grading.lecture1:check_subclassing", _IRIS_TARGET),
)


# ---- Lecture 2: machine learning and ways of training ---------------------------------------

_L2 = "aml.lectures.lecture2"
_ODE_TARGET = (Target("max_error", "<", 1e-3, quick=1e-2),)
_RANGE_TARGETS = (Target("residual_max_error_in", "<", 1e-3, quick=1e-2),
                  Target("supervised_max_error_in", "<", 1e-3, quick=1e-2))

LECTURE2 = (
    Example("l2.rule_based", 2, "Thermostat rule (AI without learning) vs one learning neuron",
            f"{_L2}.rule_based:rule_based", f"{_L2}.rule_based:RuleConfig",
            (Target("test_accuracy", ">=", 0.98, quick=0.95),
             Target("threshold_error", "<=", 0.5, quick=1.5))),
    Example("l2.ode_residual", 2, "ODEs du/dx = f solved by the residual loss, autodiff",
            f"{_L2}.odes:ode_residual", f"{_L2}.odes:ODEConfig", _ODE_TARGET),
    Example("l2.ode_supervised", 2, "The same ODE solutions fitted by supervised regression",
            f"{_L2}.odes:ode_supervised", f"{_L2}.odes:ODEConfig", _ODE_TARGET),
    Example("l2.out_of_range", 2, "Residual vs supervised models outside [0, 2], on [0, 5]",
            f"{_L2}.odes:out_of_range", f"{_L2}.odes:OutOfRangeConfig", _RANGE_TARGETS),
    Example("l2.anomaly", 2, "Autoencoder flags peaks in a sine signal",
            f"{_L2}.anomaly:anomaly", f"{_L2}.anomaly:AnomalyConfig",
            (Target("precision", ">=", 0.9), Target("recall", ">=", 0.9))),
    Example("l2.clustering", 2, "Clusters and outliers found without labels (DBSCAN)",
            f"{_L2}.clustering:clustering", f"{_L2}.clustering:ClusterConfig",
            (Target("adjusted_rand_index", ">=", 0.9),)),
    Example("l2.denoising", 2, "Denoising autoencoder on 8x8 digits",
            f"{_L2}.denoising:denoising", f"{_L2}.denoising:DenoisingConfig",
            (Target("psnr_gain", ">=", 5.0, quick=3.0),)),
    Example("l2.exploration", 2, "Walking robot: epsilon-greedy exploration with decay",
            f"{_L2}.exploration:exploration", f"{_L2}.exploration:ExplorationConfig",
            (Target("standing_distance", "<=", 0.0),
             Target("final_distance_fraction", ">=", 0.9))),
    Exercise("l2.residual", 2, "Solve the three ODEs with the residual loss (your network)",
             "lecture2/residual.py", "lecture2/residual.py",
             "aml.grading.lecture2:check_residual", _ODE_TARGET),
    Exercise("l2.supervised", 2, "Fit the three ODE solutions by supervised regression",
             "lecture2/supervised.py", "lecture2/supervised.py",
             "aml.grading.lecture2:check_supervised", _ODE_TARGET),
    Exercise("l2.compare", 2, "Residual vs supervised outside the training range",
             "lecture2/compare.py", "lecture2/compare.py",
             "aml.grading.lecture2:check_compare"),
)


# ---- Lecture 3: architectures ---------------------------------------------------------------

LECTURE3: tuple = ()


# ---- Lecture 4: physics guidance ------------------------------------------------------------

LECTURE4: tuple = ()


# ---- Lecture 5: beyond gradients ------------------------------------------------------------

LECTURE5: tuple = ()


# ---------------------------------------------------------------------------------------------

ENTRIES: tuple = LECTURE1 + LECTURE2 + LECTURE3 + LECTURE4 + LECTURE5


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
