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
import functools

import numpy as np

from aml.data import projectile
from aml.grading.checks import (
    INVALID,
    CheckResult,
    SubmissionError,
    against,
    call_student,
    read_specs,
    target_of,
)
from aml.sandbox.protocol import ArtifactError, Checker, assign_weights, finite

read_specs()  # the targets this module grades against, fixed before student code runs


def _training(name: str, run):
    """Run a training step of a check; a crash becomes a SubmissionError naming the step."""
    try:
        return run()
    except SubmissionError:
        raise
    except Exception as err:  # noqa: BLE001 - any student error becomes a one-line message
        raise SubmissionError(f"{name} failed: {type(err).__name__}: {err}"[:200]) from None


# ---- l4.normalisation_loss ---------------------------------------------------------------------

def _loss_config(quick: bool):
    from aml.lectures.lecture4.physics import PhysicsLossConfig

    # The course's case, as in the example's main scenario: a calibrated detector.
    return PhysicsLossConfig.quick() if quick else PhysicsLossConfig()


def _loss_cases() -> tuple:
    """(check name, mean(y_pred) * length, hint) of the loss's two value checks."""
    return (("equals the MSE when normalised", 1.0,
             "within the tolerance the penalty must be zero: use relu(violation - tolerance)"),
            ("adds the penalty when not normalised", 0.7,
             "penalty = weight * relu(|mean(y_pred) * length - 1| - tolerance)^2"))


def loss_inputs(quick: bool, seed: int, secret: int) -> dict:
    """(y_true, y_pred) pairs whose y_pred is normalised to each case's scale, drawn from
    the run's secret (the expected values are the reference loss's on them, computed on
    the measuring side)."""
    config = _loss_config(quick)
    rng = np.random.default_rng(secret)
    made = {"y_true": rng.uniform(0, 1, (64, 1)).astype("float32")}
    for index, (_, scale, _) in enumerate(_loss_cases()):
        y_pred = rng.uniform(0, 1, (64, 1)).astype("float32")
        made[f"y_pred.{index}"] = y_pred * (scale / (y_pred.mean() * config.length))
    return made


def _reference_loss_values(inputs: dict, config) -> list[float]:
    from keras import ops

    from aml.training.physics import normalisation_loss

    reference = normalisation_loss(config.length, config.weight, config.tolerance)
    return [float(ops.convert_to_numpy(reference(inputs["y_true"], inputs[f"y_pred.{i}"])))
            for i in range(len(_loss_cases()))]


def produce_loss(module, inputs, record, quick: bool) -> None:
    """The student's loss on the cases; if its values are right, the lecture's network
    trained on it, its weights recorded."""
    from keras import ops

    from aml.lectures.lecture4.physics import fit_wave_model

    config = _loss_config(quick)
    loss = call_student(module, "normalisation_loss", config.length, config.weight,
                        config.tolerance)
    values = []
    for index in range(len(_loss_cases())):
        try:
            value = loss(ops.convert_to_tensor(inputs["y_true"]),
                         ops.convert_to_tensor(inputs[f"y_pred.{index}"]))
            values.append(float(ops.convert_to_numpy(value)))
        except NotImplementedError as err:
            raise SubmissionError(f"the loss returned by normalisation_loss() is not written "
                                  f"yet: {err or 'a TODO is left'}") from None
        except Exception as err:  # noqa: BLE001
            raise SubmissionError(f"loss(y_true, y_pred) raised {type(err).__name__}: "
                                  f"{err}"[:200]) from None
    record.value("values", values)
    if not all(np.isclose(v, e, rtol=1e-4)
               for v, e in zip(values, _reference_loss_values(inputs, config))):
        return  # nothing is trained on a wrong loss (the measuring side says which case)
    model, _ = _training("training with your loss", lambda: fit_wave_model(loss, config))
    record.model("guided", model)


@functools.lru_cache(maxsize=2)
def _plain_baseline(quick: bool) -> dict:
    """The lecture's network trained with plain MSE (no student code): the comparison."""
    import keras

    from aml.lectures.lecture4.physics import fit_wave_model

    config = _loss_config(quick)
    model, _ = fit_wave_model(keras.losses.MeanSquaredError(), config)
    return _wave_metrics(model, config)


