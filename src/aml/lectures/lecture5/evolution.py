"""Lecture 5: training without gradients.

- genetic: the lecture 1 iris network (67 weights) trained by a genetic algorithm, the
  whole population evaluated in one vectorised forward pass, compared with Adam.
- reservoir_evolution: a genetic algorithm tunes an echo state network's hyperparameters.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from aml.context import RunContext
from aml.scratch.reservoir import nrmse

# ---- l5.genetic ------------------------------------------------------------------------------


@dataclass(frozen=True)
class GeneticConfig:
    """Population 200 for 60 generations: about 12,000 evaluations of the 67-weight network."""

    population_size: int = 200
    generations: int = 60
    tournament_size: int = 3
    crossover_rate: float = 0.9
    mutation_rate: float = 0.1
    mutation_sigma: float = 0.3
    sigma_decay: float = 0.99
    elite: int = 2
    init_scale: float = 0.5
    workers: int = 1
    adam_epochs: int = 200

    @classmethod
    def quick(cls) -> GeneticConfig:
        return cls(population_size=100, generations=40, adam_epochs=60)


def iris_fitness(seed: int = 42):
    """The iris layout, the fitness on the training split, and the test split (by `seed`)."""
    from aml.data.iris import prepared_split
    from aml.models.iris import iris_classifier
    from aml.training.genetic import ClassifierFitness, DenseLayout

    x_train, y_train, x_test, y_test = prepared_split(0.2, seed=seed)
    layout = DenseLayout.from_model(iris_classifier())
    return ClassifierFitness(layout, x_train, y_train), (x_test, y_test)


def evolve_iris(config: GeneticConfig, seed: int = 0, on_generation=None):
    """Run the genetic algorithm on the iris network; the result and the fitness used."""
    from aml.training import genetic

    fitness, _ = iris_fitness(seed)  # the split follows the seed, as in the evaluation
    evaluate = genetic.ProcessPoolFitness(fitness, config.workers) if config.workers > 1 \
        else fitness
    try:
        result = genetic.evolve(
            evaluate, fitness.layout.n_genes, population_size=config.population_size,
            generations=config.generations, tournament_size=config.tournament_size,
            crossover_rate=config.crossover_rate, mutation_rate=config.mutation_rate,
            mutation_sigma=config.mutation_sigma, sigma_decay=config.sigma_decay,
            elite=config.elite, init_scale=config.init_scale, seed=seed,
            on_generation=on_generation)
    finally:
        if evaluate is not fitness:
            evaluate.close()
    return result, fitness


def genetic(config: GeneticConfig, ctx: RunContext) -> dict:
    """GA vs Adam on iris: test accuracy, evaluations per second, fitness per generation."""
    import keras

    from aml.lectures.lecture1.iris import IrisConfig, train_iris
    from aml.models.iris import iris_classifier
    from aml.plots import subplots
    from aml.training.genetic import set_genome

    bar = ctx.progress("genetic", config.generations)
    train_accuracy = []

    def on_generation(generation, population, scores):
        best = population[int(np.argmax(scores))]
        train_accuracy.append(float(fitness_of.accuracy(best)[0]))
        bar.update(generation, best=float(scores.max()), mean=float(scores.mean()))

    fitness_of, (x_test, y_test) = iris_fitness(ctx.seed)
    result, _ = evolve_iris(config, ctx.seed, on_generation)
    ga_test = float(fitness_of.accuracy(result.best, x_test, y_test)[0])
    # The same genome inside the Keras model must give the same answer: a consistency check.
    model = iris_classifier()
    set_genome(model, result.best)
    keras_probs = keras.ops.convert_to_numpy(model(x_test, training=False))
    correct = keras_probs.argmax(-1) == y_test.argmax(-1)
    keras_test = float(np.mean(correct))
    keras.utils.set_random_seed(ctx.seed)
    adam = IrisConfig(epochs=config.adam_epochs, trainer="fast")
    history, adam_test = train_iris(iris_classifier(), adam, ctx.seed)
    ctx.log(f"GA: test accuracy {ga_test:.4f} in {result.seconds:.2f} s, "
            f"{result.evaluations_per_second:,.0f} evaluations/s; "
            f"Adam: test accuracy {adam_test['accuracy']:.4f}")

    fig, (left, right) = subplots(1, 2, figsize=(12, 4.2))
    generations = np.arange(0, config.generations + 1)
    left.plot(generations, result.history["best"], label="best")
    left.plot(generations, result.history["mean"], label="population mean")
    left.set_yscale("symlog", linthresh=0.1)
    left.set_title("Genetic algorithm: fitness per generation")
    left.set_xlabel("generation")
    left.set_ylabel("fitness (mean log-probability of the true class)")
    left.legend()
    right.plot(generations[1:], train_accuracy, label="GA best individual (train)")
    right.plot(np.arange(1, len(history["accuracy"]) + 1), history["accuracy"],
               label="Adam (train)")
    right.plot(np.arange(1, len(history["val_accuracy"]) + 1), history["val_accuracy"],
               label="Adam (validation)", alpha=0.7)
    right.set_title("Iris accuracy: genetic algorithm vs Adam")
    right.set_xlabel("generation (GA) or epoch (Adam)")
    right.set_ylabel("accuracy")
    right.set_ylim(0, 1.02)
    right.legend()
    fig.tight_layout()
    ctx.save_figure(fig, "genetic")
    from aml.lectures.lecture1.iris import against_linear

    return {
        "test_accuracy": ga_test,
        **against_linear(correct, IrisConfig(test_size=0.2), ctx.seed),
        "keras_test_accuracy": keras_test,
        "adam_test_accuracy": adam_test["accuracy"],
        "ga_seconds": result.seconds,
        "evaluations": result.evaluations,
        "evaluations_per_second": result.evaluations_per_second,
        "best_fitness": result.best_fitness,
        "n_test": len(x_test),
        "parameters": model.count_params(),
    }


# ---- l5.reservoir_evolution ------------------------------------------------------------------

# Gene i lives in [0, 1] and maps onto this range (log scale where marked): a mutation of 0.1
# is then an equally sized step for every hyperparameter.
RESERVOIR_GENES = (
    ("spectral_radius", 0.1, 1.6, False),
    ("leak_rate", 0.05, 1.0, False),
    ("input_scaling", 0.02, 3.0, True),
    ("sparsity", 0.0, 0.98, False),
)


def decode_reservoir(genome) -> dict[str, float]:
    """Hyperparameters of the echo state network from a genome in [0, 1]^4."""
    out = {}
    for gene, (name, low, high, log) in zip(np.clip(genome, 0.0, 1.0), RESERVOIR_GENES):
        out[name] = float(low * (high / low) ** gene if log else low + gene * (high - low))
    return out


def encode_reservoir(hyperparameters: dict) -> np.ndarray:
    """The genome in [0, 1]^4 of given hyperparameters (the inverse of decode_reservoir)."""
    genes = []
    for name, low, high, log in RESERVOIR_GENES:
        value = hyperparameters[name]
        genes.append(np.log(value / low) / np.log(high / low) if log
                     else (value - low) / (high - low))
    return np.clip(np.array(genes, dtype=np.float32), 0.0, 1.0)


@dataclass(frozen=True)
class ReservoirEvolutionConfig:
    """Predict Mackey-Glass (tau = 17) `horizon` steps ahead with a 100-unit reservoir; the
    baseline is the echo state network's own defaults (tuned by hand in lecture 3)."""

    n_samples: int = 2600
    horizon: int = 50
    n_train: int = 1000
    n_validation: int = 600
    washout: int = 100
    n_reservoir: int = 100
    ridge: float = 1e-6
    population_size: int = 10
    generations: int = 8
    mutation_sigma: float = 0.15
    mutation_rate: float = 0.5
    elite: int = 2
    workers: int = 1

    @classmethod
    def quick(cls) -> ReservoirEvolutionConfig:
        return cls(n_samples=1400, n_train=600, n_validation=300, population_size=6,
                   generations=3)


