"""The teacher's grading day end to end through `aml grade`: a mixed class of .py files,
notebooks and a Canvas export zip (correct, wrong, broken, looping, copied) graded in one
command into plain, Canvas and Moodle gradebooks, feedback files, a similarity page and a
class page (opened in headless Chromium); then the same class in two shards, merged."""

import csv
import json
import shutil
import zipfile
from pathlib import Path

import grading_fixture
import nbformat
import pytest
from headless_chromium import Chromium, find_browser

from aml import catalog, cli

LINE = Path(__file__).parent / "submissions" / "line"


@pytest.fixture
def line_exercise(monkeypatch):
    monkeypatch.setattr(catalog, "get", lambda entry_id, kind=None: grading_fixture.EXERCISE)
    return grading_fixture.EXERCISE


def _notebook(*cells) -> str:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("My answer")] + [
        nbformat.v4.new_code_cell(c) for c in cells]
    return nbformat.writes(nb)


def make_mixed_class(folder: Path) -> Path:
    folder.mkdir()
    correct = (LINE / "correct.py").read_text()
    shutil.copy(LINE / "correct.py", folder / "alice.py")
    (folder / "bob.ipynb").write_text(_notebook("!pip install numpy\n%load_ext autoreload",
                                                correct))
    shutil.copy(LINE / "mean_only.py", folder / "carol.py")                  # wrong
    shutil.copy(LINE / "syntax_error.py.txt", folder / "dave.py")           # broken
    shutil.copy(LINE / "loop.py", folder / "eve.py")                        # looping
    (folder / "frank.ipynb").write_text(_notebook(correct, "for i in range(3)\n    pass"))
    # runs, but its second cell divides by zero on import: the row names the cell
    (folder / "gina.ipynb").write_text(_notebook(correct, "x = 1\ny = x / 0"))
    # alice's file with her names changed and comments moved, handed in through Canvas
    copied = correct.replace("slope", "s").replace("intercept", "b").replace(
        '"""Least squares: every check passes."""', "# my own work")
    with zipfile.ZipFile(folder / "canvas_export.zip", "w") as zf:
        zf.writestr("smithjane_1234_555001_line.py", copied)
        zf.writestr("doejohn_late_5678_555002_line.py", (LINE / "partial_slope.py").read_text())
    return folder


