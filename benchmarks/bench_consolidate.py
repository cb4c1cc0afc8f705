"""Benchmark: consolidate N generated workbooks (default 200); print time and peak memory.

    PYTHONPATH=. python3 benchmarks/bench_consolidate.py [-n 200] [--keep DIR] [--no-plain]

The workbooks are pre-filled from the example reports, each under its own network
name and owners. The consolidation (read every workbook, check it, pick one per
network) and the writing (regional xlsx, JSON and CSV, in memory then to disk) run
twice: once plainly for the time, once under tracemalloc for the peak Python memory
(tracemalloc slows Python down, so that run's time is longer). A plain script, not a test.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from behovxl.consolidate import consolidate  # noqa: E402
from behovxl.generate import generate_from_report  # noqa: E402
from behovxl.models import Report  # noqa: E402
from behovxl.regional import write_regional  # noqa: E402


def make_workbooks(folder: Path, n: int) -> list[Path]:
    examples = sorted((ROOT / "examples" / "reports").glob("*.json"))
    reports = [Report.model_validate(json.loads(p.read_text(encoding="utf-8"))) for p in examples]
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        report = reports[i % len(reports)].model_copy(deep=True)
        name = f"Kompetansenettverk {i + 1:03d}"
        report.network_id = report.partnership.network = name
        report.partnership.owners = f"Kommune {i + 1:03d}a, Kommune {i + 1:03d}b"
        report.partners = []
        paths.append(generate_from_report(folder / f"nettverk-{i + 1:03d}.xlsx", report))
    return paths


def run(folder: Path, out: Path) -> tuple[float, float, object]:
    t0 = time.perf_counter()
    c = consolidate([folder])
    t1 = time.perf_counter()
    write_regional(c, out / "regional.xlsx", out / "alle.json", out / "csv")
    t2 = time.perf_counter()
    return t1 - t0, t2 - t1, c


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=200, help="number of workbooks (default 200)")
    parser.add_argument("--keep", type=Path, help="write the workbooks and outputs here instead of a temporary folder")
    parser.add_argument("--no-plain", action="store_true", help="skip the untraced run (time only under tracemalloc)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-consolidate-") as tmp:
        base = args.keep or Path(tmp)
        inputs, out = base / "innkommet", base / "ut"
        t = time.perf_counter()
        make_workbooks(inputs, args.n)
        print(f"generated {args.n} workbooks in {time.perf_counter() - t:.1f} s ({inputs})")

        if not args.no_plain:
            read_s, write_s, c = run(inputs, out)
            print(f"consolidate: {read_s:.1f} s ({read_s / args.n * 1000:.0f} ms per workbook); "
                  f"write regional xlsx+json+csv: {write_s:.2f} s")
            print(f"  {c.summary()}  exit code {c.exit_code}")
            print(f"  regional.xlsx {(out / 'regional.xlsx').stat().st_size / 1024:.0f} KiB, "
                  f"alle.json {(out / 'alle.json').stat().st_size / 1024:.0f} KiB")

        tracemalloc.start()
        read_s, write_s, c = run(inputs, out)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"under tracemalloc: consolidate {read_s:.1f} s, write {write_s:.2f} s; "
              f"peak traced memory {peak / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
