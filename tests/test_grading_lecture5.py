"""Lecture 5 exercise check: the reference genetic trainer passes; broken operators fail."""

from aml import catalog
from aml.data.iris import linear_baseline
from aml.grading.checks import run_check
from aml.grading.templates import solution_path, template_from_solution


def test_reference_solution_passes():
    exercise = catalog.get("l5.genetic_trainer")
    results = run_check(exercise, solution_path(exercise))
    assert [r.name for r in results if not r.passed] == []
    accuracy = next(r for r in results if r.name == "iris test accuracy")
    # within one flower of Fisher's linear discriminant on the same flowers (split seed 42)
    bar = (linear_baseline(0.2, seed=42).sum() - 1) / 30
    assert accuracy.target == f">= {bar:.4g}" and accuracy.measured >= bar
    assert "time to train" not in [r.name for r in results]  # reported, not judged


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