def mackey_glass_task(config: ReservoirEvolutionConfig, seed: int = 0):
    """Standardised series split into (u, y) pairs for train, validation and test."""
    from aml.data import load

    series = load("mackey_glass", n=config.n_samples, tau=17, seed=seed)
    train = series[:config.n_train]
    series = (series - train.mean()) / train.std()
    u, y = series[:-config.horizon], series[config.horizon:]
    a, b = config.n_train, config.n_train + config.n_validation
    if b >= len(u):
        raise ValueError("n_samples must exceed n_train + n_validation + horizon")
    return (u[:a], y[:a]), (u[a:b], y[a:b]), (u[b:], y[b:])


@dataclass(frozen=True)
class ReservoirFitness:
    """Fitness of reservoir hyperparameter genomes: minus log validation NRMSE of an ESN fitted
    on the training part (the same reservoir seed for all, so only the genes differ)."""

    train: tuple
    validation: tuple
    n_reservoir: int
    ridge: float
    washout: int
    seed: int = 0

    def predictions(self, hyperparameters: dict, *segments):
        """Fit on the training part, then predict each (u, y) segment in turn: the reservoir
        runs on without a break, so each segment must directly follow the previous one."""
        from aml.scratch.reservoir import EchoStateNetwork

        esn = EchoStateNetwork(self.n_reservoir, ridge=self.ridge, seed=self.seed,
                               **hyperparameters).fit(*self.train, washout=self.washout)
        return [esn.predict(u) for u, _ in segments]

    def error(self, hyperparameters: dict, test=None) -> float:
        """Validation NRMSE, or with `test` (the segment after validation) the test NRMSE."""
        segments = (self.validation,) + ((test,) if test is not None else ())
        return nrmse(self.predictions(hyperparameters, *segments)[-1], segments[-1][1])

    def __call__(self, genomes: np.ndarray) -> np.ndarray:
        return np.array([-np.log(self.error(decode_reservoir(g))) for g in genomes])


