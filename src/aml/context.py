"""What an example's runner gets besides its configuration: where to put figures, the seed,
whether this is the quick configuration, and a progress display."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from aml.progress import Progress


@dataclass
class RunContext:
    directory: Path
    seed: int = 0
    quick: bool = False
    verbose: bool = True
    figures: list[str] = field(default_factory=list)

    def save_figure(self, fig, name: str) -> Path:
        """Save a matplotlib figure as <name>.png in this run's folder."""
        from aml.plots import save_figure

        path = save_figure(fig, Path(self.directory) / f"{name}.png")
        self.figures.append(path.name)
        return path

    def progress(self, label: str, total: int) -> Progress:
        return Progress(label, total, enabled=self.verbose)

    def log(self, message: str) -> None:
        if self.verbose:
            print(f"  {message}", flush=True)
