"""Residual ODE solving beside the peers: aml's solve_ode, DeepXDE and SciPy's solve_ivp.

Cases: the course's three equations du/dx = 2x, x², x² - 2x (u(0) = 1 on [0, 2]) and a system,
the oscillator (u, v)' = (v, -u), (u, v)(0) = (1, 0) on [0, 2π]. The error is the largest
|u - u_exact| over 200 points (all components). Both networks are DeepXDE's usual setup: a
32-32 tanh network (Glorot uniform), 64 collocation points, float64, Adam then L-BFGS.
DeepXDE runs on its TensorFlow 2 backend (L-BFGS from TensorFlow Probability, with tf_keras;
its TensorFlow 1 backend's L-BFGS stops after one iteration with TensorFlow 2.21) in a child
process: Adam at lr 1e-3 for `--deepxde-adam` iterations, then L-BFGS as DeepXDE configures
it, stopped once the error is under 1e-5 or after `--deepxde-seconds`. aml runs solve_ode's
defaults (2000 Adam steps, 1e-2 decaying to 1e-4, then 1000 L-BFGS evaluations).

"watched" times are compute times (compiling included, error checks excluded) until the true
error is first seen under the level: aml is checked every 500 Adam steps and 100 L-BFGS
evaluations; DeepXDE every 100 Adam iterations and, inside its one L-BFGS call, at every 10th
new best loss (from the loss function it evaluates). Both are oracle times: they need the
exact solution. "aml tol=level" is what a user without it runs: solve_ode(..., tol=level),
timed whole (pieces, error estimate), with its true error (a time only if under the level).
The ratio is DeepXDE's watched time over aml's first time to the level (watched, or the tol
solve where only that gets there). solve_ivp (RK45) is timed at the loosest rtol of 1e-2,
1e-3, ... that reaches each error.
Run: python benchmarks/bench_ode_peers.py [--cases ...] [--repeat N] (best of N; the load is
printed). A missing DeepXDE is skipped with a note (pip install -e '.[bench]').
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


class _Reached(Exception):
    """Raised inside DeepXDE's L-BFGS to stop it once every threshold is met or time is up."""


def deepxde_child(name: str, adam: int, lbfgs: int, seconds: float) -> dict:
    """Runs in its own process: DeepXDE switches TensorFlow to its version-1 mode."""
    import deepxde as dde
    from deepxde.optimizers.tensorflow import tfp_optimizer

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
    clock = {"start": None, "excluded": 0.0, "best": np.inf, "since": 0}
    trace = []

    def elapsed():
        return time.perf_counter() - clock["start"] - clock["excluded"]

    def check():
        began = time.perf_counter()
        error = float(np.max(np.abs(model.predict(x_eval[:, None]) - truth)))
        trace.append((began - clock["start"] - clock["excluded"], error))
        clock["excluded"] += time.perf_counter() - began
        return error

    class Watch(dde.callbacks.Callback):
        def on_epoch_end(self):
            if self.model.train_state.epoch % 100 == 0:
                check()

    # DeepXDE's L-BFGS (TensorFlow Probability's) is one call with no callback: watch it from
    # the loss-and-gradient function it evaluates, at the weights of each new best loss (the
    # accepted iterates; line-search trials that do worse are skipped), every 10th such.
    original = tfp_optimizer.LossAndFlatGradient

    class Watched(original):
        def __call__(self, weights_1d):
            loss, grads = super().__call__(weights_1d)
            if float(loss) < clock["best"]:
                clock["best"], clock["since"] = float(loss), clock["since"] + 1
                if clock["since"] % 10 == 0 and (check() < min(THRESHOLDS)
                                                 or elapsed() > seconds):
                    raise _Reached
            return loss, grads

    tfp_optimizer.LossAndFlatGradient = Watched
    clock["start"] = time.perf_counter()
    model.compile("adam", lr=1e-3)
    model.train(iterations=adam, callbacks=[Watch()], display_every=10 ** 9, verbose=0)
    adam_seconds = elapsed()
    if lbfgs:
        dde.optimizers.set_LBFGS_options(maxiter=lbfgs)
        model.compile("L-BFGS")
        try:
            model.train(display_every=10 ** 9, verbose=0)
        except _Reached:
            pass
    total = elapsed()
    check()
    return {"trace": trace, "final": trace[-1][1], "seconds": total, "adam_seconds": adam_seconds}


def run_deepxde(name: str, adam: int, lbfgs: int, seconds: float) -> dict | None:
    env = {**os.environ, "DDE_BACKEND": "tensorflow", "PYTHONPATH": str(ROOT / "src")}
    result = subprocess.run([sys.executable, __file__, "--child", name, "--deepxde-adam",
                             str(adam), "--deepxde-lbfgs", str(lbfgs), "--deepxde-seconds",
                             str(seconds)], env=env, capture_output=True, text=True)
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if result.returncode != 0 or not lines:
        print(f"  DeepXDE failed on {name}: {result.stderr.strip().splitlines()[-1:]}")
        return None
    return json.loads(lines[-1])