def reservoir_evolution(config: ReservoirEvolutionConfig, ctx: RunContext) -> dict:
    """Evolve spectral radius, leak rate, input scaling and sparsity; compare with defaults."""
    from aml.plots import subplots
    from aml.scratch.reservoir import EchoStateNetwork
    from aml.training import genetic as ga

    train, validation, test = mackey_glass_task(config, ctx.seed)
    fitness = ReservoirFitness(train, validation, config.n_reservoir, config.ridge,
                               config.washout, ctx.seed)
    default = EchoStateNetwork()
    defaults = {name: getattr(default, name) for name, *_ in RESERVOIR_GENES}
    bar = ctx.progress("reservoir", config.generations)
    evaluate = ga.ProcessPoolFitness(fitness, config.workers) if config.workers > 1 \
        else fitness
    # The first population is random except for one individual: the default reservoir, so
    # (with elitism) evolution can only improve on it on the validation data.
    rng = np.random.default_rng(ctx.seed)
    initial = rng.uniform(0.0, 1.0, (config.population_size, len(RESERVOIR_GENES)))
    initial[0] = encode_reservoir(defaults)
    try:
        result = ga.evolve(
            evaluate, initial=initial, population_size=config.population_size,
            generations=config.generations, mutation_sigma=config.mutation_sigma,
            mutation_rate=config.mutation_rate, elite=config.elite,
            bounds=(np.zeros(len(RESERVOIR_GENES)), np.ones(len(RESERVOIR_GENES))),
            seed=ctx.seed, on_generation=lambda g, p, s: bar.update(g, best=float(s.max())))
    finally:
        if evaluate is not fitness:
            evaluate.close()
    evolved = decode_reservoir(result.best)
    errors = {name: {"validation": fitness.error(h), "test": fitness.error(h, test)}
              for name, h in (("default", defaults), ("evolved", evolved))}
    ctx.log("evolved " + ", ".join(f"{k}={v:.3g}" for k, v in evolved.items())
            + f"; test NRMSE default {errors['default']['test']:.4f}, "
            f"evolved {errors['evolved']['test']:.4f}")

    fig, (left, right) = subplots(1, 2, figsize=(13, 4.2))
    generations = np.arange(0, config.generations + 1)
    left.plot(generations, np.exp(-np.array(result.history["best"])), "o-", label="best")
    left.plot(generations, np.exp(-np.array(result.history["mean"])), "s--",
              label="population (geometric mean)")
    left.axhline(errors["default"]["validation"], color="k", ls=":", label="default reservoir")
    left.set_yscale("log")
    left.set_title("Evolving the reservoir: validation error per generation")
    left.set_xlabel("generation (0 = random initial population)")
    left.set_ylabel(f"NRMSE, {config.horizon}-step-ahead prediction")
    left.legend()
    y = test[1]
    for name, hyper in (("default", defaults), ("evolved", evolved)):
        prediction = fitness.predictions(hyper, validation, test)[-1]
        right.plot(np.abs(prediction - y) + 1e-6, lw=1, label=f"{name} reservoir")
    right.set_yscale("log")
    right.set_title(f"Mackey-Glass, {config.horizon} steps ahead: test error")
    right.set_xlabel("time step in the test segment")
    right.set_ylabel("|prediction - truth| (standardised units)")
    right.legend()
    fig.tight_layout()
    ctx.save_figure(fig, "reservoir_evolution")
    return {
        **{f"evolved_{k}": v for k, v in evolved.items()},
        "default_test_nrmse": errors["default"]["test"],
        "evolved_test_nrmse": errors["evolved"]["test"],
        "default_validation_nrmse": errors["default"]["validation"],
        "initial_best_validation_nrmse": float(np.exp(-result.history["best"][0])),
        "evolved_is_default": bool(np.allclose(result.best, initial[0])),
        "evolved_validation_nrmse": errors["evolved"]["validation"],
        "test_gain": errors["default"]["test"] / errors["evolved"]["test"],
        "evaluations": result.evaluations,
        "ga_seconds": result.seconds,
    }
