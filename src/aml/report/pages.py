"""The report's HTML pages as strings: plain HTML and one inline stylesheet, no scripts and
nothing fetched from the network, so the site opens from the file system and offline."""

from __future__ import annotations

from html import escape

from aml import catalog
from aml.results import outcome
from aml.tables import fmt


def lecture_titles() -> dict[int, str]:
    """Lecture number -> title, from the registered specs."""
    return {spec.number: spec.title for spec in catalog.lectures()}


CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d2330;
background:#f6f7f9}
header{background:#1f3a5f;color:#fff;padding:14px 28px}
header h1{margin:0;font-size:21px}
nav{display:flex;flex-wrap:wrap;gap:6px;margin-top:8px}
nav a{color:#dce7f5;text-decoration:none;padding:3px 9px;border-radius:4px}
nav a.here,nav a:hover{background:#345a8a;color:#fff}
main{max-width:1120px;margin:0 auto;padding:18px 28px 40px}
section.card{background:#fff;border:1px solid #dde1e7;border-radius:8px;padding:14px 20px;
margin:18px 0}
h2{font-size:19px;margin:6px 0 8px}h3{font-size:15px;margin:14px 0 6px;color:#3a4456}
table{border-collapse:collapse;margin:6px 0 10px;font-size:14px}
th,td{border-bottom:1px solid #e4e7ec;padding:4px 10px;text-align:left;vertical-align:top}
th{background:#eef1f5;white-space:nowrap}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600}
.pass{background:#d6f5dd;color:#17692c}.fail{background:#fbdada;color:#a01c1c}
.none{background:#e9ebef;color:#59616f}.quick{background:#fff1c7;color:#7a5a00}
.meta{color:#59616f;font-size:13px}
figure{display:inline-block;margin:6px 12px 6px 0;max-width:100%}
figure img{max-width:100%;height:auto;border:1px solid #e4e7ec;border-radius:4px}
figcaption{font-size:12px;color:#59616f}
code{background:#eef1f5;padding:0 4px;border-radius:3px}
details{margin:6px 0}summary{cursor:pointer;color:#345a8a}
.summary{display:flex;gap:14px;flex-wrap:wrap}
.summary div{background:#fff;border:1px solid #dde1e7;border-radius:8px;padding:10px 18px}
.summary b{display:block;font-size:24px}
"""


def lecture_file(lecture: int) -> str:
    return f"lecture-{lecture}.html"


def page(title: str, body: str, current: str) -> str:
    """A whole page: title, navigation (current page highlighted), body."""
    links = [("index.html", "Course")] + [(lecture_file(n), f"Lecture {n}")
                                        for n in lecture_titles()]
    links.append(("sweeps.html", "Sweeps"))
    nav = "".join(f'<a href="{href}"{" class=here" if href == current else ""}>{escape(text)}'
                  "</a>" for href, text in links)
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)} · aml report</title><style>{CSS}</style></head>"
            f"<body><header><h1>{escape(title)}</h1><nav>{nav}</nav></header>"
            f"<main>{body}</main></body></html>\n")


def table(headers: list[str], rows: list[list], numeric: tuple[int, ...] = ()) -> str:
    """An HTML table; cells are escaped unless wrapped in Raw."""
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = ""
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            text = cell.html if isinstance(cell, Raw) else escape(fmt(cell))
            cells.append(f'<td class="num">{text}</td>' if i in numeric else f"<td>{text}</td>")
        body += "<tr>" + "".join(cells) + "</tr>"
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


class Raw:
    """Already-escaped HTML for a table cell."""

    def __init__(self, html: str):
        self.html = html


def badge(record: dict | None) -> str:
    if record is None:
        return '<span class="badge none">never run</span>'
    text = outcome(record)
    kind = {"pass": "pass", "no target": "none", "met (within 1 SE)": "quick",
            "skipped": "none"}.get(text, "fail")
    quick = ' <span class="badge quick">quick</span>' if record.get("quick") else ""
    return f'<span class="badge {kind}">{text}</span>{quick}'


def _target_line(record: dict) -> str:
    parts = [f"{t['metric']} {fmt(t['value'])} (target {t['target'].split(' ', 1)[-1]})"
             for t in record.get("targets", [])]
    return "; ".join(parts) or "-"


def index_page(examples, runs: dict, sweeps: list, generated: str,
               classes: list[str] = ()) -> str:
    """The whole course at a glance: every example's result, lecture by lecture."""
    ran = [runs[e.id] for e in examples if e.id in runs]
    outcomes = [outcome(r) for r in ran]
    boxes = [(len(examples), "examples"), (outcomes.count("pass"), "meet their targets"),
             (outcomes.count("missed"), "miss a target"),
             (outcomes.count("no target"), "no target"),
             (len(examples) - len(ran), "never run"), (len(sweeps), "sweeps")]
    body = '<div class="summary">' + "".join(
        f"<div><b>{n}</b>{escape(label)}</div>" for n, label in boxes) + "</div>"
    for lecture, name in lecture_titles().items():
        chosen = [e for e in examples if e.lecture == lecture]
        rows = []
        for example in chosen:
            record = runs.get(example.id)
            link = Raw(f'<a href="{lecture_file(lecture)}#{escape(example.id)}">'
                       f"{escape(example.id)}</a>")
            rows.append([link, example.title, Raw(badge(record)),
                         _target_line(record) if record else "-",
                         record.get("wall_seconds") if record else None,
                         record.get("finished") if record else None])
        content = (table(["example", "title", "result", "measured (target)", "wall s",
                          "finished"], rows, numeric=(4,)) if rows
                   else '<p class="meta">no examples in the catalog yet</p>')
        body += (f'<section class="card"><h2><a href="{lecture_file(lecture)}">Lecture '
                 f"{lecture}: {escape(name)}</a></h2>{content}</section>")
    if classes:
        links = "".join(f'<li><a href="{escape(c)}">{escape(c.split("/")[-1][:-5])}</a></li>'
                        for c in classes)
        body += f'<section class="card" id="classes"><h2>Graded classes</h2><ul>{links}</ul>' \
                "</section>"
    body += f'<p class="meta">Generated {escape(generated)} from the results folder.</p>'
    return page("aml: the course at a glance", body, "index.html")


def _example_section(example, record: dict | None, figures: list[str], sweeps: list) -> str:
    anchor = escape(example.id)
    head = (f'<section class="card" id="{anchor}"><h2>{anchor}: {escape(example.title)} '
            f"{badge(record)}</h2>")
    if record is None:
        targets = "; ".join(t.describe() for t in example.targets) or "none"
        return (head + f'<p class="meta">Never run: <code>aml run {anchor}</code>. '
                f"Targets: {escape(targets)}.</p></section>")
    meta = (f"run {record.get('run', '?')} · seed {record.get('seed', '?')} · backend "
            f"{record.get('backend', '?')} · wall {fmt(record.get('wall_seconds'))} s · "
            f"finished {record.get('finished', '?')}")
    body = head + f'<p class="meta">{escape(meta)}</p>'
    if record.get("data_summary"):
        body += f'<p class="meta">data: {escape(record["data_summary"])}</p>'
    targets = [[t["metric"], t["value"], t.get("se"), t["target"], Raw(_verdict(t))]
               for t in record.get("targets", [])]
    if targets:
        body += "<h3>Targets</h3>" + table(["metric", "measured", "standard error", "target",
                                            "result"], targets, numeric=(1, 2))
    metrics = [[k, v] for k, v in sorted(record.get("metrics", {}).items())]
    body += "<h3>Metrics</h3>" + table(["metric", "value"], metrics, numeric=(1,))
    if figures:
        body += "<h3>Figures</h3>" + "".join(
            f'<figure><img src="{escape(src)}" alt="{escape(example.id)}: {escape(name)}">'
            f"<figcaption>{escape(name)}</figcaption></figure>" for src, name in figures)
    config = [[k, v] for k, v in record.get("config", {}).items()]
    body += ("<details><summary>Configuration</summary>" + table(["field", "value"], config)
             + "</details>")
    versions = [[k, v] for k, v in sorted(record.get("versions", {}).items())]
    body += ("<details><summary>Library versions</summary>"
             + table(["library", "version"], versions) + "</details>")
    mine = [s for s in sweeps if s.get("example") == example.id]
    if mine:
        links = ", ".join(f'<a href="sweeps.html#{escape(s["study"])}">{escape(s["study"])}</a>'
                          for s in mine)
        body += f"<p>Sweeps of this example: {links}</p>"
    return body + "</section>"


def _verdict(target: dict) -> str:
    status = target.get("status") or ("pass" if target["met"] else "MISSED")
    kind = {"pass": "pass", "MISSED": "fail"}.get(status, "quick")
    text = "missed" if kind == "fail" else status
    return f'<span class="badge {kind}">{escape(text)}</span>'


def lecture_page(lecture: int, examples, exercises, runs: dict, figures: dict,
                 sweeps: list) -> str:
    """One lecture: its topics, then each example's targets, metrics, figures, config and
    provenance."""
    spec = next((s for s in catalog.lectures() if s.number == lecture), None)
    headings = [text.lstrip("# ").splitlines()[0] for _, text in (spec.topics if spec else ())]
    body = (f'<p class="meta">Topics: {escape(" · ".join(headings))}</p>' if headings else "")
    chosen = [e for e in examples if e.lecture == lecture]
    for example in chosen:
        body += _example_section(example, runs.get(example.id), figures.get(example.id, []),
                                 sweeps)
    if not chosen:
        body += '<p class="meta">No examples of this lecture in the catalog yet.</p>'
    mine = [e for e in exercises if e.lecture == lecture]
    if mine:
        rows = [[e.id, e.title, "; ".join(t.describe() for t in e.targets) or "-",
                 Raw(f"<code>aml check {escape(e.id)}</code>")] for e in mine]
        body += ('<section class="card"><h2>Exercises</h2>'
                 + table(["exercise", "title", "targets", "check"], rows) + "</section>")
    title = f"Lecture {lecture}: {lecture_titles().get(lecture, '')}"
    return page(title, body, lecture_file(lecture))


def _params(params: dict) -> str:
    return " ".join(f"{k}={fmt(v)}" for k, v in params.items())


def sweeps_page(sweeps: list, figures: dict) -> str:
    """Every sweep: its Pareto front, the smallest model per tier, and the figure."""
    body = "" if sweeps else ('<p class="meta">No sweeps yet: <code>aml sweep ID</code> '
                              "writes one.</p>")
    for summary in sweeps:
        metric = summary.get("metric", "metric")
        counts = ", ".join(f"{n} {s}" for s, n in sorted(summary.get("states", {}).items()))
        body += (f'<section class="card" id="{escape(summary["study"])}"><h2>'
                 f'{escape(summary["example"])}: study {escape(summary["study"])}</h2>'
                 f'<p class="meta">{escape(counts)} · objectives: '
                 f'{escape(summary.get("direction", ""))} {escape(metric)}, minimize parameters'
                 f'{" · quick configuration" if summary.get("quick") else ""}</p>')
        held = {**summary.get("settings", {}), **summary.get("fixed", {})}
        if held:
            body += f'<p class="meta">held: {escape(_params(held))}</p>'
        if summary["study"] in figures:
            body += (f'<figure><img src="{escape(figures[summary["study"]])}" '
                     f'alt="Pareto front of {escape(summary["study"])}"><figcaption>'
                     f"{escape(metric)} vs parameters</figcaption></figure>")
        reported = summary.get("reported") or "test"
        front = [[r["trial"], r["metric"], r.get("test"), f"{r['parameters']:,}",
                  _params(r["params"]), r.get("wall_seconds")] for r in summary["front"]]
        body += (f"<h3>Pareto front</h3><p class=meta>chosen on {escape(metric)}; "
                 f"{escape(reported)} shown for the chosen models only</p>" + table(
                     ["trial", metric, reported, "parameters", "config", "wall s"], front,
                     numeric=(1, 2, 3, 5)))
        tiers = []
        for answer in summary.get("per_tier", []):
            row = answer["row"]
            tiers.append([answer["tier"], "not reached", "-", "-", "-"] if row is None else
                         [answer["tier"], f"{row['parameters']:,}", row["metric"],
                          row.get("test"), _params(row["params"])])
        if tiers:
            body += "<h3>Smallest model per tier</h3>" + table(
                ["tier", "parameters", metric, reported, "config"], tiers, numeric=(0, 1, 2, 3))
        body += "</section>"
    return page("Sweeps: how many parameters for each tier?", body, "sweeps.html")
