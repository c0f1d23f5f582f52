"""Check results, tiers, value guards, and the committed templates being up to date."""

import math

import numpy as np

from aml.grading.checks import (
    INVALID,
    CheckResult,
    checked_array,
    finite_number,
    format_results,
    summary,
    tier_summary,
    tiered,
)
from aml.grading.templates import stale_templates


def test_committed_templates_are_up_to_date():
    assert stale_templates() == []


def test_tiers_score_each_rung_and_say_which_is_reached():
    rungs = tiered("CNN test accuracy", 0.74, (0.6, 0.7, 0.8), hint="add filters")
    assert [r.passed for r in rungs] == [True, True, False]
    assert [r.key for r in rungs] == ["CNN test accuracy [tier 0.6]",
                                      "CNN test accuracy [tier 0.7]",
                                      "CNN test accuracy [tier 0.8]"]
    assert summary(rungs) == (2.0, 3.0)
    assert tier_summary(rungs) == {"CNN test accuracy": "tier 0.7 reached, 0.8 not yet"}
    text = format_results(rungs)
    assert "CNN test accuracy: 0.74: tier 0.7 reached, 0.8 not yet" in text
    assert text.count("hint: add filters") == 1 and "score 2/3" in text
    top = tiered("loss", 0.01, (0.1, 0.05), op="<=", labels=("ok", "good"))
    assert tier_summary(top) == {"loss": "tier good reached (the top one)"}
    none = tiered("acc", float("nan"), (0.5,))
    assert none[0].passed is False and none[0].status == INVALID
    assert tier_summary(none) == {"acc": "no tier reached, 0.5 not yet"}


def test_value_guards():
    assert finite_number("2.5") == 2.5
    assert finite_number(math.inf) is None and finite_number("x") is None
    array, problem = checked_array([[1, 2]], (None, 2))
    assert problem == "" and array.shape == (1, 2)
    assert checked_array([1, np.nan], (2,))[1] == "contains NaN or inf"
    assert checked_array(np.zeros((3, 1)), (3,))[1] == "shape (3, 1), expected (3,)"
    assert checked_array(object(), (1,))[1].startswith("not an array of numbers")


def test_format_results_marks_status_and_hints():
    text = format_results([CheckResult("a", True, 1, ">= 1"),
                           CheckResult("b", False, "nan", "finite", "fix b", status=INVALID)])
    assert "  PASS  a: 1 (target >= 1)" in text
    assert "  FAIL  b: nan (target finite) [invalid output]" in text
    assert "hint: fix b" in text and "score 1/2" in text
