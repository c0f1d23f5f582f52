"""Lecture 2, exercise 3: out of your comfort zone? Residual vs supervised beyond [0, 2].

The check trains, for each of the three equations, one residual-trained and one supervised
model on [0, 2] only, and hands them to your compare(). Evaluate them on [0, 5] against the
exact solution, plot everything, and report the numbers.

Contract (what `aml check l2.compare` calls):
  compare(models, figure_path) -> dict
    models: {"2x" | "x^2" | "x^2-2x": {"residual": u_fn, "supervised": u_fn}}, where
            u_fn(x) takes a NumPy array of x values and returns u values of the same shape;
    exact solutions: aml.data.ode.EQUATIONS[name].exact(x).
    Save one PNG figure at figure_path: for every equation the exact solution and both
    models on [0, 5]. Return
      {name: {"residual": {"in": e1, "out": e2}, "supervised": {"in": e3, "out": e4}}}
    with "in" the largest |u_fn - exact| on 200 evenly spaced points of [0, 2] and "out" the
    largest on 300 evenly spaced points of (2, 5], plus "better_outside": the method
    ("residual" or "supervised") whose largest "out" error over the three is smaller.
Check your work with: aml check l2.compare
"""

import numpy as np

from aml.data.ode import EQUATIONS


def errors(u_fn, exact):
    """Largest error inside [0, 2] and in (2, 5]."""
    # BEGIN SOLUTION: evaluate u_fn and exact on np.linspace(0, 2, 200) and on 300 points of (2, 5]; return (max error inside, max error outside)
    inside = np.linspace(0.0, 2.0, 200)
    outside = np.linspace(2.0, 5.0, 301)[1:]
    return (float(np.max(np.abs(u_fn(inside) - exact(inside)))),
            float(np.max(np.abs(u_fn(outside) - exact(outside)))))
    # END SOLUTION


def plot(models, figure_path):
    """Exact, residual and supervised curves on [0, 5] for every equation, saved as PNG."""
    from aml.plots import save_figure, subplots

    # BEGIN SOLUTION: one panel per equation with the exact solution and both models on [0, 5], titled, labelled, with a legend; save it with save_figure(fig, figure_path)
    x = np.linspace(0.0, 5.0, 400)
    fig, axes = subplots(1, len(models), figsize=(5 * len(models), 4))
    for ax, (name, pair) in zip(np.atleast_1d(axes), models.items()):
        ax.plot(x, EQUATIONS[name].exact(x), "k", lw=3, alpha=0.4, label="exact")
        for method, u_fn in pair.items():
            ax.plot(x, u_fn(x), "--", label=method)
        ax.axvspan(0, 2, color="tab:green", alpha=0.08, label="training range")
        ax.set(title=EQUATIONS[name].label, xlabel="x", ylabel="u(x)")
        ax.legend()
    fig.tight_layout()
    save_figure(fig, figure_path)
    # END SOLUTION


def compare(models, figure_path):
    """The errors of both methods inside and outside the training range, and the figure."""
    # BEGIN SOLUTION: fill {name: {method: {"in": ..., "out": ...}}} with errors(), call plot(), and name the method with the smaller worst "out" error as "better_outside"
    result = {}
    for name, pair in models.items():
        result[name] = {}
        for method, u_fn in pair.items():
            inside, outside = errors(u_fn, EQUATIONS[name].exact)
            result[name][method] = {"in": inside, "out": outside}
    plot(models, figure_path)
    worst = {method: max(result[name][method]["out"] for name in models)
             for method in ("residual", "supervised")}
    result["better_outside"] = min(worst, key=worst.get)
    return result
    # END SOLUTION
