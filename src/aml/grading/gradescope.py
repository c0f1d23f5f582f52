"""`aml export gradescope EXERCISE`: the autograder zip of a Gradescope programming
assignment, and the runner that zip starts for each submission.

Gradescope's harness (gradescope-autograders.readthedocs.io: "Technical Details",
"Troubleshooting") builds an image by running `setup.sh`, puts each submission in
/autograder/submission, runs /autograder/run_autograder and reads
/autograder/results/results.json: `score`, `execution_time`, `output`, and `tests`, each
with `name`, `score`, `max_score`, `status`, `visibility` and `output`. By default a run
gets half a virtual CPU and 10 minutes; one check here runs in one thread under the
exercise's catalog timeout (capped at 8 minutes) so a looping submission still gets its
results file. Memory: a lecture 1 check peaks at about 0.78 GB resident under TensorFlow,
above Gradescope's 768 MB default, so the zip's README asks for the 1.5 GB setting.

The zip carries the aml package without its reference solutions, and `checks.json`: the
exercise's checks and points measured by grading the reference solution in the sandbox when
the zip is built. Every submission reports that same list of tests (a check its run did not
reach scores 0 with the reason), so a broken file is out of the same maximum as a correct
one. Set AML_AUTOGRADER_ROOT to run the runner against another folder than /autograder
(the tests do), and AML_AUTOGRADER_PYTHON to use another interpreter than setup.sh's venv.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import aml
from aml.atomic import write_bytes_atomic
from aml.errors import AmlError

GRADESCOPE_TIMEOUT_S = 480.0  # leaves two of the default ten minutes for start-up and I/O

SETUP_SH = """#!/usr/bin/env bash
# Runs once when Gradescope builds the autograder image (Ubuntu, as root).
set -euo pipefail
apt-get update
# bubblewrap: every submission is graded in the same jails as `aml grade`
apt-get install -y --no-install-recommends python3 python3-pip python3-venv bubblewrap
python3 -m venv /autograder/venv
/autograder/venv/bin/pip install --no-cache-dir -r /autograder/source/requirements.txt
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Runs for every submission; always leaves results/results.json behind.
ROOT="${AML_AUTOGRADER_ROOT:-/autograder}"
PYTHON="${AML_AUTOGRADER_PYTHON:-$ROOT/venv/bin/python}"
export AML_AUTOGRADER_ROOT="$ROOT"
mkdir -p "$ROOT/results"
cd "$ROOT/source"
PYTHONPATH="$ROOT/source" "$PYTHON" -m aml.grading.gradescope
"""

README = """Gradescope autograder for {id}: {title}

Upload this zip as the autograder of a programming assignment (Ubuntu base image).
Autograder settings: 0.5 vCPU is enough; choose 1.5 GB of memory (a check peaks at
about 0.78 GB under TensorFlow, above the 768 MB default); the default 10 minute timeout
holds (one check is stopped after {timeout:g} s).
Students submit {file} (or a notebook with the same contract).
Full marks: {maximum:g} points over {count} tests. Built with aml, seed {seed}{quick}.
"""


def _requirements() -> str:
    """The package's own dependencies (extras left out), so the image matches pyproject."""
    try:
        requires = importlib.metadata.requires("aml") or []
    except importlib.metadata.PackageNotFoundError:
        requires = []
    return "\n".join(r for r in requires if "extra ==" not in r) + "\n"


def reference_checks(exercise, *, quick: bool, seed: int, timeout_s: float) -> list[dict]:
    """Grade the reference solution in the sandbox: the exercise's checks and points."""
    from aml.grading.single import grade_one
    from aml.grading.templates import solution_path
    from aml.sandbox import Limits

    outcome = grade_one(exercise, solution_path(exercise), quick=quick, seed=seed,
                        limits=Limits(timeout_s=timeout_s))
    if outcome.status != "ok" or outcome.score < outcome.max_score:
        raise AmlError(f"the reference solution of {exercise.id} scores {outcome.score:g}/"
                       f"{outcome.max_score:g} ({outcome.status}: {outcome.detail}); "
                       "not exporting an autograder that would fail it")
    return [{"key": c["key"], "points": c["points"]} for c in outcome.checks]


