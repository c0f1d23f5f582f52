"""A trained score within one standard error of its target is measured with two more seeds
and decided on the mean; the feedback says so, and a resumed run does not measure again."""

import csv

import grading_fixture
import numpy as np
import pytest

from aml import catalog, cli
from aml.grading.fairness import near_boundary, remeasure, standard_error

RANDOM = "import numpy as np\n\ndef calls(n):\n    return np.random.uniform(size=n)\n"
# knows the flips: far above the target whatever the seed
KNOWS = ("import numpy as np\n\ndef calls(n):\n"
         "    return np.random.default_rng(123).integers(0, 2, n).astype(float)\n")


def test_near_boundary_uses_the_binomial_standard_error():
    check = {"measured": 0.55, "target": ">= 0.5", "n": 40}
    assert standard_error(0.55, 40) == pytest.approx(0.0787, abs=1e-4)
    assert near_boundary(check)
    assert not near_boundary(dict(check, measured=0.65))
    assert not near_boundary(dict(check, n=0))          # no n: never re-measured
    assert not near_boundary(dict(check, measured="shape (2,)"))
    # lecture 3's tiers measure "accuracy with parameters" on 10,000 test images
    tier = {"measured": "0.7020 with 45,098 parameters", "target": ">= 0.7", "n": 10_000}
    assert near_boundary(tier) and not near_boundary(dict(tier, measured="0.7100 with 9"))


def test_remeasure_decides_on_the_mean_of_three_seeds():
    check = {"key": "acc", "name": "acc", "measured": 0.52, "target": ">= 0.5", "n": 40,
             "passed": True, "points": 1.0, "score": 1.0}
    record = {"student": "amy", "status": "ok", "checks": [check], "score": 1.0}
    later = {1: 0.45, 2: 0.47}
    changed = remeasure([record], lambda student, seed: [dict(check, measured=later[seed])],
                        seed=0)
    assert changed == [record] and record["remeasured"]
    assert (check["passed"], check["measured"], record["score"]) == (False, 0.48, 0.0)
    assert record["fairness"] == [
        "acc: 0.52 (seed 0) is within one standard error (0.079) of >= 0.5; measured with "
        "seeds 0, 1, 2: 0.52, 0.45, 0.47, mean 0.48: not reached"]


def test_grade_remeasures_near_the_target_and_says_so(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(catalog, "get", lambda entry_id, kind=None: grading_fixture.COIN)
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "guesser.py").write_text(RANDOM)
    (subs / "knower.py").write_text(KNOWS)
    out = tmp_path / "g.csv"
    assert cli.main(["grade", "t.coin", str(subs), "--out", str(out), "--timeout", "60",
                     "--results", str(tmp_path / "results")]) == 0
    printed = capsys.readouterr().out
    rows = {r["student"]: r for r in csv.DictReader(out.open())}
    assert rows["knower"]["grade"] == "1" and "re-measured" not in printed
    note = rows["guesser"]["feedback"]
    # the guesser's three runs, recomputed here from the same seeds
    flips = np.random.default_rng(123).integers(0, 2, 40)
    values = []
    for seed in (0, 1, 2):
        np.random.seed(seed)
        values.append(float(np.mean((np.random.uniform(size=40) > 0.5) == flips)))
    mean = sum(values) / 3
    assert "measured with seeds 0, 1, 2: " + ", ".join(f"{v:.4g}" for v in values) in note
    assert rows["guesser"]["grade"] == ("1" if mean >= 0.5 else "0")
    feedback = (tmp_path / "g.feedback" / "guesser.md").read_text()
    assert "within one standard error" in feedback
    assert "1 result(s) within one standard error of a target" in printed
    # resuming: nothing graded or measured again, the same decision
    assert cli.main(["grade", "t.coin", str(subs), "--out", str(out), "--timeout", "60",
                     "--results", str(tmp_path / "results")]) == 0
    again = capsys.readouterr().out
    assert "2 submissions already graded" in again and "standard error of a target" not in again
    assert {r["student"]: r for r in csv.DictReader(out.open())}["guesser"]["grade"] == \
        rows["guesser"]["grade"]


def test_the_number_of_test_examples_crosses_the_jail_wall():
    """`n` survives the grader's validation (a bad one becomes 0: no re-measuring) and the
    claims of a third-party plain check function (scored in the jail)."""
    from types import SimpleNamespace

    from aml.grading.checks import CheckResult
    from aml.sandbox import validate_checks
    from aml.sandbox.protocol import as_checker

    good = {"name": "acc", "passed": True, "measured": 0.9, "points": 1.0, "n": 40}
    checks, error = validate_checks([good, {**good, "name": "b", "n": True},
                                     {**good, "name": "c", "n": -3},
                                     {**good, "name": "d", "n": "40"}])
    assert error == "" and [c["n"] for c in checks] == [40, 0, 0, 0]

    def plain_check(module, quick=False):
        return [CheckResult("acc", True, module.accuracy, ">= 0.5", "", n=40)]

    results = as_checker(plain_check)(SimpleNamespace(accuracy=0.52))
    assert [(r.measured, r.n) for r in results] == [(0.52, 40)]
    assert near_boundary({"measured": results[0].measured, "target": results[0].target,
                          "n": results[0].n})
