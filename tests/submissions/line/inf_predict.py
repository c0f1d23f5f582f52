"""Fits well but predicts infinities."""
import numpy as np


def fit_line(x, y):
    slope, intercept = np.polyfit(x, y, 1)
    return float(slope), float(intercept)


def predict(x, slope, intercept):
    return np.full(len(x), np.inf)
