"""Read what the report shows from results/: the run of each example and each sweep summary."""

from __future__ import annotations

import json
from pathlib import Path


def _read_json(path: Path) -> dict | None:
    """A JSON object from disk, or None for an unreadable file (a report never crashes on one)."""
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _preference(record: dict) -> tuple:
    """Full runs before quick ones, then the newest."""
    return (not record.get("quick", False), record.get("finished", ""), record.get("run", ""))


def latest_runs(root: Path) -> dict[str, dict]:
    """Per example id, its newest full run (else its newest quick run), with its folder."""
    chosen: dict[str, dict] = {}
    for path in sorted(Path(root).glob("*/*/metrics.json")):
        if any(part.startswith(".") for part in path.relative_to(root).parts):
            continue  # staging folders of unfinished runs
        record = _read_json(path)
        if not record or "id" not in record or "metrics" not in record:
            continue
        record["folder"] = str(path.parent)
        current = chosen.get(record["id"])
        if current is None or _preference(record) > _preference(current):
            chosen[record["id"]] = record
    return chosen


def sweeps(root: Path) -> list[dict]:
    """Every sweep summary under results/sweeps/, sorted by example then study."""
    found = []
    for path in sorted((Path(root) / "sweeps").glob("*/sweep.json")):
        summary = _read_json(path)
        if summary and "front" in summary:
            summary["folder"] = str(path.parent)
            found.append(summary)
    return sorted(found, key=lambda s: (s.get("example", ""), s.get("study", "")))
