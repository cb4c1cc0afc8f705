"""Where the time goes: cProfile over consolidate and over generate --roster, summarised.

    python benchmarks/hotspots.py consolidate [--n 1000] [--top 25] [--out FILE.prof]
    python benchmarks/hotspots.py generate [--roster 500] [--top 25] [--out FILE.prof]
    python benchmarks/hotspots.py consolidate --summarise FILE.prof   # a saved profile again

consolidate runs `consolidate(folder, jobs=1)` (every file read in this process, so the
profile sees the reading; with workers it would only see the parent waiting) and then
writes the regional workbook, JSON and CSV. generate runs `generate_roster` for a roster
of the corpus's first networks. Both use the corpus of run.py (generated if missing).
Printed: the functions with the most own time, and behovxl's functions by cumulative
time. cProfile adds a fixed cost per call, so many small calls (expression trees, expat
callbacks) look dearer than they are: compare the shares, and confirm with run.py.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import corpus  # noqa: E402

SEED = 2026

# ---------------------------------------------------------------- public API


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    if args.summarise:
        print(summary(str(args.summarise), args.top))
        return 0
    profiler = cProfile.Profile()
    with tempfile.TemporaryDirectory(prefix="behovxl-profile-") as tmp:
        if args.what == "consolidate":
            seconds = _consolidate(profiler, args, Path(tmp))
        else:
            seconds = _generate(profiler, args, Path(tmp))
    if args.out:
        profiler.dump_stats(args.out)
    print(f"{args.what}: {seconds:.1f} s under cProfile\n")
    print(summary(profiler, args.top))
    return 0


def summary(profile: cProfile.Profile | str, top: int) -> str:
    """The top functions by own time, then behovxl's by cumulative time (from a profiler or a .prof file)."""
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    out.write("== by own time (tottime)\n")
    stats.sort_stats("tottime").print_stats(top)
    out.write("== behovxl's functions by cumulative time\n")
    stats.sort_stats("cumulative").print_stats(r"/behovxl/[a-z_]+\.py", top)
    lines = out.getvalue().splitlines()
    keep = [line for line in lines if line.strip() and not line.startswith(("   Ordered", "   List"))]
    return "\n".join(keep).replace(str(ROOT) + "/", "").replace(sys.prefix + "/", "")


# ---------------------------------------------------------------- the two profiles


def _consolidate(profiler: cProfile.Profile, args: argparse.Namespace, tmp: Path) -> float:
    from behovxl.consolidate import consolidate
    from behovxl.regional import write_regional

    folder = _corpus_set(args.n)
    start = time.perf_counter()
    profiler.enable()
    c = consolidate([folder], jobs=1)
    write_regional(c, tmp / "regional.xlsx", tmp / "regional.json", tmp / "csv")
    profiler.disable()
    return time.perf_counter() - start


def _generate(profiler: cProfile.Profile, args: argparse.Namespace, tmp: Path) -> float:
    from behovxl.generate import Request, generate_roster
    from behovxl.registry import Registry

    roster = corpus.write_roster(tmp / "roster.csv", args.roster, SEED)
    req = Request(Registry.default(), corpus.YEAR, None, corpus.DEADLINE)
    start = time.perf_counter()
    profiler.enable()
    generate_roster(roster, tmp / "forms", req)
    profiler.disable()
    return time.perf_counter() - start


def _corpus_set(n: int) -> Path:
    """A folder holding exactly the corpus's first n returns (hard links), as run.py makes them."""
    root = HERE / "data" / f"corpus-{corpus.fingerprint()}-seed{SEED}"
    base = corpus.build_corpus(root / "returns", n, SEED, jobs=2, report=lambda s: print(s, file=sys.stderr))
    folder = root / "sets" / f"n{n}"
    if not folder.is_dir() or sorted(p.name for p in folder.iterdir()) != sorted(p.name for p in base):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        for path in base:
            (folder / path.name).hardlink_to(path)
    return folder


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("what", choices=["consolidate", "generate"])
    parser.add_argument("--summarise", type=Path, metavar="FILE.prof", help="only print the summary of a saved profile")
    parser.add_argument("--n", type=int, default=1000, help="returns to consolidate (default 1000)")
    parser.add_argument("--roster", type=int, default=500, help="networks in the roster (default 500)")
    parser.add_argument("--top", type=int, default=25, help="functions to list (default 25)")
    parser.add_argument("--out", type=Path, help="also write the raw profile here (for snakeviz, pstats)")
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(main())
