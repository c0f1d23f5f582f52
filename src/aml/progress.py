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
        self._step, self._numbers = 0, {}
        self._last_line = self.start

    # Without a terminal to redraw on, inner progress is printed at most this often (seconds).
    DETAIL_EVERY_S = 30.0

    def update(self, step: int, **numbers: float) -> None:
        if not self.enabled:
            return
        fraction = min(step / self.total, 1.0)
        tenth = int(fraction * 10)
        if not self.tty and tenth == self._last_tenth and step < self.total:
            return
        self._last_tenth = tenth
        self._step, self._numbers = step, numbers
        extras = " ".join(f"{k} {v:.4g}" for k, v in numbers.items())
        self._draw(self._line(step, extras), end=step >= self.total)

    def detail(self, text: str) -> None:
        """Show progress inside the current step (e.g. "epoch 3/6, batch 120/422"): redrawn on
        a terminal, otherwise printed at most every DETAIL_EVERY_S seconds."""
        if not self.enabled:
            return
        if not self.tty and time.perf_counter() - self._last_line < self.DETAIL_EVERY_S:
            return
        self._draw(self._line(self._step, text), end=False)

    def batches(self, epochs: int, prefix: str = ""):
        """An `on_batch(epoch, batch, batches)` for `aml.training.supervised.fit` that shows
        "epoch e/E, batch b/B" (after `prefix`) inside the current step."""
        return lambda epoch, batch, batches: self.detail(
            f"{prefix}epoch {epoch}/{epochs}, batch {batch}/{batches}")

    def _line(self, step: int, extras: str) -> str:
        bar = "#" * int(min(step / self.total, 1.0) * 20)
        elapsed = time.perf_counter() - self.start
        return f"  {self.label} [{bar:<20}] {step}/{self.total} {elapsed:5.1f}s {extras}"

    def _draw(self, line: str, end: bool) -> None:
        self._last_line = time.perf_counter()
        if self.tty:
            self.stream.write("\r" + line[:120].ljust(120))
            if end:
                self.stream.write("\n")
        else:
            self.stream.write(line + "\n")
        self.stream.flush()
