"""Lecture 4: physics guidance. Three examples, each a comparison with and without physics.

- physics_loss: a penalty for breaking the normalisation of |psi|^2 added to the MSE.
- physics_net: the projectile formula built into the network; two sub-networks learn g, v0.
- regularization: L1, L2 and dropout against over-fitting of too few wave-function samples.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from aml.context import RunContext

# ---- shared training -------------------------------------------------------------------------


def train_regressor(model, x, y, *, loss=None, epochs: int, learning_rate: float,
                    batch_size: int | None = None, seed: int = 0, validation_data=None,
                    anneal: bool = False):
    """Adam on (x, y) with the compiled loop (full batch by default); returns the history.

    `anneal` lowers the learning rate along a cosine to 1% of its start: late Adam steps
    can otherwise kick a converged fit away (seen on the projectile constants).
    """
    import keras

    from aml.training import supervised

    batch_size = batch_size or len(x)
    rate = learning_rate
    if anneal:
        steps = epochs * -(-len(x) // batch_size)
        rate = keras.optimizers.schedules.CosineDecay(learning_rate, steps, alpha=0.01)
    return supervised.fit(model, x, y, loss=loss or keras.losses.MeanSquaredError(),
                          epochs=epochs, batch_size=batch_size,
                          optimizer=keras.optimizers.Adam(rate), seed=seed,
                          with_accuracy=False, validation_data=validation_data)


def predict(model, x) -> np.ndarray:
    """Inference-mode predictions as a NumPy array."""
    from keras import ops

    return np.asarray(ops.convert_to_numpy(model(ops.convert_to_tensor(x), training=False)))


def mse(model, x, y) -> float:
    return float(np.mean((predict(model, x) - y) ** 2))


# ---- l4.physics_loss -------------------------------------------------------------------------


@dataclass(frozen=True)
class PhysicsLossConfig:
    """The n=10 state of a well of width 2, measured at 200 positions with noisy readings.

    The main scenario is the course's: a calibrated detector (`gain` 1). The second one,
    beside it, reads 15% low (`miscalibrated_gain`): there the data alone cannot fix the
    absolute scale and the penalty has the most to correct.
    """

    n: int = 10
    length: float = 2.0
    n_points: int = 200
    noise: float = 0.15
    gain: float = 1.0
    miscalibrated_gain: float = 0.85
    hidden: int = 64
    frequency: float = 20.0
    epochs: int = 800
    learning_rate: float = 3e-3
    weight: float = 10.0
    tolerance: float = 0.01
    test_points: int = 1000

    @classmethod
    def quick(cls) -> PhysicsLossConfig:
        return cls(epochs=300)


def normalisation_error(model, config) -> float:
    """|mean(|psi|^2) * L - 1| of a model's prediction on an even grid over the well."""
    from aml.data import infinite_well

    x, _ = infinite_well.grid(config.test_points, config.n, config.length)
    return abs(infinite_well.normalisation(predict(model, x), config.length) - 1.0)


def fit_wave_model(loss, config: PhysicsLossConfig, seed: int = 0):
    """The lecture's wave regressor trained on the measured samples with `loss`."""
    import keras

    from aml.data import infinite_well
    from aml.models.wavefunction import wave_regressor

    x, y = infinite_well.load(config.n_points, config.n, config.length, config.noise,
                              config.gain, seed=seed)
    keras.utils.set_random_seed(seed)
    model = wave_regressor(config.hidden, config.frequency)
    history = train_regressor(model, x, y, loss=loss, epochs=config.epochs,
                              learning_rate=config.learning_rate, seed=seed)
    return model, history


def compare_losses(guided_loss, config: PhysicsLossConfig, seed: int = 0) -> dict:
    """Train with plain MSE and with `guided_loss`; test MSE (with its standard error) and
    normalisation error of both."""
    import keras

    from aml.data import infinite_well
    from aml.stats import mse_with_se

    x_test, y_test = infinite_well.grid(config.test_points, config.n, config.length)
    out = {}
    for name, loss in (("plain", keras.losses.MeanSquaredError()), ("guided", guided_loss)):
        model, _ = fit_wave_model(loss, config, seed)
        test_mse, test_mse_se = mse_with_se(predict(model, x_test), y_test)
        out[name] = {"model": model, "test_mse": test_mse, "test_mse_se": test_mse_se,
                     "normalisation_error": normalisation_error(model, config)}
    return out


