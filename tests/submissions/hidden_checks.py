"""A teacher's hidden check for l1.sequential: build_model() must build a new model each call."""
from aml.grading.checks import CheckResult, call_student


def hidden_checks(module, quick=False):
    first, second = call_student(module, "build_model"), call_student(module, "build_model")
    return [CheckResult("fresh model per call", first is not second, None, "a new model",
                        "build the model inside build_model()", points=2)]
