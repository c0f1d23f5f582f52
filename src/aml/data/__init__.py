"""Datasets of the course: `load(name, ...)` returns NumPy arrays (or lists of str for text)."""

from __future__ import annotations

import importlib

from aml.errors import AmlError

# name -> module under aml.data providing `load(**kwargs)`
LOADERS = {
    "iris": "aml.data.iris",
}


def load(name: str, **kwargs):
    """Load a dataset by name from local copies only; never downloads."""
    if name not in LOADERS:
        raise AmlError(f"unknown dataset {name!r}; known: {', '.join(sorted(LOADERS))}")
    return importlib.import_module(LOADERS[name]).load(**kwargs)