def _scenario_metrics(result: dict, prefix: str = "") -> dict:
    from aml.stats import ratio_se

    plain, phys = result["plain"], result["guided"]
    ratio = phys["test_mse"] / plain["test_mse"]
    return {f"{prefix}{k}": v for k, v in {
        "plain_test_mse": plain["test_mse"], "plain_test_mse_se": plain["test_mse_se"],
        "guided_test_mse": phys["test_mse"], "guided_test_mse_se": phys["test_mse_se"],
        "plain_normalisation_error": plain["normalisation_error"],
        "guided_normalisation_error": phys["normalisation_error"],
        "normalisation_improvement": plain["normalisation_error"]
        / max(phys["normalisation_error"], 1e-12),
        "mse_ratio": ratio,
        "mse_ratio_se": ratio_se(phys["test_mse"], phys["test_mse_se"], plain["test_mse"],
                                 plain["test_mse_se"]),
    }.items()}


def physics_loss(config: PhysicsLossConfig, ctx: RunContext) -> dict:
    """Plain MSE vs MSE + normalisation penalty: on calibrated noisy |psi|^2 samples (the
    result), and beside it on samples from a detector reading 15% low."""
    from dataclasses import replace

    from aml.data import infinite_well
    from aml.plots import subplots
    from aml.tables import format_table
    from aml.training.physics import normalisation_loss

    guided = normalisation_loss(config.length, config.weight, config.tolerance)
    scenarios = {"calibrated": config,
                 "miscalibrated": replace(config, gain=config.miscalibrated_gain)}
    results = {name: compare_losses(guided, c, ctx.seed) for name, c in scenarios.items()}
    ctx.log("\n" + format_table(
        [[scenario, f"{scenarios[scenario].gain:g}", name, r["test_mse"], r["normalisation_error"]]
         for scenario, result in results.items() for name, r in result.items()],
        ["detector", "gain", "loss", "test MSE", "|norm - 1|"]))

    grid, truth = infinite_well.grid(config.test_points, config.n, config.length)
    fig, axes = subplots(1, 2, figsize=(14, 4.2), sharey=True)
    for ax, (scenario, result) in zip(axes, results.items()):
        c = scenarios[scenario]
        x, y = infinite_well.load(c.n_points, c.n, c.length, c.noise, c.gain, seed=ctx.seed)
        ax.plot(grid[:, 0], truth[:, 0], "k-", lw=2, label="exact |psi_10|^2")
        ax.plot(x[:, 0], y[:, 0], ".", color="0.6",
                label=f"measured (gain {c.gain:g}, noise {c.noise:g})")
        for name, label in (("plain", "MSE only"), ("guided", "MSE + normalisation")):
            ax.plot(grid[:, 0], predict(result[name]["model"], grid)[:, 0],
                    label=f"{label}: |norm - 1| = {result[name]['normalisation_error']:.3f}")
        ax.set_title(f"{scenario} detector (gain {c.gain:g})"
                     + (": the result" if scenario == "calibrated" else ": second scenario"))
        ax.set_xlabel("position x (length units)")
        ax.legend(loc="upper right", fontsize=7)
    axes[0].set_ylabel("|psi|^2 (1 / length)")
    fig.suptitle("Physics-guided loss: infinite well, n = 10, L = 2")
    fig.tight_layout()
    ctx.save_figure(fig, "physics_loss")
    return {**_scenario_metrics(results["calibrated"]),
            **_scenario_metrics(results["miscalibrated"], "miscalibrated_"),
            "n_test": config.test_points,
            "parameters": results["calibrated"]["guided"]["model"].count_params()}


# ---- l4.physics_net --------------------------------------------------------------------------


