"""Lecture 2: machine learning and the ways of training, one module per story.

rule_based (AI without learning vs a learned threshold), odes (residual vs supervised
training of ODE solutions, in and out of range), anomaly, clustering and denoising
(unsupervised), exploration (reinforcement learning of a walking robot).
"""
