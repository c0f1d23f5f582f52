"""Similarity flags: which submissions share much more code than the exercise template gives
everyone, and which reproduce the reference solution. Flags for a person to look at, never
a penalty: two correct answers to a 20-line exercise can look alike.

Fingerprints are copydetect's (MOSS-style winnowing of k-grams of normalised tokens, so
renamed variables and changed comments do not hide a copy); the template's fingerprints are
the boilerplate removed from every file, so only what students wrote themselves is compared.
"""

from __future__ import annotations

import html
import io
import itertools

from aml.atomic import write_bytes_atomic

# copydetect's defaults (noise threshold 25 tokens, guarantee threshold 25: window 1)
K_GRAM = 25
WINDOW = 1
MIN_OVERLAP_TOKENS = 30  # below this two files share too little to be worth a look


def _fingerprint(code: str, boilerplate=None):
    from copydetect import CodeFingerprint

    return CodeFingerprint("submission.py", K_GRAM, WINDOW, boilerplate=boilerplate,
                           language="python", fp=io.StringIO(code))


def _pair(a, b) -> tuple[int, float, list, list]:
    from copydetect import compare_files

    overlap, (sim_a, sim_b), (slices_a, slices_b) = compare_files(a, b)
    return int(overlap), float(max(sim_a, sim_b)), slices_a.tolist(), slices_b.tolist()


def compare_class(codes: dict[str, str], *, template: str = "", reference: str = "",
                  threshold: float = 0.8) -> dict:
    """{"pairs": [...], "reference": {student: similarity}, "threshold"} for the class's
    exercise sources (student -> code). A pair is listed when the larger of its two shares
    (overlapping tokens / each file's tokens, template removed) reaches the threshold."""
    import numpy as np

    boilerplate = (np.array(sorted(_fingerprint(template).hashes), dtype=np.int64)
                   if template.strip() else None)
    prints = {}
    for student, code in sorted(codes.items()):
        try:
            prints[student] = _fingerprint(code, boilerplate)
        except Exception:  # noqa: BLE001 - a file the tokenizer rejects is just not compared
            continue
    pairs = []
    for a, b in itertools.combinations(sorted(prints), 2):
        overlap, share, slices_a, slices_b = _pair(prints[a], prints[b])
        if overlap >= MIN_OVERLAP_TOKENS and share >= threshold:
            pairs.append({"a": a, "b": b, "similarity": round(share, 3),
                          "tokens": overlap, "slices_a": slices_a, "slices_b": slices_b})
    ref = {}
    if reference.strip():
        solution = _fingerprint(reference, boilerplate)
        for student, fp in prints.items():
            overlap, share, _, _ = _pair(fp, solution)
            ref[student] = round(share, 3) if overlap >= MIN_OVERLAP_TOKENS else 0.0
    pairs.sort(key=lambda p: (-p["similarity"], p["a"], p["b"]))
    return {"threshold": threshold, "pairs": pairs, "reference": ref,
            "codes": {k: codes[k] for k in sorted(codes)}}


def _highlighted(code: str, slices: list) -> str:
    """The code as HTML with the shared parts marked."""
    marks = sorted(zip(*slices)) if slices and len(slices) == 2 else []
    out, position = [], 0
    for start, end in marks:
        start, end = max(start, position), max(end, position)
        out.append(html.escape(code[position:start]))
        out.append(f"<mark>{html.escape(code[start:end])}</mark>")
        position = end
    out.append(html.escape(code[position:]))
    return "".join(out)


def report_html(found: dict) -> str:
    """A page listing flagged pairs, each side by side with shared code highlighted."""
    rows, views = [], []
    for n, pair in enumerate(found["pairs"], 1):
        rows.append(f"<tr><td><a href='#pair{n}'>{html.escape(pair['a'])}</a></td>"
                    f"<td>{html.escape(pair['b'])}</td><td>{pair['similarity']:.0%}</td>"
                    f"<td>{pair['tokens']}</td></tr>")
        codes = found.get("codes", {})
        views.append(
            f"<h2 id='pair{n}'>{html.escape(pair['a'])} and {html.escape(pair['b'])}: "
            f"{pair['similarity']:.0%}</h2><div class='side'>"
            f"<pre>{_highlighted(codes.get(pair['a'], ''), pair['slices_a'])}</pre>"
            f"<pre>{_highlighted(codes.get(pair['b'], ''), pair['slices_b'])}</pre></div>")
    reference = sorted(found.get("reference", {}).items(), key=lambda kv: -kv[1])
    ref_rows = "".join(f"<tr><td>{html.escape(s)}</td><td>{v:.0%}</td></tr>"
                       for s, v in reference if v >= found["threshold"])
    style = ("body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
             "td,th{border:1px solid #ccc;padding:.2em .6em}.side{display:flex;gap:1em}"
             ".side pre{flex:1;overflow:auto;background:#f7f7f7;padding:.5em;font-size:12px}"
             "mark{background:#ffe08a}")
    return ("<!doctype html><html><head><meta charset='utf-8'><title>Similarity</title>"
            f"<style>{style}</style></head><body><h1>Similar submissions</h1>"
            "<p>Shared code beyond the exercise template. A flag asks a person to look; it "
            "is not a grade.</p>"
            f"<p>Threshold {found['threshold']:.0%}; {len(found['pairs'])} pair(s).</p>"
            "<table id='pairs'><tr><th>student</th><th>student</th><th>shared</th>"
            f"<th>tokens</th></tr>{''.join(rows)}</table>"
            "<h2>Close to the reference solution</h2><table id='reference'><tr><th>student"
            f"</th><th>shared with the reference</th></tr>{ref_rows}</table>"
            f"{''.join(views)}</body></html>\n")


def write_report(found: dict, path) -> None:
    write_bytes_atomic(path, report_html(found).encode())
