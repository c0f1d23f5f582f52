"""Genetic algorithm: operators, the population forward pass against Keras, elitism and
convergence, and the process pool giving the same fitness."""

import keras
import numpy as np
import pytest
from keras import ops

from aml.models.iris import iris_classifier
from aml.training import genetic as ga


def test_tournament_picks_the_best_of_each_draw():
    rng = np.random.default_rng(0)
    scores = np.arange(10, dtype=float)
    assert np.all(ga.tournament_select(scores, 50, 200, rng) == 9)  # huge tournaments
    picked = ga.tournament_select(scores, 4000, 2, rng)
    assert scores[picked].mean() == pytest.approx(6.15, abs=0.2)  # E[max of 2] on 0..9


def test_crossover_and_mutation():
    rng = np.random.default_rng(1)
    mothers, fathers = np.zeros((100, 30)), np.ones((100, 30))
    children = ga.uniform_crossover(mothers, fathers, 1.0, rng)
    assert set(np.unique(children)) == {0.0, 1.0} and abs(children.mean() - 0.5) < 0.03
    assert np.array_equal(ga.uniform_crossover(mothers, fathers, 0.0, rng), mothers)
    mutated = ga.gaussian_mutation(np.zeros((200, 50), "float32"), 0.3, 0.25, rng)
    changed = mutated[mutated != 0]
    assert changed.size / mutated.size == pytest.approx(0.25, abs=0.02)
    assert changed.std() == pytest.approx(0.3, rel=0.05) and mutated.dtype == np.float32


@pytest.mark.parametrize("hidden", [8, 5])
def test_population_forward_pass_equals_keras(hidden):
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(hidden, activation="tanh"),
                              keras.layers.Dense(6, activation="relu"),
                              keras.layers.Dense(3, activation="softmax")])
    layout = ga.DenseLayout.from_model(model)
    assert layout.n_genes == model.count_params()
    rng = np.random.default_rng(0)
    genomes = rng.normal(0, 1, (7, layout.n_genes)).astype("float32")
    x = rng.normal(size=(11, 4)).astype("float32")
    batched = layout.forward(genomes, x)
    assert batched.shape == (7, 11, 3)
    for genome, out in zip(genomes, batched):
        ga.set_genome(model, genome)
        np.testing.assert_allclose(out, ops.convert_to_numpy(model(x)), atol=1e-5)
        np.testing.assert_array_equal(ga.genome_of(model), genome)


def test_layout_rejects_what_it_cannot_run():
    with pytest.raises(ValueError, match="unsupported activation"):
        ga.DenseLayout.from_model(keras.Sequential([keras.Input((2,)),
                                                    keras.layers.Dense(2, activation="elu")]))
    with pytest.raises(ValueError, match="Dense layers"):
        ga.DenseLayout.from_model(keras.Sequential([keras.Input((2,)), keras.layers.Dense(2),
                                                    keras.layers.Dropout(0.1)]))
    layout = ga.DenseLayout.from_model(iris_classifier())
    with pytest.raises(ValueError, match="67"):
        layout.forward(np.zeros((2, 66)), np.zeros((1, 4)))
    with pytest.raises(ValueError, match="genome has 3 genes"):
        ga.set_genome(iris_classifier(), np.zeros(3))


def test_evolve_finds_a_hidden_vector_and_keeps_its_elite():
    target = np.linspace(-1, 1, 12)

    def fitness(population):
        return -np.sum((population - target) ** 2, axis=1)

    result = ga.evolve(fitness, 12, population_size=60, generations=150, mutation_sigma=0.2,
                       sigma_decay=0.98, seed=0)
    assert np.abs(result.best - target).max() < 0.05
    assert all(b2 >= b1 for b1, b2 in zip(result.history["best"], result.history["best"][1:]))
    assert result.evaluations == 60 + 150 * 58
    assert len(result.history["best"]) == len(result.history["mean"]) == 151  # + generation 0
    again = ga.evolve(fitness, 12, population_size=60, generations=150, mutation_sigma=0.2,
                      sigma_decay=0.98, seed=0)
    np.testing.assert_array_equal(result.best, again.best)


def test_bounds_are_respected():
    low, high = np.zeros(3), np.array([1.0, 2.0, 3.0])
    seen = []

    def fitness(population):
        seen.append(population.copy())
        return population.sum(axis=1)

    result = ga.evolve(fitness, population_size=10, generations=20, mutation_sigma=1.0,
                       mutation_rate=1.0, bounds=(low, high), seed=0)
    everything = np.concatenate(seen)
    assert np.all(everything >= low) and np.all(everything <= high)
    assert result.best_fitness > 5.5  # the corner (1, 2, 3) sums to 6


def test_classifier_fitness_and_process_pool_agree():
    from aml.data.iris import prepared_split

    x, y, _, _ = prepared_split()
    fitness = ga.ClassifierFitness(ga.DenseLayout.from_model(iris_classifier()), x, y)
    population = np.random.default_rng(0).normal(0, 0.5, (9, 67)).astype("float32")
    scores = fitness(population)
    probs = fitness.layout.forward(population, x)
    expected = np.log((probs * y).sum(-1)).mean(-1)
    np.testing.assert_allclose(scores, expected, rtol=1e-5)
    with ga.ProcessPoolFitness(fitness, workers=2) as pooled:
        np.testing.assert_allclose(pooled(population), scores, rtol=1e-6)
    decayed = ga.ClassifierFitness(fitness.layout, x, y, weight_decay=0.1)
    np.testing.assert_allclose(decayed(population),
                               scores - 0.1 * np.mean(population ** 2, axis=1), rtol=1e-5)
