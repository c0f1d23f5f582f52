"""Returns NaN parameters."""


def fit_line(x, y):
    return float("nan"), 1.0


def predict(x, slope, intercept):
    return x
