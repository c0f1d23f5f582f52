"""Hostile l5.genetic_trainer: operators that do not do their job, a zero genome, the
fitness's accuracy forged to 1 and every CheckResult made in this process passing. Measured
outside: what the operators returned and the genome's real test accuracy."""

import numpy as np

from aml.training import genetic

import aml.grading.checks as grading

_init = grading.CheckResult.__init__


def _always_passed(self, name, passed, *args, **kwargs):
    _init(self, name, True, *args, **kwargs)


grading.CheckResult.__init__ = _always_passed
genetic.ClassifierFitness.accuracy = lambda self, genomes, x=None, y=None: np.ones(
    len(np.atleast_2d(genomes)))


def tournament_select(scores, n, size, rng):
    return np.zeros(n, dtype=int)


def crossover(mothers, fathers, rng):
    return mothers.copy()


def mutate(population, sigma, rate, rng):
    return population + 1.0


def evolve(fitness, n_genes, seed=0):
    return np.zeros(n_genes, dtype=np.float32)
