"""Full-batch training: exact derivatives by autodiff, and a regression polished by L-BFGS."""

import numpy as np
from keras import ops

from aml.training.full_batch import fit_curve, pointwise_derivative


def test_pointwise_derivative_is_exact():
    x = ops.convert_to_tensor(np.linspace(-2, 2, 7).reshape(-1, 1), dtype="float64")
    y, dy = pointwise_derivative(lambda v: v ** 3 + ops.sin(v), x)
    xs = np.linspace(-2, 2, 7).reshape(-1, 1)
    np.testing.assert_allclose(ops.convert_to_numpy(dy), 3 * xs ** 2 + np.cos(xs), atol=1e-12)
    np.testing.assert_allclose(ops.convert_to_numpy(y), xs ** 3 + np.sin(xs), atol=1e-12)


def test_fit_curve_reaches_1e_3_and_lbfgs_improves_on_adam():
    x = np.linspace(0, 3, 48)
    fit = fit_curve(x, np.sin(2 * x), (0, 3), steps=600, lbfgs_steps=300)
    grid = np.linspace(0, 3, 200)
    assert np.max(np.abs(fit(grid) - np.sin(2 * grid))) < 1e-3
    assert min(fit.history["lbfgs"]) < 0.1 * fit.history["adam"][-1]


def test_lbfgs_opens_no_library_after_a_checker_is_imported():
    """The grading sandbox refuses dlopen/dlsym once student code may run; L-BFGS limits BLAS
    threads through threadpoolctl, so the lecture 2 checker prepares that at import."""
    import os
    import subprocess
    import sys

    import aml

    script = """
import sys
import aml.lectures.lecture2.checks
refused = []
def hook(event, args):
    if event.startswith(("ctypes.dlopen", "ctypes.dlsym")):
        refused.append(event)
        raise PermissionError(event)
sys.addaudithook(hook)
import numpy as np
from keras import ops
from aml.models.curve import mlp
from aml.training.full_batch import minimise
model = mlp((4,), dtype="float64")
model(np.zeros((1, 1)))
x = ops.convert_to_tensor(np.linspace(-1, 1, 9).reshape(-1, 1), dtype="float64")
history = minimise(model, lambda call: ops.mean(ops.square(call(x) - x ** 2)), steps=20,
                   lbfgs_steps=20)
print("refused", refused, "lbfgs", len(history["lbfgs"]))
"""
    env = dict(os.environ, PYTHONPATH=aml.SOURCE_ROOT)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            env=env, timeout=300)
    assert "refused [] lbfgs" in result.stdout, result.stderr[-2000:]
    assert int(result.stdout.split()[-1]) >= 20  # L-BFGS ran its evaluations


def test_minimiser_reuses_its_compiled_steps_and_restarts_adam_for_each_fit():
    from aml.models.curve import mlp
    from aml.training.full_batch import Minimiser

    model = mlp((8,), seed=0, dtype="float64")
    model(np.zeros((1, 1)))
    initial = model.get_weights()
    x = ops.convert_to_tensor(np.linspace(-1, 1, 17).reshape(-1, 1), dtype="float64")

    def loss_fn(call, data):
        (height,) = data
        return ops.mean(ops.square(call(x) - height * x ** 2))

    shared = Minimiser(model, loss_fn, steps=100)
    for height in (1.0, 2.0, 3.0):  # three fits with different data, one compiled step
        model.set_weights(initial)
        history = shared.run((ops.convert_to_tensor(height, dtype="float64"),), lbfgs_steps=30)
    assert shared.traces == {"adam": 1, "lbfgs": 1}
    reused = model.get_weights()
    # the third fit is exactly a fresh one: Adam's moments and step count were reset
    model.set_weights(initial)
    fresh = Minimiser(model, loss_fn, steps=100)
    alone = fresh.run((ops.convert_to_tensor(3.0, dtype="float64"),), lbfgs_steps=30)
    np.testing.assert_allclose(history["adam"], alone["adam"], rtol=1e-9)
    np.testing.assert_allclose(history["lbfgs"], alone["lbfgs"], rtol=1e-9)
    for a, b in zip(reused, model.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)
    assert min(alone["lbfgs"]) < 1e-2 * alone["adam"][0]  # and it did learn 3x^2