@dataclass(frozen=True)
class PhysicsNetConfig:
    """Noisy heights of a throw (g = 9.7, v0 = 20) on [0, 5] s; extrapolation to [5, 8] s."""

    g: float = 9.7
    v0: float = 20.0
    n_points: int = 100
    t_max: float = 5.0
    t_extrapolate: float = 8.0
    noise: float = 0.5
    hidden: int = 16
    baseline_hidden: tuple[int, ...] = (8, 8)
    epochs: int = 1000
    learning_rate: float = 0.02
    baseline_learning_rate: float = 0.05  # the dense net's best: 0.3 m RMSE on [0, 5] s

    @classmethod
    def quick(cls) -> PhysicsNetConfig:
        return cls(epochs=500)


def fit_projectile(model, config: PhysicsNetConfig, seed: int = 0,
                   learning_rate: float | None = None, samples=None):
    """Train any t -> x model with the lecture's recipe on the throw's samples (t, x), by
    default those of `config`'s throw."""
    from aml.data import projectile

    t, x = samples if samples is not None else projectile.load(
        config.n_points, 0.0, config.t_max, config.v0, config.g, config.noise, seed=seed)
    return train_regressor(model, t, x, epochs=config.epochs,
                           learning_rate=learning_rate or config.learning_rate, seed=seed,
                           anneal=True)


def least_squares_constants(config: PhysicsNetConfig, seed: int = 0, samples=None) -> dict:
    """g and v0 fitted to the same noisy heights (the samples (t, x), by default those of
    `config`'s throw) by linear least squares on x = v0 t - g t^2/2, with their standard
    errors: the optimum the structured network's MSE loss shares, and how precisely these
    samples pin it down."""
    from aml.data import projectile

    t, x = samples if samples is not None else projectile.load(
        config.n_points, 0.0, config.t_max, config.v0, config.g, config.noise, seed=seed)
    t, x = np.asarray(t, np.float64)[:, 0], np.asarray(x, np.float64)[:, 0]
    design = np.stack([t, -t ** 2 / 2], axis=1)
    (v0, g), *_ = np.linalg.lstsq(design, x, rcond=None)
    residual_variance = np.sum((x - design @ [v0, g]) ** 2) / (len(x) - 2)
    se_v0, se_g = np.sqrt(np.diag(residual_variance * np.linalg.inv(design.T @ design)))
    return {"g": float(g), "v0": float(v0), "g_se": float(se_g), "v0_se": float(se_v0)}


def against_least_squares(g: float, v0: float, config: PhysicsNetConfig, seed: int) -> dict:
    """How far the learned constants sit from the least-squares ones, in standard errors."""
    fitted = least_squares_constants(config, seed)
    return {"least_squares_g": fitted["g"], "least_squares_g_se": fitted["g_se"],
            "least_squares_v0": fitted["v0"], "least_squares_v0_se": fitted["v0_se"],
            "g_from_least_squares_in_se": abs(g - fitted["g"]) / fitted["g_se"],
            "v0_from_least_squares_in_se": abs(v0 - fitted["v0"]) / fitted["v0_se"]}


def extrapolation_rmse(model, config: PhysicsNetConfig, inside: bool = False) -> float:
    """Root-mean-square error against the exact x(t) on [t_max, t_extrapolate] (or, with
    `inside`, on the training interval [0, t_max])."""
    from aml.data import projectile

    start, stop = (0.0, config.t_max) if inside else (config.t_max, config.t_extrapolate)
    t = np.linspace(start, stop, 300, dtype=np.float32)[:, None]
    truth = projectile.position(t, config.v0, config.g)
    return float(np.sqrt(np.mean((predict(model, t) - truth) ** 2)))


