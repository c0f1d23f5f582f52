"""Calls sys.exit while being checked."""
import sys


def fit_line(x, y):
    sys.exit(3)


def predict(x, slope, intercept):
    return x
