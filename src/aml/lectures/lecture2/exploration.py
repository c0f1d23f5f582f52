"""Reinforcement learning needs exploration: the notes' walking robot (see
`aml.training.reinforcement`) trained with several starting exploration rates epsilon.
With epsilon = 0 it never tries a step, earns nothing and learns nothing; with epsilon > 0 it
stumbles on walking and its greedy policy then walks as far as possible."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from aml.context import RunContext


@dataclass(frozen=True)
class ExplorationConfig:
    epsilons: tuple[float, ...] = (0.0, 0.2, 0.5, 1.0)
    decay: float = 0.93         # epsilon multiplied by this after every episode
    episodes: int = 60
    steps: int = 40             # actions per episode; the best walk covers steps / 4
    gamma: float = 0.9
    learning_rate: float = 1e-2
    updates: int = 3            # Adam steps on the seen transitions after each episode

    @classmethod
    def quick(cls) -> ExplorationConfig:
        return cls(epsilons=(0.0, 0.5), episodes=40)


def exploration(config: ExplorationConfig, ctx: RunContext) -> dict:
    """Train one robot per starting epsilon; report what each greedy policy walks at the end."""
    from aml.training.reinforcement import (
        EpsilonSchedule,
        expected_distance,
        optimal_distance,
        train_walker,
    )

    optimum = optimal_distance(config.steps)
    runs, metrics = {}, {"optimal_distance": optimum}
    for epsilon in config.epsilons:
        runs[epsilon] = train_walker(EpsilonSchedule(epsilon, config.decay),
                                     episodes=config.episodes, steps=config.steps,
                                     gamma=config.gamma, learning_rate=config.learning_rate,
                                     updates=config.updates, seed=ctx.seed)
        key = f"{epsilon:g}".replace(".", "p")
        metrics[f"distance_epsilon_{key}"] = runs[epsilon]["greedy_distance"]
        metrics[f"training_distance_epsilon_{key}"] = float(
            np.sum(runs[epsilon]["distances"]))
        ctx.log(f"epsilon {epsilon:g}: walks {runs[epsilon]['greedy_distance']:g} of {optimum:g}"
                f" per episode at the end; policy {runs[epsilon]['policy']}")
    explorers = [e for e in config.epsilons if e > 0]
    metrics["standing_distance"] = (runs[0.0]["greedy_distance"] + float(
        np.sum(np.abs(runs[0.0]["distances"])))) if 0.0 in runs else float("nan")
    metrics["final_distance_fraction"] = min(
        runs[e]["greedy_distance"] for e in explorers) / optimum if explorers else 0.0
    # the same during training, still exploring a little: mean of the last 10 episodes
    metrics["last_episodes_fraction"] = min(
        float(np.mean(runs[e]["distances"][-10:])) for e in explorers) / optimum \
        if explorers else 0.0
    # Decaying epsilon is the point: late in training the robot should walk nearly as well
    # as a perfect gait disturbed only by the exploration still scheduled then.
    late = slice(-min(10, config.episodes), None)
    metrics["late_walk_vs_ideal"] = min(
        float(np.sum(runs[e]["distances"][late])) / sum(
            expected_distance(eps, config.steps) for eps in runs[e]["epsilons"][late])
        for e in explorers) if explorers else 0.0
    ctx.save_figure(_figure(runs, optimum), "distance_per_episode")
    return metrics


def _figure(runs, optimum):
    from aml.plots import subplots

    fig, ax = subplots(figsize=(8, 4.5))
    for epsilon, run in runs.items():
        ax.plot(np.arange(1, len(run["distances"]) + 1), run["distances"],
                label=f"epsilon starts at {epsilon:g}")
    ax.axhline(optimum, color="k", ls=":", label="best possible")
    ax.set(title="Walking robot: reward (distance moved) per episode", xlabel="episode",
           ylabel="distance per episode (steps of the body)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return fig
