"""Lecture 4 examples in their quick configurations reach their targets and repeat exactly."""

import pytest

from aml import catalog
from aml.running import run_example


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    return tmp_path_factory.mktemp("results")


@pytest.mark.slow
def test_physics_loss_fixes_the_normalisation_and_repeats(out):
    record, again = (run_example(catalog.get("l4.physics_loss"), quick=True, seed=2, out=out,
                                 verbose=False) for _ in range(2))
    m = record["metrics"]
    assert again["metrics"] == m
    assert record["passed"], record["targets"]
    # Calibrated detector (the result): guidance improves the normalisation, costs no accuracy.
    assert m["guided_normalisation_error"] < m["plain_normalisation_error"] < 0.1
    assert m["guided_test_mse"] < m["plain_test_mse"]
    assert m["mse_ratio_se"] > 0 and m["plain_test_mse_se"] > 0
    # The detector reading 15% low, beside it: plain MSE keeps the wrong scale.
    assert m["miscalibrated_plain_normalisation_error"] > 0.1
    assert m["miscalibrated_guided_normalisation_error"] < 0.03
    assert [t["metric"] for t in record["targets"]] == ["normalisation_improvement", "mse_ratio"]
    assert record["figures"] == ["physics_loss.png"]


def test_physics_net_learns_g_and_v0_and_extrapolates(out):
    record = run_example(catalog.get("l4.physics_net"), quick=True, out=out, verbose=False)
    m = record["metrics"]
    assert record["passed"], record["targets"]
    assert m["learned_g"] == pytest.approx(9.7, rel=0.02)
    assert m["learned_v0"] == pytest.approx(20.0, rel=0.02)
    # the baseline of its targets: least squares on the same 100 heights (noise 0.5 m), whose
    # standard errors say how well those samples fix g and v0
    assert (m["least_squares_g"], m["least_squares_v0"]) == pytest.approx((9.7095, 20.0077),
                                                                          abs=1e-3)
    assert (m["least_squares_g_se"], m["least_squares_v0_se"]) == pytest.approx(
        (0.0339, 0.0686), abs=1e-3)
    assert m["g_from_least_squares_in_se"] == pytest.approx(
        abs(m["learned_g"] - m["least_squares_g"]) / m["least_squares_g_se"])
    assert m["dense_extrapolation_rmse"] > 10 * m["structured_extrapolation_rmse"]
    # The baseline fits the data range (noise 0.5 m); it fails only beyond it.
    assert m["dense_interpolation_rmse"] < 2.0
    assert m["dense_extrapolation_rmse"] > 20 * m["dense_interpolation_rmse"]
    assert abs(m["parameters"] - m["dense_parameters"]) <= 5


@pytest.mark.slow
def test_regularization_table_and_gap(out):
    record = run_example(catalog.get("l4.regularization"), quick=True, out=out, verbose=False)
    m = record["metrics"]
    assert record["passed"], record["targets"]
    assert m["none_train_mse"] < 0.01 < m["none_test_mse"]  # it really over-fits
    best = m["best_regularizer"].lower()
    # Chosen on validation MSE (samples held out of the training set), not on the test set.
    assert m["chosen_on"] == "validation MSE"
    assert m[f"{best}_val_mse"] == min(m[f"{k}_val_mse"] for k in ("l1", "l2", "dropout"))
    assert m[f"{best}_test_mse"] < m["none_test_mse"]
    assert 0 < m["gap_reduction_se"] < 0.2
    assert m["gap_reduction"] >= 0.3  # a real reduction; the target asks only for one (> 0)
    for name in ("none", "l1", "l2", "dropout"):
        gap = m[f"{name}_test_mse"] - m[f"{name}_train_mse"]
        assert m[f"{name}_gap"] == pytest.approx(gap)


def test_inverse_constants_with_intervals_and_the_projectile_both_ways(out):
    record = run_example(catalog.get("l4.inverse"), quick=True, out=out, verbose=False)
    m = record["metrics"]
    assert record["passed"], record["targets"]
    assert m["intervals"] == 8 and m["intervals_holding_truth"] >= 7
    assert m["lotka_volterra_d_relative_error"] < 0.05
    # the structured network of l4.physics_net and fit_ode agree on g from the same heights
    assert abs(m["structured_g"] - m["projectile_g"]) < 3 * m["projectile_g_stderr"]


def test_least_squares_constants_match_a_polynomial_fit():
    import numpy as np

    from aml.data import projectile
    from aml.lectures.lecture4.physics import PhysicsNetConfig, least_squares_constants

    config = PhysicsNetConfig()
    fitted = least_squares_constants(config, seed=1)
    t, x = projectile.load(config.n_points, 0.0, config.t_max, config.v0, config.g,
                           config.noise, seed=1)
    # x = v0 t - g t^2 / 2 has no constant term: fit c2 t^2 + c1 t through the origin
    t, x = t[:, 0].astype(np.float64), x[:, 0].astype(np.float64)
    (c2, c1), *_ = np.linalg.lstsq(np.stack([t ** 2, t], axis=1), x, rcond=None)
    assert (fitted["g"], fitted["v0"]) == pytest.approx((-2 * c2, c1), rel=1e-9)
    assert 0 < fitted["g_se"] < 0.1 and 0 < fitted["v0_se"] < 0.2
