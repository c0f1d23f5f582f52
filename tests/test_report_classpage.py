"""The class page's parts: Pareto front of a lecture 3 class, tiers, histogram counts."""

from aml.catalog import Exercise
from aml.report.classpage import accuracy_and_parameters, class_page, pareto_front, tier_of

L3 = Exercise("l3.cnn", 3, "CNN", "lecture3/cnn.py", "lecture3/cnn.py", "x:y")


def l3_record(student, accuracy, parameters, reached):
    checks = [{"name": f"tier {k}", "key": f"tier {k}", "tier": "", "passed": k <= reached,
               "points": 1.0, "score": float(k <= reached), "measured": "", "target": "",
               "hint": "train longer"} for k in (1, 2, 3)]
    checks.append({"name": "highest tier reached", "key": "highest tier reached", "tier": "",
                   "passed": True, "points": 0.0, "score": 0.0, "hint": "", "target": None,
                   "measured": f"tier {reached} of 3 (70%): accuracy {accuracy:.4f}, "
                               f"{parameters:,} parameters"})
    return {"student": student, "status": "ok", "detail": "", "checks": checks,
            "score": float(reached), "max_score": 3.0, "seconds": 30.0}


CLASS = [l3_record("ann", 0.62, 1_200_000, 1), l3_record("tiny", 0.55, 9_000, 0),
         l3_record("good", 0.74, 120_000, 2), l3_record("big", 0.73, 2_000_000, 2),
         l3_record("best", 0.81, 400_000, 3)]


def test_pareto_front_keeps_only_undominated_students():
    points = [(r["student"], *accuracy_and_parameters(r)) for r in CLASS]
    assert [p[0] for p in pareto_front(points)] == ["tiny", "good", "best"]
    assert tier_of(CLASS[2]) == "tier 2 of 3 (70%)"


def test_class_page_has_the_scatter_for_lecture3():
    page = class_page(CLASS, L3, {"seed": 0}, points=30)
    assert page.count("class='student'") == 5
    assert "On the front: tiny, good, best" in page
    assert "data-count='2'" in page  # 'good' and 'big' both at 66.7 %
    assert "5 students; grades out of 30; mean 53.3 %" in page
