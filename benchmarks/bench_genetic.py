"""Genetic algorithm fitness: evaluations per second of the iris network (67 weights).

Naive: for each individual, write its genome into the Keras model and call model.predict.
Eager: the same loop with a direct model(x) call (no predict machinery).
Vectorised: the whole population in one NumPy forward pass over a population axis.
Process pool: the vectorised pass split across 2 spawned processes.
All variants compute the same fitness; the table shows the largest difference from naive.

Then aml's genetic algorithm beside PyGAD on the same fitness, population (200) and
operators as near as PyGAD offers (tournament of 3, single-point crossover at 0.9, Gaussian
mutation of 10% of genes, 2 elites), PyGAD in its usual form (a fitness function called per
solution): evaluations per second over 60 generations, and the time until the best
individual reaches 93% training accuracy. PyGAD missing: that part is skipped with a note.
"""

import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

from aml.lectures.lecture5.evolution import iris_fitness  # noqa: E402
from aml.models.iris import iris_classifier  # noqa: E402
from aml.tables import format_table  # noqa: E402
from aml.training.genetic import ProcessPoolFitness, set_genome  # noqa: E402

POPULATION = 200
NAIVE_INDIVIDUALS = 40


def log_likelihood(probs, y):
    return float(np.log(np.clip((probs * y).sum(-1), 1e-7, 1.0)).mean())


def loop_fitness(model, genomes, x, y, call):
    out = []
    for genome in genomes:
        set_genome(model, genome)
        out.append(log_likelihood(call(model, x), y))
    return np.array(out)


def timed(fn, repeats=1):
    fn()  # warm up: tracing, process start, caches
    start = time.perf_counter()
    for _ in range(repeats):
        result = fn()
    return result, (time.perf_counter() - start) / repeats


def main():
    import keras

    fitness, _ = iris_fitness()
    rng = np.random.default_rng(0)
    population = rng.normal(0, 0.5, (POPULATION, fitness.layout.n_genes)).astype(np.float32)
    model = iris_classifier()
    subset = population[:NAIVE_INDIVIDUALS]

    def predict(m, x):
        return m.predict(x, verbose=0)

    def eager(m, x):
        return keras.ops.convert_to_numpy(m(x, training=False))

    naive, naive_s = timed(lambda: loop_fitness(model, subset, fitness.x, fitness.y, predict))
    rows = [["naive: model.predict per individual", len(subset), naive_s,
             len(subset) / naive_s, 0.0]]
    eager_fit, eager_s = timed(lambda: loop_fitness(model, subset, fitness.x, fitness.y, eager))
    rows.append(["loop: model(x) per individual", len(subset), eager_s, len(subset) / eager_s,
                 float(np.abs(eager_fit - naive).max())])
    vector, vector_s = timed(lambda: fitness(population), repeats=50)
    rows.append(["vectorised population (NumPy einsum)", POPULATION, vector_s,
                 POPULATION / vector_s,
                 float(np.abs(vector[:NAIVE_INDIVIDUALS] - naive).max())])
    with ProcessPoolFitness(fitness, workers=2) as pooled:
        pool_fit, pool_s = timed(lambda: pooled(population), repeats=20)
    rows.append(["vectorised, 2 processes", POPULATION, pool_s, POPULATION / pool_s,
                 float(np.abs(pool_fit[:NAIVE_INDIVIDUALS] - naive).max())])
    naive_rate = rows[0][3]
    for row in rows:
        row.append(row[3] / naive_rate)
    print(f"backend {keras.backend.backend()}, population {POPULATION}, "
          f"{len(fitness.x)} training samples; 2 shared CPU cores")
    print(format_table(rows, ["method", "individuals", "seconds/call", "evaluations/s",
                              "max |fitness - naive|", "speed-up"]))
    print(f"vectorised vs naive: {rows[2][5]:.0f}x (goal >= 100x)")


def versus_pygad(generations: int = 60, target: float = 0.93) -> None:
    try:
        import pygad
    except ImportError:
        print("PyGAD is not installed (pip install -e '.[bench]'): comparison skipped")
        return
    from aml.training.genetic import evolve

    fitness, _ = iris_fitness()
    rows = []

    # aml: the whole population per call, vectorised
    reached, start = [None], time.perf_counter()

    def watch(g, population, scores):
        if reached[0] is None and fitness.accuracy(population[np.argmax(scores)][None])[0] \
                >= target:
            reached[0] = time.perf_counter() - start

    result = evolve(fitness, fitness.layout.n_genes, population_size=POPULATION,
                    generations=generations, tournament_size=3, crossover_rate=0.9,
                    mutation_rate=0.1, mutation_sigma=0.3, sigma_decay=0.99, elite=2,
                    init_scale=0.5, seed=0, on_generation=watch)
    seconds = time.perf_counter() - start
    rows.append(["aml evolve", result.evaluations / seconds, reached[0],
                 float(fitness.accuracy(result.best[None])[0])])

    # PyGAD: a fitness function per solution, its usual use
    evaluations, reached, start = [0], [None], time.perf_counter()

    def per_solution(ga, solution, index):
        evaluations[0] += 1
        return float(fitness(np.asarray(solution, np.float32)[None])[0])

    def on_generation(ga):
        best = ga.best_solution(pop_fitness=ga.last_generation_fitness)[0]
        if reached[0] is None and fitness.accuracy(np.asarray(best)[None])[0] >= target:
            reached[0] = time.perf_counter() - start

    ga = pygad.GA(num_generations=generations, num_parents_mating=POPULATION,
                  sol_per_pop=POPULATION, num_genes=fitness.layout.n_genes,
                  fitness_func=per_solution, parent_selection_type="tournament", K_tournament=3,
                  crossover_type="single_point", crossover_probability=0.9,
                  mutation_type="random", mutation_percent_genes=10, random_mutation_min_val=-0.3,
                  random_mutation_max_val=0.3, keep_elitism=2, init_range_low=-1.0,
                  init_range_high=1.0, on_generation=on_generation, random_seed=0,
                  suppress_warnings=True)
    ga.run()
    seconds = time.perf_counter() - start
    best = ga.best_solution(pop_fitness=ga.last_generation_fitness)[0]
    rows.append(["PyGAD (per-solution fitness)", evaluations[0] / seconds, reached[0],
                 float(fitness.accuracy(np.asarray(best)[None])[0])])
    print(format_table([[name, f"{rate:,.0f}", "never" if t is None else f"{t:.2f} s",
                         f"{acc:.3f}"] for name, rate, t, acc in rows],
                       ["trainer", "evaluations/s", f"time to {target:.0%} train accuracy",
                        f"train accuracy after {generations} generations"]))
    print(f"evaluations/s: aml / PyGAD = {rows[0][1] / rows[1][1]:.1f}x")


if __name__ == "__main__":
    main()
    versus_pygad()
