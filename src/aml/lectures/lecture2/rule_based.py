"""AI without learning, then learning: the notes' thermostat rule (heat when it is at most
20 °C) written by hand, and a single sigmoid neuron that finds the same threshold from
labelled readings alone. The learned threshold is where w·t + b = 0, i.e. t = −b/w."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from aml.context import RunContext


def thermostat(temperature, threshold: float = 20.0):
    """The hand-written rule: 1 (heat) when the temperature is at most the threshold, else 0."""
    return (np.asarray(temperature) <= threshold).astype("int32")


@dataclass(frozen=True)
class RuleConfig:
    threshold: float = 20.0     # °C, the rule's setting
    samples: int = 2000         # readings drawn uniformly from `span`
    span: tuple[float, float] = (0.0, 40.0)
    epochs: int = 150
    batch_size: int = 64
    learning_rate: float = 0.05

    @classmethod
    def quick(cls) -> RuleConfig:
        return cls(samples=800, epochs=60)


def rule_based(config: RuleConfig, ctx: RunContext) -> dict:
    """Label readings with the rule, learn them with one neuron, compare the thresholds."""
    import keras

    from aml.training.supervised import evaluate, fit

    rng = np.random.default_rng(ctx.seed)
    t = rng.uniform(*config.span, size=config.samples).astype("float32")
    y = thermostat(t, config.threshold).astype("float32")
    mean, std = float(t.mean()), float(t.std())
    x = ((t - mean) / std).reshape(-1, 1)
    split = int(0.8 * len(x))
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1, activation="sigmoid")])
    loss = keras.losses.BinaryCrossentropy()
    fit(model, x[:split], y[:split, None], loss=loss, epochs=config.epochs,
        batch_size=config.batch_size, optimizer=keras.optimizers.Adam(config.learning_rate),
        seed=ctx.seed)
    test = evaluate(model, x[split:], y[split:, None], loss)
    w, b = (float(np.ravel(v)[0]) for v in model.get_weights())
    learned = mean - std * b / w
    ctx.log(f"rule threshold {config.threshold} °C, learned {learned:.2f} °C, "
            f"test accuracy {test['accuracy']:.4f}")
    ctx.save_figure(_figure(model, config, mean, std, learned, t, y), "rule_vs_neuron")
    return {"test_accuracy": test["accuracy"], "learned_threshold": learned,
            "threshold_error": abs(learned - config.threshold),
            "n_test": len(x) - split, "parameters": model.count_params()}


def _figure(model, config, mean, std, learned, t, y):
    from aml.plots import subplots

    grid = np.linspace(*config.span, 400).astype("float32")
    probability = np.asarray(model(((grid - mean) / std).reshape(-1, 1))).ravel()
    fig, ax = subplots(figsize=(7, 4.2))
    ax.scatter(t[:300], y[:300], s=8, alpha=0.4, label="readings labelled by the rule")
    ax.step(grid, thermostat(grid, config.threshold), where="post", label="rule: heat if ≤ 20 °C")
    ax.plot(grid, probability, label="neuron: P(heat)")
    ax.axvline(learned, ls="--", color="k", label=f"learned threshold {learned:.2f} °C")
    ax.set(title="Hand-written rule vs a neuron that learns it", xlabel="temperature (°C)",
           ylabel="heater on")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return fig
