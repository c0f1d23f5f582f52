"""The walking robot: its world, and that only exploration teaches it to walk."""

from aml.training.reinforcement import (
    EpsilonSchedule,
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
