"""Shared test setup: Keras on the chosen backend (default TensorFlow), quietly."""

import os

from aml.backend import use_backend

use_backend(os.environ.get("KERAS_BACKEND"))
