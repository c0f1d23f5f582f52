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
    # seconds a sandboxed check may run before `aml grade` stops it (its --timeout default):
    # a few times what the reference solution needs on one busy core, so an endless loop
    # costs a class little
    timeout_s: float = 600.0
    kind: str = field(default="exercise", init=False)


def resolve(reference: str):
    """Import 'package.module:attribute' and return the attribute."""
    module_name, _, attribute = reference.partition(":")
    return getattr(importlib.import_module(module_name), attribute)


# ---- Lecture 1: neural networks -------------------------------------------------------------

_IRIS_TARGET = (Target("test_accuracy", ">=", 0.93),)
# a sandboxed l1 check of the reference solution takes 11-15 s on a busy core (TensorFlow's
# import is most of it); eight times that still ends an endless loop in two minutes
_L1_TIMEOUT = 120.0

LECTURE1 = (
    Example("l1.iris", 1, "Iris classifier, Dense(8, relu) -> Dense(3, softmax)",
            "aml.lectures.lecture1:iris", "aml.lectures.lecture1:IrisConfig", _IRIS_TARGET,
            search="aml.lectures.lecture1:iris_search_space"),
    Exercise("l1.sequential", 1, "The iris network as Sequential([...]) from a list",
             "lecture1/sequential.py", "lecture1/sequential.py",
             "aml.grading.lecture1:check_sequential", _IRIS_TARGET, timeout_s=_L1_TIMEOUT),
    Exercise("l1.functional", 1, "The iris network with the functional API",
             "lecture1/functional.py", "lecture1/functional.py",
             "aml.grading.lecture1:check_functional", _IRIS_TARGET, timeout_s=_L1_TIMEOUT),
    Exercise("l1.subclassing", 1, "The iris network as a subclass of keras.Model",
             "lecture1/subclassing.py", "lecture1/subclassing.py",
             "aml.grading.lecture1:check_subclassing", _IRIS_TARGET, timeout_s=_L1_TIMEOUT),
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
             "aml.grading.lecture2:check_compare",
             (Target("reported_error_relative_deviation", "<=", 0.05),)),
)


# ---- Lecture 3: architectures ---------------------------------------------------------------

_FASHION = (("dataset", "fashion_mnist"),)
_CIFAR = (("dataset", "cifar10"),)
_L3 = "aml.lectures.lecture3_images"

LECTURE3 = (
    Example("l3.ann_images", 3, "Dense-only image classifier (CIFAR-10, else Fashion-MNIST)",
            f"{_L3}:ann_images", f"{_L3}:AnnConfig",
            (Target("test_accuracy", ">=", 0.88, quick=0.7, when=_FASHION),
             Target("test_accuracy", ">=", 0.50, quick=0.3, when=_CIFAR)),
            search=f"{_L3}:ann_search_space"),
    Example("l3.cnn_images", 3, "Convolutional image classifier (CIFAR-10, else Fashion-MNIST)",
            f"{_L3}:cnn_images", f"{_L3}:CnnConfig",
            (Target("test_accuracy", ">=", 0.92, quick=0.7, when=_FASHION),
             Target("test_accuracy", ">=", 0.80, quick=0.3, when=_CIFAR)),
            search=f"{_L3}:cnn_search_space"),
    Example("l3.params_for_accuracy", 3, "Parameters needed per accuracy tier, ANN vs CNN",
            "aml.lectures.lecture3_capacity:params_for_accuracy",
            "aml.lectures.lecture3_capacity:CapacityConfig",
            (Target("cnn_minus_ann_accuracy", ">", 0.0, quick=-0.3),
             Target("cnn_best_accuracy", ">=", 0.90, quick=0.5, when=_FASHION),
             Target("cnn_best_accuracy", ">=", 0.70, quick=0.3, when=_CIFAR))),
    Example("l3.feature_maps", 3, "What a trained CNN's first layer sees: filters and maps",
            f"{_L3}:feature_maps", f"{_L3}:FeatureMapsConfig",
            (Target("test_accuracy", ">=", 0.80, quick=0.5),)),
    Example("l3.text_sentiment", 3, "Review sentiment: SimpleRNN, LSTM, BiLSTM, custom cell",
            "aml.lectures.lecture3_text:text_sentiment", "aml.lectures.lecture3_text:TextConfig",
            (Target("test_accuracy", ">=", 0.80, quick=0.6, when=(("dataset", "movie_snippets"),)),
             Target("test_accuracy", ">=", 0.90, quick=0.6, when=(("dataset", "imdb"),)))),
    Exercise("l3.ann", 3, "Dense-only image classifier: parameters per accuracy tier",
             "lecture3/ann.py", "lecture3/ann.py", "aml.grading.lecture3:check_ann",
             (Target("test_accuracy", ">=", 0.88, when=_FASHION),
              Target("test_accuracy", ">=", 0.50, when=_CIFAR))),
    Exercise("l3.cnn", 3, "Convolutional image classifier: parameters per accuracy tier",
             "lecture3/cnn.py", "lecture3/cnn.py", "aml.grading.lecture3:check_cnn",
             (Target("test_accuracy", ">=", 0.92, when=_FASHION),
              Target("test_accuracy", ">=", 0.80, when=_CIFAR))),
    Exercise("l3.text", 3, "Review sentiment with memory (RNN, LSTM, BiLSTM, own cell)",
             "lecture3/text.py", "lecture3/text.py", "aml.grading.lecture3:check_text",
             (Target("test_accuracy", ">=", 0.80, when=(("dataset", "movie_snippets"),)),
              Target("test_accuracy", ">=", 0.90, when=(("dataset", "imdb"),)))),
    Example("l3.reservoir", 3, "Echo state network on Mackey-Glass vs an LSTM",
            "aml.lectures.lecture3_reservoir:reservoir",
            "aml.lectures.lecture3_reservoir:ReservoirConfig",
            (Target("nrmse_next_step", "<=", 1e-4, quick=1e-2),
             Target("nrmse_free_run_84", "<=", 1e-2, quick=0.3),
             Target("readout_seconds", "<", 1.0),
             Target("n_reservoir", "<=", 500))),
)


