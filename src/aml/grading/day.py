"""The teacher's grading day in one call: submissions in from wherever they came, every one
graded in its sandbox, grades, feedback, a class page and similarity flags out.

Files written beside `out` (say grades.csv):
    grades.csv                 the plain gradebook (short check ids, percent, feedback)
    grades.<fmt>.csv           one per extra --format (canvas, moodle)
    grades.json, .journal      every record (see aml.grading.grade)
    grades.feedback/           <student>.md and .html
    grades.class.html          the class at a glance
    grades.similarity.html     pairs above the threshold, side by side (flags, no penalty)
    grades.intake/             the prepared copies that were graded
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from aml.atomic import write_bytes_atomic, write_json_atomic
from aml.errors import AmlError
from aml.grading import gradebook, intake
from aml.grading.feedback import write_feedback
from aml.grading.grade import grade_class


def parse_shard(text: str | None) -> tuple[int, int] | None:
    """'K/N' -> (K, N) with 1 <= K <= N."""
    if not text:
        return None
    try:
        k, n = (int(x) for x in text.split("/"))
    except ValueError:
        raise AmlError(f"--shard {text!r}: write it as K/N, e.g. 2/4") from None
    if not 1 <= k <= n:
        raise AmlError(f"--shard {text!r}: K must be between 1 and N")
    return k, n


def in_shard(key: str, shard: tuple[int, int] | None) -> bool:
    """Deterministic partition: the same student lands in the same shard on every machine."""
    if shard is None:
        return True
    k, n = shard
    return int(hashlib.sha256(key.encode()).hexdigest(), 16) % n == k - 1


def sibling(out: Path, suffix: str) -> Path:
    return out.with_name(out.stem + suffix)


def write_outputs(records: list[dict], exercise, settings: dict, out: Path, *,
                  formats=("plain",), points: float | None = None, assignment: str = "",
                  similarity_threshold: float = 0.8,
                  report_results: Path | None = None) -> dict[str, Path]:
    """Every file a teacher takes away, rendered from the records alone (so a merge of
    shards renders the same files)."""
    from aml.grading.similarity import write_report
    from aml.report.classpage import class_page

    found = flag_similar(records, exercise, similarity_threshold)
    write_report(found, sibling(out, ".similarity.html"))
    written = {"plain": out, "similarity": sibling(out, ".similarity.html")}
    write_bytes_atomic(out, gradebook.render(records, "plain", points=points).encode())
    for fmt in formats:
        if fmt == "plain":
            continue
        path = sibling(out, f".{fmt}.csv")
        write_bytes_atomic(path, gradebook.render(records, fmt, points=points,
                                                  assignment=assignment or exercise.id).encode())
        written[fmt] = path
    write_feedback(records, exercise, settings, sibling(out, ".feedback"), points)
    written["feedback"] = sibling(out, ".feedback")
    page = class_page(records, exercise, settings, points=points, similarity=found,
                      feedback_folder=sibling(out, ".feedback").name)
    write_bytes_atomic(sibling(out, ".class.html"), page.encode())
    written["class"] = sibling(out, ".class.html")
    if report_results is not None:  # `aml report` lists the classes it finds here
        copy = Path(report_results) / "classes" / f"{exercise.id}-{out.stem}.html"
        write_bytes_atomic(copy, class_page(records, exercise, settings, points=points,
                                            similarity=found).encode())
        written["report"] = copy
    return written


def grade_day(exercise, source, out="grades.csv", *, formats=("plain",),
              points: float | None = None, assignment: str = "", shard=None,
              similarity_threshold: float = 0.8, remeasure: bool = True,
              report_results: Path | None = None, log=print,
              **grade_options) -> dict:
    """Intake, grading (`grade_options` go to grade_class), every output; returns
    {"records", "files"}."""
    out = Path(out).resolve()
    template_name = Path(exercise.template).name
    workdir = sibling(out, ".intake")
    submissions = intake.collect(source, workdir, template_name)
    chosen = [s for s in submissions if in_shard(s.key, shard)]
    if shard:
        log(f"shard {shard[0]}/{shard[1]}: {len(chosen)} of {len(submissions)} submissions")
    ready = workdir / "ready"
    for sub in submissions:
        if sub not in chosen and sub.path is not None:
            _remove(sub.path)
    for sub in chosen:
        for note in sub.notes:
            log(f"{sub.key}: {note}")
    info = {s.key: {**s.info(), "code": exercise_code(exercise, s.path)} for s in chosen}
    # the jails see only the prepared copy being graded: the teacher's originals, the
    # unzipped export and the other copies are never inside one (aml.sandbox.jail)
    records = grade_class(exercise, ready, out, log=log, info=info,
                          prejudged={s.key: s.problem for s in chosen if s.problem},
                          **grade_options)
    if remeasure:
        _remeasure(records, exercise, workdir, out, grade_options, log)
    settings = {"exercise": exercise.id, "quick": grade_options.get("quick", False),
                "seed": grade_options.get("seed", 0),
                "backend": grade_options.get("backend") or "tensorflow"}
    files = write_outputs(records, exercise, settings, out, formats=formats, points=points,
                          assignment=assignment, similarity_threshold=similarity_threshold,
                          report_results=report_results)
    return {"records": records, "files": files}


def _remeasure(records: list[dict], exercise, workdir: Path, out: Path, options: dict,
               log) -> None:
    """Results near a boundary measured with two more seeds (aml.grading.fairness); the
    decided records are appended to the journal, so a resumed run does not redo them."""
    from aml.grading import fairness
    from aml.grading.grade import Journal, journal_path
    from aml.grading.single import grade_one, measurers

    chosen = fairness.to_remeasure(records)
    if not chosen:
        return
    log(f"{len(chosen)} result(s) within one standard error of a target: measuring them "
        f"with {fairness.EXTRA_SEEDS} more seeds")
    hidden = options.get("hidden")
    hidden_source = Path(hidden).read_text() if hidden else None
    journal, ready = journal_path(out), workdir / "ready"

    limits, jobs = options.get("limits"), options.get("jobs", 1)
    with measurers(exercise, options.get("backend"), jobs,
                   limits.threads if limits else 1) as borrow:

        def measure(student: str, seed: int):
            path = ready / student if (ready / student).is_dir() else ready / f"{student}.py"
            with borrow() as measurer:
                outcome = grade_one(exercise, path, quick=options.get("quick", False),
                                    seed=seed, limits=limits, hidden_source=hidden_source,
                                    backend=options.get("backend"), measurer=measurer)
            return outcome.checks if outcome.status == "ok" else None

        changed = fairness.remeasure(records, measure, options.get("seed", 0), jobs)
    settings, _ = read_journal(journal)
    book = Journal(journal, settings)
    try:
        for record in changed:
            book.append(record)
            for note in record["fairness"]:
                log(f"{record['student']}: {note}")
    finally:
        book.close()
    write_json_atomic(out.with_suffix(".json"), {"settings": settings, "students": records})


def read_journal(path: Path) -> tuple[dict, list[dict]]:
    """(settings, records) of one shard; a torn last line is left out (not finished)."""
    try:
        lines = path.read_bytes().splitlines()
    except OSError as err:
        raise AmlError(f"cannot read the shard journal {path}: {err}") from None
    try:
        settings = json.loads(lines[0])["settings"]
    except (IndexError, ValueError, KeyError, TypeError):
        raise AmlError(f"{path} is not an aml grade journal") from None
    records = []
    for line in lines[1:]:
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict) and "student" in record:
            records.append(record)
    latest = {r["student"]: r for r in records}  # a regraded student: its last line counts
    return settings, list(latest.values())


def exercise_code(exercise, path: Path | None, limit: int = 200_000) -> str:
    """The text of the file that is graded (for similarity), decoded leniently."""
    from aml.sandbox.run import exercise_file

    chosen = exercise_file(exercise, path) if path is not None and path.exists() else None
    if chosen is None:
        return ""
    try:
        return chosen.read_bytes()[:limit].decode("utf-8", errors="replace")
    except OSError:
        return ""


def flag_similar(records: list[dict], exercise, threshold: float) -> dict:
    """Similarity of the records' code (kept in each record's info), attached as flags."""
    from aml.grading import similarity
    from aml.grading.templates import solution_path, template_from_solution

    try:
        reference = solution_path(exercise).read_text()
        template = template_from_solution(reference, exercise.solution)
    except (OSError, ImportError, ValueError):  # no packaged solution: students only
        reference = template = ""
    codes = {r["student"]: (r.get("info") or {}).get("code", "") for r in records}
    found = similarity.compare_class(
        {k: v for k, v in codes.items() if v.strip()},
        template=template, reference=reference, threshold=threshold)
    _attach_flags(records, found)
    return found


def _attach_flags(records: list[dict], found: dict) -> None:
    flagged: dict[str, list[str]] = {}
    for pair in found["pairs"]:
        flagged.setdefault(pair["a"], []).append(pair["b"])
        flagged.setdefault(pair["b"], []).append(pair["a"])
    for record in records:
        record["similar_to"] = sorted(flagged.get(record["student"], []))
        ref = found["reference"].get(record["student"])
        record["reference_similarity"] = ref


def _remove(path: Path) -> None:
    import shutil

    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)
