"""Correct, but prints 5 MB while importing."""
import numpy as np

for _ in range(5 * 1024):
    print("x" * 1023)


def fit_line(x, y):
    slope, intercept = np.polyfit(x, y, 1)
    return float(slope), float(intercept)


def predict(x, slope, intercept):
    return slope * np.asarray(x) + intercept