def run_aml_tol(name: str, level: float) -> dict:
    """The user's way to an error: solve_ode(..., tol=level), timed whole (pieces, estimate
    and all), and its true error."""
    import warnings

    from aml.training.residual import solve_ode

    f, _, u0, domain, exact = cases()[name]
    x_eval = np.linspace(*domain, 200)
    began = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        solution = solve_ode(f, u0, domain, tol=level)
    seconds = time.perf_counter() - began
    error = float(np.max(np.abs(solution(x_eval).reshape(200, -1) - exact(x_eval))))
    return {"seconds": seconds, "error": error, "estimate": solution.error_estimate,
            "pieces": len(solution.pieces), "within": solution.within_tol}


def _fmt(seconds) -> str:
    if seconds is None:
        return "never"
    return f"{seconds:.2f} s" if seconds >= 0.1 else f"{seconds * 1000:.1f} ms"


def _best(runs: list[dict], level: float):
    times = [first_times(r["trace"], (level,))[0] for r in runs]
    times = [t for t in times if t is not None]
    return min(times) if times else None


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="2x,x^2,x^2-2x,oscillator")
    parser.add_argument("--repeat", type=int, default=2, help="runs of aml and SciPy per case")
    parser.add_argument("--deepxde-repeat", type=int, default=1)
    parser.add_argument("--deepxde-adam", type=int, default=2000)
    parser.add_argument("--deepxde-lbfgs", type=int, default=15000,
                        help="DeepXDE's L-BFGS iterations (its default, 15000)")
    parser.add_argument("--deepxde-seconds", type=float, default=240.0,
                        help="stop DeepXDE's L-BFGS after this much compute time")
    parser.add_argument("--skip-deepxde", action="store_true")
    parser.add_argument("--child")
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(deepxde_child(args.child, args.deepxde_adam, args.deepxde_lbfgs,
                                       args.deepxde_seconds)))
        return

    from aml.backend import use_backend

    use_backend("tensorflow")
    import importlib.util

    from aml.tables import format_table

    have_deepxde = importlib.util.find_spec("deepxde") is not None and not args.skip_deepxde
    if not have_deepxde and not args.skip_deepxde:
        print("DeepXDE is not installed (pip install -e '.[bench]'): its columns are skipped")
    load = [os.getloadavg()[0]]
    rows = []
    for name in args.cases.split(","):
        ours = [run_aml(name) for _ in range(args.repeat)]
        ref = [run_scipy(name) for _ in range(args.repeat)]
        peers = [run_deepxde(name, args.deepxde_adam, args.deepxde_lbfgs, args.deepxde_seconds)
                 for _ in range(args.deepxde_repeat)] if have_deepxde else []
        peers = [p for p in peers if p]
        load.append(os.getloadavg()[0])
        for level in THRESHOLDS:
            watched, theirs = _best(ours, level), _best(peers, level) if peers else None
            tol = min((run_aml_tol(name, level) for _ in range(args.repeat)),
                      key=lambda r: r["seconds"])
            # aml's time to the level: watched, or the tol solve where only that gets there
            reached = [t for t in (watched, tol["seconds"] if tol["error"] < level else None)
                       if t is not None]
            mine = min(reached) if reached else None
            if not peers:
                ratio = "-"
            elif mine and theirs:
                ratio = f"{theirs / mine:.1f}x"
            elif mine:
                ratio = f"> {max(p['seconds'] for p in peers) / mine:.0f}x (DeepXDE never)"
            else:
                ratio = "-"
            rows.append([name, f"{level:g}", _fmt(watched),
                         f"{_fmt(tol['seconds'] if tol['error'] < level else None)} "
                         f"({tol['pieces']} pc, err {tol['error']:.1e}, est "
                         f"{tol['estimate']:.1e})",
                         _fmt(theirs) if peers else "skipped", ratio,
                         _fmt(_best(ref, level))])
            print("  " + " | ".join(rows[-1]), flush=True)  # a long run keeps its rows
        finals = (f"aml default run: final error {min(r['final'] for r in ours):.1e} in "
                  f"{min(r['seconds'] for r in ours):.1f} s, estimate "
                  f"{ours[0]['estimate']:.1e}")
        if peers:
            finals += (f"; DeepXDE: final {min(p['final'] for p in peers):.1e} after "
                       f"{max(p['seconds'] for p in peers):.0f} s (Adam "
                       f"{min(p['adam_seconds'] for p in peers):.0f} s)")
        print(f"  {name}: {finals}", flush=True)
    print(f"best of {args.repeat} (aml, SciPy) and {args.deepxde_repeat} (DeepXDE); "
          f"1-minute load {min(load):.1f}-{max(load):.1f} on {os.cpu_count()} cores")
    print(format_table(rows, [
        "case", "max error", "aml (watched)", "aml tol=level (whole solve)", "DeepXDE (watched)",
        "DeepXDE / aml", "solve_ivp"]))


if __name__ == "__main__":
    main()
