"""The walking robot: its world, and that only exploration teaches it to walk."""

from aml.training.reinforcement import (
    EpsilonSchedule,
    expected_distance,
    optimal_distance,
    run_episode,
    step,
    train_walker,
)


def test_only_the_push_from_pose_3_moves_the_body():
    assert step(3, 1) == (0, 1.0)
    assert step(0, 2) == (3, -1.0)
    assert step(1, 1) == (2, 0.0) and step(2, 0) == (2, 0.0)
    assert optimal_distance(40) == 10.0


def test_schedule_decays_to_its_floor_and_zero_stays_zero():
    schedule = EpsilonSchedule(0.5, decay=0.5, floor=0.1)
    assert [schedule(e) for e in (0, 1, 5)] == [0.5, 0.25, 0.1]
    assert EpsilonSchedule(0.0)(0) == 0.0


def test_greedy_policy_on_a_walking_table_walks_optimally():
    import numpy as np

    table = np.array([[0, 1, 0]] * 4, dtype=float)
    _, distance = run_episode(table, 0.0, 40, np.random.default_rng(0))
    assert distance == 10.0


def test_exploration_learns_to_walk():
    # epsilon = 0 standing still is shown by the l2.exploration test
    walker = train_walker(EpsilonSchedule(0.5, 0.9), episodes=30, steps=20)
    assert walker["greedy_distance"] == optimal_distance(20)
    assert walker["policy"] == ["next pose"] * 4
    assert walker["epsilons"][0] == 0.5 and walker["epsilons"][-1] < 0.05


def test_expected_distance_of_a_perfect_gait_that_explores():
    import numpy as np

    assert expected_distance(0.0, 40) == optimal_distance(40)
    assert abs(expected_distance(1.0, 40)) < 0.5  # random actions: forward and back balance
    values = [expected_distance(e, 40) for e in (0.0, 0.05, 0.2, 0.5)]
    assert values == sorted(values, reverse=True)
    # the exact chain agrees with playing the episodes: 4000 of them within 3 standard errors
    rng = np.random.default_rng(0)
    table = np.array([[0, 1, 0]] * 4, dtype=float)
    played = [run_episode(table, 0.2, 40, rng)[1] for _ in range(4000)]
    assert abs(np.mean(played) - expected_distance(0.2, 40)) < 3 * np.std(played) / 63
