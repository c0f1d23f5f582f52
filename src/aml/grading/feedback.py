"""Per-student feedback a student can act on: every check with what was measured, the
target, the points and the hint, the notes from intake (skipped notebook lines, lateness),
re-measurements near a boundary, and the command that re-runs the same checks at home."""

from __future__ import annotations

import html
import re
from pathlib import Path

from aml.atomic import write_bytes_atomic
from aml.grading.gradebook import exercise_maximum, scaled
from aml.grading.intake import describe_in_cells


def _measured(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def rerun_command(exercise_id: str, settings: dict, file_name: str) -> str:
    parts = ["aml", "check", exercise_id, "--file", file_name, "--seed",
             str(settings.get("seed", 0))]
    if settings.get("quick"):
        parts.append("--quick")
    if settings.get("backend") and settings["backend"] != "tensorflow":
        parts += ["--backend", settings["backend"]]
    return " ".join(parts)


def _summary(record: dict, maximum: float, points: float | None) -> tuple[str, list[str]]:
    grade, percent = scaled(record, maximum, points)
    out_of = maximum if points is None else points
    info = record.get("info") or {}
    head = f"{grade:g} / {out_of:g} points ({percent:g} %), status: {record['status']}"
    lines = []
    if record.get("detail"):
        lines.append(describe_in_cells(str(record["detail"]), info))
    if info.get("late"):
        lines.append("submitted late (as marked by the learning platform)")
    lines += list(info.get("notes") or [])
    lines += list(record.get("fairness") or [])
    return head, lines


def markdown(record: dict, exercise, settings: dict, maximum: float,
             points: float | None, file_name: str) -> str:
    head, lines = _summary(record, maximum, points)
    info = record.get("info") or {}
    out = [f"# {exercise.id}: {exercise.title}", "",
           f"Student: {info.get('name') or record['student']}", "", f"**{head}**", ""]
    out += [f"- {line}" for line in lines] + ([""] if lines else [])
    checks = record.get("checks") or []
    if checks:
        out += ["| check | result | measured | target | points |",
                "|---|---|---|---|---|"]
        for c in checks:
            cells = [c["key"], "pass" if c["passed"] else "FAIL", _measured(c.get("measured")),
                     str(c.get("target") or ""), f"{c['score']:g}/{c['points']:g}"]
            out.append("| " + " | ".join(x.replace("|", "/").replace("\n", " ")
                                         for x in cells) + " |")
        hints = [c for c in checks if not c["passed"] and c.get("hint")]
        if hints:
            out += ["", "## What to try", ""]
            seen = set()
            for c in hints:
                if c["hint"] not in seen:
                    seen.add(c["hint"])
                    out.append(f"- **{c['name']}**: {c['hint']}")
    out += ["", "## Run the same checks yourself", "", "```",
            rerun_command(exercise.id, settings, file_name), "```", ""]
    return "\n".join(out)


def to_html(text: str, title: str) -> str:
    """The Markdown above as a small self-contained page (tables, lists, code)."""
    body, in_table, in_list, in_code = [], False, False, False
    for line in text.splitlines():
        if line.startswith("```"):
            body.append("</pre>" if in_code else "<pre>")
            in_code = not in_code
            continue
        if in_code:
            body.append(html.escape(line))
            continue
        if in_list and not line.startswith("- "):
            body.append("</ul>")
            in_list = False
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            if set("".join(cells)) <= {"-"}:
                continue
            tag = "th" if not in_table else "td"
            if not in_table:
                body.append("<table>")
                in_table = True
            cls = ' class="fail"' if "FAIL" in cells else ""
            body.append(f"<tr{cls}>" + "".join(f"<{tag}>{html.escape(c)}</{tag}>"
                                               for c in cells) + "</tr>")
            continue
        if in_table:
            body.append("</table>")
            in_table = False
        if line.startswith("# "):
            body.append(f"<h1>{html.escape(line[2:])}</h1>")
        elif line.startswith("## "):
            body.append(f"<h2>{html.escape(line[3:])}</h2>")
        elif line.startswith("- "):
            if not in_list:
                body.append("<ul>")
                in_list = True
            item = html.escape(line[2:])
            body.append("<li>" + re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", item) + "</li>")
        elif line.strip():
            body.append("<p>" + re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>",
                                       html.escape(line)) + "</p>")
    if in_table:
        body.append("</table>")
    if in_list:
        body.append("</ul>")
    style = ("body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em}"
             "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;"
             "text-align:left}tr.fail td{background:#fde8e8}pre{background:#f4f4f4;"
             "padding:.6em}")
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}"
            f"</title><style>{style}</style></head><body>{''.join(body)}</body></html>\n")


def feedback_stem(student: str) -> str:
    return re.sub(r"[^\w.-]+", "_", student).strip("._") or "student"


def write_feedback(records: list[dict], exercise, settings: dict, folder: Path,
                   points: float | None = None) -> list[Path]:
    """feedback/<student>.md and .html for every record; returns the Markdown paths."""
    maximum = exercise_maximum(records)
    folder.mkdir(parents=True, exist_ok=True)
    file_name = Path(exercise.template).name
    written = []
    for record in records:
        text = markdown(record, exercise, settings, maximum, points, file_name)
        stem = folder / feedback_stem(record["student"])
        write_bytes_atomic(stem.with_suffix(".md"), text.encode())
        write_bytes_atomic(stem.with_suffix(".html"),
                           to_html(text, f"{exercise.id}: {record['student']}").encode())
        written.append(stem.with_suffix(".md"))
    return written
