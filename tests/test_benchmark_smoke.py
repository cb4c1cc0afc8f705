"""The benchmarks still run: `benchmarks/run.py --quick` ends well and prints its table.

Not a timed test: it asserts nothing about speed or memory (the table's verdicts are the
benchmark's business). It generates its own 100 returns in a temporary folder, so it
takes a few minutes on two cores.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

RUN = Path(__file__).resolve().parent.parent / "benchmarks" / "run.py"

ROWS = (
    "consolidate() 100 files",
    "behovxl consolidate 100",
    "behovxl check 100",
    "read one: read_data vs expat, no handlers",
    "read one: read_data vs expat, no-op handlers",
    "read one: package layer vs expat, no handlers",
    "read one: package layer vs expat, no-op handlers",
    "generate --roster 20",
    "peak RSS consolidate 100 vs 10",
)


def test_quick_benchmark_prints_its_table(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONSAFEPATH": "1"}  # the installed behovxl, as the other tests use it
    done = subprocess.run([sys.executable, str(RUN), "--quick", "--data", str(tmp_path)], capture_output=True,
                          text=True, env=env, timeout=1800, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("| what"))
    assert [c.strip() for c in lines[header].split("|")[1:-1]] == ["what", "measured", "floor", "ratio", "goal",
                                                                 "peak RSS", "verdict"]
    rows = [line for line in lines[header + 2 :] if line.startswith("| ")]
    assert len(rows) == len(ROWS), done.stdout
    for row, label in zip(rows, ROWS, strict=True):
        cells = [c.strip() for c in row.split("|")[1:-1]]
        assert cells[0].startswith(label) and cells[-1] in ("PASS", "FAIL"), row
