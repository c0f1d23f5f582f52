"""Lecture 5 exercise check: broken operators fail (the reference's full marks, accuracy
included, are asserted in the real jail: tests/test_sandbox_references.py)."""

from aml import catalog
from aml.grading.checks import run_check
from aml.grading.templates import solution_path, template_from_solution


def test_template_and_bad_selection(tmp_path):
    exercise = catalog.get("l5.genetic_trainer")
    source = solution_path(exercise).read_text()
    path = tmp_path / "template.py"
    path.write_text(template_from_solution(source))
    [result] = run_check(exercise, path)
    assert "tournament_select() is not written yet" in result.hint
    # Choosing the least fit parent is a classic sign error: the check must catch it.
    path.write_text(source.replace("np.argmax(scores[entrants], axis=1)",
                                   "np.argmin(scores[entrants], axis=1)"))
    results = run_check(exercise, path)
    names = [r.name for r in results if not r.passed]
    assert "tournament selection favours the fit" in names
    assert "iris test accuracy" in names


def test_operators_that_change_nothing_are_measured_not_crashed(tmp_path):
    exercise = catalog.get("l5.genetic_trainer")
    source = solution_path(exercise).read_text()
    path = tmp_path / "lazy.py"
    path.write_text(source.replace("return population + hit *", "return population + 0 * hit *"))
    results = {r.name: r for r in run_check(exercise, path)}
    assert results["mutation rate and size"].measured == "0.000 of genes"
    assert not results["mutation rate and size"].passed
