"""Grades out: the plain, Canvas and Moodle gradebooks, feedback files, formula-safe cells."""

import csv
import io

from aml.catalog import Exercise
from aml.grading.feedback import markdown, to_html
from aml.grading.gradebook import check_ids, render, spreadsheet_safe


def check(name, passed, points=1.0, measured=None, target=None, hint="", tier=""):
    key = f"{name} [tier {tier}]" if tier else name
    return {"name": name, "key": key, "tier": tier, "passed": passed, "points": points,
            "score": points if passed else 0.0, "measured": measured, "target": target,
            "hint": hint, "status": ""}


def record(student, checks, status="ok", detail="", info=None):
    return {"student": student, "status": status, "detail": detail, "checks": checks,
            "score": sum(c["score"] for c in checks),
            "max_score": sum(c["points"] for c in checks), "seconds": 1.5, "info": info or {}}


CLASS = [
    record("alice", [check("returns a model", True), check("accuracy", True, 2, 0.97, ">= 0.93")],
           info={"name": "Alice A", "lms_id": "11", "source": "canvas"}),
    record("bob", [check("returns a model", True),
                   check("accuracy", False, 2, 0.41, ">= 0.93", "train longer")],
           info={"name": "Bob B", "lms_id": "22", "source": "moodle", "late": True}),
    # a file that does not load: only the zero-point load check, its own maximum 0
    record("=HYPERLINK(\"http://x\")", [check("file loads and runs", False, 0, None, None,
                                              "line 3: syntax error")],
           status="error", detail="line 3: syntax error"),
]


def rows(text):
    return list(csv.reader(io.StringIO(text)))


def test_plain_gradebook_has_stable_ids_a_percentage_and_feedback():
    table = rows(render(CLASS, "plain", points=10))
    assert table[0] == ["student", "name", "lms_id", "runs", "returns_model", "accuracy",
                        "score", "max", "grade", "out_of", "percent", "status", "late",
                        "feedback", "seconds"]
    by = {r[0]: r for r in table[1:]}
    # everyone is out of the exercise's 3 points, also the file that never ran
    assert by["alice"][3:13] == ["1", "1", "2", "3", "3", "10", "10", "100", "ok", ""]
    assert by["bob"][3:14] == ["1", "1", "0", "1", "3", "3.33", "10", "33.3", "ok", "late",
                               "accuracy: train longer"]
    broken = by["'=HYPERLINK(\"http://x\")"]
    assert broken[3:12] == ["0", "0", "0", "0", "3", "0", "10", "0", "error"]
    assert broken[13] == "error: line 3: syntax error"


def test_canvas_and_moodle_gradebooks():
    canvas = rows(render(CLASS, "canvas", points=20, assignment="Lab 1 (l1.sequential)"))
    assert canvas[:3] == [["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
                           "Lab 1 (l1.sequential)"],
                          ["Points Possible", "", "", "", "", "20"],
                          ["'=HYPERLINK(\"http://x\")", "", "", "", "", "0"]]
    assert canvas[3] == ["Alice A", "11", "", "", "", "20"]
    moodle = rows(render(CLASS, "moodle", points=20))
    assert moodle[0] == ["Identifier", "Full name", "Email address", "Grade", "Maximum Grade",
                         "Feedback comments"]
    assert moodle[3] == ["Participant 22", "Bob B", "", "6.67", "20", "accuracy: train longer"]


def test_spreadsheet_safe_and_unique_ids():
    assert [spreadsheet_safe(v) for v in ("=1+1", "+x", "-2", "@SUM(A1)", "\tx", "plain",
                                          "-2.5", "3")] == \
        ["'=1+1", "'+x", "-2", "'@SUM(A1)", "'\tx", "plain", "-2.5", "3"]
    assert check_ids(["the accuracy", "accuracy", "held-out R2 [tier 0.9]"]) == \
        ["accuracy", "accuracy_2", "held_out_r2@0.9"]


def test_feedback_lists_every_check_and_the_rerun_command():
    exercise = Exercise("l1.sequential", 1, "Iris", "lecture1/sequential.py",
                        "lecture1/sequential.py", "x:y")
    bob = dict(CLASS[1], fairness=["accuracy re-measured with seeds 1, 2: mean 0.92"])
    text = markdown(bob, exercise, {"seed": 3, "quick": True}, 3.0, 10, "sequential.py")
    assert "**3.33 / 10 points (33.3 %), status: ok**" in text
    assert "| accuracy | FAIL | 0.41 | >= 0.93 | 0/2 |" in text
    assert "- **accuracy**: train longer" in text
    assert "- submitted late (as marked by the learning platform)" in text
    assert "- accuracy re-measured with seeds 1, 2: mean 0.92" in text
    assert "aml check l1.sequential --file sequential.py --seed 3 --quick" in text
    page = to_html(text, "bob")
    assert "<tr class=\"fail\"><td>accuracy</td><td>FAIL</td>" in page
    assert "<pre>aml check l1.sequential" in page
