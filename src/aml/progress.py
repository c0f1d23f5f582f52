"""Progress display for long work: a redrawn bar on a terminal, sparse lines otherwise."""

from __future__ import annotations

import sys
import time


class Progress:
    """Report `step` of `total` with a label and optional numbers; quiet when disabled."""

    def __init__(self, label: str, total: int, enabled: bool = True, stream=None):
        self.label, self.total, self.enabled = label, max(int(total), 1), enabled
        self.stream = stream or sys.stderr
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.start = time.perf_counter()
        self._last_tenth = -1

    def update(self, step: int, **numbers: float) -> None:
        if not self.enabled:
            return
        fraction = min(step / self.total, 1.0)
        tenth = int(fraction * 10)
        if not self.tty and tenth == self._last_tenth and step < self.total:
            return
        self._last_tenth = tenth
        bar = "#" * int(fraction * 20)
        extras = " ".join(f"{k} {v:.4g}" for k, v in numbers.items())
        elapsed = time.perf_counter() - self.start
        line = f"  {self.label} [{bar:<20}] {step}/{self.total} {elapsed:5.1f}s {extras}"
        if self.tty:
            self.stream.write("\r" + line[:120].ljust(120))
            if step >= self.total:
                self.stream.write("\n")
        else:
            self.stream.write(line + "\n")
        self.stream.flush()
