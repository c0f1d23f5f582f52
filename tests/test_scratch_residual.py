"""The readable residual loss (scratch) against the fast solver's loss, on the notes' ODEs."""

import numpy as np
import pytest
from keras import ops

from aml.models.curve import default_dtype
from aml.scratch.residual import residual_loss, trial_solution
from aml.training import residual

# The three ODEs of eq 2.7-2.9 on [0, 2] with u(0) = 1, and their exact solutions.
ODES = {
    "2x": (lambda x, u: 2 * x, lambda x: x ** 2 + 1),
    "x^2": (lambda x, u: x ** 2, lambda x: x ** 3 / 3 + 1),
    "x^2-2x": (lambda x, u: x ** 2 - 2 * x, lambda x: x ** 3 / 3 - x ** 2 + 1),
}
# NN(x) that makes g(x) = 1 + x NN(x) the exact solution of each.
EXACT_NETWORKS = {"2x": lambda x: x, "x^2": lambda x: x ** 2 / 3,
                  "x^2-2x": lambda x: x ** 2 / 3 - x}


def _points(n=32):
    """Float64 where the backend has it (JAX only with JAX_ENABLE_X64=1)."""
    return ops.convert_to_tensor(residual.collocation_points((0.0, 2.0), n),
                                 dtype=default_dtype())


def _eps():
    return float(np.finfo(default_dtype()).eps)


@pytest.mark.parametrize("name", ODES)
def test_the_exact_solution_has_zero_loss_and_a_wrong_one_the_expected_loss(name):
    f, exact = ODES[name]
    x = _points()
    assert float(residual_loss(EXACT_NETWORKS[name], f, x)) < (100 * _eps()) ** 2
    # NN = 0 gives g = 1, dg/dx = 0: the loss is the mean of f(x)^2 over the points
    zero = float(residual_loss(lambda x: 0.0 * x, f, x))
    xs = ops.convert_to_numpy(x)
    assert zero == pytest.approx(np.mean(f(xs, None) ** 2), rel=100 * _eps())
    g = ops.convert_to_numpy(trial_solution(EXACT_NETWORKS[name], x))
    np.testing.assert_allclose(g, exact(xs), rtol=0, atol=100 * _eps())


@pytest.mark.parametrize("name", ODES)
def test_scratch_loss_equals_the_solvers_loss_for_the_same_weights(name):
    """The solver scales its network's input to [-1, 1] and its output by s = max|f|; with
    that same map inside NN the two losses agree to 1e-10 (float64), both before and after
    training, while the loss itself falls tenfold or more."""
    f, _ = ODES[name]
    solution = residual.solve_ode(f, 1.0, (0.0, 2.0), points=32, steps=0, lbfgs_steps=0,
                                  dtype="float64")
    x = _points()
    rhs = residual.as_rhs(f)

    def network(points):  # what the solver's trial solution multiplies by (x - x0)
        return solution.scale * solution.model((points - 0.0) * (2.0 / 2.0) - 1.0)

    values = []
    for steps in (0, 300):
        if steps:
            solution = residual.solve_ode(f, 1.0, (0.0, 2.0), model=solution.model, points=32,
                                          steps=steps, lbfgs_steps=0, dtype="float64")
        solver = float(residual.residual_loss(solution, rhs, x)(solution.model))
        scratch = float(residual_loss(network, f, x)) / solution.scale ** 2
        assert scratch == pytest.approx(solver, rel=1e-10)
        values.append(scratch)
    assert values[1] < values[0] / 10  # training happened between the two comparisons
