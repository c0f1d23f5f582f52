"""Hostile l5.genetic_trainer: the operators return answers that passed the old, fixed test
inputs (2000 tournaments of 3 over scores 0..49, parents of zeros and ones, a population of
zeros mutated at rate 0.2 with sigma 0.5); evolve() works, with operators of its own. The
operators' inputs are now drawn for each run, so only evolve's points are earned."""

import numpy as np

_OLD = np.random.default_rng(1)


def tournament_select(scores, n, size, rng):
    return np.full(2000, 37)  # rank 37 of 0..49: the old expected winner


def crossover(mothers, fathers, rng):
    return (_OLD.random((200, 67)) < 0.5).astype(np.float32)


def mutate(population, sigma, rate, rng):
    return np.where(_OLD.random((400, 67)) < 0.2, _OLD.normal(0, 0.5, (400, 67)), 0.0)


def evolve(fitness, n_genes, seed=0):
    rng = np.random.default_rng(seed)
    population = rng.normal(0, 1, (200, n_genes)).astype(np.float32)
    for _ in range(60):
        scores = fitness(population)
        order = np.argsort(scores)[::-1]
        elite = population[order[:2]]
        entrants = rng.integers(0, len(scores), size=(396, 3))
        parents = population[entrants[np.arange(396), np.argmax(scores[entrants], axis=1)]]
        mothers, fathers = parents[:198], parents[198:]
        children = np.where(rng.random(mothers.shape) < 0.5, fathers, mothers)
        mutated = children + np.where(rng.random(children.shape) < 0.1,
                                      rng.normal(0, 0.3, children.shape), 0.0)
        population = np.concatenate([elite, mutated]).astype(np.float32)
    return population[np.argmax(fitness(population))]
