"""Lecture 2, systems of ODEs: a harmonic oscillator (a second-order equation written as two
first-order ones) and Lotka-Volterra predator-prey dynamics.

The residual solver knows the equation, so it can solve it over the whole range; the
supervised fit only sees samples of the solution on the first part and must guess the rest.
Both are compared with the exact solution (closed form for the oscillator, SciPy's solve_ivp
at rtol 1e-10 for Lotka-Volterra), and the residual solver's own error estimate is set beside
its true error.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from aml.backend import float64_on_jax
from aml.context import RunContext

# Lotka-Volterra constants: prey grow at a, are eaten at b; predators die at c, grow at d
LV = {"a": 1.0, "b": 0.5, "c": 1.0, "d": 0.3}


def oscillator(x, u):
    """u'' = -u as (u, v)' = (v, -u)."""
    return [u[1], -u[0]]


def lotka_volterra(x, u):
    """prey' = a·prey - b·prey·predators, predators' = -c·predators + d·prey·predators."""
    return [LV["a"] * u[0] - LV["b"] * u[0] * u[1], -LV["c"] * u[1] + LV["d"] * u[0] * u[1]]


SYSTEMS = {  # name: (f, u0, exact solution on x or None for solve_ivp, component labels)
    "oscillator": (oscillator, (1.0, 0.0),
                   lambda x: np.stack([np.cos(x), -np.sin(x)], axis=-1), ("u", "u'")),
    "lotka_volterra": (lotka_volterra, (2.0, 1.0), None, ("prey", "predators")),
}


@dataclass(frozen=True)
class SystemsConfig:
    oscillator_domain: tuple[float, float] = (0.0, 4 * np.pi)
    lotka_volterra_domain: tuple[float, float] = (0.0, 15.0)
    seen_fraction: float = 0.5   # the supervised fit sees samples of the first half only
    samples: int = 200
    tol: float = 1e-3            # the course's accuracy target for the ODE examples
    max_pieces: int = 8
    hidden: tuple[int, ...] = (32, 32)
    points: int = 64
    steps: int = 2000
    lbfgs_steps: int = 1000
    eval_points: int = 1000

    @classmethod
    def quick(cls) -> SystemsConfig:
        return cls(oscillator_domain=(0.0, 2 * np.pi), lotka_volterra_domain=(0.0, 5.0),
                   tol=1e-2, max_pieces=4, points=32, steps=600, lbfgs_steps=300,
                   samples=100, eval_points=400)


def exact(name: str, x: np.ndarray, domain) -> np.ndarray:
    """(points, 2) exact solution: closed form, or solve_ivp at rtol 1e-10."""
    f, u0, closed, _ = SYSTEMS[name]
    if closed is not None:
        return closed(x)
    from scipy.integrate import solve_ivp

    return solve_ivp(f, domain, u0, t_eval=x, method="DOP853", rtol=1e-10, atol=1e-12).y.T


def supervised_fit(name: str, config: SystemsConfig, domain, seed: int):
    """One regression network per component on samples of the first part of the range."""
    from aml.training.full_batch import fit_curve

    seen = (domain[0], domain[0] + config.seen_fraction * (domain[1] - domain[0]))
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(*seen, config.samples))
    u = exact(name, x, domain)
    fits = [fit_curve(x, u[:, j], seen, hidden=config.hidden, steps=config.steps,
                      lbfgs_steps=config.lbfgs_steps, seed=seed) for j in range(u.shape[1])]
    return (lambda values: np.stack([fit(values) for fit in fits], axis=-1)), seen


@float64_on_jax()
def ode_systems(config: SystemsConfig, ctx: RunContext) -> dict:
    """Residual solution (with its error estimate) vs supervised fit, for two systems."""
    import warnings

    from aml.training.residual import ToleranceWarning, solve_ode

    metrics, curves = {}, {}
    for name in SYSTEMS:
        f, u0, _, _ = SYSTEMS[name]
        domain = getattr(config, f"{name}_domain")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ToleranceWarning)
            residual = solve_ode(f, u0, domain, hidden=config.hidden, points=config.points,
                                 steps=config.steps, lbfgs_steps=config.lbfgs_steps,
                                 seed=ctx.seed, tol=config.tol, max_pieces=config.max_pieces)
        for warning in caught:
            ctx.log(str(warning.message))
        supervised, seen = supervised_fit(name, config, domain, ctx.seed)
        x = np.linspace(*domain, config.eval_points)
        truth = exact(name, x, domain)
        inside = x <= seen[1]
        residual_error = np.max(np.abs(residual(x) - truth))
        supervised_error = np.abs(supervised(x) - truth).max(axis=1)
        metrics.update({
            f"{name}_residual_max_error": float(residual_error),
            f"{name}_residual_error_estimate": residual.error_estimate,
            f"{name}_estimate_ratio": residual.error_estimate / max(residual_error, 1e-300),
            f"{name}_pieces": len(residual.pieces),
            f"{name}_supervised_max_error_seen": float(supervised_error[inside].max()),
            f"{name}_supervised_max_error_unseen": float(supervised_error[~inside].max()),
        })
        ctx.log(f"{name}: {residual.report()} True max error {residual_error:.2e}; "
                f"supervised {supervised_error[inside].max():.2e} where it saw samples, "
                f"{supervised_error[~inside].max():.2e} beyond")
        curves[name] = (x, truth, residual(x), supervised(x), seen)
    metrics["residual_max_error"] = max(metrics[f"{n}_residual_max_error"] for n in SYSTEMS)
    metrics["estimate_ratio_min"] = min(metrics[f"{n}_estimate_ratio"] for n in SYSTEMS)
    metrics["estimate_ratio_max"] = max(metrics[f"{n}_estimate_ratio"] for n in SYSTEMS)
    ctx.save_figure(_figure(curves), "ode_systems")
    return metrics


def _figure(curves: dict):
    from aml.plots import plt

    fig, axes = plt.subplots(2, 2, figsize=(12, 7.5))
    for row, (name, (x, truth, residual, supervised, seen)) in zip(axes, curves.items()):
        labels = SYSTEMS[name][3]
        for j, ax in enumerate(row):
            ax.plot(x, truth[:, j], "k", lw=3, alpha=0.35, label="exact")
            ax.plot(x, residual[:, j], "--", color="tab:blue", label="residual (whole range)")
            ax.plot(x, supervised[:, j], ":", color="tab:red", lw=2,
                    label="supervised (samples in shaded part)")
            ax.axvspan(*seen, color="tab:green", alpha=0.08)
            ax.set(title=f"{name.replace('_', '-')}: {labels[j]}", xlabel="x (time)",
                   ylabel=labels[j])
            ax.set_ylim(truth[:, j].min() - 0.5, truth[:, j].max() + 0.5)
            ax.grid(alpha=0.3)
            ax.legend(fontsize=7, loc="upper right")
    fig.suptitle("Systems of ODEs: residual solution vs supervised fit outside its samples")
    fig.tight_layout()
    return fig
