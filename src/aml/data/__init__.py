"""Datasets of the course: `load(name, ...)` returns NumPy arrays (or lists of str for text)."""

from __future__ import annotations

import importlib

from aml.errors import AmlError

# name -> module providing `load(**kwargs)`. The return types are a contract:
#   iris                 -> (x float32 (150, 4), labels int32 (150,), class_names)
#   fashion_mnist, cifar10 -> (x_train uint8 (N, H, W, C), y_train int64 (N,),
#                              x_test, y_test, class_names)
#   imdb, movie_snippets -> (texts_train list[str], y_train int64, texts_test, y_test);
#                           with graded=True the y arrays are float64 scores whose sign is
#                           the label (snippets: mean human score; IMDB: rating - 5.5)
#   sentiment_lexicon    -> dict token -> mean human valence in [-4, 4] (VADER)
#   generated data (ode, sine_anomaly, mackey_glass, projectile, infinite_well): NumPy arrays,
#                           deterministic from a `seed` keyword; see each module.
LOADERS = {
    "iris": "aml.data.iris",
    "fashion_mnist": "aml.data.fashion_mnist",
    "cifar10": "aml.data.cifar10",
    "imdb": "aml.data.imdb",
    "movie_snippets": "aml.data.movie_snippets",
    "sentiment_lexicon": "aml.data.sentiment_lexicon",
    "ode": "aml.data.ode",
    "sine_anomaly": "aml.data.sine_anomaly",
    "mackey_glass": "aml.data.mackey_glass",
    "projectile": "aml.data.projectile",
    "infinite_well": "aml.data.infinite_well",
}


def load(name: str, **kwargs):
    """Load a dataset by name from local copies only; never downloads."""
    if name not in LOADERS:
        raise AmlError(f"unknown dataset {name!r}; known: {', '.join(sorted(LOADERS))}")
    return importlib.import_module(LOADERS[name]).load(**kwargs)