def physics_net(config: PhysicsNetConfig, ctx: RunContext) -> dict:
    """Structured (formula + learned g, v0) vs dense network, inside and beyond the data."""
    import keras

    from aml.data import projectile
    from aml.models.projectile import dense_regressor, learned_constants, projectile_network
    from aml.plots import subplots

    keras.utils.set_random_seed(ctx.seed)
    structured = projectile_network(config.hidden)
    fit_projectile(structured, config, ctx.seed)
    keras.utils.set_random_seed(ctx.seed)
    dense = dense_regressor(config.baseline_hidden)
    fit_projectile(dense, config, ctx.seed, config.baseline_learning_rate)
    g, v0 = learned_constants(structured)
    errors = {name: extrapolation_rmse(m, config)
              for name, m in (("structured", structured), ("dense", dense))}
    ctx.log(f"learned g = {g:.4f} (true {config.g}), v0 = {v0:.4f} (true {config.v0}); "
            f"extrapolation RMSE structured {errors['structured']:.3f} m, "
            f"dense {errors['dense']:.3f} m")

    t_data, x_data = projectile.load(config.n_points, 0.0, config.t_max, config.v0, config.g,
                                     config.noise, seed=ctx.seed)
    t = np.linspace(0.0, config.t_extrapolate, 400, dtype=np.float32)[:, None]
    fig, ax = subplots(figsize=(8, 4.6))
    ax.axvspan(config.t_max, config.t_extrapolate, color="0.92", label="extrapolation")
    ax.plot(t_data[:, 0], x_data[:, 0], ".", color="0.5", label="training samples")
    ax.plot(t[:, 0], projectile.position(t[:, 0], config.v0, config.g), "k-", lw=2,
            label="truth")
    ax.plot(t[:, 0], predict(structured, t)[:, 0], "--",
            label=f"structured (g={g:.2f}, v0={v0:.2f})")
    ax.plot(t[:, 0], predict(dense, t)[:, 0], ":", lw=2, label="unstructured dense")
    ax.set_title("Physics-structured network: projectile x(t) = v0 t - g t^2/2")
    ax.set_xlabel("time t (s)")
    ax.set_ylabel("height x (m)")
    ax.legend(fontsize=8)
    ctx.save_figure(fig, "projectile")
    return {
        "learned_g": g, "learned_v0": v0,
        "g_relative_error": abs(g - config.g) / config.g,
        "v0_relative_error": abs(v0 - config.v0) / config.v0,
        **against_least_squares(g, v0, config, ctx.seed),
        "structured_extrapolation_rmse": errors["structured"],
        "dense_extrapolation_rmse": errors["dense"],
        "extrapolation_improvement": errors["dense"] / max(errors["structured"], 1e-12),
        "structured_interpolation_rmse": extrapolation_rmse(structured, config, inside=True),
        "dense_interpolation_rmse": extrapolation_rmse(dense, config, inside=True),
        "parameters": structured.count_params(),
        "dense_parameters": dense.count_params(),
    }


# ---- l4.regularization -----------------------------------------------------------------------


@dataclass(frozen=True)
class RegularizationConfig:
    """60 noisy samples of |psi_10|^2 for a 128-wide network: far too few, so it over-fits.

    A fifth of the samples (chosen by the seed) is held out as validation data: the
    regulariser is chosen on it, and the exact density on a grid is read once, as the test.
    """

    n: int = 10
    length: float = 2.0
    n_points: int = 60
    noise: float = 0.2
    hidden: int = 128
    frequency: float = 20.0
    epochs: int = 1000
    learning_rate: float = 3e-3
    l1: float = 1e-3
    l2: float = 1e-2
    dropout: float = 0.3
    test_points: int = 1000
    validation_fraction: float = 0.2

    @classmethod
    def quick(cls) -> RegularizationConfig:
        return cls(epochs=400)


def regularization_data(config: RegularizationConfig, seed: int = 0):
    """(training samples, validation samples carved from them by `seed`, the exact density on
    a grid as the test set)."""
    from aml.data import infinite_well

    x, y = infinite_well.load(config.n_points, config.n, config.length, config.noise,
                              seed=seed)
    order = np.random.default_rng([seed, 1]).permutation(len(x))
    n_val = int(round(config.validation_fraction * len(x)))
    val, train = np.sort(order[:n_val]), np.sort(order[n_val:])
    return ((x[train], y[train]), (x[val], y[val]),
            infinite_well.grid(config.test_points, config.n, config.length))


def regularization_variants(config: RegularizationConfig) -> dict:
    """name -> keyword arguments of wave_regressor: none, L1, L2, dropout."""
    import keras

    return {"none": {}, "L1": {"regularizer": keras.regularizers.L1(config.l1)},
            "L2": {"regularizer": keras.regularizers.L2(config.l2)},
            "dropout": {"dropout": config.dropout}}


