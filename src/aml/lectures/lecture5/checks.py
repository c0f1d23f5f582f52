"""Check of the lecture 5 exercise: the genetic trainer of the iris network.

Contract: tournament_select(scores, n, size, rng), crossover(mothers, fathers, rng),
mutate(population, sigma, rate, rng) and evolve(fitness, n_genes, seed=0) -> best genome
(see the template's header). The operators are tested on known inputs; evolve is run on the
iris fitness and must do as well as Fisher's linear discriminant on the same flowers.
"""

from __future__ import annotations

import time

import numpy as np

from aml.grading.checks import (
    CheckResult,
    call_student,
    read_specs,
    target_of,
)

read_specs()  # the targets this module grades against, fixed before student code runs
SPLIT_SEED = 42  # the iris split every submission is scored on


def _operator_checks(module) -> list[CheckResult]:
    rng = np.random.default_rng(0)
    scores = np.arange(50, dtype=float)
    picked = np.asarray(call_student(module, "tournament_select", scores, 2000, 3, rng))
    # With size 3 the expected rank of a winner is 3/4 of the way up the population.
    mean_rank = float(scores[picked].mean()) if picked.shape == (2000,) else None
    results = [CheckResult("tournament selection favours the fit",
                           mean_rank is not None and 34 <= mean_rank <= 40,
                           None if mean_rank is None else round(mean_rank, 1),
                           "mean winner rank about 36.9 of 0..49 (2000 tournaments of 3)",
                           "return n indices into scores, each the argmax of `size` random "
                           "entrants")]
    mothers = np.zeros((200, 67), dtype=np.float32)
    fathers = np.ones((200, 67), dtype=np.float32)
    children = np.asarray(call_student(module, "crossover", mothers, fathers, rng))
    share = float(children.mean()) if children.shape == mothers.shape else None
    from_parents = share is not None and bool(np.all((children == 0) | (children == 1)))
    results.append(CheckResult("crossover takes genes from both parents",
                               from_parents and 0.3 <= share <= 0.7,
                               None if share is None else round(share, 3),
                               "children of shape (P, G), each gene from one parent, ~half "
                               "from each",
                               "use np.where(mask, fathers, mothers) with a random mask"))
    population = np.zeros((400, 67), dtype=np.float32)
    mutated = np.asarray(call_student(module, "mutate", population, 0.5, 0.2, rng))
    changed = mutated != 0
    fraction = float(changed.mean()) if mutated.shape == population.shape else None
    spread = float(mutated[changed].std()) if fraction else None
    results.append(CheckResult("mutation rate and size",
                               fraction is not None and abs(fraction - 0.2) < 0.02
                               and spread is not None and abs(spread - 0.5) < 0.05
                               and bool(np.all(population == 0)),
                               None if fraction is None else
                               f"{fraction:.3f} of genes, sigma {spread:.3f}",
                               "0.2 of genes changed with sigma 0.5, input left untouched",
                               "add rng.normal(0, sigma) to genes where rng.random() < rate; "
                               "return a new array"))
    return results


def check_genetic(module, quick: bool = False) -> list[CheckResult]:
    """Operators on known inputs, then the whole trainer on iris: accuracy and time."""
    from aml.lectures.lecture5.evolution import iris_fitness

    results = _operator_checks(module)
    fitness, (x_test, y_test) = iris_fitness(SPLIT_SEED)
    start = time.perf_counter()
    best = np.asarray(call_student(module, "evolve", fitness, fitness.layout.n_genes, seed=0))
    seconds = time.perf_counter() - start
    if best.shape != (fitness.layout.n_genes,):
        return results + [CheckResult("evolve returns one genome", False, best.shape,
                                      f"({fitness.layout.n_genes},)",
                                      "return population[index of the best score]")]
    from aml.lectures.lecture1.checks import against_baseline

    probabilities = fitness.layout.forward(best[None, :], x_test)[0]
    correct = probabilities.argmax(-1) == y_test.argmax(-1)
    results.append(against_baseline(
        "iris test accuracy", correct, SPLIT_SEED,
        target_of("l5.genetic_trainer", "flowers_behind_linear"), quick,
        f"keep the elite, select by tournament, and check that mutation is not too large "
        f"(trained in {seconds:.1f} s)"))
    return results
