"""Right slope, intercept forgotten: held-out R2 about 0.5, so only the first tier."""
import numpy as np


def fit_line(x, y):
    slope = np.sum((x - x.mean()) * (y - y.mean())) / np.sum((x - x.mean()) ** 2)
    return float(slope), 0.0


def predict(x, slope, intercept):
    return slope * np.asarray(x) + intercept
