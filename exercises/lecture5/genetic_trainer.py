"""Lecture 5, exercise: train the iris network with a genetic algorithm, no gradients.

A genome is the flat vector of the network's 67 weights. The check gives you a fitness
function `fitness(population) -> scores`: population is a float32 array (P, 67), scores a
(P,) array, higher is better (it is minus the cross-entropy on the training set, computed for
the whole population in one vectorised pass).
Write these functions (rng is a numpy.random.Generator; use it for all randomness):
  tournament_select(scores, n, size, rng) -> n indices, each the best of `size` random picks
  crossover(mothers, fathers, rng) -> children taking each gene from one parent at random
  mutate(population, sigma, rate, rng) -> a copy with N(0, sigma^2) added to each gene with
                                          probability `rate`
  evolve(fitness, n_genes, seed=0) -> the best genome found (shape (n_genes,))
evolve must keep the best `ELITE` genomes of each generation unchanged (elitism).
The check runs evolve on iris and asks for test accuracy >= 0.93 within 60 seconds.
Check your work with: aml check l5.genetic_trainer
"""

import numpy as np

POPULATION = 200
GENERATIONS = 60
ELITE = 2
TOURNAMENT = 3
SIGMA = 0.3
RATE = 0.1


def tournament_select(scores, n, size, rng):
    """Indices of n parents, each the fittest of `size` individuals drawn at random."""
    # TODO: draw an (n, size) array of random indices and keep the one with the highest score in each row
    raise NotImplementedError('draw an (n, size) array of random indices and keep the one with the highest score in each row')


def crossover(mothers, fathers, rng):
    """Uniform crossover: each gene of a child comes from its mother or its father."""
    # TODO: draw a random boolean mask of the parents' shape and pick genes with np.where
    raise NotImplementedError("draw a random boolean mask of the parents' shape and pick genes with np.where")


def mutate(population, sigma, rate, rng):
    """Gaussian mutation of each gene with probability `rate`."""
    # TODO: draw a mask with probability rate and add mask * normal(0, sigma) noise
    raise NotImplementedError('draw a mask with probability rate and add mask * normal(0, sigma) noise')


def evolve(fitness, n_genes, seed=0):
    """Run the genetic algorithm and return the best genome found."""
    rng = np.random.default_rng(seed)
    population = rng.normal(0.0, 0.5, (POPULATION, n_genes)).astype(np.float32)
    scores = fitness(population)
    sigma = SIGMA
    for _ in range(GENERATIONS):
        # TODO: keep the ELITE best genomes, make POPULATION - ELITE children by selection, crossover and mutation, then score the children
        raise NotImplementedError('keep the ELITE best genomes, make POPULATION - ELITE children by selection, crossover and mutation, then score the children')
        sigma *= 0.99
    return population[int(np.argmax(scores))]
