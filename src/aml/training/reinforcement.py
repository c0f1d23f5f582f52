"""Reinforcement learning of the notes' walking robot: reward = distance moved, a neural
Q-function, and epsilon-greedy exploration that decays as learning converges.

The robot has one leg that goes through four poses (0 planted back, 1 lifted, 2 swung
forward, 3 planted forward). Each step it may rest, move the leg to the next pose or back
to the previous one; only pushing from pose 3 to pose 0 moves the body forward (+1), and the
reverse move pulls it back (-1). Walking is therefore four correct actions in a row before
any reward, which is why an agent that never explores never finds it.

The Q-network starts with a zero output layer: every action looks equally good, ties go to
"rest", a resting robot earns exactly zero reward, and the zero error gives zero gradients.
Only exploration (probability epsilon of a random action) breaks that standstill.
"""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np

POSES = 4
ACTIONS = ("rest", "next pose", "previous pose")


def step(pose: int, action: int) -> tuple[int, float]:
    """The environment: new pose and the distance moved (the reward) for one action."""
    if action == 0:
        return pose, 0.0
    new = (pose + (1 if action == 1 else -1)) % POSES
    if pose == 3 and new == 0:
        return new, 1.0
    if pose == 0 and new == 3:
        return new, -1.0
    return new, 0.0


def optimal_distance(steps: int) -> float:
    """The most distance an episode of `steps` actions can cover from pose 0: one per cycle."""
    return float(steps // POSES)


def expected_distance(epsilon: float, steps: int) -> float:
    """The mean distance of an episode that walks perfectly except for exploring with
    probability `epsilon` (a random action): the best any agent can do while exploring.

    Exact, by carrying the probability of each pose through the episode."""
    pose = np.zeros(POSES)
    pose[0], distance = 1.0, 0.0
    for _ in range(steps):
        moved = np.zeros(POSES)
        for now in range(POSES):
            for action in range(len(ACTIONS)):
                chance = pose[now] * (epsilon / len(ACTIONS) + (1 - epsilon) * (action == 1))
                new, reward = step(now, action)
                moved[new] += chance
                distance += chance * reward
        pose = moved
    return float(distance)


def q_network(hidden: int = 16, seed: int = 0) -> keras.Model:
    """Q(pose) for every action from a one-hot pose; zero output layer (see module docs)."""
    model = keras.Sequential([
        keras.Input((POSES,)),
        keras.layers.Dense(hidden, activation="relu",
                           kernel_initializer=keras.initializers.GlorotUniform(seed=seed)),
        keras.layers.Dense(len(ACTIONS), kernel_initializer="zeros"),
    ])
    return model


@dataclass(frozen=True)
class EpsilonSchedule:
    """Exploration probability per episode: start * decay^episode, never below `floor`."""

    start: float
    decay: float = 0.97
    floor: float = 0.0

    def __call__(self, episode: int) -> float:
        return 0.0 if self.start == 0 else max(self.floor, self.start * self.decay ** episode)


def run_episode(q_table: np.ndarray, epsilon: float, steps: int, rng) -> tuple[list, float]:
    """One episode from pose 0 acting epsilon-greedily on `q_table`; transitions, distance."""
    pose, distance, transitions = 0, 0.0, []
    for _ in range(steps):
        if rng.random() < epsilon:
            action = int(rng.integers(len(ACTIONS)))
        else:
            action = int(np.argmax(q_table[pose]))  # ties go to the first action: rest
        new, reward = step(pose, action)
        transitions.append((pose, action, reward, new))
        distance += reward
        pose = new
    return transitions, distance


def q_values(model) -> np.ndarray:
    """The network's Q-values of every pose: shape (poses, actions)."""
    return np.asarray(model(np.eye(POSES, dtype="float32"), training=False))


def train_walker(schedule: EpsilonSchedule, *, episodes: int = 150, steps: int = 40,
                 gamma: float = 0.9, learning_rate: float = 1e-2, updates: int = 4,
                 hidden: int = 16, seed: int = 0) -> dict:
    """Q-learning with epsilon-greedy exploration; returns distances and the final policy.

    After each episode the network takes `updates` Adam steps towards r + gamma max Q(s')
    over every distinct transition seen so far (the world is deterministic).
    """
    rng = np.random.default_rng(seed)
    model = q_network(hidden, seed)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="mse")
    seen: dict[tuple[int, int], tuple[float, int]] = {}
    distances, epsilons = [], []
    size = POSES * len(ACTIONS)  # fixed batch size: one compiled train step, padded
    for episode in range(episodes):
        epsilon = schedule(episode)
        transitions, distance = run_episode(q_values(model), epsilon, steps, rng)
        distances.append(distance)
        epsilons.append(epsilon)
        for pose, action, reward, new in transitions:
            seen[(pose, action)] = (reward, new)
        keys = sorted(seen)
        states = np.zeros((size, POSES), dtype="float32")
        weights = np.zeros(size, dtype="float32")
        for row, (pose, _) in enumerate(keys):
            states[row, pose] = 1.0
            weights[row] = 1.0
        for _ in range(updates):
            table = q_values(model)
            targets = table[np.argmax(states, axis=1)]
            for row, (pose, action) in enumerate(keys):
                reward, new = seen[(pose, action)]
                targets[row, action] = reward + gamma * table[new].max()
            model.train_on_batch(states, targets, sample_weight=weights)
    greedy, greedy_distance = run_episode(q_values(model), 0.0, steps, rng)
    return {"distances": distances, "epsilons": epsilons, "greedy_distance": greedy_distance,
            "policy": [ACTIONS[int(np.argmax(q))] for q in q_values(model)]}
