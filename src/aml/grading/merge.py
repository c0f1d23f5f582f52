"""Merge the journals of shards graded on several machines into one class.

Each machine ran `aml grade EXERCISE SUBMISSIONS --shard K/N --out shardK/grades.csv` with
the same settings; the merge reads every shard's journal, refuses shards made with other
settings or grading the same student twice, writes the merged journal (so a later
`aml grade` on one machine resumes from it) and renders every output from the records, the
way a single run would (see aml.grading.day.write_outputs)."""

from __future__ import annotations

import json
from pathlib import Path

from aml.atomic import write_bytes_atomic, write_json_atomic
from aml.errors import AmlError
from aml.grading.day import read_journal, write_outputs
from aml.grading.grade import journal_path


def merge_shards(exercise, shards: list[Path], out: Path, *, formats=("plain",),
                 points=None, assignment: str = "", similarity_threshold: float = 0.8,
                 report_results: Path | None = None) -> dict:
    settings, merged, owner = None, {}, {}
    for shard in shards:
        journal = shard if shard.name.endswith(".journal") else journal_path(shard)
        these, records = read_journal(journal)
        if these.get("exercise") != exercise.id:
            raise AmlError(f"{journal} grades {these.get('exercise')}, not {exercise.id}")
        if settings is not None and these != settings:
            keys = [k for k in sorted(set(these) | set(settings))
                    if these.get(k) != settings.get(k)]
            raise AmlError(f"{journal} was graded with other settings ({', '.join(keys)}); "
                           "grade every shard with the same options")
        settings = these
        for record in records:
            if record["student"] in merged:
                raise AmlError(f"{record['student']} is in both {owner[record['student']]} "
                               f"and {journal}: were the shards cut with the same N?")
            merged[record["student"]], owner[record["student"]] = record, journal
    out = Path(out).resolve()
    records = [merged[k] for k in sorted(merged)]
    write_bytes_atomic(journal_path(out), b"".join(
        (json.dumps(line, sort_keys=True) + "\n").encode()
        for line in [{"settings": settings}, *records]))
    write_json_atomic(out.with_suffix(".json"), {"settings": settings, "students": records,
                                                 "merged_from": [str(s) for s in shards]})
    files = write_outputs(records, exercise, settings, out, formats=formats, points=points,
                          assignment=assignment, similarity_threshold=similarity_threshold,
                          report_results=report_results)
    return {"records": records, "files": files}
