"""Tries to write outside through a descriptor of /tmp and a relative path (openat)."""
import os

folder = os.open("/tmp", os.O_RDONLY)
handle = os.open("aml_grading_escape.txt", os.O_WRONLY | os.O_CREAT, dir_fd=folder)
os.write(handle, b"escaped")


def fit_line(x, y):
    return 0.0, float(sum(y) / len(y))


def predict(x, slope, intercept):
    return slope * x + intercept
