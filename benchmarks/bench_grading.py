"""Submissions graded per minute for lecture 1 exercises, with 1 and 2 parallel jobs.

Each submission is the reference solution of the exercise, built in its own bubblewrap
jail (Keras on the numpy backend) and measured by a warm measuring process per job (one
TensorFlow import per job and run, included in the rate), with the quick configuration
(40 epochs); --full trains 200 epochs. Prints the load average it ran under.
Usage: python benchmarks/bench_grading.py [N per exercise] [--full] [--two (2 jobs only)]
[--exercise=l1.sequential].
"""

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from aml import catalog
from aml.grading.grade import grade_class
from aml.grading.templates import solution_path
from aml.sandbox import Limits
from aml.tables import format_table

args = [a for a in sys.argv[1:] if not a.startswith("--")]
per_exercise = int(args[0]) if args else 4
quick = "--full" not in sys.argv
rows = []
only = [a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith("--exercise=")]
for exercise in [e for e in catalog.exercises() if e.lecture == 1 and (not only
                                                                       or e.id in only)]:
    rates = {}
    for jobs in ((2,) if "--two" in sys.argv else (1, 2)):
        with tempfile.TemporaryDirectory() as tmp:
            subs = Path(tmp) / "subs"
            subs.mkdir()
            for i in range(per_exercise):
                shutil.copy(solution_path(exercise), subs / f"student{i}.py")
            start = time.perf_counter()
            records = grade_class(exercise, subs, Path(tmp) / "grades.csv", jobs=jobs,
                                  limits=Limits(timeout_s=600), quick=quick, log=lambda _: None)
            seconds = time.perf_counter() - start
        ok = sum(r["status"] == "ok" and r["score"] == r["max_score"] for r in records)
        rates[jobs] = per_exercise / seconds * 60
        rows.append([exercise.id, jobs, per_exercise, f"{ok}/{per_exercise}", f"{seconds:.1f}",
                     f"{seconds / per_exercise:.1f}", f"{rates[jobs]:.1f}", ""])
        print(*rows[-1], flush=True)
    if len(rates) == 2:
        rows[-1][-1] = f"{rates[2] / rates[1]:.2f}x"
print(f"configuration: {'quick (40 epochs)' if quick else 'full (200 epochs)'}; "
      f"{os.cpu_count()} cores; load average at the end "
      + " ".join(f"{x:.1f}" for x in os.getloadavg()))
print(format_table(rows, ["exercise", "jobs", "submissions", "full marks", "seconds",
                          "s/submission", "per minute", "2 jobs / 1 job"]))
