"""Checks of the lecture 4 exercises: physics loss, physics-structured net, regulariser.

Contracts (see each template's header):
- l4.physics_loss: normalisation_loss(length, weight, tolerance) -> loss(y_true, y_pred).
- l4.physics_net: build_model() -> keras.Model t -> x; learned_constants(model) -> (g, v0).
- l4.regularizer: build_model() -> the lecture's wave network with a regulariser.
Each check trains the student's piece with the lecture's recipe and compares it with the
unguided/unregularised baseline on the example's targets.
"""

from __future__ import annotations

import numpy as np

from aml.grading.checks import CheckResult, SubmissionError, call_student, returns_model

NORMALISATION_TARGET = 5.0
CONSTANT_TOLERANCE = 0.01
EXTRAPOLATION_TARGET = 10.0
GAP_TARGET = 0.5


def _training(name: str, run):
    """Run a training step of a check; a crash becomes a SubmissionError naming the step."""
    try:
        return run()
    except SubmissionError:
        raise
    except Exception as err:  # noqa: BLE001 - any student error becomes a one-line message
        raise SubmissionError(f"{name} failed: {type(err).__name__}: {err}"[:200]) from None


def check_physics_loss(module, quick: bool = False) -> list[CheckResult]:
    """The loss's values on known tensors, then the trained comparison with plain MSE."""
    from keras import ops

    from aml.lectures.lecture4.physics import PhysicsLossConfig, compare_losses
    from aml.training.physics import normalisation_loss

    config = PhysicsLossConfig.quick() if quick else PhysicsLossConfig()
    loss = call_student(module, "normalisation_loss", config.length, config.weight,
                        config.tolerance)
    reference = normalisation_loss(config.length, config.weight, config.tolerance)
    rng = np.random.default_rng(0)
    y_true = rng.uniform(0, 1, (64, 1)).astype("float32")
    results = []
    for name, scale, hint in (
            ("equals the MSE when normalised", 1.0,
             "within the tolerance the penalty must be zero: use relu(violation - tolerance)"),
            ("adds the penalty when not normalised", 0.7,
             "penalty = weight * relu(|mean(y_pred) * length - 1| - tolerance)^2")):
        y_pred = rng.uniform(0, 1, (64, 1)).astype("float32")
        y_pred *= scale / (y_pred.mean() * config.length)
        try:
            value = float(ops.convert_to_numpy(loss(ops.convert_to_tensor(y_true),
                                                    ops.convert_to_tensor(y_pred))))
        except NotImplementedError as err:
            raise SubmissionError(f"the loss returned by normalisation_loss() is not written "
                                  f"yet: {err or 'a TODO is left'}") from None
        except Exception as err:  # noqa: BLE001
            raise SubmissionError(f"loss(y_true, y_pred) raised {type(err).__name__}: "
                                  f"{err}"[:200]) from None
        expected = float(ops.convert_to_numpy(reference(y_true, y_pred)))
        results.append(CheckResult(name, bool(np.isclose(value, expected, rtol=1e-4)),
                                   round(value, 6), f"{expected:.6f}", hint))
    if not all(r.passed for r in results):
        return results + [CheckResult("normalisation error improvement", False, None,
                                      f">= {NORMALISATION_TARGET}x",
                                      "fix the loss's value first; training was skipped")]
    compared = _training("training with your loss", lambda: compare_losses(loss, config))
    plain, guided = compared["plain"], compared["guided"]
    ratio = plain["normalisation_error"] / max(guided["normalisation_error"], 1e-12)
    results.append(CheckResult(
        "normalisation error improvement", ratio >= NORMALISATION_TARGET, round(ratio, 2),
        f">= {NORMALISATION_TARGET}x (plain {plain['normalisation_error']:.4f})",
        "a larger weight or a smaller tolerance enforces the normalisation harder"))
    results.append(CheckResult(
        "test MSE no worse than plain MSE", guided["test_mse"] <= plain["test_mse"],
        round(guided["test_mse"], 5), f"<= {plain['test_mse']:.5f}",
        "the penalty should only fix the scale: check the sign and the mean over the batch"))
    return results


