"""Genetic algorithm fitness: evaluations per second of the iris network (67 weights).

Naive: for each individual, write its genome into the Keras model and call model.predict.
Eager: the same loop with a direct model(x) call (no predict machinery).
Vectorised: the whole population in one NumPy forward pass over a population axis.
Process pool: the vectorised pass split across 2 spawned processes.
All variants compute the same fitness; the table shows the largest difference from naive.
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


if __name__ == "__main__":
    main()
