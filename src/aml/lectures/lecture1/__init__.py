"""Lecture 1: neural networks. The iris classifier (iris.py), three exercises building it
with the Sequential, functional and subclassing APIs (checks.py, solutions/)."""
