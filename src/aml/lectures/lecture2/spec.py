"""Lecture 2, machine learning and ways of training: its examples and exercises, their targets.

Read by `aml.catalog`; names code by "module:attribute" strings and imports no Keras.
"""

from __future__ import annotations

from aml.lectures import Example, Exercise, Lecture
from aml.targets import Target

_ODE_TARGET = (Target("max_error", "<", 1e-3, quick=1e-2),)
_RANGE_TARGETS = (Target("residual_max_error_in", "<", 1e-3, quick=1e-2),
                  Target("supervised_max_error_in", "<", 1e-3, quick=1e-2))

_HERE = "aml.lectures.lecture2"

ENTRIES = (
    Example("l2.rule_based", 2, "Thermostat rule (AI without learning) vs one learning neuron",
            f"{_HERE}.rule_based:rule_based", f"{_HERE}.rule_based:RuleConfig",
            (Target("test_accuracy", ">=", 0.98, quick=0.95),
             Target("threshold_error", "<=", 0.5, quick=1.5))),
    Example("l2.ode_residual", 2, "ODEs du/dx = f solved by the residual loss, autodiff",
            f"{_HERE}.odes:ode_residual", f"{_HERE}.odes:ODEConfig", _ODE_TARGET),
    Example("l2.ode_supervised", 2, "The same ODE solutions fitted by supervised regression",
            f"{_HERE}.odes:ode_supervised", f"{_HERE}.odes:ODEConfig", _ODE_TARGET),
    Example("l2.out_of_range", 2, "Residual vs supervised models outside [0, 2], on [0, 5]",
            f"{_HERE}.odes:out_of_range", f"{_HERE}.odes:OutOfRangeConfig", _RANGE_TARGETS),
    Example("l2.ode_systems", 2, "Oscillator and Lotka-Volterra: residual solver with its "
            "error estimate vs supervised fit", f"{_HERE}.ode_systems:ode_systems",
            f"{_HERE}.ode_systems:SystemsConfig",
            # the course's 1e-3; the estimate must bound the true error within a factor 2
            (Target("residual_max_error", "<", 1e-3, quick=1e-2),
             Target("estimate_ratio_min", ">=", 0.95), Target("estimate_ratio_max", "<=", 2.0))),
    Example("l2.anomaly", 2, "Autoencoder flags peaks in a sine signal",
            f"{_HERE}.anomaly:anomaly", f"{_HERE}.anomaly:AnomalyConfig",
            (Target("precision", ">=", 0.9), Target("recall", ">=", 0.9))),
    Example("l2.clustering", 2, "Clusters and outliers found without labels (DBSCAN)",
            f"{_HERE}.clustering:clustering", f"{_HERE}.clustering:ClusterConfig",
            (Target("adjusted_rand_index", ">=", 0.9),)),
    Example("l2.denoising", 2, "Denoising autoencoder on 8x8 digits",
            f"{_HERE}.denoising:denoising", f"{_HERE}.denoising:DenoisingConfig",
            (Target("psnr_gain", ">=", 5.0, quick=3.0),)),
    Example("l2.exploration", 2, "Walking robot: epsilon-greedy exploration with decay",
            f"{_HERE}.exploration:exploration", f"{_HERE}.exploration:ExplorationConfig",
            (Target("standing_distance", "<=", 0.0),
             Target("final_distance_fraction", ">=", 0.9))),
    Exercise("l2.residual", 2, "Solve the three ODEs with the residual loss (your network)",
             "lecture2/residual.py", f"{_HERE}.solutions:residual.py",
             f"{_HERE}.checks:check_residual", _ODE_TARGET),
    Exercise("l2.supervised", 2, "Fit the three ODE solutions by supervised regression",
             "lecture2/supervised.py", f"{_HERE}.solutions:supervised.py",
             f"{_HERE}.checks:check_supervised", _ODE_TARGET),
    Exercise("l2.compare", 2, "Residual vs supervised outside the training range",
             "lecture2/compare.py", f"{_HERE}.solutions:compare.py",
             f"{_HERE}.checks:check_compare",
             (Target("reported_error_relative_deviation", "<=", 0.05),)),
)

LECTURE = Lecture(2, "Machine learning and ways of training", ENTRIES)
