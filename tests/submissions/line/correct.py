"""Least squares: every check passes."""
import numpy as np


def fit_line(x, y):
    slope, intercept = np.polyfit(x, y, 1)
    return float(slope), float(intercept)


def predict(x, slope, intercept):
    return slope * np.asarray(x) + intercept
