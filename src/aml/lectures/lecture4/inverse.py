"""Lecture 4, inverse problems: unknown constants of a law learned from noisy measurements,
each with an interval, by `aml.training.inverse.fit_ode` (a network trained on the equation's
residual and the data together, then least-squares intervals).

Three laws with known true constants: a decay rate, an oscillator's stiffness (from positions
only), Lotka-Volterra's four rates. Then lecture 4's projectile both ways: the structured
network of `l4.physics_net` (x = v0 t - g t²/2 built into the model) and fit_ode on
x'' = -g with the launch speed v0 an unknown initial value, on the same noisy heights.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from aml.backend import float64_on_jax
from aml.context import RunContext


@dataclass(frozen=True)
class InverseConfig:
    decay_rate: float = 0.7
    stiffness: float = 2.25
    lotka_volterra: tuple[float, float, float, float] = (1.0, 0.5, 1.0, 0.3)
    observations: int = 40
    noise: float = 0.05          # relative to each signal's size (decay: 2, oscillator: 1)
    confidence: float = 0.95
    points: int = 64
    steps: int = 2000
    lbfgs_steps: int = 1000
    projectile_epochs: int = 1000  # the structured network of l4.physics_net

    @classmethod
    def quick(cls) -> InverseConfig:
        return cls(points=32, steps=400, lbfgs_steps=150, projectile_epochs=500)


def _problems(config: InverseConfig, rng: np.random.Generator) -> dict:
    """name: (f, u0, domain, x, observed values, guesses, observed components, truth)."""
    from scipy.integrate import solve_ivp

    from aml.training.residual import first_order

    n, noise = config.observations, config.noise
    x_decay = np.linspace(0, 3, n)
    decay = 2 * np.exp(-config.decay_rate * x_decay) + 2 * noise * rng.normal(size=n)
    x_osc = np.linspace(0, 6, n)
    osc = np.cos(np.sqrt(config.stiffness) * x_osc) + noise * rng.normal(size=n)
    a, b, c, d = config.lotka_volterra
    x_lv = np.linspace(0, 8, n)
    lv = solve_ivp(lambda x, u: [a * u[0] - b * u[0] * u[1], -c * u[1] + d * u[0] * u[1]],
                   (0, 8), [2.0, 1.0], t_eval=x_lv, rtol=1e-10, atol=1e-12).y.T
    lv = lv + noise * rng.normal(size=lv.shape)
    return {
        "decay": (lambda x, u, k: -k * u, 2.0, (0.0, 3.0), x_decay, decay, {"k": 1.0}, None,
                  {"k": config.decay_rate}),
        "oscillator": (first_order(lambda x, y, v, k: -k * y), [1.0, 0.0], (0.0, 6.0), x_osc,
                       osc, {"k": 1.0}, [0], {"k": config.stiffness}),
        "lotka_volterra": (
            lambda x, u, a, b, c, d: [a * u[0] - b * u[0] * u[1], -c * u[1] + d * u[0] * u[1]],
            [2.0, 1.0], (0.0, 8.0), x_lv, lv, {"a": 0.8, "b": 0.4, "c": 1.2, "d": 0.4}, None,
            dict(zip("abcd", config.lotka_volterra))),
    }


def _projectile_both_ways(config: InverseConfig, ctx: RunContext) -> dict:
    """g and v0 from l4.physics_net's noisy heights: structured network vs fit_ode."""
    import keras

    from aml.data import projectile
    from aml.lectures.lecture4.physics import (
        PhysicsNetConfig,
        against_least_squares,
        fit_projectile,
    )
    from aml.models.projectile import learned_constants, projectile_network
    from aml.training.inverse import fit_ode
    from aml.training.residual import first_order

    throw = PhysicsNetConfig(epochs=config.projectile_epochs)
    keras.utils.set_random_seed(ctx.seed)
    structured = projectile_network(throw.hidden)
    fit_projectile(structured, throw, ctx.seed)
    g_net, v0_net = learned_constants(structured)
    t, heights = projectile.load(throw.n_points, 0.0, throw.t_max, throw.v0, throw.g,
                                 throw.noise, seed=ctx.seed)
    fit = fit_ode(first_order(lambda t, x, v, g: -g + 0 * x), [0.0, "v0"], (0.0, throw.t_max),
                  t[:, 0], heights[:, 0], {"g": 9.0, "v0": 15.0}, observed=[0],
                  points=config.points, steps=config.steps, lbfgs_steps=config.lbfgs_steps,
                  seed=ctx.seed, confidence=config.confidence)
    ctx.log(f"projectile, structured network: g = {g_net:.4f}, v0 = {v0_net:.4f} (no interval)")
    ctx.log("projectile, fit_ode:\n" + fit.report())
    truth = {"g": throw.g, "v0": throw.v0}
    out = {"structured_g": g_net, "structured_v0": v0_net,
           **against_least_squares(fit.params["g"], fit.params["v0"], throw, ctx.seed)}
    for name in ("g", "v0"):
        out[f"{name}_relative_error"] = abs(fit.params[name] - truth[name]) / truth[name]
        out[f"projectile_{name}"] = fit.params[name]
        out[f"projectile_{name}_stderr"] = fit.stderr[name]
        out[f"projectile_{name}_inside"] = bool(
            fit.intervals[name][0] <= truth[name] <= fit.intervals[name][1])
    return out, fit, truth


