"""Lecture 5 exercise check: the reference genetic trainer passes; broken operators fail."""

from aml import catalog
from aml.grading.checks import run_check
from aml.grading.templates import solution_path, template_from_solution


def test_reference_solution_passes():
    exercise = catalog.get("l5.genetic_trainer")
    results = run_check(exercise, solution_path(exercise))
    assert [r.name for r in results if not r.passed] == []
    accuracy = next(r for r in results if r.name == "iris test accuracy")
    assert accuracy.measured >= 0.93


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
