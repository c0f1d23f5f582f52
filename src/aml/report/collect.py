"""Read what the report shows from results/: the run of each example and each sweep summary."""

from __future__ import annotations

import json
from pathlib import Path

from aml import results


def _read_json(path: Path) -> dict | None:
    """A JSON object from disk, or None for an unreadable file (a report never crashes on one)."""
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def latest_runs(root: Path) -> dict[str, dict]:
    """Per example id, its newest full run (else its newest quick run), with its folder."""
    return results.latest_runs(root, prefer_full=True)


def sweeps(root: Path) -> list[dict]:
    """Every sweep summary under results/sweeps/, sorted by example then study."""
    found = []
    for path in sorted((Path(root) / "sweeps").glob("*/sweep.json")):
        summary = _read_json(path)
        if summary and "front" in summary:
            summary["folder"] = str(path.parent)
            found.append(summary)
    return sorted(found, key=lambda s: (s.get("example", ""), s.get("study", "")))
