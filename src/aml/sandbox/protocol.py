"""How an exercise is checked across the jail's wall: produce on one side, measure on the other.

An exercise's checker is a `Checker` with three functions:
- `inputs(quick, seed, secret) -> {name: array}` runs on the measuring side and makes what
  the student's functions are called on (labels and expected values stay there). `secret`
  is a number the student's side never sees (see `aml.sandbox.run.grading_secret`): what
  is drawn from it (probe points, the constants of a throw, test cases) cannot be known
  before the run, yet the same seed on the same machine draws the same. Names starting
  with "_" are kept on the measuring side: `measure` reads them, the jail never gets them;
- `produce(module, inputs, record, quick)` runs in the student's jail, in the same
  interpreter as the student's code, so NOTHING it records is trusted: it calls the student's
  functions and records values, arrays and models (configuration and weights as data);
- `measure(artifacts, quick) -> [CheckResult]` runs in the measuring process, which never
  imports student code: it validates every artifact, rebuilds models from their saved
  configuration (refused unless it names only Keras's own layers, see `safe_config`) and
  weights, trains and evaluates them, and computes every score.
A check that truly needs student code at measurement time (a custom cell, a loss, a
subclassed model's call) is produced in the jail; its `measure` says what it trusts and
recomputes what it can from the returned weights on inputs the student never saw.

Every exercise of aml's own lectures is a Checker. A plain `check(module, quick)` function
is accepted only from a third-party lecture package ($AML_LECTURES): it then runs whole in the
student's jail, and its rows say so (UNTRUSTED_NOTE), because a student can forge its scores.
"""

from __future__ import annotations

import importlib
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field

from aml.sandbox.bundle import (
    BundleError,
    array_bytes,
    decode,
    encode,
    json_bytes,
    load_array,
    load_json,
)

MAX_PARAMETERS = 20_000_000
MAX_WEIGHT_ARRAYS = 20_000  # weight arrays of one model (a 5,000-layer network's)


@dataclass(frozen=True)
class Checker:
    produce: Callable
    measure: Callable
    inputs: Callable | None = None
    keras: bool = True          # the student's side imports Keras (with `student_backend`)
    student_backend: str | None = None   # None: the grading backend; "numpy" builds only
    data: bool = False          # the student's side may read $AML_DATA (training inside)
    description: str = ""
    trusted: bool = True        # False: the scores come from the student's jail (third party)

    def make_inputs(self, quick: bool, seed: int, secret: int) -> dict:
        """The measuring side's inputs; `secret` reaches only an inputs function that takes it
        (a third-party Checker may have the older inputs(quick, seed))."""
        if self.inputs is None:
            return {}
        import inspect

        takes = "secret" in inspect.signature(self.inputs).parameters
        return dict(self.inputs(quick, seed, secret) if takes else self.inputs(quick, seed))

    def __call__(self, module, quick: bool = False, seed: int = 0, source: str = "",
                 secret: int | None = None) -> list:
        """Both sides in this process on an imported module, the artifacts passed through
        the bundle encoding as between the jails (tests and debugging only); the secret is
        random unless given."""
        import secrets

        inputs = self.make_inputs(quick, seed, secrets.randbits(63) if secret is None
                                  else secret)
        record = Recorder()
        self.produce(module, {k: v.copy() for k, v in inputs.items() if not kept(k)}, record,
                     quick)
        return list(self.measure(Artifacts(decode(encode(record.entries)), inputs, source),
                                 quick))


# ---- third-party lectures only: a plain check function, scored in the student's jail --------

def _claimed_checks(check):
    """Student side of a third-party plain check function: the whole check, in the jail."""
    def produce(module, inputs, record, quick):
        from aml.grading.checks import plain

        results = check(module, quick=quick)
        record.value("claimed", [{"name": r.name, "passed": r.passed is True,
                                  "measured": plain(r.measured), "target": r.target,
                                  "hint": r.hint, "points": r.points, "tier": r.tier,
                                  "status": r.status, "n": r.n} for r in results])
    return produce


def _believe_claims(art, quick):
    from aml.grading.checks import CheckResult

    claimed = art.value("claimed")
    if not isinstance(claimed, list):
        raise ArtifactError("no check results came back")
    try:
        return [CheckResult(str(c["name"]), c["passed"] is True, c["measured"],
                            c["target"], str(c["hint"]), float(c["points"]), str(c["tier"]),
                            str(c["status"]), _count(c.get("n"))) for c in claimed]
    except (KeyError, TypeError, ValueError) as err:
        raise ArtifactError(f"malformed check results ({err})") from None


def _count(value) -> int:
    """A claimed number of test examples: a positive int, else 0 (no re-measuring)."""
    return value if type(value) is int and 0 < value < 10**9 else 0


