"""Check of the lecture 5 exercise: the genetic trainer of the iris network.

Contract: tournament_select(scores, n, size, rng), crossover(mothers, fathers, rng),
mutate(population, sigma, rate, rng) and evolve(fitness, n_genes, seed=0) -> best genome
(see the template's header). The operators are tested on inputs drawn for each grading run
(from the grader's secret: answers typed in for fixed inputs earn nothing); evolve is run on
the iris fitness and must come within one test flower of Fisher's linear discriminant on the
same flowers, within the time limit.

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
SPLIT_SEED = 42  # the iris split every submission is trained and scored on

IRIS_ACTIVATIONS = ("relu", "softmax")  # the iris network's layers (aml.models.iris)


def genetic_inputs(quick: bool, seed: int, secret: int) -> dict:
    """The iris training split (the test split stays here) and the operators' test cases,
    drawn from the run's secret: scores in a shuffled order, the tournaments' number and
    size, parents and a population of random genes, the mutation's sigma and rate."""
    from aml.lectures.lecture5.evolution import iris_fitness

    fitness, _ = iris_fitness(SPLIT_SEED)  # the test split stays here
    rng = np.random.default_rng(secret)
    members, genes, population = (int(rng.integers(40, 61)), int(rng.integers(40, 91)),
                                  int(rng.integers(300, 501)))
    return {"x_train": fitness.x, "y_train": fitness.y,
            "layout": np.asarray(fitness.layout.shapes),
            "scores": rng.permutation(members) + rng.uniform(0, 0.5, members),
            "tournament": np.array([rng.integers(1500, 2501), rng.integers(2, 5)]),
            "mothers": rng.normal(0, 1, (population // 2, genes)).astype("float32"),
            "fathers": rng.normal(0, 1, (population // 2, genes)).astype("float32"),
            "population": rng.normal(0, 1, (population, genes)).astype("float32"),
            "mutation": np.array([rng.uniform(0.2, 1.0), rng.uniform(0.1, 0.4)])}


def produce_genetic(module, inputs, record, quick: bool) -> None:
    from aml.training.genetic import ClassifierFitness, DenseLayout

    rng = np.random.default_rng(0)
    tournaments, size = (int(v) for v in inputs["tournament"])
    record.array("picked", _numbers(call_student(module, "tournament_select",
                                                 inputs["scores"].copy(), tournaments, size,
                                                 rng)))
    record.array("children", _numbers(call_student(module, "crossover",
                                                   inputs["mothers"].copy(),
                                                   inputs["fathers"].copy(), rng)))
    population = inputs["population"].copy()
    sigma, rate = (float(v) for v in inputs["mutation"])
    record.array("mutated", _numbers(call_student(module, "mutate", population, sigma, rate,
                                                  rng)))
    record.value("input_untouched", bool(np.array_equal(population, inputs["population"])))
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


def _winner_rank(members: int, size: int) -> tuple[float, float]:
    """The expected rank (0 = least fit) of a tournament's winner among `members`: `size`
    entrants drawn with replacement, and without."""
    ranks = np.arange(members)
    with_replacement = float(np.sum(ranks * (((ranks + 1) / members) ** size
                                             - (ranks / members) ** size)))
    from math import comb

    without = float(sum(r * comb(r, size - 1) for r in ranks) / comb(members, size))
    return with_replacement, without


def _operator_checks(art) -> list[CheckResult]:
    scores = art.inputs["scores"]
    members = len(scores)
    tournaments, size = (int(v) for v in art.inputs["tournament"])
    rank_of = np.argsort(np.argsort(scores))
    picked = art.array("picked")
    valid = picked.shape == (tournaments,) and bool(np.all(np.isfinite(picked))) \
        and bool(np.all((picked >= 0) & (picked < members) & (picked == np.round(picked))))
    mean_rank = float(rank_of[picked.astype(int)].mean()) if valid else None
    # The two ways of drawing entrants bound the expectation; 2 ranks either side are
    # about ten standard errors of a mean over 1500 or more tournaments.
    low, high = sorted(_winner_rank(members, size))
    results = [CheckResult("tournament selection favours the fit",
                           mean_rank is not None and low - 2 <= mean_rank <= high + 2,
                           None if mean_rank is None else round(mean_rank, 1),
                           f"mean winner rank {low:.1f}-{high:.1f} of 0..{members - 1} "
                           f"({tournaments} tournaments of {size})",
                           "return n indices into scores, each the argmax of `size` random "
                           "entrants")]
    mothers, fathers = art.inputs["mothers"], art.inputs["fathers"]
    children = art.array("children")
    fits = children.shape == mothers.shape
    from_father = children == fathers if fits else None
    from_parents = fits and bool(np.all(from_father | (children == mothers)))
    share = float(from_father.mean()) if fits else None
    results.append(CheckResult("crossover takes genes from both parents",
                               from_parents and 0.3 <= share <= 0.7,
                               None if share is None else round(share, 3),
                               f"children of shape {mothers.shape}, each gene from one "
                               "parent, ~half from the father",
                               "use np.where(mask, fathers, mothers) with a random mask"))
    population = art.inputs["population"]
    sigma, rate = (float(v) for v in art.inputs["mutation"])
    mutated = art.array("mutated")
    ok_shape = mutated.shape == population.shape and bool(np.all(np.isfinite(mutated)))
    changed = mutated != population if ok_shape else None
    fraction = float(changed.mean()) if ok_shape else None
    spread = float((mutated - population)[changed].std()) if fraction else None
    results.append(CheckResult("mutation rate and size",
                               fraction is not None and abs(fraction - rate) < 0.02
                               and spread is not None and abs(spread - sigma) < 0.1 * sigma
                               and art.value("input_untouched") is True,
                               None if fraction is None else
                               f"{fraction:.3f} of genes" + ("" if spread is None else
                                                             f", sigma {spread:.3f}"),
                               f"{rate:.3f} of genes changed with sigma {sigma:.3f}, input "
                               "left untouched",
                               "add rng.normal(0, sigma) to genes where rng.random() < rate; "
                               "return a new array"))
    return results


def measure_genetic(art, quick: bool) -> list[CheckResult]:
    """Operators from what they returned; the evolved genome scored on the test split."""
    from aml.lectures.lecture5.evolution import iris_fitness

    results = _operator_checks(art)
    fitness, (x_test, y_test) = iris_fitness(SPLIT_SEED)
    best = art.array("best")
    if best.shape != (fitness.layout.n_genes,):
        return results + [CheckResult("evolve returns one genome", False, str(best.shape),
                                      f"({fitness.layout.n_genes},)",
                                      "return population[index of the best score]")]
    if not np.all(np.isfinite(best)):
        return results + [CheckResult("evolve returns one genome", False, "contains NaN or inf",
                                      "finite weights", "return population[index of the best "
                                      "score]", status=INVALID)]
    from aml.lectures.lecture1.checks import against_baseline

    probabilities = fitness.layout.forward(best.astype(np.float32)[None, :], x_test)[0]
    correct = probabilities.argmax(-1) == y_test.argmax(-1)
    results.append(against_baseline(
        "iris test accuracy", correct, SPLIT_SEED,
        target_of("l5.genetic_trainer", "flowers_behind_linear"), quick,
        "keep the elite, select by tournament, and check that mutation is not too large"))
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
