"""Pick the Keras backend before Keras is imported, and seed every random generator."""

from __future__ import annotations

import os
import random
import sys

from aml.errors import AmlError

BACKENDS = ("tensorflow", "jax")
DEFAULT_BACKEND = "tensorflow"


def use_backend(name: str | None = None) -> str:
    """Select the Keras backend (argument, else $KERAS_BACKEND, else TensorFlow); returns it."""
    name = name or os.environ.get("KERAS_BACKEND") or DEFAULT_BACKEND
    if name not in BACKENDS:
        raise AmlError(f"unknown backend {name!r}: choose one of {', '.join(BACKENDS)}")
    keras = sys.modules.get("keras")
    if keras is not None and keras.backend.backend() != name:
        raise AmlError(
            f"Keras is already running on {keras.backend.backend()!r}; "
            f"start a new process with --backend {name}"
        )
    os.environ["KERAS_BACKEND"] = name
    # TensorFlow's C++ log lines (oneDNN notices, "E0000 ... NodeDef mentions attribute")
    # bypass Python and say nothing a user can act on: a real failure raises an exception.
    # Level 3 keeps only fatal ones; it must be set before TensorFlow is first imported.
    # Set TF_CPP_MIN_LOG_LEVEL yourself (e.g. 0) to see them when debugging TensorFlow.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if name == "jax":
        try:
            import jax  # noqa: F401
        except ImportError as err:
            raise AmlError("the JAX backend needs jax: pip install -e '.[jax]'") from err
    import importlib.util

    if importlib.util.find_spec("tensorflow") is not None:
        _import_quietly("tensorflow")  # Keras loads it on either backend (tf.data, utils)
        import logging

        logging.getLogger("tensorflow").addFilter(_one_trace_per_model)
    _import_quietly("keras")
    return name


def _one_trace_per_model(record) -> bool:
    """Drop TensorFlow's "N out of the last M calls ... triggered tf.function retracing".

    It counts traces by the Python code of the function, so training (or predicting with)
    several models one after another, as the lectures do, reads as retracing although each
    model's graph is traced once, as it must be. Real retracing within one model (varying
    shapes) is prevented where it happens: fixed input signatures, padded last batches."""
    return "triggered tf.function retracing" not in record.getMessage()


def _import_quietly(module: str) -> None:
    """Import a module with file descriptor 2 silenced: TensorFlow's C++ start-up chatter
    (oneDNN, CPU feature notices) bypasses Python logging and would bury our output."""
    if module in sys.modules:
        return
    saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    try:
        sys.stderr.flush()
        os.dup2(devnull, 2)
        __import__(module)
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def seed_everything(seed: int) -> None:
    """Fix Python, NumPy and Keras (backend) randomness so a run can be repeated exactly."""
    import numpy as np

    random.seed(seed)
    np.random.seed(seed)
    import keras

    keras.utils.set_random_seed(seed)
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()


def library_versions() -> dict[str, str]:
    """Versions of the libraries a result depends on, for metrics.json."""
    import platform
    from importlib import metadata

    versions = {"python": platform.python_version()}
    for package in ("aml", "keras", "tensorflow", "tensorflow-cpu", "jax", "numpy",
                    "scikit-learn", "scipy"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            continue
    return versions
