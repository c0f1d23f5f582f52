"""Check of the lecture 5 exercise: the genetic trainer of the iris network.

Contract: tournament_select(scores, n, size, rng), crossover(mothers, fathers, rng),
mutate(population, sigma, rate, rng) and evolve(fitness, n_genes, seed=0) -> best genome
(see the template's header). The operators are tested on known inputs; evolve is run on the
iris fitness and must reach the example's accuracy within the time limit.

Split (see aml.sandbox.protocol): the jail gets the operators' test inputs and the iris
training split (the data the fitness is computed on, labels included, as the student's code
legitimately trains on them); it returns what the operators returned and the evolved genome.
The measuring side computes every statistic from those arrays, loads the genome into its
own network and scores it on the test split, which never enters the jail. The time is the
jail's whole wall-clock time as the grader measured it (start-up included), not a number the
student's process reports.
"""

from __future__ import annotations

import time

import numpy as np

from aml.grading.checks import (
    INVALID,
    CheckResult,
    against,
    call_student,
    read_specs,
    target_of,
)
from aml.sandbox.protocol import Checker, finite

read_specs()  # the targets this module grades against, fixed before student code runs

IRIS_ACTIVATIONS = ("relu", "softmax")  # the iris network's layers (aml.models.iris)
TOURNAMENTS, POPULATION, GENES = 2000, 400, 67


def genetic_inputs(quick: bool, seed: int) -> dict:
    from aml.lectures.lecture5.evolution import iris_fitness

    fitness, _ = iris_fitness()  # the test split stays here
    return {"x_train": fitness.x, "y_train": fitness.y,
            "layout": np.asarray(fitness.layout.shapes)}


def produce_genetic(module, inputs, record, quick: bool) -> None:
    from aml.training.genetic import ClassifierFitness, DenseLayout

    rng = np.random.default_rng(0)
    record.array("picked", _numbers(call_student(module, "tournament_select",
                                                 np.arange(50, dtype=float), TOURNAMENTS, 3,
                                                 rng)))
    mothers = np.zeros((200, GENES), dtype=np.float32)
    fathers = np.ones((200, GENES), dtype=np.float32)
    record.array("children", _numbers(call_student(module, "crossover", mothers, fathers,
                                                   rng)))
    population = np.zeros((POPULATION, GENES), dtype=np.float32)
    record.array("mutated", _numbers(call_student(module, "mutate", population, 0.5, 0.2,
                                                  rng)))
    record.value("input_untouched", bool(np.all(population == 0)))
    layout = DenseLayout(tuple(tuple(int(v) for v in row) for row in inputs["layout"]),
                         IRIS_ACTIVATIONS)
    fitness = ClassifierFitness(layout, inputs["x_train"], inputs["y_train"])
    start = time.perf_counter()
    best = call_student(module, "evolve", fitness, layout.n_genes, seed=0)
    # believed only by the in-process debugging path; the grader times the whole jail
    record.value("claimed_seconds", time.perf_counter() - start)
    record.array("best", _numbers(best))


def _numbers(value):
    """The value as a float array for the bundle; an empty array when it is not numbers."""
    try:
        array = np.asarray(value, dtype="float64")
    except (TypeError, ValueError, OverflowError):
        return np.zeros((0,))
    return array


def _operator_checks(art) -> list[CheckResult]:
    scores = np.arange(50, dtype=float)
    picked = art.array("picked")
    valid = picked.shape == (TOURNAMENTS,) and bool(np.all(np.isfinite(picked))) \
        and bool(np.all((picked >= 0) & (picked < 50) & (picked == np.round(picked))))
    # With size 3 the expected rank of a winner is 3/4 of the way up the population.
    mean_rank = float(scores[picked.astype(int)].mean()) if valid else None
    results = [CheckResult("tournament selection favours the fit",
                           mean_rank is not None and 34 <= mean_rank <= 40,
                           None if mean_rank is None else round(mean_rank, 1),
                           "mean winner rank about 36.9 of 0..49 (2000 tournaments of 3)",
                           "return n indices into scores, each the argmax of `size` random "
                           "entrants")]
    children = art.array("children")
    share = float(children.mean()) if children.shape == (200, GENES) else None
    from_parents = share is not None and bool(np.all((children == 0) | (children == 1)))
    results.append(CheckResult("crossover takes genes from both parents",
                               from_parents and 0.3 <= share <= 0.7,
                               None if share is None else round(share, 3),
                               "children of shape (P, G), each gene from one parent, ~half "
                               "from each",
                               "use np.where(mask, fathers, mothers) with a random mask"))
    mutated = art.array("mutated")
    ok_shape = mutated.shape == (POPULATION, GENES) and bool(np.all(np.isfinite(mutated)))
    changed = mutated != 0 if ok_shape else None
    fraction = float(changed.mean()) if ok_shape else None
    spread = float(mutated[changed].std()) if fraction else None
    results.append(CheckResult("mutation rate and size",
                               fraction is not None and abs(fraction - 0.2) < 0.02
                               and spread is not None and abs(spread - 0.5) < 0.05
                               and art.value("input_untouched") is True,
                               None if fraction is None else
                               f"{fraction:.3f} of genes" + ("" if spread is None else
                                                             f", sigma {spread:.3f}"),
                               "0.2 of genes changed with sigma 0.5, input left untouched",
                               "add rng.normal(0, sigma) to genes where rng.random() < rate; "
                               "return a new array"))
    return results


def measure_genetic(art, quick: bool) -> list[CheckResult]:
    """Operators from what they returned; the evolved genome scored on the test split."""
    from aml.lectures.lecture5.evolution import iris_fitness

    results = _operator_checks(art)
    fitness, (x_test, y_test) = iris_fitness()
    best = art.array("best")
    if best.shape != (fitness.layout.n_genes,):
        return results + [CheckResult("evolve returns one genome", False, str(best.shape),
                                      f"({fitness.layout.n_genes},)",
                                      "return population[index of the best score]")]
    if not np.all(np.isfinite(best)):
        return results + [CheckResult("evolve returns one genome", False, "contains NaN or inf",
                                      "finite weights", "return population[index of the best "
                                      "score]", status=INVALID)]
    accuracy = round(float(fitness.accuracy(best.astype(np.float32), x_test, y_test)[0]), 4)
    results.append(against("iris test accuracy", accuracy,
                           target_of("l5.genetic_trainer", "test_accuracy"), quick,
                           "keep the elite, select by tournament, and check that "
                           "mutation is not too large"))
    seconds = art.seconds if art.seconds is not None else art.value("claimed_seconds")
    seconds = float(seconds) if finite(seconds) else None
    results.append(against("time to train", seconds,
                           target_of("l5.genetic_trainer", "ga_seconds"), quick,
                           "evaluate the population with one fitness(population) call "
                           "per generation", shown=None if seconds is None else round(seconds, 2)))
    results[-1].target += " s" + (" (the whole run, start-up included)"
                                  if art.seconds is not None else "")
    return results


# The student's side needs NumPy only: no Keras start-up in the timed jail.
check_genetic = Checker(produce_genetic, measure_genetic, genetic_inputs, keras=False,
                        description="a genetic trainer of the iris network")
