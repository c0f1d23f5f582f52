"""Sweeps: "how many parameters do I need for X%?" answered by a multi-objective Optuna search.

`study` runs trials (one process or many sharing a database), `pareto` turns a study into
the Pareto front, the smallest model per course tier, a table and a figure; `cli` is
`aml sweep`.
"""
