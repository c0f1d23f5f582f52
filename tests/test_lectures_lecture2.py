"""Lecture 2 examples in their quick configurations: each meets its (quick) targets, writes
its figure, and shows what the lecture claims."""

from dataclasses import replace

import pytest

from aml import catalog
from aml.context import RunContext
from aml.running import run_example


def _run(example_id, tmp_path):
    record = run_example(catalog.get(example_id), quick=True, out=tmp_path, verbose=False)
    assert record["passed"], record["targets"]
    assert record["figures"] and all((tmp_path / example_id).rglob(f) for f in record["figures"])
    return record["metrics"]


def test_rule_based_neuron_finds_the_thermostat_threshold(tmp_path):
    from aml.lectures.lecture2.rule_based import thermostat

    assert list(thermostat([19.9, 20.0, 20.1])) == [1, 1, 0]
    metrics = _run("l2.rule_based", tmp_path)
    assert metrics["parameters"] == 2 and abs(metrics["learned_threshold"] - 20) < 1.5


def test_ode_residual_quick(tmp_path):
    metrics = _run("l2.ode_residual", tmp_path)
    assert metrics["max_error"] < 1e-2 and metrics["parameters"] == 1153
    assert {"max_error_2x", "max_error_x2", "max_error_x2_minus_2x"} <= set(metrics)


def test_ode_supervised_quick(tmp_path):
    assert _run("l2.ode_supervised", tmp_path)["max_error"] < 1e-2


def test_out_of_range_one_equation(tmp_path):
    from aml.lectures.lecture2.odes import OutOfRangeConfig, out_of_range

    ctx = RunContext(tmp_path, verbose=False)
    metrics = out_of_range(replace(OutOfRangeConfig.quick(), equations=("x^2",)), ctx)
    assert (tmp_path / "out_of_range.png").stat().st_size > 10_000
    for method in ("residual", "supervised"):
        assert metrics[f"{method}_max_error_in"] < 1e-2
        assert metrics[f"{method}_max_error_out"] > 10 * metrics[f"{method}_max_error_in"]


def test_anomaly_autoencoder_flags_the_peaks(tmp_path):
    metrics = _run("l2.anomaly", tmp_path)
    assert metrics["precision"] >= 0.9 and metrics["recall"] >= 0.9
    assert 0 < metrics["anomalous_windows"] < metrics["windows"]


def test_clustering_finds_groups_and_outliers(tmp_path):
    metrics = _run("l2.clustering", tmp_path)
    assert metrics["clusters_found"] == 3 and metrics["adjusted_rand_index"] >= 0.9
    assert metrics["outlier_recall"] >= 0.9


def test_denoising_improves_psnr(tmp_path):
    metrics = _run("l2.denoising", tmp_path)
    assert metrics["psnr_gain"] >= 3.0 and metrics["psnr_denoised"] > metrics["psnr_noisy"]
    # the baseline is a real denoiser too, and the target is beating it
    assert metrics["psnr_noisy"] < metrics["psnr_mean_filter"] < metrics["psnr_denoised"]


def test_mean_filter_averages_each_3x3_neighbourhood():
    import numpy as np

    from aml.lectures.lecture2.denoising import mean_filter

    flat = np.full((2, 64), 0.25, dtype=np.float32)
    np.testing.assert_allclose(mean_filter(flat), flat)
    spike = np.zeros((1, 64), dtype=np.float32)
    spike[0, 3 * 8 + 3] = 9.0
    out = mean_filter(spike).reshape(8, 8)
    np.testing.assert_allclose(out[2:5, 2:5], 1.0, rtol=1e-6)
    assert out.sum() == pytest.approx(9.0) and out[0, 0] == 0


def test_exploration_no_epsilon_stands_still(tmp_path):
    metrics = _run("l2.exploration", tmp_path)
    assert metrics["distance_epsilon_0"] == 0 and metrics["training_distance_epsilon_0"] == 0
    assert metrics["distance_epsilon_0p5"] == metrics["optimal_distance"] == 10
    # late in training, exploring less, it walks nearly as well as a perfect gait would
    assert 0.9 <= metrics["late_walk_vs_ideal"] <= 1.3


@pytest.mark.parametrize("entry", [e for e in catalog.examples() if e.lecture == 2],
                         ids=lambda e: e.id)
def test_configs_are_frozen_with_quick(entry):
    config_cls = catalog.resolve(entry.config)
    quick = config_cls.quick()
    assert quick != config_cls()
    with pytest.raises(AttributeError):
        quick.seed = 1  # frozen dataclass


def test_ode_systems_residual_knows_its_error_and_supervised_fails_beyond_its_samples(
        tmp_path):
    metrics = _run("l2.ode_systems", tmp_path)
    for name in ("oscillator", "lotka_volterra"):
        true, estimate = (metrics[f"{name}_residual_max_error"],
                          metrics[f"{name}_residual_error_estimate"])
        assert true <= 1.05 * estimate <= 2.1 * true
        # the fit saw samples of the first half only: beyond them it is 10x worse or more
        assert metrics[f"{name}_supervised_max_error_unseen"] > \
            10 * metrics[f"{name}_supervised_max_error_seen"]


@pytest.mark.slow
@pytest.mark.parametrize("example_id", ["l2.ode_supervised"])
def test_ode_examples_meet_their_targets_on_jax(example_id, tmp_path):
    """On JAX the ODE examples switch 64-bit mode on for their own run; in float32 the
    supervised fit (the one that missed) stopped at 2.4e-3 against the 1e-3 target. Full
    configuration, in a child process so the backend is JAX's."""
    import json
    import os
    import subprocess
    import sys

    import aml

    env = {**os.environ, "PYTHONPATH": aml.SOURCE_ROOT}
    env.pop("KERAS_BACKEND", None)
    result = subprocess.run(
        [sys.executable, "-m", "aml", "run", example_id, "--backend", "jax", "--quiet",
         "--out", str(tmp_path)], env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    record = json.loads(next(tmp_path.glob(f"{example_id}/*/metrics.json")).read_text())
    assert record["backend"] == "jax"
    (target,) = catalog.get(example_id).targets
    assert target.metric == "max_error"
    assert target.met(record["metrics"]["max_error"])