def _wave_metrics(model, config) -> dict:
    from aml.data import infinite_well
    from aml.lectures.lecture4.physics import normalisation_error, predict
    from aml.stats import mse_with_se

    x_test, y_test = infinite_well.grid(config.test_points, config.n, config.length)
    test_mse, _ = mse_with_se(predict(model, x_test), y_test)
    return {"test_mse": test_mse, "normalisation_error": normalisation_error(model, config)}


def _lecture_network(art, name: str, build):
    """The lecture's own network (built here) with the weights the jail trained; an
    ArtifactError when they do not fit it."""
    weights = art.weights(name)
    model = build()
    if not assign_weights(model, weights):
        raise ArtifactError(f"the trained weights ({len(weights)} arrays) do not fit the "
                            "lecture's network")
    if not all(np.all(np.isfinite(array)) for array in weights):
        raise ArtifactError("the trained weights contain NaN or inf")
    return model


def measure_loss(art, quick: bool) -> list[CheckResult]:
    """The loss's values against the reference's on the same tensors; the trained network
    rebuilt here and compared with plain MSE on the test grid."""
    from aml.models.wavefunction import wave_regressor

    config = _loss_config(quick)
    values = art.value("values")
    expected = _reference_loss_values(art.inputs, config)
    if not isinstance(values, list) or len(values) != len(expected):
        raise ArtifactError("the loss's values did not come back")
    results = []
    for value, truth, (name, _, hint) in zip(values, expected, _loss_cases()):
        number = value if finite(value) else None
        results.append(CheckResult(name, number is not None
                                   and bool(np.isclose(number, truth, rtol=1e-4)),
                                   round(number, 6) if number is not None else str(value)[:40],
                                   f"{truth:.6f}", hint,
                                   status="" if number is not None else INVALID))
    improvement = target_of("l4.normalisation_loss", "normalisation_improvement")
    if not all(r.passed for r in results):
        return results + [CheckResult("normalisation error improvement", False, None,
                                      f"{improvement.op} {improvement.threshold_for(quick):g}x",
                                      "fix the loss's value first; training was skipped")]
    guided = _wave_metrics(_lecture_network(
        art, "guided", lambda: wave_regressor(config.hidden, config.frequency)), config)
    plain = _plain_baseline(quick)
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


# Split (aml.sandbox.protocol): the student's loss is student code, so the network is
# trained on it in the jail. The measuring side checks the loss's values against the
# reference's on the same tensors, loads the trained weights into the lecture's network it
# builds itself (the student's code shapes only the weights) and measures it on the test
# grid, which never enters the jail, against the MSE-trained network it trains itself.
# Trusted: that the weights were trained with the loss whose values were checked.
check_physics_loss = Checker(produce_loss, measure_loss, loss_inputs,
                             description="a physics-guided loss")


# ---- l4.structured_net ------------------------------------------------------------------------

PROBE_TIMES = 16


def _net_config(quick: bool):
    from aml.lectures.lecture4.physics import PhysicsNetConfig

    return PhysicsNetConfig.quick() if quick else PhysicsNetConfig()


def _drawn(rng, low: int, high: int, published: float, gap: float) -> float:
    """A value drawn uniformly from [low, high] without the band published*(1 +- gap):
    a constant typed in from the course text is then always off by more than the check's
    tolerance."""
    band = (published * (1 - gap), published * (1 + gap))
    width = (high - low) - (band[1] - band[0])
    value = low + rng.uniform(0.0, width)
    return value if value < band[0] else value + (band[1] - band[0])


