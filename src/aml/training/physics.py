"""Physics-guided losses: a data loss plus a penalty whenever a physical law is broken.

`PhysicsPenaltyLoss(constraint, weight, tolerance)` works with any constraint
`constraint(y_true, y_pred) -> residual` that is zero when the law holds; the penalty is
`weight * mean(max(|residual| - tolerance, 0)^2)`, so small violations cost nothing and the
data term keeps deciding the details.
"""

from __future__ import annotations

from collections.abc import Callable

import keras
from keras import ops


def penalty(residual, weight: float, tolerance: float):
    """weight * mean(relu(|residual| - tolerance)^2): the price of breaking a constraint."""
    excess = ops.relu(ops.abs(residual) - tolerance)
    return weight * ops.mean(ops.square(excess))


class PhysicsPenaltyLoss(keras.losses.Loss):
    """`base(y_true, y_pred)` (MSE by default) plus a penalty on a physical constraint."""

    def __init__(self, constraint: Callable, weight: float = 1.0, tolerance: float = 0.0,
                 base: Callable | None = None, name: str = "physics_penalty", **kwargs):
        super().__init__(name=name, **kwargs)
        if weight < 0 or tolerance < 0:
            raise ValueError("weight and tolerance must be >= 0")
        self.constraint = constraint
        self.weight = float(weight)
        self.tolerance = float(tolerance)
        self.base = base or keras.losses.MeanSquaredError(reduction=None)

    def call(self, y_true, y_pred):
        data = self.base(y_true, y_pred)
        return data + penalty(self.constraint(y_true, y_pred), self.weight, self.tolerance)


def normalisation_constraint(length: float):
    """Residual mean(|psi|^2) * L - 1 over a batch of evenly spread positions in the well."""

    def residual(y_true, y_pred):
        return ops.mean(y_pred) * length - 1.0

    return residual


def normalisation_loss(length: float, weight: float = 10.0, tolerance: float = 0.01):
    """MSE plus a penalty when a batch of predicted |psi|^2 is not normalised on [0, L]."""
    return PhysicsPenaltyLoss(normalisation_constraint(length), weight, tolerance,
                              name="normalisation_penalty")
