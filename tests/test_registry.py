"""The registry of lecture specs: a new lecture is one package plus its registration, and it
reaches `aml list`, `aml run`, the report, `aml notebook` and `aml exercises build` with no
other file touched. Specs stay light, and checkers hold no thresholds of their own."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import aml
from aml import catalog
from aml.data.iris import linear_baseline
from aml.errors import AmlError
from aml.grading.checks import run_check
from aml.grading.templates import solution_path
from aml.sandbox.protocol import UNTRUSTED_NOTE

SPEC = '''
"""Lecture 6 of a teacher's own: one example and one exercise."""

from aml.lectures import Example, Exercise, Lecture
from aml.targets import Target

LECTURE = Lecture(6, "Least squares by hand", (
    Example("l6.line", 6, "A straight line fitted by least squares", "lecture6.line:line",
            "lecture6.line:LineConfig", (Target("slope_error", "<", 0.05),),
            topics=("normal_equations",)),
    Exercise("l6.slope", 6, "The slope of a line", "lecture6/slope.py",
             "lecture6.solutions:slope.py", "lecture6.checks:check_slope",
             (Target("slope_error", "<", 0.05),)),
), topics=(("normal_equations", "### The normal equations\\n$X^T X w = X^T y$ gives w."),))
'''

LINE = '''
"""Fit y = 2x + 1 + noise by least squares."""

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class LineConfig:
    points: int = 200

    @classmethod
    def quick(cls):
        return cls(points=50)


def line(config, ctx):
    """Least squares on noisy points of y = 2x + 1."""
    rng = np.random.default_rng(ctx.seed)
    x = rng.uniform(0, 1, config.points)
    y = 2 * x + 1 + rng.normal(0, 0.01, config.points)
    slope, _ = np.polyfit(x, y, 1)
    return {"slope_error": float(abs(slope - 2))}
'''

SOLUTION = '''
"""Return the slope of the least-squares line through (x, y)."""

import numpy as np


def slope(x, y):
    # BEGIN SOLUTION: fit a degree-1 polynomial and return its slope
    return float(np.polyfit(x, y, 1)[0])
    # END SOLUTION
'''

CHECKS = '''
import numpy as np

from aml.grading.checks import against, call_student, target_of

NEEDS_KERAS = False


def check_slope(module, quick=False):
    x = np.linspace(0, 1, 20)
    error = abs(call_student(module, "slope", x, 3 * x - 1) - 3)
    return [against("slope", error, target_of("l6.slope", "slope_error"), quick)]