def check_physics_net(module, quick: bool = False) -> list[CheckResult]:
    """Output shape, then learned g and v0 within 1% and extrapolation vs a dense net."""
    import keras

    from aml.lectures.lecture4.physics import PhysicsNetConfig, extrapolation_rmse, fit_projectile
    from aml.models.projectile import dense_regressor

    config = PhysicsNetConfig.quick() if quick else PhysicsNetConfig()
    keras.utils.set_random_seed(0)
    model = call_student(module, "build_model")
    if not isinstance(model, keras.Model):
        return [returns_model(model)]
    try:
        shape = list(np.shape(model(np.ones((5, 1), dtype="float32"))))
    except Exception as err:  # noqa: BLE001
        shape = f"error: {err}"[:120]
    results = [CheckResult("maps t (batch, 1) to x (batch, 1)", shape == [5, 1], shape,
                           "[5, 1]", "the output must be one height per time")]
    if not results[0].passed:
        return results
    _training("training your model", lambda: fit_projectile(model, config))
    g, v0 = call_student(module, "learned_constants", model)
    tolerance = 2 * CONSTANT_TOLERANCE if quick else CONSTANT_TOLERANCE
    for name, value, truth in (("g", g, config.g), ("v0", v0, config.v0)):
        error = abs(float(value) - truth) / truth
        results.append(CheckResult(f"learned {name} within {tolerance:.0%}", error <= tolerance,
                                   round(float(value), 4), f"{truth} +- {tolerance:.0%}",
                                   "the output must be v0 * t - g * t**2 / 2 with g and v0 "
                                   "from the sub-networks; scale them to about 10"))
    keras.utils.set_random_seed(0)
    dense = dense_regressor(config.baseline_hidden)
    fit_projectile(dense, config, learning_rate=config.baseline_learning_rate)
    ratio = extrapolation_rmse(dense, config) / max(extrapolation_rmse(model, config), 1e-12)
    results.append(CheckResult("extrapolation to [5, 8] s vs a dense network",
                               ratio >= EXTRAPOLATION_TARGET, round(ratio, 1),
                               f">= {EXTRAPOLATION_TARGET}x smaller error",
                               "g and v0 must not depend on t: feed the sub-networks a "
                               "constant input"))
    return results


def check_regularizer(module, quick: bool = False) -> list[CheckResult]:
    """Trains the student's network and the unregularised one; the gap must halve."""
    import keras

    from aml.lectures.lecture4.physics import RegularizationConfig, fit_and_measure
    from aml.models.wavefunction import wave_regressor

    config = RegularizationConfig.quick() if quick else RegularizationConfig()
    keras.utils.set_random_seed(0)
    model = call_student(module, "build_model")
    if not isinstance(model, keras.Model):
        return [returns_model(model)]
    parameters = model.count_params() if model.built else None
    expected = wave_regressor(config.hidden, config.frequency).count_params()
    results = [CheckResult("same architecture (parameter count)", parameters == expected,
                           parameters, f"== {expected}",
                           "keep Dense(128, sin) -> Dense(128, tanh) -> Dense(1); "
                           "start with keras.Input((1,))")]
    if not results[0].passed:
        return results
    mine = _training("training your model", lambda: fit_and_measure(model, config))
    keras.utils.set_random_seed(0)
    baseline = fit_and_measure(wave_regressor(config.hidden, config.frequency), config)
    reduction = 1.0 - mine["gap"] / baseline["gap"]
    results.append(CheckResult("train/test gap reduction", reduction >= GAP_TARGET,
                               round(reduction, 3), f">= {GAP_TARGET} "
                               f"(unregularised gap {baseline['gap']:.4f})",
                               "use a stronger regulariser, e.g. L2(1e-2) or Dropout(0.3)"))
    results.append(CheckResult("test MSE no worse than unregularised",
                               mine["test_mse"] <= baseline["test_mse"],
                               round(mine["test_mse"], 5), f"<= {baseline['test_mse']:.5f}",
                               "too strong a regulariser underfits: lower its factor"))
    return results
