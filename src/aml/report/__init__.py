"""The course report: results/ rendered as a static HTML site that opens from the file system.

`collect` reads the runs and sweeps, `pages` renders HTML, `site` writes it atomically, `cli`
is `aml report`.
"""