def as_checker(obj) -> Checker:
    """An exercise's checker: a Checker, or (from a third-party lecture package only) a plain
    check(module, quick) function, which then runs whole in the student's jail and is marked
    untrusted (see the README). aml's own exercises must be split."""
    if isinstance(obj, Checker):
        return obj
    if str(getattr(obj, "__module__", "")).split(".")[0] == "aml":
        raise TypeError(f"{getattr(obj, '__qualname__', obj)} is a plain check function; "
                        "aml's own exercises need a split Checker (aml.sandbox.protocol)")
    return Checker(_claimed_checks(obj), _believe_claims, None, keras=True, data=True,
                   trusted=False, description=getattr(obj, "__doc__", "") or "")


def kept(name: str) -> bool:
    """An input the measuring side keeps to itself (never sent into the student's jail)."""
    return name.startswith("_")


UNTRUSTED_NOTE = ("scored inside the student's jail (a third-party lecture's plain check "
                  "function: a student can forge these scores)")


class Recorder:
    """Student side: what `produce` hands back, as bundle entries."""

    def __init__(self):
        self.entries: dict[str, bytes] = {}

    def value(self, name: str, value) -> None:
        self.entries[f"value:{name}"] = json_bytes(value)

    def array(self, name: str, value) -> None:
        import numpy as np

        self.entries[f"array:{name}"] = array_bytes(np.asarray(value))

    def model(self, name: str, model) -> None:
        """The model's configuration (when Keras can serialise it) and every weight."""
        import keras
        import numpy as np

        try:
            config = keras.saving.serialize_keras_object(model)
            self.entries[f"model:{name}:config"] = json.dumps(config).encode()
        except Exception:  # noqa: BLE001 - a subclass without get_config: weights only
            pass
        weights = list(model.weights)
        self.entries[f"model:{name}:paths"] = json_bytes([str(w.path) for w in weights])
        if len(weights) > MAX_WEIGHT_ARRAYS:
            return  # the measuring side says so, from the paths
        self.entries[f"model:{name}:weights"] = encode(
            {str(index): array_bytes(np.asarray(keras.ops.convert_to_numpy(weight)))
             for index, weight in enumerate(weights)})


class ArtifactError(ValueError):
    """An artifact is missing or unusable; the message says which and why."""


@dataclass
class Artifacts:
    """Measuring side: the validated view of what the jail returned."""

    entries: dict[str, bytes]
    inputs: dict = field(default_factory=dict)
    source: str = ""
    # wall-clock seconds of the student's whole jail as the grader timed it (None when both
    # sides ran in one process, for tests and debugging)
    seconds: float | None = None

    def has(self, name: str) -> bool:
        return any(key.startswith(f"value:{name}") or key.startswith(f"array:{name}")
                   or key.startswith(f"model:{name}:") for key in self.entries)

    def value(self, name: str, default=None):
        data = self.entries.get(f"value:{name}")
        return default if data is None else load_json(data)

    def array(self, name: str):
        data = self.entries.get(f"array:{name}")
        if data is None:
            raise ArtifactError(f"no {name} came back")
        return load_array(data)

    def weights(self, name: str) -> list:
        paths = self.entries.get(f"model:{name}:paths")
        if paths is None:
            raise ArtifactError(f"no model {name} came back")
        count = len(load_json(paths))
        if count > MAX_WEIGHT_ARRAYS:
            raise ArtifactError(f"the model {name} has {count:,} weight arrays; the grader "
                                f"takes at most {MAX_WEIGHT_ARRAYS:,} (use fewer layers)")
        packed = decode(self.entries.get(f"model:{name}:weights", encode({})),
                        max_entries=MAX_WEIGHT_ARRAYS)
        if sorted(packed) != sorted(str(i) for i in range(count)):
            raise ArtifactError(f"the model {name}'s weights did not come back whole "
                                f"({len(packed)} of {count} arrays)")
        arrays = [load_array(packed[str(i)]) for i in range(count)]
        total = sum(a.size for a in arrays)
        if total > MAX_PARAMETERS:
            raise ArtifactError(f"{total:,} weights: more than {MAX_PARAMETERS:,}")
        return arrays

    def config(self, name: str) -> dict | None:
        data = self.entries.get(f"model:{name}:config")
        return None if data is None else load_json(data)

    def model(self, name: str):
        """The student's model rebuilt here from its configuration and weights; ArtifactError
        when the configuration is unsafe or unusable, or the weights do not fit it."""
        import keras

        config = self.config(name)
        if config is None:
            raise ArtifactError("the model cannot be saved as a Keras configuration "
                                "(a subclass without get_config?)")
        problem = safe_config(config)
        if problem:
            raise ArtifactError(problem)
        try:
            model = keras.saving.deserialize_keras_object(
                config, custom_objects=elementwise_functions(), safe_mode=True)
        except Exception as err:  # noqa: BLE001
            raise ArtifactError(f"the saved configuration does not load: "
                                f"{type(err).__name__}: {err}"[:200]) from None
        if not isinstance(model, keras.Model):
            raise ArtifactError("the saved configuration is not a keras.Model")
        weights = self.weights(name)
        if not assign_weights(model, weights):
            raise ArtifactError(f"{len(weights)} saved weights do not fit the saved "
                                f"architecture ({len(model.weights)} weights)")
        return model


