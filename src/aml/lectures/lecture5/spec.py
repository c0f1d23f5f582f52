"""Lecture 5, beyond gradients: its examples and exercises, their targets.

Read by `aml.catalog`; names code by "module:attribute" strings and imports no Keras.
"""

from __future__ import annotations

from aml.lectures import Example, Exercise, Lecture
from aml.lectures.lecture1.spec import LINEAR_BASELINE
from aml.targets import Target

_HERE = "aml.lectures.lecture5"
# Lecture 1's network and flowers, so lecture 1's bar: within one test flower of Fisher's
# linear discriminant on the same split. The example reports the GA's time without judging it
# (a time bar on a shared machine measures the machine); the exercise keeps the grader's budget.
_GENETIC_TARGETS = (Target("flowers_behind_linear", "<=", 1, quick=3, source=LINEAR_BASELINE,
                           validation="val_accuracy"),)

ENTRIES = (
    Example("l5.genetic", 5, "Iris network trained by a genetic algorithm, vs Adam",
            f"{_HERE}.evolution:genetic", f"{_HERE}.evolution:GeneticConfig",
            _GENETIC_TARGETS, topics=("genetic",)),
    Example("l5.reservoir_evolution", 5, "Echo state network hyperparameters evolved",
            f"{_HERE}.evolution:reservoir_evolution",
            f"{_HERE}.evolution:ReservoirEvolutionConfig",
            (Target("test_gain", ">", 1.0, source="baseline in the run: the same reservoir "
                    "with its default hyperparameters, on the same test series (test NRMSE "
                    "ratio default / evolved)"),),
            topics=("genetic",)),
    Exercise("l5.genetic_trainer", 5, "A genetic trainer for the iris network",
             "lecture5/genetic_trainer.py", f"{_HERE}.solutions:genetic_trainer.py",
             f"{_HERE}.checks:check_genetic",
             # the grader's time budget for a student's trainer (whole jail, start-up
             # included); a resource limit the project sets, awaiting a source (issue 13)
             _GENETIC_TARGETS + (Target("ga_seconds", "<=", 60.0),)),
)

# The ideas and equations in our words: notebooks show the ones an example names.
TOPICS = (
    ("genetic", r"""### Training without gradients
A genetic algorithm keeps a population of weight vectors, scores each (its fitness),
keeps the best (selection), mixes pairs gene by gene (crossover,
$\mathbf{w} = \mathbf{m}\odot\mathbf{w}_a + (1-\mathbf{m})\odot\mathbf{w}_b$ for a random mask
$\mathbf{m}$) and adds noise (mutation, $\mathbf{w} + \mathcal{N}(0, \sigma^2)$). Scoring is
independent per individual, so it parallelises over processes."""),
)

LECTURE = Lecture(5, "Beyond gradients", ENTRIES, TOPICS)
