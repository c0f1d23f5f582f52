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
    # TODO: evaluate u_fn and exact on np.linspace(0, 2, 200) and on 300 points of (2, 5]; return (max error inside, max error outside)
    raise NotImplementedError('evaluate u_fn and exact on np.linspace(0, 2, 200) and on 300 points of (2, 5]; return (max error inside, max error outside)')


def plot(models, figure_path):
    """Exact, residual and supervised curves on [0, 5] for every equation, saved as PNG."""
    from aml.plots import save_figure, subplots

    # TODO: one panel per equation with the exact solution and both models on [0, 5], titled, labelled, with a legend; save it with save_figure(fig, figure_path)
    raise NotImplementedError('one panel per equation with the exact solution and both models on [0, 5], titled, labelled, with a legend; save it with save_figure(fig, figure_path)')


def compare(models, figure_path):
    """The errors of both methods inside and outside the training range, and the figure."""
    # TODO: fill {name: {method: {"in": ..., "out": ...}}} with errors(), call plot(), and name the method with the smaller worst "out" error as "better_outside"
    raise NotImplementedError('fill {name: {method: {"in": ..., "out": ...}}} with errors(), call plot(), and name the method with the smaller worst "out" error as "better_outside"')
