"""Run every benchmarks/bench_*.py in turn (`make bench`); each prints its own table."""

import runpy
import sys
import time
from pathlib import Path

here = Path(__file__).parent
selected = sys.argv[1:]
for script in sorted(here.glob("bench_*.py")):
    if selected and not any(name in script.stem for name in selected):
        continue
    print(f"\n=== {script.stem} ===", flush=True)
    start = time.perf_counter()
    runpy.run_path(str(script), run_name="__main__")
    print(f"({script.stem} took {time.perf_counter() - start:.1f} s)", flush=True)