# ---- Lecture 4: physics guidance ------------------------------------------------------------

LECTURE4 = (
    Example("l4.physics_loss", 4, "Physics-guided loss: normalisation of |psi_10|^2 in a well",
            "aml.lectures.lecture4:physics_loss", "aml.lectures.lecture4:PhysicsLossConfig",
            (Target("normalisation_improvement", ">=", 5.0),
             Target("mse_ratio", "<=", 1.0))),
    Example("l4.physics_net", 4, "Physics-structured network: projectile g and v0",
            "aml.lectures.lecture4:physics_net", "aml.lectures.lecture4:PhysicsNetConfig",
            (Target("g_relative_error", "<=", 0.01, quick=0.02),
             Target("v0_relative_error", "<=", 0.01, quick=0.02),
             Target("extrapolation_improvement", ">=", 10.0))),
    Example("l4.regularization", 4, "L1, L2 and dropout against over-fitting few samples",
            "aml.lectures.lecture4:regularization", "aml.lectures.lecture4:RegularizationConfig",
            (Target("gap_reduction", ">=", 0.5),)),
    Exercise("l4.normalisation_loss", 4, "A normalisation penalty added to the MSE",
             "lecture4/physics_loss.py", "lecture4/physics_loss.py",
             "aml.grading.lecture4:check_physics_loss",
             (Target("normalisation_improvement", ">=", 5.0),)),
    Exercise("l4.structured_net", 4, "Projectile network built from x = v0 t - g t^2/2",
             "lecture4/physics_net.py", "lecture4/physics_net.py",
             "aml.grading.lecture4:check_physics_net",
             (Target("g_relative_error", "<=", 0.01), Target("v0_relative_error", "<=", 0.01),
              Target("extrapolation_improvement", ">=", 10.0))),
    Exercise("l4.regularizer", 4, "Regularise the over-fitting wave network",
             "lecture4/regularizer.py", "lecture4/regularizer.py",
             "aml.grading.lecture4:check_regularizer", (Target("gap_reduction", ">=", 0.5),)),
)


# ---- Lecture 5: beyond gradients ------------------------------------------------------------

LECTURE5 = (
    Example("l5.genetic", 5, "Iris network trained by a genetic algorithm, vs Adam",
            "aml.lectures.lecture5:genetic", "aml.lectures.lecture5:GeneticConfig",
            (Target("test_accuracy", ">=", 0.93), Target("ga_seconds", "<=", 60.0))),
    Example("l5.reservoir_evolution", 5, "Echo state network hyperparameters evolved",
            "aml.lectures.lecture5:reservoir_evolution",
            "aml.lectures.lecture5:ReservoirConfig",
            (Target("test_gain", ">=", 1.3, quick=1.0),)),
    Exercise("l5.genetic_trainer", 5, "A genetic trainer for the iris network",
             "lecture5/genetic.py", "lecture5/genetic.py", "aml.grading.lecture5:check_genetic",
             (Target("test_accuracy", ">=", 0.93), Target("ga_seconds", "<=", 60.0))),
)


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
