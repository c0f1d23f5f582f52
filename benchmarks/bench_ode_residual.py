"""Residual-loss ODE solving: the course's way against aml's solver, and SciPy as reference.

The course evaluates the loss point by point in a Python loop over 10 points, takes dg/dx by
a forward finite difference with h = sqrt(float32 eps), and runs each step eagerly under a
GradientTape. aml differentiates g exactly (autodiff), handles all collocation points in
one vectorised call, and runs hundreds of compiled steps per call, then polishes with
L-BFGS. Both train the same tanh network on the notes' three equations; the error is the
largest |u - u_exact| on 200 points of [0, 2]. Run: python benchmarks/bench_ode_residual.py
[--course-steps N] (the course's way runs until 1e-3 or N steps, default 600). aml's steps
count Adam steps, then L-BFGS evaluations after them; walls include compiling.
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

X_EVAL = np.linspace(0.0, 2.0, 200)
TARGET = 1e-3


def course_way(eq, steps: int, seed: int = 0) -> dict:
    """The course's loop: 10 points, finite differences, one eager step at a time."""
    import keras
    import tensorflow as tf

    from aml.models.curve import mlp

    model = mlp((32, 32), seed=seed, dtype="float32")
    optimizer = keras.optimizers.Adam(1e-2)
    points = np.linspace(0.0, 2.0, 10, dtype="float32")
    h = float(np.sqrt(np.finfo(np.float32).eps))

    def g(x):
        return eq.u0 + x * model(tf.reshape(x, (1, 1)) - 1.0)[0, 0]

    def max_error():
        return float(np.max(np.abs([float(g(tf.constant(x, tf.float32))) for x in X_EVAL]
                                   - eq.exact(X_EVAL))))

    times, reached, error = [], None, float("nan")
    for step in range(1, steps + 1):
        start = time.perf_counter()
        with tf.GradientTape() as tape:
            loss = 0.0
            for x in points:
                x = tf.constant(x)
                dg = (g(x + h) - g(x)) / h
                loss += (dg - eq.rhs(x)) ** 2
            loss /= len(points)
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply(grads, model.trainable_variables)
        times.append(time.perf_counter() - start)
        if step % 50 == 0 or step == steps:
            error = max_error()
            if step == 200:
                error_200 = error
            if error < TARGET:
                reached = step
                break
    return {"ms_per_step": 1e3 * float(np.median(times[5:])), "steps_run": step,
            "error_200": error_200 if steps >= 200 else float("nan"), "final_error": error,
            "reached": reached, "wall": float(np.sum(times))}


def aml_way(eq, seed: int = 0) -> dict:
    """aml's solver with its default settings (2000 Adam steps in compiled chunks, then up to
    1000 L-BFGS iterations), its error watched every 100 Adam steps / 20 L-BFGS evaluations."""
    from aml.models.curve import default_dtype, mlp
    from aml.training.residual import ODEPiece, collocation_points, solve_ode

    dtype = default_dtype()
    model = mlp((32, 32), seed=seed, dtype=dtype)
    model(np.zeros((1, 1), dtype=dtype))
    # a view of the model being trained, with the slope scale solve_ode uses for f(x)
    scale = max(1.0, float(np.max(np.abs(eq.rhs(collocation_points((0.0, 2.0), 64))))))
    view = ODEPiece(model, np.array([eq.u0]), (0.0, 2.0), np.array([scale]))
    marks, start = [], time.perf_counter()

    def watch(step, loss):
        error = float(np.max(np.abs(view.values(X_EVAL)[:, 0] - eq.exact(X_EVAL))))
        marks.append((step, time.perf_counter() - start, error))

    solution = solve_ode(eq.rhs, eq.u0, (0.0, 2.0), model=model, on_chunk=watch)
    wall = time.perf_counter() - start
    error = float(np.max(np.abs(solution(X_EVAL) - eq.exact(X_EVAL))))
    reached = next(((s, t) for s, t, e in marks if e < TARGET), (None, None))
    adam = [m for m in marks if m[0] <= 2000]  # steady Adam chunks (the first one traces)
    per_step = (adam[-1][1] - adam[1][1]) / (adam[-1][0] - adam[1][0])
    return {"ms_per_step": 1e3 * per_step, "reached_step": reached[0],
            "reached_wall": reached[1], "full_error": error, "full_wall": wall,
            "dtype": dtype}


def scipy_way(eq) -> dict:
    from scipy.integrate import solve_ivp

    start = time.perf_counter()
    result = solve_ivp(lambda x, u: eq.rhs(x), (0.0, 2.0), [eq.u0], t_eval=X_EVAL,
                       rtol=1e-10, atol=1e-12)
    wall = time.perf_counter() - start
    return {"error": float(np.max(np.abs(result.y[0] - eq.exact(X_EVAL)))), "wall": wall}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--course-steps", type=int, default=600)
    parser.add_argument("--equations", default="2x,x^2,x^2-2x")
    args = parser.parse_args(argv)

    from aml.backend import seed_everything, use_backend

    use_backend()
    seed_everything(0)
    from aml.data.ode import equation
    from aml.tables import format_table

    rows = []
    for name in args.equations.split(","):
        eq = equation(name)
        course = course_way(eq, args.course_steps)
        ours = aml_way(eq)
        ref = scipy_way(eq)
        ratio = course["ms_per_step"] / ours["ms_per_step"]
        rows.append([
            name, f"{course['ms_per_step']:.1f}", f"{course['error_200']:.1e}",
            (f"{course['reached']} ({course['wall']:.0f} s)" if course["reached"]
             else f"not in {course['steps_run']} ({course['final_error']:.1e})"),
            f"{ours['ms_per_step']:.3f}", f"{ratio:.0f}x",
            (f"{ours['reached_step']} ({ours['reached_wall']:.1f} s)"
             if ours["reached_step"] else "not reached"),
            f"{ours['full_error']:.1e} ({ours['full_wall']:.1f} s)",
            f"{ref['error']:.1e} ({1e3 * ref['wall']:.1f} ms)"])
        print(f"  {name}: done", flush=True)
    print(format_table(rows, [
        "du/dx", "course ms/step", "course err@200", "course: steps to 1e-3",
        "aml ms/step", "per-step speed-up", "aml: steps to 1e-3 (wall)",
        f"aml solve_ode ({ours['dtype']}) err (wall)", "solve_ivp err (wall)"]))


if __name__ == "__main__":
    main()
