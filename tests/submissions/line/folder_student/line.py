"""A folder submission: the exercise file uses a helper module of its own."""
from helpers import least_squares


def fit_line(x, y):
    return least_squares(x, y)


def predict(x, slope, intercept):
    return slope * x + intercept
