"""Grades out: a gradebook CSV that a learning platform imports as it is.

- `canvas`: the columns Canvas's gradebook import reads (Student, ID, SIS User ID, SIS Login
  ID, Section, then one column per assignment), as Canvas documentation and university
  guides for "Import grades from a CSV" describe them: Canvas matches a row on its user `ID`
  (here from the Canvas export's file names) and creates or updates the assignment named by
  the column header. Grades are points out of `--points`.
- `moodle`: the assignment's offline grading worksheet ("Upload grading worksheet"):
  `Identifier` is "Participant <id>" with the participant id of Moodle's download folder
  names, then `Full name`, `Grade`, `Maximum Grade` and `Feedback comments`; Moodle finds
  the columns by these header names (see nbgrader-to-Moodle tools that fill the same sheet).
- `plain`: one row per student with short stable check ids as headers, points, a
  percentage, the status and a feedback column.

Every cell passes through `spreadsheet_safe`, so a student named "=HYPERLINK(...)" stays
text in Excel, LibreOffice and Google Sheets.
"""

from __future__ import annotations

import csv
import io
import re

from aml.grading.checks import LOAD_CHECK
from aml.grading.intake import describe_in_cells

# A cell starting with one of these is a formula in common spreadsheets (OWASP "CSV
# injection"); a leading apostrophe makes it text and is hidden by the spreadsheet.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "|", "%")
_NUMBER = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?%?$")
FORMATS = ("plain", "canvas", "moodle")
# statuses in which the student's file loaded and ran to the end of the checks
RAN = ("ok", "invalid output")


def spreadsheet_safe(value) -> str:
    """The cell as text a spreadsheet will not evaluate (plain numbers stay numbers)."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START) and not _NUMBER.match(text):
        return "'" + text
    return text


def check_id(key: str) -> str:
    """A short, stable column id for a check: its name in lower-case words, and the tier."""
    name, _, tier = key.partition(" [tier ")
    words = re.findall(r"[a-z0-9]+", name.lower().replace("()", ""))
    stop = {"a", "an", "the", "is", "are", "of", "as", "to", "with", "on"}
    short = ""
    for word in (w for w in words if w not in stop):
        if short and len(short) + 1 + len(word) > 28:
            break
        short = f"{short}_{word}" if short else word[:28]
    return (short or "check") + (f"@{tier.rstrip(']')}" if tier else "")


def check_ids(keys: list[str]) -> list[str]:
    """check_id of each key, made unique within the exercise (a suffix on repeats)."""
    ids, seen = [], set()
    for key in keys:
        ident, n = check_id(key), 2
        while ident in seen:
            ident, n = f"{check_id(key)}_{n}", n + 1
        seen.add(ident)
        ids.append(ident)
    return ids


def columns(records: list[dict]) -> tuple[list[str], dict[str, float]]:
    """Check keys (the load check excluded) in first-seen order, and the points of each."""
    keys: dict[str, float] = {}
    for record in sorted(records, key=lambda r: r["student"]):
        for check in record.get("checks", []):
            if check["key"] != LOAD_CHECK:
                keys[check["key"]] = max(keys.get(check["key"], 0.0), check["points"])
    return list(keys), keys


def exercise_maximum(records: list[dict]) -> float:
    """The exercise's full marks: the largest maximum any student's checks reached (a file
    that does not load runs no checks, so its own maximum says nothing)."""
    return max((r.get("max_score", 0.0) for r in records), default=0.0)


def scaled(record: dict, maximum: float, points: float | None) -> tuple[float, float]:
    """(grade out of `points` or of the exercise maximum, percentage)."""
    fraction = record["score"] / maximum if maximum else 0.0
    out_of = maximum if points is None else points
    return round(fraction * out_of, 2), round(100 * fraction, 1)


def feedback_line(record: dict, limit: int = 400) -> str:
    """One line for the gradebook: the status when not ok, then the first hints."""
    parts = []
    if record["status"] != "ok":
        detail = describe_in_cells(str(record.get("detail") or ""), _info(record))
        parts.append(f"{record['status']}: {detail}".strip(": "))
    seen = set()
    for check in record.get("checks", []):
        if not check["passed"] and check.get("hint") and check["hint"] not in seen \
                and check["points"] > 0:
            seen.add(check["hint"])
            parts.append(f"{check['name']}: {check['hint']}")
    for note in record.get("fairness", []):
        parts.append(note)
    text = " | ".join(parts) or "all checks passed"
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _info(record: dict) -> dict:
    return record.get("info") or {}


def render(records: list[dict], fmt: str = "plain", *, points: float | None = None,
           assignment: str = "grade") -> str:
    """The gradebook CSV text in one of FORMATS, rows sorted by student."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, got {fmt!r}")
    maximum = exercise_maximum(records)
    out_of = maximum if points is None else points
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")

    def row(cells):
        writer.writerow([spreadsheet_safe(c) for c in cells])

    ordered = sorted(records, key=lambda r: r["student"])
    if fmt == "canvas":
        row(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", assignment])
        row(["Points Possible", "", "", "", "", f"{out_of:g}"])
        for record in ordered:
            grade, _ = scaled(record, maximum, points)
            info = _info(record)
            row([info.get("name") or record["student"], info.get("lms_id", ""), "", "", "",
                 f"{grade:g}"])
    elif fmt == "moodle":
        row(["Identifier", "Full name", "Email address", "Grade", "Maximum Grade",
             "Feedback comments"])
        for record in ordered:
            grade, _ = scaled(record, maximum, points)
            info = _info(record)
            identifier = f"Participant {info['lms_id']}" if info.get("source") == "moodle" \
                and info.get("lms_id") else info.get("lms_id") or record["student"]
            row([identifier, info.get("name") or record["student"], info.get("email", ""),
                 f"{grade:g}", f"{out_of:g}", feedback_line(record)])
    else:
        keys, _ = columns(records)
        row(["student", "name", "lms_id", "runs"] + check_ids(keys)
            + ["score", "max", "grade", "out_of", "percent", "status", "late", "feedback",
               "seconds"])
        for record in ordered:
            by_key = {c["key"]: c for c in record.get("checks", [])}
            grade, percent = scaled(record, maximum, points)
            info = _info(record)
            row([record["student"], info.get("name", ""), info.get("lms_id", ""),
                 int(record["status"] in RAN)]
                + [f"{by_key[k]['score']:g}" if k in by_key else "0" for k in keys]
                + [f"{record['score']:g}", f"{maximum:g}", f"{grade:g}", f"{out_of:g}",
                   f"{percent:g}", record["status"], "late" if info.get("late") else "",
                   feedback_line(record), f"{record.get('seconds', 0.0):.2f}"])
    return buffer.getvalue()


def legend(records: list[dict]) -> list[tuple[str, str, float]]:
    """(column id, full check name, points) for the plain CSV's check columns."""
    keys, points = columns(records)
    return [(ident, k, points[k]) for ident, k in zip(check_ids(keys), keys)]
