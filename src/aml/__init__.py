"""aml: the advanced machine learning masterclass as runnable, checkable code."""

from pathlib import Path

__version__ = "0.1.0"

# The folder that holds this aml package: a child process given it on PYTHONPATH runs this
# same aml (a checkout or an install), not another copy it might find first.
SOURCE_ROOT = str(Path(__file__).resolve().parent.parent)
