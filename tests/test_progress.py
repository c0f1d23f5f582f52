"""The progress display: a bar per step and, for a long step, what is moving inside it."""

import io

from aml.progress import Progress


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_detail_redraws_the_bar_with_the_inner_step_on_a_terminal():
    screen = Terminal()
    bar = Progress("models", 4, stream=screen)
    bar.update(3)
    bar.detail("CNN 4: epoch 2/6, batch 120/422")
    frames = screen.getvalue().split("\r")[1:]
    assert len(frames) == 2 and "3/4" in frames[1]
    assert "epoch 2/6, batch 120/422" in frames[1] and "\n" not in frames[1]


def test_detail_without_a_terminal_is_printed_sparsely(monkeypatch):
    log = io.StringIO()
    bar = Progress("models", 4, stream=log)
    bar.update(1)
    for batch in range(100):
        bar.detail(f"batch {batch}/100")
    assert "batch" not in log.getvalue()  # within DETAIL_EVERY_S of the last line
    monkeypatch.setattr(Progress, "DETAIL_EVERY_S", 0.0)
    bar.detail("batch 99/100")
    assert log.getvalue().splitlines()[-1].endswith("batch 99/100")


def test_a_disabled_bar_shows_nothing():
    log = Terminal()
    bar = Progress("x", 2, enabled=False, stream=log)
    bar.update(1)
    bar.detail("batch 1/2")
    assert log.getvalue() == ""