'''


@pytest.fixture(scope="module")
def lecture6(tmp_path_factory) -> dict:
    """A lecture 6 package outside aml, registered only through $AML_LECTURES."""
    root = tmp_path_factory.mktemp("teacher")
    package = root / "lecture6"
    (package / "solutions").mkdir(parents=True)
    for relative, text in {"__init__.py": "", "spec.py": SPEC, "line.py": LINE,
                           "checks.py": CHECKS, "solutions/__init__.py": "",
                           "solutions/slope.py": SOLUTION}.items():
        (package / relative).write_text(textwrap.dedent(text).lstrip())
    env = {**os.environ, "AML_LECTURES": "lecture6",
           "PYTHONPATH": os.pathsep.join([aml.SOURCE_ROOT, str(root)]),
           "AML_RESULTS": str(root / "results"), "TF_CPP_MIN_LOG_LEVEL": "3"}
    return {"root": root, "env": env}


def aml_cli(lecture6, *args) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "aml", *args], env=lecture6["env"],
                          cwd=lecture6["root"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def test_a_new_lecture_package_reaches_every_command(lecture6):
    root = lecture6["root"]
    listing = aml_cli(lecture6, "list").stdout
    assert "l6.line" in listing and "l6.slope" in listing and "l1.iris" in listing

    aml_cli(lecture6, "run", "l6.line", "--quick", "--quiet")
    (record,) = [json.loads(p.read_text()) for p in (root / "results").rglob("metrics.json")]
    assert record["id"] == "l6.line" and record["passed"] is True

    aml_cli(lecture6, "report", "--out", str(root / "site"))
    page = (root / "site" / "lecture-6.html").read_text()
    assert "Lecture 6: Least squares by hand" in page and "l6.line" in page and "l6.slope" in page
    assert "Topics: The normal equations" in page
    assert 'href="lecture-6.html"' in (root / "site" / "index.html").read_text()

    aml_cli(lecture6, "notebook", "l6.line", "--out", str(root / "notebooks"))
    notebook = json.loads((root / "notebooks" / "l6.line.ipynb").read_text())
    text = "".join("".join(cell["source"]) for cell in notebook["cells"])
    assert "The normal equations" in text and "def line(config, ctx)" in text

    aml_cli(lecture6, "exercises", "build", "--out", str(root / "exercises"))
    template = (root / "exercises" / "lecture6" / "slope.py").read_text()
    assert "raise NotImplementedError('fit a degree-1 polynomial" in template


@pytest.mark.sandbox
def test_aml_check_grades_the_new_lecture_in_the_jail(lecture6):
    solution = lecture6["root"] / "lecture6" / "solutions" / "slope.py"
    checked = aml_cli(lecture6, "check", "l6.slope", "--file", str(solution)).stdout
    assert "PASS  slope" in checked and "(target < 0.05)" in checked and "score 1/1" in checked
    # a third-party plain check function runs whole in the student's jail, and says so
    [note] = [line for line in checked.splitlines() if line.startswith("  note: ")]
    assert note.endswith(UNTRUSTED_NOTE), note


def test_the_new_lecture_is_graded_against_its_spec(lecture6, monkeypatch):
    monkeypatch.setenv("AML_LECTURES", "lecture6")
    monkeypatch.syspath_prepend(str(lecture6["root"]))
    exercise = catalog.get("l6.slope")
    (result,) = run_check(exercise, solution_path(exercise))
    assert result.passed and result.target == "< 0.05"
    entries = tuple(e if e.id != "l6.slope" else _with_threshold(e, "slope_error", -1.0)
                    for e in catalog.entries())
    monkeypatch.setattr(catalog, "entries", lambda: entries)
    (result,) = run_check(exercise, solution_path(exercise))
    assert not result.passed and result.target == "< -1"


def test_broken_registrations_are_one_line_errors(lecture6, monkeypatch):
    monkeypatch.setenv("AML_LECTURES", "no_such_lecture_package")
    with pytest.raises(AmlError, match="no_such_lecture_package"):
        catalog.lectures()
    monkeypatch.setenv("AML_LECTURES", "aml.lectures.lecture1,lecture6")
    monkeypatch.syspath_prepend(str(lecture6["root"]))
    assert [spec.number for spec in catalog.lectures()][-1] == 6
    env = {**lecture6["env"], "AML_LECTURES": "nowhere"}
    done = subprocess.run([sys.executable, "-m", "aml", "list"], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1 and "nowhere" in done.stderr


def test_reading_every_spec_imports_no_keras():
    code = ("import sys\nfrom aml import catalog\n"
            "specs = catalog.lectures()\nentries = catalog.entries()\n"
            "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
            "('keras', 'tensorflow', 'jax', 'torch'))\n"
            "print(len(specs), len(entries), heavy)")
    env = {**os.environ, "PYTHONPATH": aml.SOURCE_ROOT}
    env.pop("AML_LECTURES", None)
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    lectures, entries, heavy = done.stdout.split(" ", 2)
    assert int(lectures) == len(catalog.LECTURE_PACKAGES) and int(entries) > 20
    assert heavy.strip() == "[]"


def _with_threshold(entry, metric: str, threshold: float):
    import dataclasses

    return dataclasses.replace(entry, targets=tuple(
        dataclasses.replace(t, threshold=threshold, quick=None) if t.metric == metric else t
        for t in entry.targets))


def _checker_modules() -> set[str]:
    return {e.checker.partition(":")[0] for e in catalog.exercises()}


@pytest.mark.parametrize("module", sorted(_checker_modules()))
def test_no_checker_holds_its_own_threshold(module):
    """Thresholds live in the specs: a checker module defines no float constants and no
    names that read like targets, tiers or limits."""
    path = Path(catalog.resolve(f"{module}:__file__"))
    tree = ast.parse(path.read_text())
    suspicious = []
    for node in tree.body:
        if not isinstance(node, (ast.Assign, ast.AnnAssign)):
            continue
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        names = [n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)]
        floats = [c.value for c in ast.walk(node.value) if isinstance(c, ast.Constant)
                  and isinstance(c.value, float)] if node.value else []
        if floats or any(word in name for name in names for word in (
                "TARGET", "TIER", "THRESHOLD", "TOLERANCE", "LIMIT", "EXPECTED")):
            suspicious.append(f"{names} = {ast.unparse(node.value)}")
    assert suspicious == []


@pytest.mark.parametrize("exercise_id", ["l1.sequential", "l1.subclassing"])
def test_aml_check_grades_against_what_aml_show_lists(exercise_id, monkeypatch, capsys):
    from aml import cli

    exercise = catalog.get(exercise_id)
    assert cli.main(["show", exercise_id]) == 0
    shown = capsys.readouterr().out
    assert all(f"target  {t.describe()}" in shown for t in exercise.targets)
    results = {r.name: r for r in run_check(exercise, solution_path(exercise), quick=True)}
    (count,) = [t for t in exercise.targets if t.metric == "parameters"]
    assert results["parameter count"].target == f"{count.op} {count.threshold:g}"
    # the accuracy's bar: the linear baseline's flowers less the target's (quick) margin
    (margin,) = [t for t in exercise.targets if t.metric == "flowers_behind_linear"]
    linear = linear_baseline(0.2, seed=0).sum()
    assert results["test accuracy"].target == \
        f">= {(linear - margin.threshold_for(True)) / 30:.4g}"
    assert results["parameter count"].passed and results["test accuracy"].passed
    # move the spec's targets and the same check follows them
    moved = _with_threshold(_with_threshold(exercise, "flowers_behind_linear", -1),
                            "parameters", 68)
    entries = tuple(moved if e.id == exercise_id else e for e in catalog.entries())
    monkeypatch.setattr(catalog, "entries", lambda: entries)
    results = {r.name: r for r in run_check(moved, solution_path(moved), quick=True)}
    assert results["parameter count"].target == "== 68" and not results["parameter count"].passed
    assert results["test accuracy"].target == f">= {(linear + 1) / 30:.4g}"
    assert not results["test accuracy"].passed


def test_aml_show_lists_the_tiers_a_check_grades_against(capsys):
    from aml import cli

    assert cli.main(["show", "l3.text"]) == 0
    shown = capsys.readouterr().out
    for dataset, rungs in catalog.get("l3.text").tiers.levels:
        assert f"{' / '.join(f'{r:g}' for r in rungs)} [dataset={dataset}]" in shown


@pytest.mark.parametrize("entry", [e for e in catalog.entries() if e.tiers is not None],
                         ids=lambda e: e.id)
def test_a_target_on_a_tiered_metric_is_the_top_tier_of_its_dataset(entry):
    """Targets and tiers on one metric tell one story: passing means the top tier."""
    for target in entry.targets:
        if target.metric == entry.tiers.metric:
            (dataset,) = [value for key, value in target.when if key == "dataset"]
            assert target.threshold == entry.tiers.on(dataset)[-1]
