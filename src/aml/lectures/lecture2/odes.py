"""Lecture 2 exercises as examples: the notes' three ODEs solved by the residual loss
("reinforcement" in the notes), fitted by supervised regression, and both taken outside
the range they were trained on.

du/dx = 2x, x² and x² − 2x with u(0) = 1 on [0, 2]; exact solutions x² + 1, x³/3 + 1 and
x³/3 − x² + 1. Errors are the largest |u_NN − u_exact| on 200 evenly spaced points.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from aml.context import RunContext

NAMES = ("2x", "x^2", "x^2-2x")


@dataclass(frozen=True)
class ODEConfig:
    equations: tuple[str, ...] = NAMES
    domain: tuple[float, float] = (0.0, 2.0)
    hidden: tuple[int, ...] = (32, 32)
    points: int = 64            # collocation points of the residual loss
    samples: int = 200          # sampled (x, u) pairs of the supervised fit
    steps: int = 2000           # Adam steps, learning rate decaying 1e-2 -> 1e-4
    lbfgs_steps: int = 1000     # L-BFGS polish
    eval_points: int = 200

    @classmethod
    def quick(cls) -> ODEConfig:
        return cls(steps=600, lbfgs_steps=150)


@dataclass(frozen=True)
class OutOfRangeConfig(ODEConfig):
    wide_domain: tuple[float, float] = (0.0, 5.0)

    @classmethod
    def quick(cls) -> OutOfRangeConfig:
        return cls(steps=600, lbfgs_steps=150)


def _key(name: str) -> str:
    return name.replace("^", "").replace("-", "_minus_")


def solve_residual(name: str, config: ODEConfig, seed: int = 0):
    """The residual-trained solution of one of the notes' equations (see training.residual)."""
    from aml.data.ode import equation
    from aml.training.residual import solve_ode

    eq = equation(name)
    return solve_ode(eq.rhs, eq.u0, config.domain, hidden=config.hidden, points=config.points,
                     steps=config.steps, lbfgs_steps=config.lbfgs_steps, seed=seed)


def fit_supervised(name: str, config: ODEConfig, seed: int = 0):
    """A network fitted by regression to `points` sampled (x, u) pairs of the exact solution."""
    from aml.data import load
    from aml.training.full_batch import fit_curve

    x, u = load("ode", equation_name=name, n=config.samples, domain=config.domain, seed=seed)
    return fit_curve(x, u, config.domain, hidden=config.hidden, steps=config.steps,
                     lbfgs_steps=config.lbfgs_steps, seed=seed)


def max_error(solution, name: str, domain, n: int) -> float:
    """Largest |u_NN − u_exact| on n evenly spaced points of `domain`."""
    from aml.data.ode import equation

    x = np.linspace(domain[0], domain[1], n)
    return float(np.max(np.abs(solution(x) - equation(name).exact(x))))


def _solution_figure(solutions: dict, config: ODEConfig, title: str):
    from aml.data.ode import equation
    from aml.plots import subplots

    x = np.linspace(config.domain[0], config.domain[1], config.eval_points)
    fig, (ax, err) = subplots(1, 2, figsize=(11, 4.2))
    for name, solution in solutions.items():
        eq = equation(name)
        line, = ax.plot(x, eq.exact(x), lw=3, alpha=0.35, label=f"{eq.label} exact")
        ax.plot(x, solution(x), "--", color=line.get_color(), label=f"{eq.label} network")
        err.semilogy(x, np.abs(solution(x) - eq.exact(x)) + 1e-12, color=line.get_color(),
                     label=eq.label)
    ax.set(title=title, xlabel="x", ylabel="u(x)")
    err.axhline(1e-3, color="k", ls=":", label="target 1e-3")
    err.set(title="Absolute error", xlabel="x", ylabel="|u_NN − u_exact|")
    for a in (ax, err):
        a.grid(alpha=0.3)
        a.legend(fontsize=8)
    fig.tight_layout()
    return fig


