"""Tries to run a shell command."""
import subprocess

subprocess.run(["touch", "/tmp/aml_grading_escape.txt"])


def fit_line(x, y):
    return 0.0, float(sum(y) / len(y))


def predict(x, slope, intercept):
    return slope * x + intercept
