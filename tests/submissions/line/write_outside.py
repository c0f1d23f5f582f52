"""Tries to write outside its folder."""
with open("/tmp/aml_grading_escape.txt", "w") as handle:
    handle.write("escaped")


def fit_line(x, y):
    return 0.0, float(sum(y) / len(y))


def predict(x, slope, intercept):
    return slope * x + intercept