def assign_weights(model, arrays) -> bool:
    """Load returned arrays into a model built on the measuring side, when their shapes are
    its variables' shapes; False (nothing assigned) when they are not."""
    variables = model.weights
    if len(variables) != len(arrays) or any(tuple(v.shape) != a.shape
                                            for v, a in zip(variables, arrays)):
        return False
    for variable, array in zip(variables, arrays):
        variable.assign(array.astype(variable.dtype))
    return True


# Classes a saved configuration may name: Keras's own building blocks, nothing that runs
# code (Lambda, TFSMLayer, wrappers of foreign modules) and no functions but activations.
_SAFE_MODULES = ("keras.layers", "keras.src.layers", "keras.initializers",
                 "keras.src.initializers", "keras.regularizers", "keras.src.regularizers",
                 "keras.constraints", "keras.src.constraints", "keras.activations",
                 "keras.src.activations", "keras.src.models", "keras.models")
_SAFE_TOP = {"Sequential", "Functional", "Model", "DTypePolicy", "FloatDTypePolicy",
             "Operation", "__keras_tensor__"}
_REFUSED = {"Lambda", "TFSMLayer", "TorchModuleWrapper", "JaxLayer", "FlaxLayer"}


def _allowed_class(module: str, name: str) -> bool:
    import keras

    if module == "keras":
        return name in _SAFE_TOP
    if not module.startswith(_SAFE_MODULES) or name in _REFUSED or not name.isidentifier():
        return False
    try:
        obj = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return False
    if isinstance(obj, type):
        return issubclass(obj, (keras.layers.Layer, keras.initializers.Initializer,
                                keras.regularizers.Regularizer, keras.constraints.Constraint))
    return module.startswith(("keras.activations", "keras.src.activations"))


def safe_config(config, depth: int = 0) -> str:
    """'' when a saved model configuration names only safe Keras classes, else why not."""
    if depth > 60:
        return "the configuration is nested too deeply"
    if isinstance(config, list):
        return next((p for p in (safe_config(c, depth + 1) for c in config) if p), "")
    if not isinstance(config, dict):
        return ""
    if "class_name" in config and ("module" in config or "registered_name" in config):
        module, name = config.get("module"), config.get("class_name")
        registered = config.get("registered_name")
        if name == "__lambda__":
            return "the model contains Python code (a lambda)"
        if name == "function":
            # Keras resolves a "builtins" function by name inside its own modules only
            # (activations, ops, ...); a keras.* module must be one of the safe ones
            ok = isinstance(config.get("config"), str) and config["config"].isidentifier() \
                and (module == "builtins" or str(module).startswith(
                    _SAFE_MODULES + ("keras.ops", "keras.src.ops")))
            return "" if ok else f"the model uses the function {module}.{config.get('config')}"
        if registered not in (None, name) and name != "__keras_tensor__":
            return (f"the model uses a custom class {registered!r}; build it from "
                    "Keras's own layers")
        if not isinstance(module, str) or not isinstance(name, str) \
                or not _allowed_class(module, name):
            return (f"the model uses {module}.{name}, which the grader does not load; "
                    "build it from Keras's own layers")
    for key, value in config.items():
        if key in ("module", "class_name", "registered_name"):
            continue
        problem = safe_config(value, depth + 1)
        if problem:
            return problem
    return ""


# Element-wise maths a layer may use as its activation (e.g. Dense(128, activation=ops.sin),
# saved by name only): Keras finds its own activations, these come from keras.ops.
_ELEMENTWISE = ("sin", "cos", "tan", "sinh", "cosh", "tanh", "arctan", "arcsinh", "exp",
                "expm1", "log", "log1p", "square", "sqrt", "abs", "absolute", "negative",
                "sign", "sigmoid", "softplus", "softsign", "relu", "relu6", "gelu", "silu",
                "elu", "selu", "leaky_relu", "hard_sigmoid", "erf", "cbrt")


def elementwise_functions() -> dict:
    from keras import ops

    return {name: getattr(ops, name) for name in _ELEMENTWISE if hasattr(ops, name)}


def finite(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) \
        and math.isfinite(value)


def artifact_error_types() -> tuple:
    return (ArtifactError, BundleError)