def fit_and_measure(model, config: RegularizationConfig, seed: int = 0) -> dict:
    """Train on the training samples; train, validation and test MSE (inference mode), the
    train/test gap, the test MSE's standard error, and the history (validation per epoch)."""
    from aml.stats import mse_with_se

    (x, y), (x_val, y_val), (x_test, y_test) = regularization_data(config, seed)
    history = train_regressor(model, x, y, epochs=config.epochs,
                              learning_rate=config.learning_rate, seed=seed,
                              validation_data=(x_val, y_val) if len(x_val) else None)
    train = mse(model, x, y)
    test, test_se = mse_with_se(predict(model, x_test), y_test)
    return {"train_mse": train, "val_mse": mse(model, x_val, y_val) if len(x_val) else None,
            "test_mse": test, "test_mse_se": test_se, "gap": test - train, "history": history}


def regularization(config: RegularizationConfig, ctx: RunContext) -> dict:
    """None vs L1 vs L2 vs dropout: the regulariser with the lowest validation MSE is chosen;
    its train/test gap against the unregularised network's is the result."""
    import keras

    from aml.models.wavefunction import wave_regressor
    from aml.plots import subplots
    from aml.stats import ratio_se
    from aml.tables import format_table

    runs = {}
    for name, kwargs in regularization_variants(config).items():
        keras.utils.set_random_seed(ctx.seed)
        model = wave_regressor(config.hidden, config.frequency, **kwargs)
        runs[name] = {**fit_and_measure(model, config, ctx.seed), "model": model}
    best = min((n for n in runs if n != "none"), key=lambda n: runs[n]["val_mse"])
    ctx.log("\n" + format_table(
        [[n, r["train_mse"], r["val_mse"], r["test_mse"], r["gap"]] for n, r in runs.items()],
        ["regulariser", "train MSE", "validation MSE", "test MSE", "gap"]))
    ctx.log(f"chosen on validation MSE: {best}")

    (x, y), (x_val, y_val), (grid, truth) = regularization_data(config, ctx.seed)
    fig, (left, right) = subplots(1, 2, figsize=(13, 4.4))
    for name, run in runs.items():
        line, = left.plot(run["history"]["loss"], lw=1, label=f"{name} train")
        left.plot(run["history"]["val_loss"], "--", color=line.get_color(), lw=1,
                  label=f"{name} validation")
        right.plot(grid[:, 0], predict(run["model"], grid)[:, 0], lw=1,
                   label=name + (" (chosen)" if name == best else ""))
    left.set_yscale("log")
    left.set_title("Train (solid) and validation (dashed) MSE per epoch")
    left.set_xlabel("epoch")
    left.set_ylabel("MSE (1 / length^2)")
    left.legend(fontsize=7, ncol=2)
    right.plot(grid[:, 0], truth[:, 0], "k-", lw=2, label="exact (test)")
    right.plot(x[:, 0], y[:, 0], "k.", label=f"{len(x)} training samples")
    right.plot(x_val[:, 0], y_val[:, 0], "x", color="0.4", label=f"{len(x_val)} validation")
    right.set_title("Predictions of |psi_10|^2")
    right.set_xlabel("position x (length units)")
    right.set_ylabel("|psi|^2 (1 / length)")
    right.legend(fontsize=7)
    fig.tight_layout()
    ctx.save_figure(fig, "regularization")

    metrics = {}
    for name, run in runs.items():
        key = name.lower()
        metrics.update({f"{key}_train_mse": run["train_mse"], f"{key}_val_mse": run["val_mse"],
                        f"{key}_test_mse": run["test_mse"],
                        f"{key}_test_mse_se": run["test_mse_se"], f"{key}_gap": run["gap"]})
    chosen, none = runs[best], runs["none"]
    metrics.update({
        "best_regularizer": best, "chosen_on": "validation MSE",
        "gap_reduction": 1.0 - chosen["gap"] / none["gap"],
        # The gaps move with their test MSEs (the train MSEs are not test-set estimates).
        "gap_reduction_se": ratio_se(chosen["gap"], chosen["test_mse_se"], none["gap"],
                                     none["test_mse_se"]),
        "n_test": config.test_points, "parameters": none["model"].count_params()})
    return metrics
