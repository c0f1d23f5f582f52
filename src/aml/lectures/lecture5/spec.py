"""Lecture 5, beyond gradients: its examples and exercises, their targets.

Read by `aml.catalog`; names code by "module:attribute" strings and imports no Keras.
"""

from __future__ import annotations

from aml.lectures import Example, Exercise, Lecture
from aml.targets import Target

_HERE = "aml.lectures.lecture5"

ENTRIES = (
    Example("l5.genetic", 5, "Iris network trained by a genetic algorithm, vs Adam",
            f"{_HERE}.evolution:genetic", f"{_HERE}.evolution:GeneticConfig",
            (Target("test_accuracy", ">=", 0.93), Target("ga_seconds", "<=", 60.0))),
    Example("l5.reservoir_evolution", 5, "Echo state network hyperparameters evolved",
            f"{_HERE}.evolution:reservoir_evolution",
            f"{_HERE}.evolution:ReservoirEvolutionConfig",
            (Target("test_gain", ">=", 1.3, quick=1.0),)),
    Exercise("l5.genetic_trainer", 5, "A genetic trainer for the iris network",
             "lecture5/genetic.py", f"{_HERE}.solutions:genetic.py",
             f"{_HERE}.checks:check_genetic",
             (Target("test_accuracy", ">=", 0.93), Target("ga_seconds", "<=", 60.0))),
)

LECTURE = Lecture(5, "Beyond gradients", ENTRIES)