@float64_on_jax()
def inverse(config: InverseConfig, ctx: RunContext) -> dict:
    """Constants with intervals for three laws, and the projectile two ways."""
    from aml.training.inverse import fit_ode

    rng = np.random.default_rng(ctx.seed)
    metrics, rows, fits = {}, [], {}
    inside = total = 0
    for name, (f, u0, domain, x, u, guess, observed, truth) in _problems(config, rng).items():
        fit = fit_ode(f, u0, domain, x, u, guess, observed=observed, points=config.points,
                      steps=config.steps, lbfgs_steps=config.lbfgs_steps, seed=ctx.seed,
                      confidence=config.confidence)
        fits[name] = (fit, x, u, observed, truth)
        ctx.log(f"{name}:\n{fit.report()}")
        for key, value in truth.items():
            low, high = fit.intervals[key]
            inside += low <= value <= high
            total += 1
            metrics[f"{name}_{key}"] = fit.params[key]
            metrics[f"{name}_{key}_stderr"] = fit.stderr[key]
            metrics[f"{name}_{key}_relative_error"] = abs(fit.params[key] - value) / value
            rows.append([name, key, value, fit.params[key], fit.stderr[key], low <= value <= high])
    projectile, projectile_fit, projectile_truth = _projectile_both_ways(config, ctx)
    metrics.update(projectile)
    inside += projectile["projectile_g_inside"] + projectile["projectile_v0_inside"]
    total += 2
    metrics["intervals_holding_truth"] = inside
    metrics["intervals"] = total
    from aml.tables import format_table

    ctx.log("\n" + format_table([[*r[:2], f"{r[2]:g}", f"{r[3]:.5g}", f"{r[4]:.2g}",
                                  "yes" if r[5] else "NO"] for r in rows],
                                ["law", "constant", "true", "fitted", "std. error",
                                 f"true in {100 * config.confidence:g}% interval"]))
    ctx.save_figure(_figure(fits, projectile_fit, projectile_truth, config), "inverse")
    return metrics


def _figure(fits: dict, projectile_fit, projectile_truth: dict, config: InverseConfig):
    from aml.plots import plt

    fig, axes = plt.subplots(1, 4, figsize=(17, 4))
    for ax, (name, (fit, x, u, observed, truth)) in zip(axes, fits.items()):
        grid = np.linspace(x.min(), x.max(), 400)
        curve = fit.solution(grid).reshape(len(grid), -1)
        data = np.asarray(u).reshape(len(x), -1)
        components = observed or list(range(data.shape[1]))
        for k, j in enumerate(components):
            ax.plot(x, data[:, k], ".", color=f"C{k}", alpha=0.6)
            ax.plot(grid, curve[:, j], color=f"C{k}", label=f"fitted u{j}")
        text = ", ".join(f"{key} = {fit.params[key]:.3g} ± {fit.stderr[key]:.1g} "
                         f"(true {value:g})" for key, value in truth.items())
        ax.set(title=f"{name.replace('_', '-')}\n{text}", xlabel="x (time)", ylabel="u")
        ax.title.set_fontsize(8)
        ax.legend(fontsize=7)
    ax = axes[-1]
    t = np.linspace(0, 5, 200)
    ax.plot(t, projectile_fit.solution(t)[:, 0], label="fit_ode: x'' = -g")
    ax.set(title=f"projectile: g = {projectile_fit.params['g']:.3f} ± "
                 f"{projectile_fit.stderr['g']:.2f} (true {projectile_truth['g']:g})",
           xlabel="time t (s)", ylabel="height x (m)")
    ax.title.set_fontsize(8)
    ax.legend(fontsize=7)
    fig.suptitle(f"Inverse problems: constants with {100 * config.confidence:g}% intervals")
    fig.tight_layout()
    return fig
