"""Lecture 2, exercise 1: solve three ODEs with the residual loss.

On x in [0, 2] solve du/dx = 2x, du/dx = x^2 and du/dx = x^2 - 2x, all with u(0) = 1. The
trial solution g(x) = 1 + x·NN(x) and the loss (dg/dx - f(x))^2 are already written for you
in aml.training.residual.solve_ode (dg/dx by automatic differentiation, all points at once).
Your part: the network NN and the training settings.

Contract (what `aml check l2.residual` calls):
  build_network()   -> an uncompiled keras.Model taking (batch, 1) x values to (batch, 1)
  hyperparameters() -> a dict of solve_ode settings: points, steps, learning_rate,
                       final_learning_rate, lbfgs_steps (any you leave out keep defaults)
Done = max |u_NN - u_exact| on 200 points of [0, 2] below 1e-3 for all three equations.
Check your work with: aml check l2.residual
"""

import keras


def build_network():
    """A small smooth network from x to one number: NN(x) in g(x) = 1 + x·NN(x)."""
    # BEGIN SOLUTION: stack a few Dense layers with a smooth activation (tanh) ending in Dense(1); float64 layers (dtype="float64") let the optimiser go further
    return keras.Sequential([
        keras.Input((1,), dtype="float64"),
        keras.layers.Dense(32, activation="tanh", dtype="float64"),
        keras.layers.Dense(32, activation="tanh", dtype="float64"),
        keras.layers.Dense(1, dtype="float64"),
    ])
    # END SOLUTION


def hyperparameters():
    """Settings for solve_ode: collocation points, Adam steps and rates, L-BFGS polish."""
    # BEGIN SOLUTION: return a dict, e.g. {"points": ..., "steps": ..., "learning_rate": ..., "lbfgs_steps": ...}
    return {"points": 64, "steps": 2000, "learning_rate": 1e-2, "final_learning_rate": 1e-4,
            "lbfgs_steps": 500}
    # END SOLUTION


if __name__ == "__main__":
    import numpy as np

    from aml.data.ode import EQUATIONS
    from aml.training.residual import solve_ode

    x = np.linspace(0, 2, 200)
    for name, eq in EQUATIONS.items():
        solution = solve_ode(eq.rhs, eq.u0, (0, 2), model=build_network(), **hyperparameters())
        print(f"du/dx = {name}: max error {np.max(np.abs(solution(x) - eq.exact(x))):.2e}")
