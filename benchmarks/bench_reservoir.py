"""Echo state networks on Mackey-Glass (tau = 17): aml's EchoStateNetwork beside reservoirpy.

Both get identical settings and data: the series rescaled to [-1, 1] with the training
range, a reservoir of N leaky-tanh units (leak 0.5, spectral radius chosen per size among
`--radii` by the 84-step error on the validation part, 5% of recurrent
weights non-zero, uniform in [-1, 1]; inputs scaled 0.5, biases 0.2), a ridge readout
(1e-10) on [1, u, x], fitted on 4000 steps after a 200-step washout. Both fitted readouts
are then evaluated by the same NumPy code: next-step NRMSE over the test part, and the
84-step free-running NRMSE at step 84 over test windows every 40 steps (Jaeger & Haas,
Science 2004, report 10^-4.2 = 6.3e-5 with 1000 units). NRMSE = RMSE / std of the series.

Run: python benchmarks/bench_reservoir.py [--units 500,1000] [--repeats 3]
Fit times are the median of `repeats` fits, each from scratch (weights drawn, spectral
radius found, states collected, readout solved); reservoirpy runs with its defaults.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import numpy as np  # noqa: E402

TRAIN, VALIDATION, TEST, WASHOUT, HORIZON, STRIDE = 4000, 600, 1200, 200, 84, 40
SETTINGS = {"spectral_radius": 1.0, "leak_rate": 0.5, "input_scaling": 0.5,
            "sparsity": 0.95, "ridge": 1e-10, "bias_scaling": 0.2}


def series() -> np.ndarray:
    from aml.data import load

    raw = load("mackey_glass", n=TRAIN + VALIDATION + TEST, tau=17, seed=0)
    low, high = raw[:TRAIN].min(), raw[:TRAIN].max()
    return 2 * (raw - low) / (high - low) - 1


def evaluate(W, W_in, bias, W_out, leak: float, data: np.ndarray, part: str = "test") -> dict:
    """Teacher-force from the zero state up to the test part (or the validation part), then
    measure next-step and 84-step free-running errors there, for any fitted ESN's matrices
    (W_out acts on [1, u, x])."""
    x = np.zeros(W.shape[0])
    start = TRAIN + VALIDATION if part == "test" else TRAIN
    data = data if part == "test" else data[:TRAIN + VALIDATION]
    scale = float(data.std())

    def step(state, u):
        return (1 - leak) * state + leak * np.tanh(W @ state + W_in[:, 0] * u + bias)

    def readout(state, u):
        return float(W_out @ np.concatenate([[1.0, u], state]))

    states = []
    for t in range(len(data) - 1):
        x = step(x, data[t])
        states.append(x)
    next_step = np.array([readout(states[t], data[t]) for t in range(start - 1,
                                                                    len(data) - 1)])
    errors = []
    for first in range(start, len(data) - HORIZON + 1, STRIDE):
        state, u = states[first - 1], data[first - 1]
        for _ in range(HORIZON):
            u = readout(state, u)
            state = step(state, u)
        errors.append(u - data[first + HORIZON - 1])
    return {"next": float(np.sqrt(np.mean((next_step - data[start:]) ** 2)) / scale),
            "at84": float(np.sqrt(np.mean(np.square(errors))) / scale)}


def fit_aml(units: int, data: np.ndarray, seed: int, settings: dict):
    from aml.scratch.reservoir import EchoStateNetwork

    start = time.perf_counter()
    esn = EchoStateNetwork(units, seed=seed, **settings)
    esn.fit(data[:TRAIN - 1], data[1:TRAIN], washout=WASHOUT)
    seconds = time.perf_counter() - start
    return seconds, (esn.W_, esn.W_in_[:, 1:], esn.W_in_[:, 0], esn.W_out_[0])


def fit_reservoirpy(units: int, data: np.ndarray, seed: int, settings: dict):
    import warnings

    from reservoirpy import ESN
    from reservoirpy.mat_gen import uniform
    from reservoirpy.nodes import Reservoir, Ridge

    start = time.perf_counter()
    reservoir = Reservoir(units, lr=settings["leak_rate"], sr=settings["spectral_radius"],
                          rc_connectivity=1 - settings["sparsity"], input_connectivity=1.0,
                          input_scaling=settings["input_scaling"], W=uniform(low=-1, high=1),
                          Win=uniform(low=-1, high=1),
                          bias=uniform(low=-1, high=1, input_scaling=settings["bias_scaling"]),
                          seed=seed)
    esn = ESN(reservoir=reservoir, readout=Ridge(ridge=settings["ridge"]),
              input_to_readout=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        esn.fit(data[:TRAIN - 1, None], data[1:TRAIN, None], warmup=WASHOUT)
    seconds = time.perf_counter() - start
    W_out = np.asarray(esn.readout.Wout).ravel()
    # reservoirpy's readout sees [x, u] (the reservoir's edge comes first) plus its own bias
    W_out = np.concatenate([np.ravel(esn.readout.bias), W_out[-1:], W_out[:-1]])
    W = reservoir.W
    return seconds, (W, np.asarray(reservoir.Win), np.ravel(reservoir.bias), W_out)


def measure(fit, units: int, data: np.ndarray, repeats: int, seed: int,
            settings: dict) -> dict:
    seconds = []
    for _ in range(repeats):
        spent, matrices = fit(units, data, seed, settings)
        seconds.append(spent)
    W, W_in, bias, W_out = matrices
    errors = evaluate(W, W_in, np.ravel(bias), W_out, settings["leak_rate"], data)
    return {"seconds": float(np.median(seconds)), **errors}


def choose_radius(units: int, data: np.ndarray, seed: int, radii) -> float:
    """The spectral radius with the smallest 84-step error on the validation part (aml's
    fit; the test part is not looked at)."""
    errors = {}
    for radius in radii:
        settings = {**SETTINGS, "spectral_radius": radius}
        _, (W, W_in, bias, W_out) = fit_aml(units, data, seed, settings)
        errors[radius] = evaluate(W, W_in, bias, W_out, settings["leak_rate"], data,
                                  part="validation")["at84"]
        print(f"  {units} units, spectral radius {radius}: validation NRMSE at step 84 "
              f"{errors[radius]:.2e}", flush=True)
    return min(errors, key=errors.get)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", default="500,1000")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--radii", default="1.0,1.1,1.2",
                        help="spectral radii tried on the validation part, per size")
    args = parser.parse_args(argv)
    from aml.tables import format_table

    data = series()
    peers = [("aml", fit_aml)]
    try:
        import reservoirpy  # noqa: F401

        peers.append(("reservoirpy", fit_reservoirpy))
    except ImportError:
        print("reservoirpy is not installed (pip install -e '.[bench]'): its rows are skipped")
    rows, results = [], {}
    radii = [float(r) for r in args.radii.split(",")]
    for units in (int(u) for u in args.units.split(",")):
        settings = {**SETTINGS, "spectral_radius": choose_radius(units, data, args.seed, radii)}
        for name, fit in peers:
            result = measure(fit, units, data, args.repeats, args.seed, settings)
            results[name, units] = result
            rows.append([name, units, settings["spectral_radius"], f"{result['seconds']:.3f}",
                         f"{result['next']:.2e}",
                         f"{result['at84']:.2e}",
                         "yes" if result["at84"] <= 10 ** -4.2 else "no"])
            print(f"  {name} {units}: done", flush=True)
    print(format_table(rows, ["library", "units", "radius", "fit s (median)", "next-step NRMSE",
                              "NRMSE at step 84", "<= 6.3e-5 (J&H)"]))
    for units in (int(u) for u in args.units.split(",")):
        if ("reservoirpy", units) in results:
            ours, theirs = results["aml", units], results["reservoirpy", units]
            print(f"{units} units: reservoirpy fit / aml fit = "
                  f"{theirs['seconds'] / ours['seconds']:.2f}x")


if __name__ == "__main__":
    main()
