"""The template as handed out."""


def fit_line(x, y):
    # TODO: least squares
    raise NotImplementedError("fit the slope and intercept")


def predict(x, slope, intercept):
    raise NotImplementedError("slope * x + intercept")
