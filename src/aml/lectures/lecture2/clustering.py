"""Clustering without labels: 2-D points in a few dense groups plus scattered outliers.
DBSCAN groups points by density; a point in no dense neighbourhood is left out, which is how
the notes' figure 7 tells an outlier (noise or an anomaly) from the clusters."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from aml.context import RunContext


@dataclass(frozen=True)
class ClusterConfig:
    clusters: int = 3
    points: int = 450
    spread: float = 0.6         # standard deviation of each cluster
    separation: float = 5.0     # distance of the cluster centres from the origin
    outliers: int = 20
    eps: float = 0.8            # DBSCAN neighbourhood radius
    min_samples: int = 5

    @classmethod
    def quick(cls) -> ClusterConfig:
        return cls(points=240, outliers=12)


def blobs_with_outliers(config: ClusterConfig, seed: int = 0):
    """Points and true labels: clusters 0..k-1 and outliers (-1) far from every centre."""
    from sklearn.datasets import make_blobs

    rng = np.random.default_rng(seed)
    angles = rng.uniform(0, 2 * np.pi) + 2 * np.pi * np.arange(config.clusters) / config.clusters
    centres = config.separation * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    points, labels = make_blobs(config.points, centers=centres, cluster_std=config.spread,
                                random_state=seed)
    low, high = points.min(0) - 2, points.max(0) + 2
    outliers = []
    while len(outliers) < config.outliers:
        candidate = rng.uniform(low, high)
        if np.min(np.linalg.norm(points - candidate, axis=1)) > 4 * config.spread:
            outliers.append(candidate)
    return (np.vstack([points, outliers]),
            np.concatenate([labels, -np.ones(config.outliers, dtype=int)]))


def clustering(config: ClusterConfig, ctx: RunContext) -> dict:
    """Find the clusters and outliers; score against the truth with the adjusted Rand index."""
    from sklearn.metrics import adjusted_rand_score

    from aml.training.unsupervised import density_clusters, precision_recall

    points, truth = blobs_with_outliers(config, ctx.seed)
    found = density_clusters(points, config.eps, config.min_samples)
    ari = adjusted_rand_score(truth, found)
    precision, recall = precision_recall(found == -1, truth == -1)
    n_clusters = len(set(found) - {-1})
    ctx.log(f"{n_clusters} clusters found (true {config.clusters}), ARI {ari:.3f}, outliers "
            f"precision {precision:.3f} recall {recall:.3f}")
    ctx.save_figure(_figure(points, found), "clusters")
    return {"adjusted_rand_index": float(ari), "clusters_found": n_clusters,
            "outlier_precision": precision, "outlier_recall": recall}


def _figure(points, found):
    from aml.plots import subplots

    fig, ax = subplots(figsize=(6.5, 5.5))
    for label in sorted(set(found) - {-1}):
        members = points[found == label]
        ax.scatter(members[:, 0], members[:, 1], s=12, label=f"cluster {label}")
    noise = points[found == -1]
    ax.scatter(noise[:, 0], noise[:, 1], s=60, marker="x", c="red", label="outlier")
    ax.set(title="Density clustering (DBSCAN) with outliers", xlabel="feature 1",
           ylabel="feature 2")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return fig
