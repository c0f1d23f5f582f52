"""Running untrusted code: the jail (bubblewrap, cgroups, rlimits), the student's side that
only produces artifacts, and the warm measuring side that scores them. See aml.sandbox.run."""

from aml.sandbox.jail import isolation_problem
from aml.sandbox.protocol import Artifacts, Checker, Recorder
from aml.sandbox.run import (
    DEFAULT_MEMORY_MB,
    DEFAULT_TIMEOUT_S,
    Limits,
    Measurer,
    Outcome,
    grade_submission,
    validate_checks,
)

__all__ = ["DEFAULT_MEMORY_MB", "DEFAULT_TIMEOUT_S", "Artifacts", "Checker", "Limits",
           "Measurer", "Outcome", "Recorder", "grade_submission", "isolation_problem",
           "validate_checks"]
