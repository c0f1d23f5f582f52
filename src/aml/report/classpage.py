"""The class at a glance: one self-contained HTML page from a graded class's records.

Score histogram, pass rate per check, the tier each student reached, the most common hints,
run times, similarity flags, and for exercises that report accuracy and parameter count (the
lecture 3 classifiers) the class's accuracy-vs-parameters scatter with its Pareto front: the
course's own question, how much accuracy a parameter buys, asked of the whole class.
Charts are inline SVG, so the page needs no scripts and opens from disk.
"""

from __future__ import annotations

import html
import math
import re
from collections import Counter

from aml.grading.feedback import feedback_stem
from aml.grading.gradebook import check_ids, columns, exercise_maximum, scaled

_ACCURACY_PARAMS = re.compile(r"accuracy ([0-9.]+), ([\d,]+) parameters")
W, H, PAD = 560, 240, 40


def _esc(value) -> str:
    return html.escape(str(value), quote=True)


def _svg(body: str, ident: str, title: str, width: int = W, height: int = H) -> str:
    return (f"<svg id='{ident}' role='img' aria-label='{_esc(title)}' width='{width}' "
            f"height='{height}' viewBox='0 0 {width} {height}'><title>{_esc(title)}</title>"
            f"{body}</svg>")


def histogram(percents: list[float]) -> str:
    """Students per 10 % band of the score."""
    bins = [0] * 10
    for p in percents:
        bins[min(9, int(p // 10))] += 1
    top = max(bins) or 1
    bar_w = (W - 2 * PAD) / 10
    parts = []
    for i, count in enumerate(bins):
        h = (H - 2 * PAD) * count / top
        x, y = PAD + i * bar_w, H - PAD - h
        parts.append(f"<rect class='bar' data-count='{count}' x='{x:.1f}' y='{y:.1f}' "
                     f"width='{bar_w - 2:.1f}' height='{h:.1f}' fill='#4c78a8'>"
                     f"<title>{i * 10}-{i * 10 + 10} %: {count}</title></rect>")
        parts.append(f"<text x='{x + bar_w / 2:.1f}' y='{H - PAD + 14}' font-size='10' "
                     f"text-anchor='middle'>{i * 10}</text>")
        if count:
            parts.append(f"<text x='{x + bar_w / 2:.1f}' y='{y - 3:.1f}' font-size='10' "
                         f"text-anchor='middle'>{count}</text>")
    parts.append(f"<text x='{W / 2}' y='{H - 6}' font-size='11' text-anchor='middle'>"
                 "score (% of full marks)</text>")
    parts.append(f"<text x='12' y='{H / 2}' font-size='11' transform='rotate(-90 12 {H / 2})'"
                 " text-anchor='middle'>students</text>")
    return _svg("".join(parts), "histogram", "Score histogram")


def pass_rates(records: list[dict]) -> list[tuple[str, str, float]]:
    """(check id, check name, share of students who passed it) in check order."""
    keys, _ = columns(records)
    rates = []
    for ident, key in zip(check_ids(keys), keys):
        passed = sum(any(c["key"] == key and c["passed"] for c in r.get("checks", []))
                     for r in records)
        rates.append((ident, key, passed / len(records) if records else 0.0))
    return rates


def pass_rate_chart(rates) -> str:
    row_h, left = 20, 230
    height = row_h * len(rates) + 30
    parts = []
    for i, (_, name, rate) in enumerate(rates):
        y = 10 + i * row_h
        parts.append(f"<text x='{left - 6}' y='{y + 13}' font-size='11' text-anchor='end'>"
                     f"{_esc(name[:38])}</text>")
        parts.append(f"<rect class='rate' data-rate='{rate:.3f}' x='{left}' y='{y + 2}' "
                     f"width='{(W - left - 50) * rate:.1f}' height='{row_h - 6}' "
                     "fill='#54a24b'/>")
        parts.append(f"<text x='{left + (W - left - 50) * rate + 4:.1f}' y='{y + 13}' "
                     f"font-size='11'>{rate:.0%}</text>")
    return _svg("".join(parts), "pass-rate", "Pass rate per check", height=height)


def tier_of(record: dict) -> str:
    """The tier a student reached, as the checks say it."""
    for check in record.get("checks", []):
        if check["name"] == "highest tier reached" and check.get("measured"):
            return str(check["measured"]).split(":")[0]
    ladders: dict[str, list[dict]] = {}
    for check in record.get("checks", []):
        if check.get("tier"):
            ladders.setdefault(check["name"], []).append(check)
    if not ladders:
        return ""
    texts = []
    for name, rungs in ladders.items():
        reached = [c["tier"] for c in rungs if c["passed"]]
        texts.append(f"{name}: {reached[-1] if reached else 'none'}")
    return "; ".join(texts)


def accuracy_and_parameters(record: dict) -> tuple[float, int] | None:
    for check in record.get("checks", []):
        match = _ACCURACY_PARAMS.search(str(check.get("measured") or ""))
        if match:
            return float(match[1]), int(match[2].replace(",", ""))
    return None


def pareto_front(points: list[tuple[str, float, int]]) -> list[tuple[str, float, int]]:
    """Students no one beats on both counts: fewer parameters and higher accuracy."""
    front, best = [], -math.inf
    for name, accuracy, params in sorted(points, key=lambda p: (p[2], -p[1])):
        if accuracy > best:
            front.append((name, accuracy, params))
            best = accuracy
    return front


def pareto_chart(points: list[tuple[str, float, int]]) -> str:
    front = pareto_front(points)
    logs = [math.log10(max(p[2], 1)) for p in points]
    lo, hi = min(logs), max(logs)
    a_lo, a_hi = min(p[1] for p in points), max(p[1] for p in points)
    hi, a_hi = (hi if hi > lo else lo + 1), (a_hi if a_hi > a_lo else a_lo + 0.01)

    def xy(accuracy, params):
        x = PAD + (W - 2 * PAD) * (math.log10(max(params, 1)) - lo) / (hi - lo)
        y = H - PAD - (H - 2 * PAD) * (accuracy - a_lo) / (a_hi - a_lo)
        return x, y

    on_front = {p[0] for p in front}
    parts = []
    line = " ".join("{:.1f},{:.1f}".format(*xy(a, p)) for _, a, p in front)
    parts.append(f"<polyline id='front' points='{line}' fill='none' stroke='#e45756' "
                 "stroke-width='2'/>")
    for name, accuracy, params in points:
        x, y = xy(accuracy, params)
        colour = "#e45756" if name in on_front else "#4c78a8"
        parts.append(f"<circle class='student' cx='{x:.1f}' cy='{y:.1f}' r='4' "
                     f"fill='{colour}'><title>{_esc(name)}: {accuracy:.4f}, {params:,} "
                     "parameters</title></circle>")
    parts.append(f"<text x='{W / 2}' y='{H - 6}' font-size='11' text-anchor='middle'>"
                 "parameters (log scale)</text>")
    parts.append(f"<text x='12' y='{H / 2}' font-size='11' transform='rotate(-90 12 {H / 2})'"
                 " text-anchor='middle'>test accuracy</text>")
    return _svg("".join(parts), "pareto", "Accuracy against parameters with Pareto front")


def class_page(records: list[dict], exercise, settings: dict, *, points=None,
               similarity: dict | None = None, feedback_folder: str = "") -> str:
    maximum = exercise_maximum(records)
    out_of = maximum if points is None else points
    graded = sorted(records, key=lambda r: r["student"])
    percents = [scaled(r, maximum, points)[1] for r in graded]
    statuses = Counter(r["status"] for r in graded)
    hints = Counter(c["hint"] for r in graded for c in r.get("checks", [])
                    if not c["passed"] and c.get("hint") and c["points"] > 0)
    rows = []
    for r, percent in zip(graded, percents):
        grade, _ = scaled(r, maximum, points)
        link = (f"<a href='{_esc(feedback_folder)}/{_esc(feedback_stem(r['student']))}.html'>"
                f"{_esc(r['student'])}</a>") if feedback_folder else _esc(r["student"])
        flags = ", ".join(r.get("similar_to") or [])
        rows.append(f"<tr data-status='{_esc(r['status'])}'><td>{link}</td>"
                    f"<td>{grade:g}</td><td>{percent:g}</td><td>{_esc(r['status'])}</td>"
                    f"<td>{_esc(tier_of(r))}</td><td>{r.get('seconds', 0):.1f}</td>"
                    f"<td>{_esc(flags)}</td></tr>")
    times = sorted(r.get("seconds", 0.0) for r in graded)
    median = times[len(times) // 2] if times else 0.0
    scatter = [(r["student"], *found) for r in graded
               if (found := accuracy_and_parameters(r)) is not None]
    sections = [
        f"<h1>{_esc(exercise.id)}: {_esc(exercise.title)}</h1>",
        f"<p id='summary'>{len(graded)} students; grades out of {out_of:g}; "
        f"mean {sum(percents) / max(1, len(percents)):.1f} %; "
        + ", ".join(f"{n} {_esc(s)}" for s, n in sorted(statuses.items()))
        + f". Seed {settings.get('seed', 0)}"
        + (", quick checks" if settings.get("quick") else "") + ".</p>",
        "<h2>Scores</h2>", histogram(percents),
        "<h2>Pass rate per check</h2>", pass_rate_chart(pass_rates(graded)),
    ]
    if scatter:
        sections += ["<h2>Accuracy against parameters</h2>",
                     "<p>Each dot is a student; the red line joins the students no one beats"
                     " with fewer parameters and higher accuracy.</p>", pareto_chart(scatter),
                     "<p id='front-students'>On the front: "
                     + ", ".join(_esc(n) for n, _, _ in pareto_front(scatter)) + "</p>"]
    sections += [
        "<h2>Most common hints</h2><ol id='hints'>"
        + "".join(f"<li>{_esc(h)} <b>({n})</b></li>" for h, n in hints.most_common(8) if n)
        + "</ol>",
        f"<h2>Run times</h2><p id='times'>fastest {times[0] if times else 0:.1f} s, median "
        f"{median:.1f} s, slowest {times[-1] if times else 0:.1f} s, total "
        f"{sum(times):.0f} s</p>",
        "<h2>Students</h2><table id='students'><tr><th>student</th><th>grade</th>"
        "<th>%</th><th>status</th><th>tier</th><th>seconds</th><th>similar to</th></tr>"
        + "".join(rows) + "</table>",
    ]
    if similarity is not None:
        sections.append(f"<p id='similarity'>{len(similarity['pairs'])} pair(s) share more "
                        f"than {similarity['threshold']:.0%} of their own code: a flag to "
                        "look at, not a penalty.</p>")
    style = ("body{font-family:sans-serif;max-width:70em;margin:2em auto;padding:0 1em}"
             "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .6em}"
             "svg{display:block;margin:.5em 0;background:#fafafa}")
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>Class: "
            f"{_esc(exercise.id)}</title><style>{style}</style></head><body>"
            + "".join(sections) + "</body></html>\n")
