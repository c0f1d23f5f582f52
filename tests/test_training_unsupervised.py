"""Measures of unsupervised learning: precision/recall, PSNR, thresholds, density clusters."""

import numpy as np
import pytest

from aml.training.unsupervised import density_clusters, precision_recall, psnr, threshold_from_clean


def test_precision_recall_by_hand():
    flagged = [True, True, False, False, True]
    truth = [True, False, False, True, True]
    assert precision_recall(flagged, truth) == (pytest.approx(2 / 3), pytest.approx(2 / 3))
    assert precision_recall([False, False], [False, False]) == (0.0, 1.0)


def test_psnr_and_threshold():
    clean = np.zeros((4, 4))
    assert psnr(clean, clean + 0.1) == pytest.approx(20.0)
    assert threshold_from_clean([0.1, 0.4, 0.2], margin=1.5) == pytest.approx(0.6)


def test_density_clusters_leave_isolated_points_out():
    rng = np.random.default_rng(0)
    points = np.vstack([rng.normal(0, 0.1, (30, 2)), rng.normal(5, 0.1, (30, 2)), [[2.5, 2.5]]])
    labels = density_clusters(points, eps=0.5, min_samples=4)
    assert len(set(labels[:60])) == 2 and labels[-1] == -1
