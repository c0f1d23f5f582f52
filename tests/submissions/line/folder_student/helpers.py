import numpy as np


def least_squares(x, y):
    slope, intercept = np.polyfit(x, y, 1)
    return float(slope), float(intercept)