def _train_all(train, config: ODEConfig, ctx: RunContext, label: str) -> tuple[dict, dict]:
    solutions, metrics = {}, {}
    for name in config.equations:
        solutions[name] = train(name, config, ctx.seed)
        error = max_error(solutions[name], name, config.domain, config.eval_points)
        metrics[f"max_error_{_key(name)}"] = error
        ctx.log(f"{label} du/dx = {name}: max error {error:.2e}")
    metrics["max_error"] = max(metrics.values())
    return solutions, metrics


def ode_residual(config: ODEConfig, ctx: RunContext) -> dict:
    """Solve the three ODEs with the residual loss and report the largest error of each."""
    solutions, metrics = _train_all(solve_residual, config, ctx, "residual")
    ctx.save_figure(_solution_figure(solutions, config, "Residual-trained g(x) = 1 + x·NN(x)"),
                    "solutions")
    metrics["parameters"] = next(iter(solutions.values())).model.count_params()
    return metrics


def ode_supervised(config: ODEConfig, ctx: RunContext) -> dict:
    """Fit the three exact solutions by regression on sampled points; same error measure."""
    solutions, metrics = _train_all(fit_supervised, config, ctx, "supervised")
    ctx.save_figure(_solution_figure(solutions, config, "Supervised fit of u(x)"), "solutions")
    metrics["parameters"] = next(iter(solutions.values())).model.count_params()
    return metrics


def range_errors(solution, name: str, inside, wide, n: int) -> tuple[float, float]:
    """Largest error inside the training range and beyond it (up to the end of `wide`)."""
    from aml.data.ode import equation

    x = np.linspace(wide[0], wide[1], n)
    error = np.abs(solution(x) - equation(name).exact(x))
    within = (x >= inside[0]) & (x <= inside[1])
    return float(error[within].max()), float(error[~within].max())


def out_of_range_figure(curves: dict, wide, inside):
    """Exact, residual and supervised curves of every equation on the wide range."""
    from aml.data.ode import equation
    from aml.plots import subplots

    x = np.linspace(wide[0], wide[1], 400)
    fig, axes = subplots(1, len(curves), figsize=(5 * len(curves), 4.2), squeeze=False)
    for ax, (name, models) in zip(axes[0], curves.items()):
        ax.plot(x, equation(name).exact(x), "k", lw=3, alpha=0.4, label="exact")
        for label, solution in models.items():
            ax.plot(x, solution(x), "--", label=label)
        ax.axvspan(*inside, color="tab:green", alpha=0.08, label="training range")
        ax.set(title=equation(name).label, xlabel="x", ylabel="u(x)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle("Trained on [0, 2], evaluated on [0, 5]")
    fig.tight_layout()
    return fig


def out_of_range(config: OutOfRangeConfig, ctx: RunContext) -> dict:
    """Train both ways on [0, 2] and measure the error inside and outside that range."""
    curves, metrics = {}, {}
    for name in config.equations:
        curves[name] = {"residual": solve_residual(name, config, ctx.seed),
                        "supervised": fit_supervised(name, config, ctx.seed)}
        for method, solution in curves[name].items():
            inside, outside = range_errors(solution, name, config.domain, config.wide_domain,
                                           config.eval_points * 5 // 2)
            metrics[f"{method}_in_{_key(name)}"] = inside
            metrics[f"{method}_out_{_key(name)}"] = outside
            ctx.log(f"{method:10s} du/dx = {name}: max error {inside:.2e} on "
                    f"{list(config.domain)}, {outside:.2e} beyond")
    for method in ("residual", "supervised"):
        for where in ("in", "out"):
            metrics[f"{method}_max_error_{where}"] = max(
                v for k, v in metrics.items() if k.startswith(f"{method}_{where}_"))
    ctx.save_figure(out_of_range_figure(curves, config.wide_domain, config.domain),
                    "out_of_range")
    return metrics
