"""Residual ODE solving beside the peers: aml's solve_ode, DeepXDE and SciPy's solve_ivp.

Cases: the course's three equations du/dx = 2x, x², x² - 2x (u(0) = 1 on [0, 2]) and a system,
the oscillator (u, v)' = (v, -u), (u, v)(0) = (1, 0) on [0, 2π]. The error is the largest
|u - u_exact| over 200 points (all components). Both networks are DeepXDE's usual setup: a
32-32 tanh network (Glorot uniform), 64 collocation points, float64, Adam then L-BFGS.
DeepXDE runs on its TensorFlow 2 backend (L-BFGS from tensorflow_probability, with
tf_keras; its TensorFlow 1 backend's L-BFGS stops after one iteration with TensorFlow 2.21)
in child processes, with Adam at lr 1e-3 for `--deepxde-adam` iterations then L-BFGS as
DeepXDE configures it; aml runs solve_ode's defaults (2000 Adam steps, 1e-2 decaying to
1e-4, then 1000 L-BFGS evaluations).

"time to 1e-3 / 1e-5" is the compute time (compiling included, error checks excluded) until
the error is first seen under the threshold; aml is checked every 500 Adam steps and 100
L-BFGS evaluations, DeepXDE every 100 Adam iterations and at the end of each L-BFGS budget
(see run_deepxde). solve_ivp (RK45) is timed at the
loosest rtol of 1e-2, 1e-3, ... that reaches each error. aml also reports its own error
estimate (DeepXDE gives none). Run: python benchmarks/bench_ode_peers.py [--cases ...]
A missing DeepXDE is skipped with a note (pip install -e '.[bench]').
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import numpy as np  # noqa: E402

THRESHOLDS = (1e-3, 1e-5)


def cases() -> dict:
    """name: (f for aml, f on NumPy, u0, domain, exact(x) -> (points, m)); plain arithmetic,
    so the same functions run on tensors and on NumPy arrays."""
    return {
        "2x": (lambda x: 2 * x, lambda x, u: 2 * x, 1.0, (0.0, 2.0),
               lambda x: (x ** 2 + 1)[:, None]),
        "x^2": (lambda x: x ** 2, lambda x, u: x ** 2, 1.0, (0.0, 2.0),
                lambda x: (x ** 3 / 3 + 1)[:, None]),
        "x^2-2x": (lambda x: x ** 2 - 2 * x, lambda x, u: x ** 2 - 2 * x, 1.0, (0.0, 2.0),
                   lambda x: (x ** 3 / 3 - x ** 2 + 1)[:, None]),
        "oscillator": (lambda x, u: [u[1], -u[0]], lambda x, u: [u[1], -u[0]], [1.0, 0.0],
                       (0.0, 2 * np.pi), lambda x: np.stack([np.cos(x), -np.sin(x)], 1)),
    }


def first_times(trace, thresholds=THRESHOLDS) -> list:
    return [next((t for t, e in trace if e < level), None) for level in thresholds]


def run_aml(name: str) -> dict:
    from aml.models.curve import default_dtype, mlp
    from aml.training.residual import ODEPiece, SystemRHS, check_rhs, collocation_points, solve_ode

    f, _, u0, domain, exact = cases()[name]
    x_eval = np.linspace(*domain, 200)
    truth = exact(x_eval)
    start = np.atleast_1d(u0).astype(float)
    model = mlp((32, 32), seed=0, dtype=default_dtype(), outputs=len(start))
    model(np.zeros((1, 1)))
    # a view of the network being trained: the trial solution solve_ode builds around it
    slope = check_rhs(SystemRHS(f, len(start), np.ndim(u0) > 0),
                      collocation_points(domain, 64), start).max(axis=0)
    view = ODEPiece(model, start, domain, np.maximum(1.0, slope))
    clock = {"start": time.perf_counter(), "excluded": 0.0}
    trace = []

    def watch(step, loss):
        began = time.perf_counter()
        error = float(np.max(np.abs(view.values(x_eval) - truth)))
        trace.append((began - clock["start"] - clock["excluded"], error))
        clock["excluded"] += time.perf_counter() - began

    solution = solve_ode(f, u0, domain, model=model, on_chunk=watch)
    total = time.perf_counter() - clock["start"] - clock["excluded"]
    error = float(np.max(np.abs(solution(x_eval).reshape(200, -1) - truth)))
    return {"trace": trace, "final": error, "seconds": total,
            "estimate": solution.error_estimate}


def run_scipy(name: str) -> dict:
    from scipy.integrate import solve_ivp

    _, f, u0, domain, exact = cases()[name]
    x_eval = np.linspace(*domain, 200)
    truth = exact(x_eval)
    trace = []
    for rtol in 10.0 ** -np.arange(2, 13):
        start = time.perf_counter()
        y = solve_ivp(f, domain, np.atleast_1d(u0), t_eval=x_eval, rtol=rtol,
                      atol=rtol * 1e-2).y.T
        trace.append((time.perf_counter() - start, float(np.max(np.abs(y - truth)))))
    return {"trace": trace, "final": trace[-1][1], "seconds": trace[-1][0]}


def deepxde_child(name: str, adam: int, lbfgs: int) -> dict:
    """Runs in its own process: DeepXDE switches TensorFlow to its version-1 mode."""
    import deepxde as dde

    dde.config.set_default_float(os.environ.get("DDE_FLOAT", "float64"))
    dde.config.set_random_seed(0)
    _, _, u0, domain, exact = cases()[name]
    u0 = np.atleast_1d(u0)
    m = len(u0)
    x_eval = np.linspace(*domain, 200)
    truth = exact(x_eval)
    geometry = dde.geometry.TimeDomain(*domain)

    def ode(x, y):
        if name == "oscillator":
            return [dde.grad.jacobian(y, x, i=0) - y[:, 1:2],
                    dde.grad.jacobian(y, x, i=1) + y[:, 0:1]]
        rhs = {"2x": 2 * x, "x^2": x ** 2, "x^2-2x": x ** 2 - 2 * x}[name]
        return dde.grad.jacobian(y, x) - rhs

    def constant(value):  # DeepXDE counts a function's parameters: exactly one here
        return lambda x: np.full((len(x), 1), value)

    conditions = [dde.icbc.IC(geometry, constant(u0[j]), lambda _, on_initial: on_initial,
                              component=j) for j in range(m)]
    data = dde.data.PDE(geometry, ode, conditions, num_domain=64, num_boundary=2)
    net = dde.nn.FNN([1, 32, 32, m], "tanh", "Glorot uniform")
    model = dde.Model(data, net)
    clock = {"start": None, "excluded": 0.0}
    trace = []

    def check():
        began = time.perf_counter()
        error = float(np.max(np.abs(model.predict(x_eval[:, None]) - truth)))
        trace.append((began - clock["start"] - clock["excluded"], error))
        clock["excluded"] += time.perf_counter() - began

    class Watch(dde.callbacks.Callback):
        def on_epoch_end(self):
            if self.model.train_state.epoch % 100 == 0:
                check()

    clock["start"] = time.perf_counter()
    model.compile("adam", lr=1e-3)
    model.train(iterations=adam, callbacks=[Watch()], display_every=10 ** 9, verbose=0)
    if not lbfgs:
        return {"trace": trace, "final": trace[-1][1], "seconds": trace[-1][0]}
    dde.optimizers.set_LBFGS_options(maxiter=lbfgs)
    model.compile("L-BFGS")
    model.train(display_every=10 ** 9, verbose=0)
    total = time.perf_counter() - clock["start"] - clock["excluded"]
    check()
    return {"trace": trace, "final": trace[-1][1], "seconds": total}


def run_deepxde(name: str, adam: int, budgets: list[int]) -> dict | None:
    """DeepXDE's L-BFGS runs as one compiled call (TensorFlow Probability), so its progress
    cannot be watched: each L-BFGS budget is a separate run from the same start (Adam's trace
    comes from the first), and each contributes its end point to the trace."""
    env = {**os.environ, "DDE_BACKEND": "tensorflow", "PYTHONPATH": str(ROOT / "src")}
    trace, final = [], None
    for budget in budgets:
        result = subprocess.run([sys.executable, __file__, "--child", name, "--deepxde-adam",
                                 str(adam), "--deepxde-lbfgs", str(budget)], env=env,
                                capture_output=True, text=True)
        lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
        if result.returncode != 0 or not lines:
            print(f"  DeepXDE failed on {name}: {result.stderr.strip().splitlines()[-1:]}")
            return None
        run = json.loads(lines[-1])
        trace += run["trace"] if not trace else [run["trace"][-1]]
        final = run
    return {"trace": sorted(trace), "final": final["final"], "seconds": final["seconds"]}


def _fmt(seconds) -> str:
    return "never" if seconds is None else f"{seconds:.2f} s"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="2x,x^2,x^2-2x,oscillator")
    parser.add_argument("--deepxde-adam", type=int, default=10000)
    parser.add_argument("--deepxde-lbfgs", default="500,2000,8000",
                        help="L-BFGS budgets, each a separate DeepXDE run")
    parser.add_argument("--child")
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(deepxde_child(args.child, args.deepxde_adam, int(args.deepxde_lbfgs))))
        return

    from aml.backend import use_backend

    use_backend("tensorflow")
    from aml.tables import format_table

    try:
        import importlib.util

        have_deepxde = importlib.util.find_spec("deepxde") is not None
    except ImportError:
        have_deepxde = False
    if not have_deepxde:
        print("DeepXDE is not installed (pip install -e '.[bench]'): its columns are skipped")
    rows = []
    for name in args.cases.split(","):
        ours, ref = run_aml(name), run_scipy(name)
        budgets = [int(b) for b in args.deepxde_lbfgs.split(",")]
        peer = run_deepxde(name, args.deepxde_adam, budgets) if have_deepxde else None
        row = [name]
        for level, mine in zip(THRESHOLDS, first_times(ours["trace"])):
            theirs = first_times(peer["trace"], (level,))[0] if peer else None
            ratio = (f"{theirs / mine:.1f}x" if theirs and mine else
                     ("aml only" if mine and peer else "-"))
            row += [_fmt(mine), _fmt(theirs) if peer else "skipped", ratio,
                    _fmt(first_times(ref["trace"], (level,))[0])]
        row += [f"{ours['final']:.1e} ({ours['seconds']:.1f} s)",
                f"{ours['estimate']:.1e}",
                f"{peer['final']:.1e} ({peer['seconds']:.1f} s)" if peer else "skipped"]
        rows.append(row)
        print(f"  {name}: " + " | ".join(row[1:]), flush=True)  # a long run keeps its rows
    print(format_table(rows, [
        "case", "aml to 1e-3", "DeepXDE to 1e-3", "speed-up", "solve_ivp to 1e-3",
        "aml to 1e-5", "DeepXDE to 1e-5", "speed-up", "solve_ivp to 1e-5",
        "aml final err (time)", "aml est.", "DeepXDE final err (time)"]))


if __name__ == "__main__":
    main()
