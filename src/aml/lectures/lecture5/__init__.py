"""Lecture 5: training without gradients. A genetic algorithm trains the iris network and
evolves an echo state network (evolution.py); the exercise in checks.py and solutions/."""
