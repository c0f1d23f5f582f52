"""Lecture 4, physics guidance: its examples and exercises, their targets.

Read by `aml.catalog`; names code by "module:attribute" strings and imports no Keras.
"""

from __future__ import annotations

from aml.lectures import Example, Exercise, Lecture
from aml.targets import Target

_HERE = "aml.lectures.lecture4"

ENTRIES = (
    Example("l4.physics_loss", 4, "Physics-guided loss: normalisation of |psi_10|^2 in a well",
            f"{_HERE}.physics:physics_loss", f"{_HERE}.physics:PhysicsLossConfig",
            (Target("normalisation_improvement", ">=", 5.0),
             Target("mse_ratio", "<=", 1.0))),
    Example("l4.physics_net", 4, "Physics-structured network: projectile g and v0",
            f"{_HERE}.physics:physics_net", f"{_HERE}.physics:PhysicsNetConfig",
            (Target("g_relative_error", "<=", 0.01, quick=0.02),
             Target("v0_relative_error", "<=", 0.01, quick=0.02),
             Target("extrapolation_improvement", ">=", 10.0))),
    Example("l4.inverse", 4, "Inverse problems: constants of a law with intervals, and the "
            "projectile both ways", f"{_HERE}.inverse:inverse", f"{_HERE}.inverse:InverseConfig",
            # the same 1% on g and v0 that l4.physics_net's structured network must reach
            (Target("g_relative_error", "<=", 0.01, quick=0.02),
             Target("v0_relative_error", "<=", 0.01, quick=0.02))),
    Example("l4.regularization", 4, "L1, L2 and dropout against over-fitting few samples",
            f"{_HERE}.physics:regularization", f"{_HERE}.physics:RegularizationConfig",
            (Target("gap_reduction", ">=", 0.5),)),
    Exercise("l4.normalisation_loss", 4, "A normalisation penalty added to the MSE",
             "lecture4/physics_loss.py", f"{_HERE}.solutions:physics_loss.py",
             f"{_HERE}.checks:check_physics_loss",
             (Target("normalisation_improvement", ">=", 5.0),)),
    Exercise("l4.structured_net", 4, "Projectile network built from x = v0 t - g t^2/2",
             "lecture4/physics_net.py", f"{_HERE}.solutions:physics_net.py",
             f"{_HERE}.checks:check_physics_net",
             (Target("g_relative_error", "<=", 0.01), Target("v0_relative_error", "<=", 0.01),
              Target("extrapolation_improvement", ">=", 10.0))),
    Exercise("l4.regularizer", 4, "Regularise the over-fitting wave network",
             "lecture4/regularizer.py", f"{_HERE}.solutions:regularizer.py",
             f"{_HERE}.checks:check_regularizer", (Target("gap_reduction", ">=", 0.5),)),
)

LECTURE = Lecture(4, "Physics guidance", ENTRIES)
