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


# Datasets that stand in for the course's own when it is not on the machine.
STAND_INS = {"fashion_mnist": "cifar10", "movie_snippets": "imdb"}
# Provenance of every dataset loaded since the last `loaded()`: what a run's record carries.
_LOADED: dict[str, dict] = {}


def load(name: str, **kwargs):
    """Load a dataset by name from local copies only; never downloads."""
    if name not in LOADERS:
        raise AmlError(f"unknown dataset {name!r}; known: {', '.join(sorted(LOADERS))}")
    data = importlib.import_module(LOADERS[name]).load(**kwargs)
    _LOADED.setdefault(name, provenance(name))
    return data


def load_or_stand_in(name: str, **kwargs):
    """(data, the dataset used, a note): `name` if it is here, else its stand-in.

    When neither is here the error says how to get either, and an example is then skipped
    by `aml run` rather than failed.
    """
    from aml.errors import DataUnavailable

    stand_in = next((s for s, course in STAND_INS.items() if course == name), None)
    try:
        return load(name, **kwargs), name, ""
    except AmlError as err:
        if stand_in is None:
            raise
        reason = str(err).split(";")[0]
    try:
        data = load(stand_in, **kwargs)
    except DataUnavailable as err:
        raise DataUnavailable(
            f"neither {name} nor its stand-in {stand_in} is on this machine ({reason}; {err})",
            fix=f"aml data import {name} PATH, or aml data fetch {stand_in}") from None
    return data, stand_in, f"{name} is not on this machine ({reason}); using {stand_in}"


def loaded(clear: bool = True) -> list[dict]:
    """Provenance of the datasets loaded since the last call (the start of a run)."""
    found = list(_LOADED.values())
    if clear:
        _LOADED.clear()
    return found


def provenance(name: str) -> dict:
    """Where `load(name)` reads from: "verified archive" (published checksums), "unverified
    copy" (imported, with file count and digest), "generated" (from a seed) or, for a dataset
    that replaces the course's own, "stand-in" with the provenance of its files beside it."""
    from aml.data import store

    module = importlib.import_module(LOADERS[name])
    if hasattr(module, "provenance"):
        info = module.provenance()
    elif hasattr(module, "FILENAMES"):
        dirs = module.system_dirs() if hasattr(module, "system_dirs") else module.SYSTEM_DIRS
        sums = []
        try:
            for filename in module.FILENAMES:
                path = store.locate(name, filename, dirs)
                sums.append(f"{filename}: {store.check(path, name, filename).describe()}")
            info = {"dataset": name, "provenance": "verified archive", "detail": "; ".join(sums)}
        except AmlError as err:
            info = {"dataset": name, "provenance": "missing", "detail": str(err)}
    else:
        info = {"dataset": name, "provenance": "generated", "detail": "generated from a seed"}
    if name in STAND_INS:
        info = {**info, "files": info["provenance"], "provenance": "stand-in",
                "stand_in_for": STAND_INS[name]}
    return info


def describe(info: dict) -> str:
    """One line: "cifar10: unverified copy (...)", "fashion_mnist: stand-in for cifar10 ..."."""
    if info["provenance"] == "stand-in":
        return (f"{info['dataset']}: stand-in for {info['stand_in_for']} "
                f"({info.get('files', '?')})")
    detail = info.get("detail", "")
    if info["provenance"] == "unverified copy":
        return f"{info['dataset']}: {detail}"
    return f"{info['dataset']}: {info['provenance']}" + (f" ({detail})" if detail else "")
