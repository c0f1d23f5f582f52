"""Training without gradients: a genetic algorithm over flat weight vectors (genomes).

One generation: evaluate the fitness of the whole population at once, keep the `elite`
best unchanged, pick parents by tournament, mix them by uniform crossover, and add
Gaussian mutations. `DenseLayout` turns a population of genomes into a batched forward
pass of a Keras Dense network (one einsum per layer over a population axis), which is
what makes thousands of evaluations per second possible in NumPy.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import numpy as np

# ---- the operators -------------------------------------------------------------------------


def tournament_select(fitness: np.ndarray, n: int, size: int,
                      rng: np.random.Generator) -> np.ndarray:
    """Indices of `n` parents, each the fittest of `size` individuals drawn at random."""
    entrants = rng.integers(0, len(fitness), size=(n, size))
    return entrants[np.arange(n), np.argmax(fitness[entrants], axis=1)]


def uniform_crossover(mothers: np.ndarray, fathers: np.ndarray, rate: float,
                      rng: np.random.Generator) -> np.ndarray:
    """Each child takes every gene from one parent or the other (with probability `rate`
    of mixing at all; otherwise it is a copy of its mother)."""
    mix = rng.random(len(mothers)) < rate
    from_father = (rng.random(mothers.shape) < 0.5) & mix[:, None]
    return np.where(from_father, fathers, mothers)


def gaussian_mutation(population: np.ndarray, sigma: float, rate: float,
                      rng: np.random.Generator) -> np.ndarray:
    """Add N(0, sigma^2) noise to each gene with probability `rate`."""
    hit = rng.random(population.shape) < rate
    return population + hit * rng.normal(0.0, sigma, population.shape).astype(population.dtype)


# ---- the algorithm -------------------------------------------------------------------------


@dataclass
class GeneticResult:
    """The best genome found, its fitness, per-generation statistics and the cost."""

    best: np.ndarray
    best_fitness: float
    history: dict[str, list[float]] = field(default_factory=dict)
    evaluations: int = 0
    seconds: float = 0.0

    @property
    def evaluations_per_second(self) -> float:
        return self.evaluations / max(self.seconds, 1e-12)


def evolve(fitness: Callable[[np.ndarray], np.ndarray], n_genes: int | None = None, *,
           initial: np.ndarray | None = None, population_size: int = 100,
           generations: int = 100, tournament_size: int = 3, crossover_rate: float = 0.9,
           mutation_rate: float = 0.1, mutation_sigma: float = 0.1, sigma_decay: float = 1.0,
           elite: int = 2, init_scale: float = 1.0,
           bounds: tuple[np.ndarray, np.ndarray] | None = None, seed: int = 0,
           on_generation: Callable[[int, np.ndarray, np.ndarray], None] | None = None,
           ) -> GeneticResult:
    """Maximise `fitness(population (P, G)) -> (P,)` by a generational genetic algorithm.

    The first population is `initial` or N(0, init_scale^2) genes (uniform within `bounds`
    when given; offspring are then clipped to them). Mutation sigma shrinks by `sigma_decay`
    per generation. `on_generation(g, population, scores)` is called after each generation;
    the history's best/mean lists start with the initial population (generation 0).
    """
    if population_size < 2 or not 0 <= elite < population_size or tournament_size < 1:
        raise ValueError("need population_size >= 2, 0 <= elite < population_size, "
                         "tournament_size >= 1")
    rng = np.random.default_rng(seed)
    if initial is not None:
        population = np.array(initial, dtype=np.float32)
    elif bounds is not None:
        low, high = (np.asarray(b, dtype=np.float32) for b in bounds)
        population = rng.uniform(low, high, (population_size, len(low))).astype(np.float32)
    elif n_genes:
        population = rng.normal(0.0, init_scale, (population_size, n_genes)).astype(np.float32)
    else:
        raise ValueError("give n_genes, an initial population or bounds")
    population_size = len(population)
    history: dict[str, list[float]] = {"best": [], "mean": []}
    start = time.perf_counter()
    scores = np.asarray(fitness(population), dtype=np.float64)
    evaluations = len(population)
    history["best"].append(float(scores.max()))
    history["mean"].append(float(scores.mean()))
    sigma = mutation_sigma
    for generation in range(1, generations + 1):
        order = np.argsort(-scores)
        elites = population[order[:elite]]
        n_children = population_size - elite
        mothers = population[tournament_select(scores, n_children, tournament_size, rng)]
        fathers = population[tournament_select(scores, n_children, tournament_size, rng)]
        children = gaussian_mutation(uniform_crossover(mothers, fathers, crossover_rate, rng),
                                     sigma, mutation_rate, rng)
        if bounds is not None:
            children = np.clip(children, *bounds).astype(np.float32)
        child_scores = np.asarray(fitness(children), dtype=np.float64)
        evaluations += n_children
        population = np.concatenate([elites, children])
        scores = np.concatenate([scores[order[:elite]], child_scores])
        sigma *= sigma_decay
        history["best"].append(float(scores.max()))
        history["mean"].append(float(scores.mean()))
        if on_generation is not None:
            on_generation(generation, population, scores)
    best = int(np.argmax(scores))
    return GeneticResult(population[best].copy(), float(scores[best]), history, evaluations,
                         time.perf_counter() - start)


# ---- fitness of Dense networks, for a whole population at once -----------------------------

_ACTIVATIONS = {
    "linear": lambda z: z,
    "relu": lambda z: np.maximum(z, 0.0),
    "tanh": np.tanh,
    "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "softmax": lambda z: _softmax(z),
}


def _softmax(z):
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


@dataclass(frozen=True)
class DenseLayout:
    """Where each layer's kernel and bias sit in a flat genome, in Keras weight order."""

    shapes: tuple[tuple[int, int], ...]
    activations: tuple[str, ...]

    @classmethod
    def from_model(cls, model) -> DenseLayout:
        """The layout of a Keras model made of Dense layers (with supported activations)."""
        import keras

        dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
        if not dense or len(dense) != len(model.layers) or not all(d.use_bias for d in dense):
            raise ValueError("DenseLayout needs a model of Dense layers with biases only")
        names = tuple(getattr(d.activation, "__name__", "?") for d in dense)
        unknown = [name for name in names if name not in _ACTIVATIONS]
        if unknown:
            raise ValueError(f"unsupported activation(s) {unknown}; use {sorted(_ACTIVATIONS)}")
        return cls(tuple(tuple(d.kernel.shape) for d in dense), names)

    @property
    def n_genes(self) -> int:
        return sum(i * o + o for i, o in self.shapes)

    def unflatten(self, genomes: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """(kernel (P, in, out), bias (P, out)) per layer from genomes (P, n_genes)."""
        genomes = np.atleast_2d(genomes)
        if genomes.shape[1] != self.n_genes:
            raise ValueError(f"genomes have {genomes.shape[1]} genes, layout needs "
                             f"{self.n_genes}")
        layers, at = [], 0
        for n_in, n_out in self.shapes:
            kernel = genomes[:, at:at + n_in * n_out].reshape(-1, n_in, n_out)
            at += n_in * n_out
            layers.append((kernel, genomes[:, at:at + n_out]))
            at += n_out
        return layers

    def forward(self, genomes: np.ndarray, x: np.ndarray) -> np.ndarray:
        """Outputs (P, N, out) of every network of the population on the same inputs x."""
        h = np.broadcast_to(np.asarray(x, dtype=np.float32), (len(np.atleast_2d(genomes)),
                                                            *np.shape(x)))
        for (kernel, bias), activation in zip(self.unflatten(genomes), self.activations):
            h = _ACTIVATIONS[activation](np.einsum("pni,pio->pno", h, kernel) + bias[:, None])
        return h


def genome_of(model) -> np.ndarray:
    """A Keras model's weights as one flat float32 genome (Keras weight order)."""
    return np.concatenate([w.ravel() for w in model.get_weights()]).astype(np.float32)


def set_genome(model, genome: np.ndarray) -> None:
    """Write a flat genome back into a Keras model's weights."""
    shapes = [w.shape for w in model.get_weights()]
    total = sum(int(np.prod(shape)) for shape in shapes)
    if len(genome) != total:
        raise ValueError(f"genome has {len(genome)} genes, the model has {total} weights")
    weights, at = [], 0
    for shape in shapes:
        size = int(np.prod(shape))
        weights.append(np.asarray(genome[at:at + size], dtype=np.float32).reshape(shape))
        at += size
    model.set_weights(weights)


@dataclass(frozen=True)
class ClassifierFitness:
    """Fitness = mean log-probability of the true class (minus cross-entropy) per genome,
    minus `weight_decay` times the mean squared weight (the GA's version of L2).

    Picklable, so a process pool can evaluate chunks of a population in parallel.
    """

    layout: DenseLayout
    x: np.ndarray
    y: np.ndarray  # one-hot
    weight_decay: float = 0.0

    def __call__(self, genomes: np.ndarray) -> np.ndarray:
        genomes = np.atleast_2d(genomes)
        probs = self.layout.forward(genomes, self.x)
        log_likelihood = np.log(np.clip((probs * self.y).sum(-1), 1e-7, 1.0)).mean(-1)
        return log_likelihood - self.weight_decay * np.mean(np.square(genomes), axis=-1)

    def accuracy(self, genomes: np.ndarray, x=None, y=None) -> np.ndarray:
        """Accuracy of every genome on (x, y), by default the fitness data."""
        x = self.x if x is None else x
        y = self.y if y is None else y
        probs = self.layout.forward(genomes, x)
        return (probs.argmax(-1) == np.asarray(y).argmax(-1)).mean(-1)


class ProcessPoolFitness:
    """Split each population into one chunk per worker process and evaluate them in parallel.

    Uses spawned processes (safe beside TensorFlow/JAX threads); use it as a context manager.
    It pays off only when one evaluation is expensive: a vectorised NumPy fitness of a small
    network is faster in one process than the cost of sending chunks to others.
    """

    def __init__(self, fitness: Callable[[np.ndarray], np.ndarray], workers: int = 2):
        if workers < 1:
            raise ValueError("workers must be >= 1")
        self.fitness, self.workers = fitness, workers
        self.pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))

    def __call__(self, population: np.ndarray) -> np.ndarray:
        chunks = np.array_split(population, self.workers)
        return np.concatenate(list(self.pool.map(self.fitness, chunks)))

    def close(self) -> None:
        self.pool.shutdown()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
