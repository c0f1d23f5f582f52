"""Checks of the lecture 4 exercises: physics loss, physics-structured net, regulariser.

Contracts (see each template's header):
- l4.physics_loss: normalisation_loss(length, weight, tolerance) -> loss(y_true, y_pred).
- l4.physics_net: build_model() -> keras.Model t -> x; learned_constants(model) -> (g, v0).
- l4.regularizer: build_model() -> the lecture's wave network with a regulariser.
Each check trains the student's piece with the lecture's recipe and compares it with the
unguided/unregularised baseline on the example's targets.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from aml.grading.checks import (
    CheckResult,
    SubmissionError,
    against,
    call_student,
    read_specs,
    returns_model,
    target_of,
)
from aml.sandbox.protocol import Checker

read_specs()  # the targets this module grades against, fixed before student code runs


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
    # The exercise keeps the detector that reads 15% low (the example's second scenario).
    config = dataclasses.replace(config, gain=config.miscalibrated_gain)
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
    improvement = target_of("l4.normalisation_loss", "normalisation_improvement")
    if not all(r.passed for r in results):
        return results + [CheckResult("normalisation error improvement", False, None,
                                      f"{improvement.op} {improvement.threshold_for(quick):g}x",
                                      "fix the loss's value first; training was skipped")]
    compared = _training("training with your loss", lambda: compare_losses(loss, config))
    plain, guided = compared["plain"], compared["guided"]
    ratio = plain["normalisation_error"] / max(guided["normalisation_error"], 1e-12)
    results.append(against(
        "normalisation error improvement", ratio, improvement, quick,
        "a larger weight or a smaller tolerance enforces the normalisation harder",
        shown=round(ratio, 2)))
    results[-1].target += f" (plain error / yours; plain {plain['normalisation_error']:.4f})"
    mse_ratio = guided["test_mse"] / max(plain["test_mse"], 1e-12)
    results.append(against(
        "test MSE no worse than plain MSE", mse_ratio,
        target_of("l4.normalisation_loss", "mse_ratio"), quick,
        "the penalty should only fix the scale: check the sign and the mean over the batch",
        shown=round(mse_ratio, 4)))
    results[-1].target += f" (guided {guided['test_mse']:.5f} / plain {plain['test_mse']:.5f})"
    return results


def check_physics_net(module, quick: bool = False) -> list[CheckResult]:
    """Output shape, then learned g and v0 against least squares on the same samples, and
    extrapolation vs a dense net."""
    import keras

    from aml.lectures.lecture4.physics import (
        PhysicsNetConfig,
        extrapolation_rmse,
        fit_projectile,
        least_squares_constants,
    )
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
    fitted = least_squares_constants(config)
    for name, value in (("g", g), ("v0", v0)):
        target = target_of("l4.structured_net", f"{name}_from_least_squares_in_se")
        allowed = target.threshold_for(quick) * fitted[f"{name}_se"]
        distance = abs(float(value) - fitted[name]) / fitted[f"{name}_se"]
        results.append(CheckResult(f"learned {name} as least squares finds it",
                                   target.met(distance, quick), round(float(value), 4),
                                   f"{fitted[name]:.4f} +- {allowed:.4f}",
                                   "the output must be v0 * t - g * t**2 / 2 with g and v0 "
                                   "from the sub-networks; scale them to about 10"))
    keras.utils.set_random_seed(0)
    dense = dense_regressor(config.baseline_hidden)
    fit_projectile(dense, config, learning_rate=config.baseline_learning_rate)
    ratio = extrapolation_rmse(dense, config) / max(extrapolation_rmse(model, config), 1e-12)
    results.append(against("extrapolation to [5, 8] s vs a dense network", ratio,
                           target_of("l4.structured_net", "extrapolation_improvement"), quick,
                           "g and v0 must not depend on t: feed the sub-networks a "
                           "constant input", shown=round(ratio, 1)))
    results[-1].target += " (dense error / yours)"
    return results


def produce_regularizer(module, inputs, record, quick: bool) -> None:
    """Student side: only the built model (configuration and initial weights)."""
    import keras

    model = call_student(module, "build_model")
    record.value("returned", type(model).__name__)
    if isinstance(model, keras.Model):
        record.model("model", model)


def measure_regularizer(art, quick: bool) -> list[CheckResult]:
    """Rebuilds the student's network from its saved configuration (Keras layers and
    regularisers only) and trains it and the unregularised one; the gap must halve."""
    import keras

    from aml.lectures.lecture4.physics import RegularizationConfig, fit_and_measure
    from aml.models.wavefunction import wave_regressor

    config = RegularizationConfig.quick() if quick else RegularizationConfig()
    # One model is checked, nothing is chosen: it trains on every sample, as the lecture does.
    config = dataclasses.replace(config, validation_fraction=0.0)
    if not art.has("model"):
        return [CheckResult("build_model() returns a keras.Model", False,
                            art.value("returned", "nothing"), "keras.Model",
                            "return the model at the end of build_model()")]
    model = art.model("model")
    parameters = int(sum(w.size for w in art.weights("model")))
    expected = wave_regressor(config.hidden, config.frequency).count_params()
    results = [CheckResult("same architecture (parameter count)", parameters == expected,
                           parameters, f"== {expected}",
                           "keep Dense(128, sin) -> Dense(128, tanh) -> Dense(1); "
                           "start with keras.Input((1,))")]
    if not results[0].passed:
        return results
    mine = fit_and_measure(model, config)
    keras.utils.set_random_seed(0)
    baseline = fit_and_measure(wave_regressor(config.hidden, config.frequency), config)
    reduction = 1.0 - mine["gap"] / baseline["gap"]
    results.append(against("train/test gap reduction", reduction,
                           target_of("l4.regularizer", "gap_reduction"), quick,
                           "use a stronger regulariser, e.g. L2(1e-2) or Dropout(0.3)",
                           shown=round(reduction, 3)))
    results[-1].target += f" (unregularised gap {baseline['gap']:.4f})"
    mse_ratio = mine["test_mse"] / max(baseline["test_mse"], 1e-12)
    results.append(against("test MSE no worse than unregularised", mse_ratio,
                           target_of("l4.regularizer", "mse_ratio"), quick,
                           "too strong a regulariser underfits: lower its factor",
                           shown=round(mse_ratio, 4)))
    results[-1].target += (f" (yours {mine['test_mse']:.5f} / unregularised "
                           f"{baseline['test_mse']:.5f})")
    return results


# Split (aml.sandbox.protocol): the jail builds the model on Keras's numpy backend; the
# measuring side rebuilds, trains and compares it. Nothing of the student's runs there.
check_regularizer = Checker(produce_regularizer, measure_regularizer, student_backend="numpy",
                            description="a regularised wave network")
