"""Allows `python -m aml`."""

from aml.cli import main

raise SystemExit(main())
