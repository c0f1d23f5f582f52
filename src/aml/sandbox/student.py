"""Inside the student's jail: import the submission, call it through the checker's `produce`,
send back one bundle. Everything here after the student's import runs in an interpreter the
student controls, so the grader believes none of it without a check (see aml.sandbox.run).

Job on stdin: a bundle with "job" (JSON) and "input:<name>" arrays. Reply on fd `channel`:
a bundle of the Recorder's entries plus "value:status" = {"status", "detail"}.
"""

from __future__ import annotations

import json
import os
import sys

OK, ERROR, EXIT_CALLED, MEMORY, INVALID = ("ok", "error", "exit called", "memory",
                                           "invalid output")
REPORTABLE = (OK, ERROR, EXIT_CALLED, MEMORY, INVALID)


def _produce(job: dict, checker, inputs: dict, record) -> tuple[str, str]:
    from aml.grading.checks import ExitCalled, SubmissionError, load_submission

    sys.path.insert(0, os.path.dirname(job["file"]))  # a folder submission's own modules
    try:
        module = load_submission(job["file"])
        checker.produce(module, inputs, record, job["quick"])
        return OK, ""
    except MemoryError:
        return MEMORY, "MemoryError: the submission used more memory than allowed"
    except ExitCalled as err:
        return EXIT_CALLED, str(err)
    except SubmissionError as err:
        return ERROR, str(err)
    except SystemExit as err:
        return EXIT_CALLED, f"sys.exit({err.code!r}) called while checking"
    except RecursionError as err:
        return INVALID, f"RecursionError: {err}"[:300]
    except Exception as err:  # noqa: BLE001 - student objects broke the producer
        return INVALID, (f"the checker could not use the submission: "
                         f"{type(err).__name__}: {err}")[:300]


class _Skip:
    """A finder that makes some optional packages look absent while Keras is imported."""

    def __init__(self, names: tuple[str, ...]):
        self.names = names

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in self.names:
            raise ModuleNotFoundError(f"{name} is skipped while Keras starts")
        return None


def _import_keras() -> None:
    """Import Keras without the optional scikit-learn wrapper and matplotlib gallery it
    loads eagerly (about 40% of its start-up here). The student's own `import sklearn` or
    `import matplotlib` works as usual afterwards; only keras.wrappers.SKLearn* and
    keras.visualization.plot_image_gallery stay unavailable in the jail."""
    if "keras" in sys.modules:
        return
    skip = _Skip(tuple(n for n in ("sklearn", "matplotlib") if n not in sys.modules))
    sys.meta_path.insert(0, skip)
    try:
        import keras  # noqa: F401
    finally:
        sys.meta_path.remove(skip)


def _seed_keras(seed: int) -> None:
    """Seed Keras; on the numpy backend without keras.utils.set_random_seed, which imports
    TensorFlow only to seed it (seconds of start-up the build-only side does not need)."""
    _import_keras()
    import keras

    if keras.backend.backend() != "numpy":
        from aml.backend import seed_everything

        seed_everything(seed)
        return
    from keras.src.backend.common import global_state
    from keras.src.random import seed_generator
    from keras.src.utils import module_utils
    from keras.src.utils.rng_utils import GLOBAL_RANDOM_SEED

    # Keras asks "is TensorFlow installed?" by importing it (serialisation checks for
    # tf.TensorShape); a model built here holds no TensorFlow objects, so the answer is no.
    if "tensorflow" not in sys.modules:
        module_utils.tensorflow._available = False
    global_state.set_global_attribute(GLOBAL_RANDOM_SEED, seed)
    global_state.set_global_attribute(seed_generator.GLOBAL_SEED_GENERATOR, None)


def main() -> None:
    from aml.sandbox.bundle import decode, encode, load_array
    from aml.sandbox.protocol import Recorder, as_checker

    me = os.getpid()
    entries = decode(sys.stdin.buffer.read())
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    job = json.loads(entries.pop("job"))
    inputs = {name[len("input:"):]: load_array(data) for name, data in entries.items()
              if name.startswith("input:")}
    sys.path[:0] = job.get("extra_path", [])
    sys.dont_write_bytecode = True
    import random

    import numpy as np

    from aml import catalog

    checker = as_checker(catalog.resolve(job["checker"]))
    random.seed(job["seed"])
    np.random.seed(job["seed"])
    if checker.keras:
        _seed_keras(job["seed"])
    record = Recorder()
    status, detail = _produce(job, checker, inputs, record)
    if os.getpid() != me:  # a fork of the submission does not report
        os._exit(0)
    record.value("status", {"status": status, "detail": detail})
    data = encode(record.entries)
    channel = job["channel"]
    while data:
        data = data[os.write(channel, data):]
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
