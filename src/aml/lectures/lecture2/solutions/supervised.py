"""Lecture 2, exercise 2: fit the three ODE solutions by supervised regression.

A network cannot solve an ODE by supervised learning without labels, but here the exact
solutions are known: x^2 + 1, x^3/3 + 1 and x^3/3 - x^2 + 1 on [0, 2]. Build a network and
train it on sampled (x, u) pairs any way you like.

Contract (what `aml check l2.supervised` calls, once per equation):
  build_network()     -> a keras.Model taking (batch, 1) x values to (batch, 1) u values,
                         made of Keras's own layers (the grader rebuilds the trained
                         network from its saved configuration and weights)
  train(model, x, u)  -> trains that model in place on x, u: float32 arrays of shape (200, 1)
                         with x in [0, 2]; the check then calls model(x) on new points
Done = max |model(x) - u_exact(x)| on 200 points of [0, 2] below 1e-3 for all three.
Check your work with: aml check l2.supervised
"""

import keras


def build_network():
    """A small smooth network from x to u(x)."""
    # BEGIN SOLUTION: map x from [0, 2] to [-1, 1] (keras.layers.Rescaling), then a few Dense layers with a smooth activation and a linear Dense(1) output; float64 layers help reach 1e-3
    return keras.Sequential([
        keras.Input((1,), dtype="float64"),
        keras.layers.Rescaling(1.0, offset=-1.0, dtype="float64"),
        keras.layers.Dense(32, activation="tanh", dtype="float64"),
        keras.layers.Dense(32, activation="tanh", dtype="float64"),
        keras.layers.Dense(1, dtype="float64"),
    ])
    # END SOLUTION


def train(model, x, u):
    """Fit model(x) to u: any optimiser and schedule you like, as long as the fit is tight."""
    # BEGIN SOLUTION: minimise the mean squared error of model(x) against u; full batches and many steps (or aml.training.full_batch.minimise, which adds L-BFGS) work well
    from keras import ops

    from aml.training.full_batch import minimise

    dtype = model.trainable_variables[0].dtype
    xt, ut = ops.convert_to_tensor(x, dtype=dtype), ops.convert_to_tensor(u, dtype=dtype)
    minimise(model, lambda call: ops.mean(ops.square(call(xt) - ut)), steps=2000,
             learning_rate=1e-2, final_learning_rate=1e-4, lbfgs_steps=1000)
    # END SOLUTION


if __name__ == "__main__":
    import numpy as np

    from aml.data import load
    from aml.data.ode import EQUATIONS

    grid = np.linspace(0, 2, 200).reshape(-1, 1)
    for name, eq in EQUATIONS.items():
        x, u = load("ode", equation_name=name, n=200)
        model = build_network()
        train(model, x, u)
        error = np.max(np.abs(np.asarray(model(grid)) - eq.exact(grid)))
        print(f"u for du/dx = {name}: max error {error:.2e}")