def build_autograder(exercise, out: Path, *, quick: bool = False, seed: int = 0) -> Path:
    timeout = min(exercise.timeout_s, GRADESCOPE_TIMEOUT_S)
    checks = reference_checks(exercise, quick=quick, seed=seed, timeout_s=timeout)
    config = {"exercise": exercise.id, "quick": quick, "seed": seed, "timeout_s": timeout,
              "checks": checks}
    package = Path(aml.__file__).resolve().parent
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=out.parent, suffix=".zip", delete=False) as tmp:
        staging = Path(tmp.name)
    try:
        with zipfile.ZipFile(staging, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, text, mode in (("setup.sh", SETUP_SH, 0o755),
                                     ("run_autograder", RUN_AUTOGRADER, 0o755)):
                info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
                info.external_attr = (0o100000 | mode) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, text)
            zf.writestr("requirements.txt", _requirements())
            zf.writestr("checks.json", json.dumps(config, indent=1))
            zf.writestr("README.txt", README.format(
                id=exercise.id, title=exercise.title, timeout=timeout,
                file=Path(exercise.template).name, seed=seed,
                maximum=sum(c["points"] for c in checks), count=len(checks),
                quick=", quick checks" if quick else ""))
            for path in sorted(package.rglob("*.py")):
                relative = path.relative_to(package.parent)
                if "solutions" in relative.parts or "__pycache__" in relative.parts:
                    continue
                zf.write(path, str(relative))
        os.replace(staging, out)
    finally:
        staging.unlink(missing_ok=True)
    return out


# ---- inside the autograder container -------------------------------------------------------

def results_for(outcome, expected: list[dict], seconds: float) -> dict:
    """Gradescope's results.json: one test per expected check, in the exercise's order."""
    from aml.grading.checks import LOAD_CHECK

    got = {c["key"]: c for c in outcome.checks if c["key"] != LOAD_CHECK}
    reason = outcome.detail or outcome.status
    tests = []
    for number, want in enumerate(expected, 1):
        check = got.get(want["key"])
        if check is None:
            tests.append({"name": want["key"], "number": str(number), "score": 0.0,
                          "max_score": want["points"], "status": "failed",
                          "visibility": "visible",
                          "output": f"not run: {outcome.status}: {reason}"[:2000]})
            continue
        lines = [f"measured: {check.get('measured')}", f"target: {check.get('target')}"]
        if not check["passed"] and check.get("hint"):
            lines.append(f"hint: {check['hint']}")
        tests.append({"name": want["key"], "number": str(number),
                      "score": check["score"] if check["passed"] else 0.0,
                      "max_score": want["points"],
                      "status": "passed" if check["passed"] else "failed",
                      "visibility": "visible", "output": "\n".join(lines)[:2000]})
    summary = f"status: {outcome.status}" + (f" ({outcome.detail})" if outcome.detail else "")
    if outcome.status != "ok" and outcome.output.strip():
        summary += "\n\nyour code printed (last lines):\n" + "\n".join(
            outcome.output.splitlines()[-20:])[:4000]
    return {"score": round(sum(t["score"] for t in tests), 4),
            "execution_time": round(seconds, 1), "output": summary,
            "visibility": "visible", "stdout_visibility": "hidden", "tests": tests}


def main() -> int:
    from aml import catalog
    from aml.grading.intake import prepare_folder
    from aml.grading.single import grade_one
    from aml.sandbox import Limits, Outcome

    start = time.monotonic()
    root = Path(os.environ.get("AML_AUTOGRADER_ROOT") or "/autograder")
    results = root / "results" / "results.json"
    config = json.loads((root / "source" / "checks.json").read_text())
    exercise = catalog.get(config["exercise"], kind="exercise")
    with tempfile.TemporaryDirectory(prefix="aml-gradescope-") as work:
        sub = prepare_folder(root / "submission", Path(work),
                             Path(exercise.template).name)
        if sub.problem:
            outcome = Outcome(*sub.problem)
        else:
            try:
                outcome = grade_one(exercise, sub.path, quick=config["quick"],
                                    seed=config["seed"],
                                    limits=Limits(timeout_s=config["timeout_s"]))
            except AmlError as err:  # no jail here (user namespaces off): never grade bare
                outcome = Outcome("crashed", f"the autograder could not grade: {err}")
    report = results_for(outcome, config["checks"], time.monotonic() - start)
    write_bytes_atomic(results, json.dumps(report, indent=1).encode())
    print(f"{exercise.id}: {report['score']:g} points, {outcome.status}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
