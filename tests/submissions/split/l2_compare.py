"""Hostile l2.compare: reports errors of 0 and a wrong conclusion, writes 'PNG' bytes that are
no image, and every CheckResult made in this process passes. Scored in the jail this was full
marks; measured outside, only the returned dict counts."""

import aml.grading.checks as grading

_init = grading.CheckResult.__init__


def _always_passed(self, name, passed, *args, **kwargs):
    _init(self, name, True, *args, **kwargs)


grading.CheckResult.__init__ = _always_passed


def compare(models, figure_path):
    with open(figure_path, "wb") as out:
        out.write(b"\x89PNG\r\n\x1a\n" + bytes(i % 251 for i in range(6000)))
    result = {name: {method: {"in": 0.0, "out": 0.0} for method in pair}
              for name, pair in models.items()}
    result["better_outside"] = "neither"
    return result
