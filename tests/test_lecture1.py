"""Lecture 1 end to end: the iris example reaches its target, writes its record and figure,
and repeats exactly with the same seed."""

import json

import numpy as np
import pytest

from aml import catalog
from aml.data.iris import linear_baseline, prepared_split
from aml.running import run_example


@pytest.fixture(scope="module")
def quick_runs(tmp_path_factory):
    out = tmp_path_factory.mktemp("results")
    example = catalog.get("l1.iris")
    return [run_example(example, quick=True, seed=1, out=out, verbose=False) for _ in range(2)]


def test_quick_iris_meets_target_and_records_everything(quick_runs):
    record = quick_runs[0]
    assert record["passed"] and record["metrics"]["test_accuracy"] >= 0.93
    assert record["metrics"]["parameters"] == 67
    saved = json.loads(open(f"{record['path']}/metrics.json").read())
    for key in ("config", "seed", "backend", "versions", "wall_seconds", "targets", "figures"):
        assert key in saved
    assert saved["config"]["epochs"] == 40 and saved["seed"] == 1
    # The uncertainty and the data's provenance travel with the number.
    n = saved["metrics"]["n_test"]
    p = saved["metrics"]["test_accuracy"]
    assert n == 30 and saved["metrics"]["test_accuracy_se"] == pytest.approx(
        (p * (1 - p) / n) ** 0.5, abs=1e-5)
    # The target: within one flower of Fisher's linear discriminant on the same 30 flowers,
    # with the paired standard error of the difference.
    linear = linear_baseline(0.2, seed=1)
    m = saved["metrics"]
    assert m["linear_test_accuracy"] == pytest.approx(linear.mean())
    assert m["accuracy_vs_linear"] == pytest.approx(p - linear.mean(), abs=1e-6)
    assert m["flowers_behind_linear"] == int(linear.sum()) - round(p * n)
    assert m["flowers_behind_linear_se"] == pytest.approx(n * m["accuracy_vs_linear_se"])
    assert saved["targets"][0]["metric"] == "flowers_behind_linear"
    assert saved["targets"][0]["se"] == pytest.approx(m["flowers_behind_linear_se"], abs=1e-4)
    assert [d["dataset"] for d in saved["data"]] == ["iris"]
    assert saved["data"][0]["provenance"] == "verified archive"
    assert "iris: verified archive" in saved["data_summary"]
    assert saved["versions"]["keras"].startswith("3.")
    assert saved["figures"] == ["training_curves.png"]
    png = open(f"{record['path']}/training_curves.png", "rb").read()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_same_seed_same_metrics(quick_runs):
    first, second = quick_runs
    assert first["metrics"] == second["metrics"]
    assert first["path"] != second["path"]


def test_split_and_linear_baseline_follow_the_seed():
    """Another seed, other test flowers; the same seed, the same flowers and baseline."""

    a, b = prepared_split(0.2, seed=3), prepared_split(0.2, seed=3)
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert not np.array_equal(a[2], prepared_split(0.2, seed=4)[2])
    assert np.array_equal(linear_baseline(0.2, seed=3), linear_baseline(0.2, seed=3))
    # Fisher's discriminant is a real classifier here, not a formality: iris is nearly linear
    assert linear_baseline(0.2, seed=3).mean() >= 0.9


def test_paired_difference_counts_only_disagreements():
    from aml.stats import paired_difference

    same = np.array([1, 1, 0, 1], bool)
    assert paired_difference(same, same) == (0.0, 0.0)
    difference, se = paired_difference([1, 1, 1, 0], [1, 1, 0, 1])
    assert difference == 0.0 and se == pytest.approx(np.std([0, 0, 1, -1], ddof=1) / 2)
    with pytest.raises(ValueError):
        paired_difference([1, 0], [1])


@pytest.mark.slow
def test_full_course_configuration_meets_target():
    """The course's 200 epochs of batch 8 reach the target. Trained by the fast loop, which
    takes the same steps as model.fit (test below) at a fifth of the time; the quick run above
    goes through model.fit as `aml run` does."""
    from dataclasses import replace

    import keras

    from aml.lectures.lecture1.iris import IrisConfig, train_iris
    from aml.models.iris import iris_classifier

    config = IrisConfig()
    assert (config.epochs, config.batch_size, config.trainer) == (200, 8, "keras")
    keras.utils.set_random_seed(0)
    _, test = train_iris(iris_classifier(config.api, hidden=config.hidden),
                         replace(config, trainer="fast"), seed=0)
    from aml.lectures.lecture1.iris import against_linear

    (target,) = catalog.get("l1.iris").targets
    assert target.met(against_linear(test["correct"], config, 0)["flowers_behind_linear"])


@pytest.mark.parametrize("epochs", [30])
def test_compile_fit_and_the_fast_loop_give_the_same_curve(epochs):
    """The course's model.compile + model.fit and the compiled loop take the same steps: from
    the same weights, with batches in order, every epoch's numbers agree to 1e-4."""
    from dataclasses import replace

    from aml.backend import seed_everything
    from aml.lectures.lecture1.iris import IrisConfig, train_iris
    from aml.models.iris import iris_classifier

    config = IrisConfig(epochs=epochs, learning_rate=1e-2, shuffle=False)
    seed_everything(0)
    start = iris_classifier().get_weights()
    runs = {}
    for trainer in ("keras", "fast"):
        model = iris_classifier()
        model.set_weights(start)
        runs[trainer] = train_iris(model, replace(config, trainer=trainer))
    (keras_history, keras_test), (fast_history, fast_test) = runs["keras"], runs["fast"]
    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
        np.testing.assert_allclose(fast_history[key], keras_history[key], atol=1e-4, err_msg=key)
    assert fast_test["loss"] == pytest.approx(keras_test["loss"], abs=1e-4)
    assert fast_test["accuracy"] == pytest.approx(keras_test["accuracy"], abs=1e-6)
    assert keras_test["accuracy"] >= 0.9
    assert keras_history["loss"][-1] < 0.3 * keras_history["loss"][0]  # it learned


def test_shuffled_paths_both_reach_the_target_with_similar_curves():
    """With shuffling (each its own generator) the curves differ only by batch order."""
    from aml.backend import seed_everything
    from aml.lectures.lecture1.iris import IrisConfig, train_iris
    from aml.models.iris import iris_classifier

    results = {}
    for trainer in ("keras", "fast"):
        seed_everything(0)
        results[trainer] = train_iris(iris_classifier(), IrisConfig(
            epochs=40, learning_rate=1e-2, trainer=trainer))
    curves = [np.array(results[t][0]["loss"]) for t in ("keras", "fast")]
    assert np.max(np.abs(curves[0] - curves[1])) < 0.1
    assert min(results[t][1]["accuracy"] for t in results) >= 0.93
