"""aml: the advanced machine learning masterclass as runnable, checkable code."""

__version__ = "0.1.0"