def test_one_command_grades_a_mixed_class(line_exercise, tmp_path, capsys):
    subs = make_mixed_class(tmp_path / "subs")
    out = tmp_path / "grades" / "lab1.csv"
    code = cli.main(["grade", "t.line", str(subs), "--out", str(out), "--jobs", "2",
                     "--timeout", "5", "--format", "plain,canvas,moodle", "--points", "10",
                     "--assignment", "Lab 1", "--results", str(tmp_path / "results")])
    printed = capsys.readouterr().out
    assert code == 0, printed
    rows = {r["student"]: r for r in csv.DictReader(out.open())}
    assert sorted(rows) == ["alice", "bob", "carol", "dave", "doejohn", "eve", "frank",
                            "gina", "smithjane"]
    gina = rows.pop("gina")
    assert gina["status"] == "error" and "(notebook code cell 2)" in gina["feedback"], gina
    summary = {k: (r["status"], r["grade"], r["percent"], r["runs"]) for k, r in rows.items()}
    assert summary == {
        "alice": ("ok", "10", "100", "1"), "bob": ("ok", "10", "100", "1"),
        "smithjane": ("ok", "10", "100", "1"),
        "carol": ("ok", "4", "40", "1"),            # contract met, no R2 tier
        "doejohn": ("ok", "4", "40", "1"),          # intercept forgotten: R2 0.48
        "dave": ("error", "0", "0", "0"), "eve": ("timeout", "0", "0", "0"),
        "frank": ("error", "0", "0", "0")}
    assert rows["frank"]["feedback"] == ("error: frank.ipynb code cell 2 line 1: syntax error"
                                         " (expected ':'); fix that cell and submit again")
    assert rows["eve"]["feedback"] == "timeout: still running after 5 s (wall clock)"
    assert rows["doejohn"]["late"] == "late" and rows["doejohn"]["lms_id"] == "5678"
    # progress: done/total, failures so far, an ETA; no per-student denominators like 0/0
    assert "[8/8, 3 not ok, done]" in printed and "ETA" in printed and "/0" not in printed
    assert "9 submissions: 3 error, 5 ok, 1 timeout; mean score 2.11/5" in printed

    canvas = list(csv.reader(out.with_name("lab1.canvas.csv").open()))
    assert canvas[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Lab 1"]
    assert ["doejohn", "5678", "", "", "", "4"] in canvas
    assert ["smithjane", "1234", "", "", "", "10"] in canvas
    moodle = list(csv.DictReader(out.with_name("lab1.moodle.csv").open()))
    assert {r["Full name"]: r["Grade"] for r in moodle}["carol"] == "4"
    assert all(r["Maximum Grade"] == "10" for r in moodle)

    feedback = out.with_name("lab1.feedback")
    bob = (feedback / "bob.md").read_text()
    assert "code cell 1: 2 shell/magic line(s) skipped" in bob
    assert "aml check t.line --file line.py --seed 0" in bob
    carol = (feedback / "carol.md").read_text()
    assert "| held-out R2 [tier 0.5] | FAIL |" in carol and "least squares gives 0.999" in carol
    assert (feedback / "carol.html").read_text().count("<tr class=\"fail\">") == 3

    found = json.loads(out.with_suffix(".json").read_text())
    assert len(found["students"]) == 9
    # renamed variables and a new comment do not hide the copy; wrong answers are not flagged
    pairs = [(p["a"], p["b"]) for p in json.loads(
        _similarity_pairs(out.with_name("lab1.similarity.html")))]
    assert pairs == [("alice", "bob"), ("alice", "gina"), ("alice", "smithjane"),
                     ("bob", "gina"), ("bob", "smithjane"), ("gina", "smithjane")]
    _check_class_page(out.with_name("lab1.class.html"), tmp_path)
    # the course report lists the graded class
    from aml.report.site import build_site

    index = build_site(tmp_path / "results", tmp_path / "site").read_text()
    assert 'href="classes/t.line-lab1.html"' in index
    assert (tmp_path / "site" / "classes" / "t.line-lab1.html").is_file()


def _similarity_pairs(page: Path) -> str:
    """The flagged pairs, read back from the similarity page's table."""
    import re

    text = page.read_text()
    table = text[text.index("<table id='pairs'>"):text.index("</table>")]
    pairs = re.findall(r"<td><a href='#pair\d+'>([^<]+)</a></td><td>([^<]+)</td>", table)
    return json.dumps([{"a": a, "b": b} for a, b in pairs])


CLASS_FACTS = """(() => ({
  bars: [...document.querySelectorAll('#histogram rect.bar')].map(r => +r.dataset.count),
  rates: Object.fromEntries([...document.querySelectorAll('#pass-rate rect.rate')].map(
      (r, i) => [i, +r.dataset.rate])),
  students: [...document.querySelectorAll('#students tr[data-status]')].map(
      r => [r.cells[0].innerText, r.dataset.status, r.cells[4].innerText, r.cells[6].innerText]),
  hints: [...document.querySelectorAll('#hints li')].map(li => li.innerText),
  links: [...document.querySelectorAll('#students a')].map(a => a.href),
  svgWidth: document.querySelector('#histogram').getBoundingClientRect().width,
  summary: document.querySelector('#summary').innerText,
}))()"""


def _check_class_page(page: Path, tmp_path: Path) -> None:
    binary = find_browser()
    if binary is None:
        pytest.fail("Chromium not found: install Debian's chromium package "
                    "(apt-get install chromium; .ci/run does)")
    browser = Chromium(binary)
    try:
        browser.open(page.resolve().as_uri())
        facts = browser.evaluate(CLASS_FACTS)
        shot = browser.screenshot(tmp_path / "class.png")
    finally:
        browser.close()
    assert shot[:8] == b"\x89PNG\r\n\x1a\n" and len(shot) > 10_000
    # 9 students: 4 at 0 %, carol and doejohn at 40 %, three at 100 %
    assert facts["bars"] == [4, 0, 0, 0, 2, 0, 0, 0, 0, 3]
    # five checks: the contract checks passed by the 5 that ran, each tier by 3 of 9
    assert list(facts["rates"].values()) == [0.556, 0.556, 0.333, 0.333, 0.333]
    students = {s[0]: s for s in facts["students"]}
    assert students["carol"][2] == "held-out R2: none"
    assert students["alice"][2] == "held-out R2: 0.99"
    assert "smithjane" in students["alice"][3]
    assert facts["hints"][0].startswith("least squares gives 0.999")
    assert facts["svgWidth"] > 300
    assert "9 students; grades out of 10" in facts["summary"]
    for link in facts["links"]:
        assert Path(link.removeprefix("file://")).is_file(), link


def test_shards_graded_apart_merge_into_the_same_gradebook(line_exercise, tmp_path, capsys):
    subs = tmp_path / "subs"
    subs.mkdir()
    for n in range(9):
        shutil.copy(LINE / ("correct.py" if n % 3 else "mean_only.py"), subs / f"s{n}.py")
    whole = tmp_path / "whole" / "g.csv"
    results = ["--results", str(tmp_path / "results")]
    assert cli.main(["grade", "t.line", str(subs), "--out", str(whole), "--format",
                     "plain,canvas", *results]) == 0
    parts = []
    for k in (1, 2, 3):
        part = tmp_path / f"shard{k}" / "g.csv"
        assert cli.main(["grade", "t.line", str(subs), "--out", str(part),
                         "--shard", f"{k}/3", *results]) == 0
        parts.append(part)
    printed = capsys.readouterr().out
    sizes = [len(list(csv.DictReader(p.open()))) for p in parts]
    assert sum(sizes) == 9 and all(0 < s < 9 for s in sizes), sizes
    assert "shard 1/3:" in printed
    merged = tmp_path / "merged" / "g.csv"
    assert cli.main(["grade-merge", "t.line", *map(str, parts), "--out", str(merged),
                     "--format", "plain,canvas", *results]) == 0

    def without_seconds(path):
        return [r[:-1] for r in csv.reader(path.open())]

    assert without_seconds(merged) == without_seconds(whole)
    assert merged.with_name("g.canvas.csv").read_text() == \
        whole.with_name("g.canvas.csv").read_text()
    # the same shard twice is refused
    assert cli.main(["grade-merge", "t.line", str(parts[0]), str(parts[0]),
                     "--out", str(tmp_path / "bad.csv"), *results]) == 2
    assert "is in both" in capsys.readouterr().err


def test_prepared_copies_do_not_open_the_originals(line_exercise, tmp_path, capsys):
    """Students are graded from prepared copies; the teacher's folder, the unzipped export
    and the copies of classmates do not exist inside their jails."""
    subs = tmp_path / "subs"
    subs.mkdir()
    shutil.copy(LINE / "correct.py", subs / "alice.py")
    with zipfile.ZipFile(subs / "export.zip", "w") as zf:
        zf.writestr("bobby_77_88_line.py", (LINE / "correct.py").read_text())
    out = tmp_path / "grades" / "g.csv"
    targets = {"original": subs / "alice.py", "listing": subs,
               "unzipped": out.with_name("g.intake") / "unzipped",
               "copy": out.with_name("g.intake") / "ready" / "alice.py"}
    for name, target in targets.items():
        action = f"os.listdir({str(target)!r})" if target.suffix != ".py" else \
            f"open({str(target)!r}).read()"
        (subs / f"snoop_{name}.py").write_text(
            f"import os\n{action}\n" + (LINE / "correct.py").read_text())
    assert cli.main(["grade", "t.line", str(subs), "--out", str(out), "--timeout", "60",
                     "--results", str(tmp_path / "results")]) == 0
    rows = {r["student"]: r for r in csv.DictReader(out.open())}
    assert rows["alice"]["grade"] == rows["bobby"]["grade"] == "5"
    for name, target in targets.items():
        assert target.exists()  # on the teacher's machine; not in the student's jail at all
        row = rows[f"snoop_{name}"]
        assert (row["status"], row["grade"]) == ("error", "0"), name
        assert "raised FileNotFoundError when imported" in row["feedback"], row


def test_bad_options_are_one_line_errors(line_exercise, tmp_path, capsys):
    subs = tmp_path / "subs"
    subs.mkdir()
    shutil.copy(LINE / "correct.py", subs / "alice.py")
    for options, message in ((["--format", "excel"], "--format 'excel': choose from plain"),
                             (["--shard", "0/2"], "K must be between 1 and N"),
                             (["--shard", "half"], "write it as K/N")):
        assert cli.main(["grade", "t.line", str(subs), *options]) == 2
        err = capsys.readouterr().err
        assert message in err and len(err.strip().splitlines()) == 1, err
    assert cli.main(["grade", "t.line", str(tmp_path / "missing.zip")]) == 2
    assert "no submissions at" in capsys.readouterr().err
    assert cli.main(["grade-merge", "t.line", str(tmp_path / "nope.csv")]) == 2
    assert "cannot read the shard journal" in capsys.readouterr().err
