"""Lecture 3 reservoir example: an echo state network predicts the Mackey-Glass series.

Next-step prediction (teacher forced) and free-running prediction 84 steps ahead, the
classic benchmark of Jaeger & Haas (2004), measured as NRMSE = RMSE / std of the series over
many test windows; then an LSTM with about as many trained weights as the ESN readout on the
same task, for accuracy and training time.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from aml.context import RunContext
from aml.scratch.reservoir import nrmse


@dataclass(frozen=True)
class ReservoirPredictionConfig:
    n_reservoir: int = 1000  # Jaeger & Haas's size: their step-84 NRMSE is the target
    spectral_radius: float = 1.0
    leak_rate: float = 0.5
    input_scaling: float = 0.5
    sparsity: float = 0.95
    ridge: float = 1e-10
    candidate_seeds: int = 1
    washout: int = 200
    train_steps: int = 4000
    validation_steps: int = 600
    test_steps: int = 1200
    horizon: int = 84
    window_stride: int = 40
    lstm_units: int = 15  # 1,036 trained weights, about the 1,001 of the readout
    lstm_window: int = 20
    lstm_epochs: int = 30
    lstm_batch_size: int = 32

    @classmethod
    def quick(cls) -> ReservoirPredictionConfig:
        return cls(n_reservoir=200, candidate_seeds=2, train_steps=1500, validation_steps=300,
                   test_steps=400, lstm_epochs=8)


def esn_windows(esn, series, first: int, last: int, horizon: int, stride: int):
    """Teacher-force the fitted ESN through series[first - 1:last - 1] and, every `stride`
    steps, let it run freely for `horizon` steps from the true state.

    The ESN must have consumed series[:first - 1] (as after `fit` on series[:first - 1]);
    it ends having consumed series[:last - 1], ready for the next part. Returns next-step
    predictions of series[first:last], the free runs (windows, horizon) and their starts.
    """
    starts = list(range(first, last - horizon + 1, stride))
    next_step, runs, position = [], [], first - 1
    for start in starts:
        if start > position:
            next_step.append(esn.predict(series[position:start]))
            position = start
        saved = esn.state_.copy(), esn.last_input_.copy()
        runs.append(esn.generate(horizon))
        esn.state_, esn.last_input_ = saved
    if last - 1 > position:
        next_step.append(esn.predict(series[position:last - 1]))
    return np.concatenate(next_step), np.array(runs), np.array(starts)


def fit_esn(config: ReservoirPredictionConfig, series, seed: int):
    from aml.scratch.reservoir import EchoStateNetwork

    esn = EchoStateNetwork(n_reservoir=config.n_reservoir,
                           spectral_radius=config.spectral_radius, leak_rate=config.leak_rate,
                           input_scaling=config.input_scaling, sparsity=config.sparsity,
                           ridge=config.ridge, seed=seed)
    train = config.train_steps
    return esn.fit(series[:train - 1], series[1:train], washout=config.washout)


def lstm_forecaster(units: int, window: int):
    """LSTM(units) over the last `window` values -> Dense(1): the next value."""
    import keras

    return keras.Sequential([keras.Input((window, 1)), keras.layers.LSTM(units),
                             keras.layers.Dense(1)], name="lstm_forecaster")


def lstm_free_run(model, series, starts, window: int, horizon: int) -> np.ndarray:
    """Feed the LSTM its own predictions for `horizon` steps from each start.

    Runs the trained weights through the NumPy LSTM of `aml.scratch.recurrent` (equal to
    Keras to 1e-5): hundreds of tiny sequential calls are much faster there than eagerly.
    """
    from aml.scratch.recurrent import lstm, lstm_gates_from_keras

    lstm_layer, dense = [layer for layer in model.layers if layer.weights]
    gates = lstm_gates_from_keras(*lstm_layer.get_weights())
    W, b = (np.asarray(w, dtype=float) for w in dense.get_weights())
    history = np.stack([series[s - window:s] for s in starts])[..., None].astype(float)
    outputs = []
    for _ in range(horizon):
        nxt = lstm(history, gates) @ W + b
        outputs.append(nxt[:, 0])
        history = np.concatenate([history[:, 1:], nxt[:, None, :]], axis=1)
    return np.stack(outputs, axis=1)


def train_lstm(config: ReservoirPredictionConfig, series, seed: int):
    import keras

    from aml.training import supervised

    w, train = config.lstm_window, config.train_steps
    x = np.stack([series[i:i + w] for i in range(train - w)])[..., None].astype("float32")
    y = series[w:train, None].astype("float32")
    model = lstm_forecaster(config.lstm_units, w)
    start = time.perf_counter()
    supervised.fit(model, x, y, loss=keras.losses.MeanSquaredError(),
                   epochs=config.lstm_epochs, batch_size=config.lstm_batch_size,
                   optimizer=keras.optimizers.Adam(3e-3), seed=seed, with_accuracy=False)
    return model, time.perf_counter() - start


def reservoir(config: ReservoirPredictionConfig, ctx: RunContext) -> dict:
    """ESN on Mackey-Glass (tau=17): next-step and 84-step free-running NRMSE, vs an LSTM."""
    from aml.data import load

    c = config
    total = c.train_steps + c.validation_steps + c.test_steps
    raw = load("mackey_glass", n=total, tau=17, seed=ctx.seed)
    # the reservoir works best on inputs in about [-1, 1]: rescale with the training range
    # (an affine map, so NRMSE is the same on either scale)
    low, high = raw[:c.train_steps].min(), raw[:c.train_steps].max()
    series = 2 * (raw - low) / (high - low) - 1
    scale = float(series.std())
    ctx.log(f"Mackey-Glass tau=17: {c.train_steps} training, {c.validation_steps} validation, "
            f"{c.test_steps} test steps")
    val_start, test_start = c.train_steps, c.train_steps + c.validation_steps

    # with several candidate draws, keep the best free-running one on the validation part
    candidates = []
    for seed in range(ctx.seed, ctx.seed + c.candidate_seeds):
        start = time.perf_counter()
        esn = fit_esn(c, series, seed)
        fit_seconds = time.perf_counter() - start
        _, runs, starts = esn_windows(esn, series, val_start, test_start, c.horizon,
                                      c.window_stride)
        truth = np.stack([series[s:s + c.horizon] for s in starts])
        error = nrmse(runs, truth, scale) if np.isfinite(runs).all() else np.inf
        ctx.log(f"reservoir seed {seed}: validation free-run NRMSE {error:.2e} "
                f"(fit {fit_seconds:.2f} s, readout {esn.readout_seconds_:.3f} s)")
        candidates.append((error, seed, esn, fit_seconds))
    _, chosen_seed, esn, fit_seconds = min(candidates, key=lambda item: item[0])

    next_step, runs, starts = esn_windows(esn, series, test_start, total, c.horizon,
                                          c.window_stride)
    truth = np.stack([series[s:s + c.horizon] for s in starts])
    esn_next = nrmse(next_step, series[test_start:total], scale)
    esn_free = nrmse(runs, truth, scale)
    esn_at_84 = nrmse(runs[:, -1], truth[:, -1], scale)
    ctx.log(f"ESN ({c.n_reservoir} units, seed {chosen_seed}): next-step NRMSE {esn_next:.2e}, "
            f"{c.horizon}-step free-run NRMSE {esn_free:.2e} (at step {c.horizon}: "
            f"{esn_at_84:.2e}) over {len(starts)} test windows")

    model, lstm_seconds = train_lstm(c, series, ctx.seed)
    from keras import ops

    w = c.lstm_window
    x_test = np.stack([series[i - w:i] for i in range(test_start, total)])[..., None]
    lstm_next_pred = ops.convert_to_numpy(model(x_test.astype("float32"), training=False))[:, 0]
    lstm_next = nrmse(lstm_next_pred, series[test_start:total], scale)
    lstm_runs = lstm_free_run(model, series, starts, w, c.horizon)
    lstm_free = nrmse(lstm_runs, truth, scale)
    ctx.log(f"LSTM({c.lstm_units}, {model.count_params()} weights): next-step NRMSE "
            f"{lstm_next:.2e}, free-run {lstm_free:.2e}, trained in {lstm_seconds:.1f} s")

    ctx.save_figure(_figure(series, test_start, total, next_step, runs, lstm_runs, starts,
                            c.horizon), "mackey_glass_prediction")
    return {
        "nrmse_next_step": esn_next, "nrmse_free_run_84": esn_free, "nrmse_at_step_84": esn_at_84,
        "n_reservoir": c.n_reservoir, "reservoir_seed": chosen_seed,
        "readout_seconds": round(esn.readout_seconds_, 4), "esn_fit_seconds": round(fit_seconds, 3),
        "parameters": int(esn.W_out_.size), "test_windows": len(starts),
        "lstm_nrmse_next_step": lstm_next, "lstm_nrmse_free_run_84": lstm_free,
        "lstm_parameters": model.count_params(), "lstm_train_seconds": round(lstm_seconds, 2),
        # the lesson: training only a linear readout beats training an LSTM of about as many
        # weights end to end (> 1: the ESN's free-running error is that many times smaller)
        "lstm_over_esn_free_run": lstm_free / esn_free,
    }


def _figure(series, test_start, total, next_step, runs, lstm_runs, starts, horizon):
    from aml.plots import subplots

    fig, (top, bottom) = subplots(2, 1, figsize=(11, 7))
    t = np.arange(test_start, total)
    shown = slice(0, min(600, total - test_start))
    top.plot(t[shown], series[test_start:total][shown], color="black", lw=1.2, label="true")
    top.plot(t[shown], next_step[shown], "--", color="tab:blue", lw=1, label="ESN next-step")
    first = True
    for start, run, lstm_run in zip(starts, runs, lstm_runs):
        if start + horizon > t[shown][-1]:
            break
        steps = np.arange(start, start + horizon)
        top.axvspan(start, start + horizon, color="tab:orange", alpha=0.08,
                    label="free-running window" if first else None)
        top.plot(steps, run, color="tab:orange", lw=1.3, label="ESN free-running" if first
                 else None)
        top.plot(steps, lstm_run, ":", color="tab:green", lw=1.3,
                 label="LSTM free-running" if first else None)
        first = False
        break
    top.set_ylabel("x(t), rescaled to [-1, 1]")
    top.set_xlabel("time step")
    top.set_title("Mackey-Glass (tau = 17): echo state network vs LSTM")
    top.legend(loc="upper right", fontsize=8)
    bottom.semilogy(t, np.abs(next_step - series[test_start:total]) + 1e-12,
                    color="tab:blue", lw=0.8, label="ESN next-step |error|")
    for start, run in zip(starts, runs):
        bottom.semilogy(np.arange(start, start + horizon),
                        np.abs(run - series[start:start + horizon]) + 1e-12,
                        color="tab:orange", lw=0.6, alpha=0.6)
    bottom.plot([], [], color="tab:orange", label="ESN free-running |error| (each window)")
    bottom.set_xlabel("time step")
    bottom.set_ylabel("absolute error")
    bottom.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    return fig
