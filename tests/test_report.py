"""The report site: built from a real run and a sweep, checked in a real headless Chromium."""

from __future__ import annotations

import dataclasses
import json
import struct
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from headless_chromium import Chromium, find_browser

from aml import catalog, cli
from aml.report.collect import latest_runs
from aml.report.site import build_site

PAGES = {"index.html", "sweeps.html"} | {f"lecture-{spec.number}.html"
                                          for spec in catalog.lectures()}

PAGE_FACTS = """({
  title: document.title,
  images: Array.from(document.images).map(i => ({src: i.currentSrc || i.src,
                                                 complete: i.complete, width: i.naturalWidth})),
  links: Array.from(document.links).map(a => a.href),
  ids: Array.from(document.querySelectorAll('[id]')).map(e => e.id),
  resources: performance.getEntriesByType('resource').map(r => r.name),
  text: document.body.innerText,
})"""


def _png_width(path: Path) -> int:
    return struct.unpack(">I", Path(path).read_bytes()[16:20])[0]


def _synthetic_sweep(results: Path) -> dict:
    """A sweep summary written by the real code from a study with known trials."""
    import optuna
    from optuna.distributions import FloatDistribution, IntDistribution

    from aml.sweeps.pareto import summarize, write_summary
    from aml.sweeps.study import goal_for

    study = optuna.create_study(study_name="l1.iris-quick", directions=["maximize", "minimize"])
    distributions = {"hidden": IntDistribution(1, 32, log=True),
                     "learning_rate": FloatDistribution(1e-3, 3e-2, log=True)}
    for hidden, accuracy in [(1, 0.70), (2, 0.90), (3, 0.95), (8, 0.93), (16, 0.97)]:
        study.add_trial(optuna.create_trial(
            params={"hidden": hidden, "learning_rate": 0.01}, distributions=distributions,
            values=[accuracy, 8 * hidden + 3],
            user_attrs={"metrics": {"test_accuracy": accuracy, "parameters": 8 * hidden + 3},
                        "config": {"hidden": hidden}, "wall_seconds": 1.0}))
    # one accuracy tier at 0.93 (iris's own target compares with a baseline and has none)
    tiered = dataclasses.replace(catalog.get("l1.iris"), targets=(
        catalog.Target("test_accuracy", ">=", 0.93),))
    summary = summarize(study, goal_for(tiered, quick=True))
    write_summary(summary, results)
    return summary


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from aml.backend import use_backend

    use_backend("tensorflow")
    from aml.running import run_example

    results = tmp_path_factory.mktemp("results")
    record = run_example(catalog.get("l1.iris"), quick=True, out=results, verbose=False)
    summary = _synthetic_sweep(results)
    return results, build_site(results, results / "report"), record, summary


def test_sweep_summary_answers_the_tier_question(site):
    _, _, _, summary = site
    # Front: 11 params at 0.70, 19 at 0.90, 27 at 0.95, 131 at 0.97 (67 at 0.93 is dominated).
    assert [r["parameters"] for r in summary["front"]] == [11, 19, 27, 131]
    assert summary["tiers"] == [0.93]
    assert summary["per_tier"][0]["row"]["parameters"] == 27


@pytest.mark.browser
def test_report_renders_in_headless_chromium(site, tmp_path):
    results, index, record, _ = site
    binary = find_browser()
    if binary is None:
        pytest.fail("Chromium not found: install Debian's chromium package "
                    "(apt-get install chromium; .ci/run does)")
    browser = Chromium(binary)
    facts, fragments = {}, []
    try:
        queue = [index.resolve().as_uri()]
        while queue:
            url = queue.pop()
            name = Path(urlparse(url).path).name
            if name in facts:
                continue
            browser.open(url)
            facts[name] = browser.evaluate(PAGE_FACTS)
            if name in ("index.html", "lecture-1.html", "sweeps.html"):
                shot = browser.screenshot(tmp_path / name.replace(".html", ".png"))
                assert shot[:8] == b"\x89PNG\r\n\x1a\n" and len(shot) > 10_000
            for link in facts[name]["links"]:
                parsed = urlparse(link)
                assert parsed.scheme == "file", f"{name} links outside the site: {link}"
                target = Path(unquote(parsed.path))
                assert target.is_file(), f"{name} has a broken link: {link}"
                if parsed.fragment:
                    fragments.append((target.name, unquote(parsed.fragment)))
                if target.suffix == ".html":
                    queue.append(target.as_uri())
    finally:
        browser.close()

    assert set(facts) == PAGES
    for name, page in facts.items():
        assert page["title"].endswith("aml report"), name
        assert all(r.startswith("file:") for r in page["resources"]), page["resources"]
        for image in page["images"]:
            assert image["complete"] and image["width"] > 0, f"{name}: {image['src']} broken"
            assert image["width"] == _png_width(Path(unquote(urlparse(image["src"]).path)))
    for page_name, fragment in fragments:
        assert fragment in facts[page_name]["ids"], f"#{fragment} missing in {page_name}"

    lecture1 = facts["lecture-1.html"]
    assert len(lecture1["images"]) == len(record["figures"]) >= 1
    assert f"{record['metrics']['test_accuracy']:.4g}" in lecture1["text"]
    assert "seed 0" in lecture1["text"] and "backend tensorflow" in lecture1["text"]
    assert ("pass" if record["passed"] else "missed a target") in lecture1["text"]
    assert len(facts["sweeps.html"]["images"]) == 1
    assert "not reached" not in facts["sweeps.html"]["text"]
    assert "l1.iris" in facts["index.html"]["text"]


def test_rebuild_replaces_the_site_whole(site, tmp_path):
    results, _, _, _ = site
    out = tmp_path / "site"
    build_site(results, out)
    (out / "stale.html").write_text("old")
    build_site(results, out)
    assert not (out / "stale.html").exists()
    assert sorted(p.name for p in out.glob("*.html")) == sorted(PAGES)
    assert [p.name for p in tmp_path.iterdir()] == ["site"]  # no staging or old copies left


def test_latest_runs_prefers_full_runs_and_skips_broken_files(tmp_path):
    for run, quick, finished in [("a", True, "2026-01-03"), ("b", False, "2026-01-01"),
                                 ("c", False, "2026-01-02")]:
        folder = tmp_path / "l1.iris" / run
        folder.mkdir(parents=True)
        (folder / "metrics.json").write_text(json.dumps(
            {"id": "l1.iris", "run": run, "quick": quick, "finished": finished, "metrics": {}}))
    (tmp_path / "l1.iris" / "d").mkdir()
    (tmp_path / "l1.iris" / "d" / "metrics.json").write_text("{broken")
    assert latest_runs(tmp_path)["l1.iris"]["run"] == "c"


def test_report_without_results_is_a_one_line_error(tmp_path, capsys):
    assert cli.main(["report", "--results", str(tmp_path / "nothing")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("aml: error: no results folder") and "\n" not in err
