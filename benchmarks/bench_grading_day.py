"""A 30-student l1.sequential class graded by one `aml grade` command, timed.

The class mixes what a teacher receives: 18 correct files (12 as .py, 6 as notebooks with
shell/magic lines), 4 wrong architectures, 2 unfinished templates, 2 syntax errors, 1
notebook that does not parse, 1 endless loop, and a Canvas export zip holding 2 renamed
copies of a classmate. Prints the wall time of the command, the time per submission, the
statuses, and the load it ran under. Usage: python benchmarks/bench_grading_day.py
[--jobs 2] [--quick].
"""

import csv
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import nbformat

from aml import catalog
from aml.grading.templates import solution_path, template_from_solution
from aml.tables import format_table

jobs = sys.argv[sys.argv.index("--jobs") + 1] if "--jobs" in sys.argv else "2"
quick = "--quick" in sys.argv
exercise = catalog.get("l1.sequential", kind="exercise")
correct = solution_path(exercise).read_text()
wrong = correct.replace('Dense(3, activation="softmax")', 'Dense(3, activation="sigmoid")')
broken = correct.replace("def build_model():", "def build_model()")
loop = "while True:\n    pass\n"


def notebook(*cells) -> str:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    return nbformat.writes(nb)


with tempfile.TemporaryDirectory() as tmp:
    subs = Path(tmp) / "subs"
    subs.mkdir()
    files = {f"correct{i:02d}.py": correct for i in range(12)}
    files |= {f"nb{i:02d}.ipynb": notebook("!pip list\n%matplotlib inline", correct)
              for i in range(6)}
    files |= {f"wrong{i}.py": wrong for i in range(4)}
    files |= {f"todo{i}.py": template_from_solution(correct) for i in range(2)}
    files |= {f"broken{i}.py": broken for i in range(2)}
    files |= {"badnb.ipynb": notebook(correct, "def f(:\n  pass"), "loop.py": loop}
    for name, text in files.items():
        (subs / name).write_text(text)
    with zipfile.ZipFile(subs / "canvas.zip", "w") as zf:
        copy = correct.replace("layers = [", "stack = [").replace("Sequential(layers)",
                                                                   "Sequential(stack)")
        zf.writestr("doejane_1001_9001_sequential.py", copy)
        zf.writestr("roejohn_1002_9002_sequential.py", copy)
    out = Path(tmp) / "grades" / "class.csv"
    command = [sys.executable, "-m", "aml", "grade", "l1.sequential", str(subs), "--out",
               str(out), "--jobs", jobs, "--format", "plain,canvas,moodle", "--points", "10",
               "--results", str(Path(tmp) / "results")]
    command += ["--quick"] if quick else []
    load_before = os.getloadavg()
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    load_after = os.getloadavg()
    if done.returncode:
        sys.exit(done.stdout + done.stderr)
    rows = list(csv.DictReader(out.open()))
    statuses: dict[str, int] = {}
    for row in rows:
        statuses[row["status"]] = statuses.get(row["status"], 0) + 1
    kinds: dict[str, set] = {}
    for row in rows:
        kind = row["student"].rstrip("0123456789")
        kinds.setdefault(kind, set()).add(f"{row['status']} {row['grade']}/{row['out_of']}")
    print(format_table([[k, ", ".join(sorted(v))] for k, v in sorted(kinds.items())],
                       ["kind", "status and grade"]))
    remeasured = [line for line in done.stdout.splitlines() if "within one standard" in line]
    print(f"{len(remeasured)} line(s) about re-measuring near a target")
    print(format_table([[len(rows), jobs, "quick" if quick else "full", f"{seconds:.0f}",
                         f"{seconds / len(rows):.1f}",
                         ", ".join(f"{n} {s}" for s, n in sorted(statuses.items())),
                         f"{load_before[0]:.1f} -> {load_after[0]:.1f}"]],
                       ["students", "jobs", "checks", "wall s", "s/student", "statuses",
                        "load (1 min)"]))
    print(f"{os.cpu_count()} CPUs; command: aml grade l1.sequential <class> --jobs {jobs} "
          "--format plain,canvas,moodle --points 10" + (" --quick" if quick else ""))
