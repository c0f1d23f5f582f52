"""Shared test setup: Keras on the chosen backend (default TensorFlow), quietly, and a
private configuration folder, so the grading key the tests make never lands in the
user's ~/.config."""

import atexit
import os
import shutil
import tempfile

from aml.backend import use_backend

use_backend(os.environ.get("KERAS_BACKEND"))

_config = tempfile.mkdtemp(prefix="aml-test-config-")
os.environ["XDG_CONFIG_HOME"] = _config
atexit.register(shutil.rmtree, _config, ignore_errors=True)