def projectile_inputs(quick: bool, seed: int, secret: int) -> dict:
    """A throw drawn from the run's secret: g in [8, 12] and v0 in [15, 25] (never within
    4% of the course's 9.7 and 20), its noisy samples on [0, t_max]
    handed to the student's side, its constants kept here ("_constants"). Also the
    extrapolation times and probe times for the model's structure."""
    config = _net_config(quick)
    rng = np.random.default_rng(secret)
    # +-4% around the course's constants is about ten standard errors of their least-squares
    # fit on these samples (g's is 0.035, v0's 0.07): a typed-in 9.7 or 20 is never close
    gap = 0.04
    g = _drawn(rng, 8, 12, config.g, gap)
    v0 = _drawn(rng, 15, 25, config.v0, gap)
    t = np.sort(rng.uniform(0.0, config.t_max, config.n_points))
    # The noise is made orthogonal to the formula's columns t and t^2: the least-squares fit
    # of these samples is then exactly the drawn (g, v0), so the tolerance measures the
    # student's training, not how this run's noise happened to fall.
    columns = np.stack([t, t ** 2], axis=1)
    noise = rng.normal(0.0, config.noise, config.n_points)
    noise -= columns @ np.linalg.lstsq(columns, noise, rcond=None)[0]
    x = projectile.position(t, v0, g) + noise
    return {"t_train": t[:, None].astype("float32"), "x_train": x[:, None].astype("float32"),
            "t_extrapolate": _extrapolation_times(config),
            "t_probe": rng.uniform(0.0, config.t_extrapolate, (PROBE_TIMES, 1)).astype("float32"),
            "_constants": np.array([g, v0])}


def _extrapolation_times(config):
    return np.linspace(config.t_max, config.t_extrapolate, 300, dtype=np.float32)[:, None]


def produce_projectile(module, inputs, record, quick: bool) -> None:
    """Build, train (the lecture's recipe on the samples handed in), then the constants the
    student reads from the model and its heights at the times handed in."""
    import keras

    from aml.lectures.lecture4.physics import fit_projectile, predict

    config = _net_config(quick)
    keras.utils.set_random_seed(0)
    model = call_student(module, "build_model")
    record.value("returned", type(model).__name__)
    if not isinstance(model, keras.Model):
        return
    try:
        shape = list(np.shape(model(np.ones((5, 1), dtype="float32"))))
    except Exception as err:  # noqa: BLE001
        shape = f"error: {err}"[:120]
    record.value("shape", shape)
    if shape != [5, 1]:
        return
    samples = (inputs["t_train"], inputs["x_train"])
    _training("training your model", lambda: fit_projectile(model, config, samples=samples))
    constants = call_student(module, "learned_constants", model)
    try:
        g, v0 = (float(c) for c in constants)
    except (TypeError, ValueError, OverflowError):
        raise SubmissionError("learned_constants() must return two numbers (g, v0)") from None
    record.value("constants", [g, v0])
    for name in ("t_extrapolate", "t_probe"):
        record.array(f"x_at.{name}", _training("predicting heights",
                                               lambda n=name: predict(model, inputs[n])))


@functools.lru_cache(maxsize=4)
def _dense_baseline(quick: bool, t: bytes, x: bytes, g: float, v0: float) -> float:
    """The extrapolation error of the unstructured dense network trained on the same
    samples (no student code)."""
    import keras

    from aml.lectures.lecture4.physics import fit_projectile, predict
    from aml.models.projectile import dense_regressor

    config = _net_config(quick)
    keras.utils.set_random_seed(0)
    dense = dense_regressor(config.baseline_hidden)
    samples = tuple(np.frombuffer(b, dtype=np.float32).reshape(-1, 1).copy() for b in (t, x))
    fit_projectile(dense, config, learning_rate=config.baseline_learning_rate,
                   samples=samples)
    times = _extrapolation_times(config)
    truth = projectile.position(times, v0, g)
    return float(np.sqrt(np.mean((predict(dense, times) - truth) ** 2)))


def _heights(art, name: str, rows: int):
    heights = art.array(f"x_at.{name}") if art.has(f"x_at.{name}") else None
    if heights is None or heights.shape != (rows, 1) or not np.all(np.isfinite(heights)):
        raise ArtifactError(f"the model's heights at the {rows} times handed in did not come "
                            "back as finite numbers of shape ({rows}, 1)")
    return heights.astype("float64")


