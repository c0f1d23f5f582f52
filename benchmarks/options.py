"""The benchmarks' command-line options: `--name value` pairs read from sys.argv."""

from __future__ import annotations

import sys


def option(name: str, default):
    """The value after `name` on the command line, else `default` (as given)."""
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default
