"""Lecture 5 examples: the genetic algorithm trains iris, the reservoir evolution helps."""

import numpy as np
import pytest

from aml import catalog
from aml.lectures.lecture5.evolution import RESERVOIR_GENES, decode_reservoir, encode_reservoir
from aml.running import run_example


def test_genetic_iris_meets_target_and_agrees_with_keras(tmp_path):
    record = run_example(catalog.get("l5.genetic"), quick=True, out=tmp_path, verbose=False)
    m = record["metrics"]
    assert record["passed"], record["targets"]
    assert m["test_accuracy"] >= 0.93 and m["parameters"] == 67
    assert m["keras_test_accuracy"] == m["test_accuracy"]
    assert m["evaluations"] == 100 + 40 * 98 and m["evaluations_per_second"] > 0
    assert record["figures"] == ["genetic.png"]


def test_reservoir_genes_decode_into_their_ranges():
    low = decode_reservoir(np.zeros(4))
    high = decode_reservoir(np.ones(4))
    for name, lo, hi, _ in RESERVOIR_GENES:
        assert low[name] == pytest.approx(lo) and high[name] == pytest.approx(hi)
    assert decode_reservoir(np.full(4, 0.5))["input_scaling"] == pytest.approx(
        np.sqrt(0.02 * 3.0))
    hyper = {"spectral_radius": 1.0, "leak_rate": 0.5, "input_scaling": 0.5, "sparsity": 0.95}
    back = decode_reservoir(encode_reservoir(hyper))
    assert back == pytest.approx(hyper, rel=1e-5)


def test_reservoir_evolution_beats_the_default(tmp_path):
    record = run_example(catalog.get("l5.reservoir_evolution"), quick=True, out=tmp_path,
                         verbose=False)
    m = record["metrics"]
    assert record["passed"], record["targets"]
    assert m["evolved_validation_nrmse"] < m["default_validation_nrmse"]
    assert m["evolved_validation_nrmse"] <= m["initial_best_validation_nrmse"] + 1e-12
    assert m["evaluations"] == 6 + 3 * 4