def measure_projectile(art, quick: bool) -> list[CheckResult]:
    """Shape, the learned g and v0, and the extrapolation error computed here from the
    model's heights, once they agree with v0 t - g t^2/2 at times the student never saw."""
    from aml.lectures.lecture4.physics import least_squares_constants

    config = _net_config(quick)
    if art.value("shape") is None:
        return [CheckResult("build_model() returns a keras.Model", False,
                            art.value("returned", "nothing"), "keras.Model",
                            "return the model at the end of build_model(), e.g. "
                            "`return model`")]
    shape = art.value("shape")
    results = [CheckResult("maps t (batch, 1) to x (batch, 1)", shape == [5, 1], shape,
                           "[5, 1]", "the output must be one height per time")]
    if not results[0].passed:
        return results
    constants = art.value("constants")
    if not (isinstance(constants, list) and len(constants) == 2
            and all(finite(c) for c in constants)):
        raise ArtifactError("learned_constants() did not give two finite numbers")
    g, v0 = (float(c) for c in constants)
    true_g, true_v0 = (float(c) for c in art.inputs["_constants"])
    # The drawn throw's samples the jail trained on, fitted here by least squares (their
    # noise is orthogonal to t and t^2, so the fit is the drawn g and v0 themselves).
    fitted = least_squares_constants(config, samples=(art.inputs["t_train"],
                                                      art.inputs["x_train"]))
    for name, value in (("g", g), ("v0", v0)):
        target = target_of("l4.structured_net", f"{name}_from_least_squares_in_se")
        allowed = target.threshold_for(quick) * fitted[f"{name}_se"]
        distance = abs(value - fitted[name]) / fitted[f"{name}_se"]
        results.append(CheckResult(f"learned {name} as least squares finds it",
                                   target.met(distance, quick), round(value, 4),
                                   f"{fitted[name]:.4f} +- {allowed:.4f} (a throw drawn for "
                                   "this run)",
                                   "the output must be v0 * t - g * t**2 / 2 with g and v0 "
                                   "from the sub-networks; scale them to about 10"))
    probe = art.inputs["t_probe"].astype("float64")
    formula = v0 * probe - 0.5 * g * probe ** 2
    gap = float(np.max(np.abs(_heights(art, "t_probe", PROBE_TIMES) - formula)))
    name = "extrapolation to [5, 8] s vs a dense network"
    target = target_of("l4.structured_net", "extrapolation_improvement")
    if gap > 1e-3 * max(1.0, float(np.max(np.abs(formula)))):
        return results + [CheckResult(
            name, False, f"heights differ from v0 t - g t^2/2 by {gap:.3g} m",
            f"{target.op} {target.threshold_for(quick):g} (dense error / yours)",
            "the model must compute x = v0 * t - g * t**2 / 2 with the g and v0 that "
            "learned_constants() returns")]
    times = _extrapolation_times(config)
    truth = projectile.position(times, true_v0, true_g)
    mine = float(np.sqrt(np.mean((_heights(art, "t_extrapolate", len(times)) - truth) ** 2)))
    dense = _dense_baseline(quick, art.inputs["t_train"].astype(np.float32).tobytes(),
                            art.inputs["x_train"].astype(np.float32).tobytes(), true_g,
                            true_v0)
    ratio = dense / max(mine, 1e-12)
    results.append(against(name, ratio, target, quick,
                           "g and v0 must not depend on t: feed the sub-networks a "
                           "constant input", shown=round(ratio, 1)))
    results[-1].target += " (dense error / yours)"
    return results


# Split (aml.sandbox.protocol): the structured network is a subclass whose call() is student
# code, so it is trained and read in the jail, on the samples of a throw drawn for this run
# whose constants stay here. Trusted: the g and v0 that learned_constants() reports (they
# are what the exercise asks the student's code to produce); since the throw is drawn from
# a secret the jail never sees, typing in the course's constants earns nothing. Bounded: the
# extrapolation is scored here from the model's heights, and only once its heights at times
# drawn afresh for this run match v0 t - g t^2/2 with those g and v0, so a free-form or
# lying model cannot pass it; the true heights and the dense baseline stay here.
check_physics_net = Checker(produce_projectile, measure_projectile, projectile_inputs,
                            description="a physics-structured projectile network")


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
