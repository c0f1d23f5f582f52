"""Lecture 5: training without gradients.

- genetic: the lecture 1 iris network (67 weights) trained by a genetic algorithm, the
  whole population evaluated in one vectorised forward pass, compared with Adam.
- reservoir_evolution: a genetic algorithm tunes an echo state network's hyperparameters.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from aml.context import RunContext

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


def iris_fitness():
    """The iris layout, the fitness on the training split, and the test split."""
    from aml.data.iris import prepared_split
    from aml.models.iris import iris_classifier
    from aml.training.genetic import ClassifierFitness, DenseLayout

    x_train, y_train, x_test, y_test = prepared_split(0.2)
    layout = DenseLayout.from_model(iris_classifier())
    return ClassifierFitness(layout, x_train, y_train), (x_test, y_test)


def evolve_iris(config: GeneticConfig, seed: int = 0, on_generation=None):
    """Run the genetic algorithm on the iris network; the result and the fitness used."""
    from aml.training import genetic

    fitness, _ = iris_fitness()
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

    from aml.lectures.lecture1 import IrisConfig, train_iris
    from aml.models.iris import iris_classifier
    from aml.plots import plt
    from aml.training.genetic import set_genome

    bar = ctx.progress("genetic", config.generations)
    train_accuracy = []

    def on_generation(generation, population, scores):
        best = population[int(np.argmax(scores))]
        train_accuracy.append(float(fitness_of.accuracy(best)[0]))
        bar.update(generation, best=float(scores.max()), mean=float(scores.mean()))

    fitness_of, (x_test, y_test) = iris_fitness()
    result, _ = evolve_iris(config, ctx.seed, on_generation)
    ga_test = float(fitness_of.accuracy(result.best, x_test, y_test)[0])
    # The same genome inside the Keras model must give the same answer: a consistency check.
    model = iris_classifier()
    set_genome(model, result.best)
    keras_probs = keras.ops.convert_to_numpy(model(x_test, training=False))
    keras_test = float(np.mean(keras_probs.argmax(-1) == y_test.argmax(-1)))
    keras.utils.set_random_seed(ctx.seed)
    history, adam_test = train_iris(iris_classifier(), IrisConfig(epochs=config.adam_epochs),
                                    ctx.seed)
    ctx.log(f"GA: test accuracy {ga_test:.4f} in {result.seconds:.2f} s, "
            f"{result.evaluations_per_second:,.0f} evaluations/s; "
            f"Adam: test accuracy {adam_test['accuracy']:.4f}")

    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.2))
    generations = np.arange(1, config.generations + 1)
    left.plot(generations, result.history["best"], label="best")
    left.plot(generations, result.history["mean"], label="population mean")
    left.set_yscale("symlog", linthresh=0.1)
    left.set_title("Genetic algorithm: fitness per generation")
    left.set_xlabel("generation")
    left.set_ylabel("fitness (mean log-probability of the true class)")
    left.legend()
    right.plot(generations, train_accuracy, label="GA best individual (train)")
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
    return {
        "test_accuracy": ga_test,
        "keras_test_accuracy": keras_test,
        "adam_test_accuracy": adam_test["accuracy"],
        "ga_seconds": result.seconds,
        "evaluations": result.evaluations,
        "evaluations_per_second": result.evaluations_per_second,
        "best_fitness": result.best_fitness,
        "parameters": model.count_params(),
    }
