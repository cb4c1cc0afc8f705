"""The performance benchmarks: every target of the performance issue, beside its floor, in one table.

    python benchmarks/run.py [--n 1000] [--quick] [--jobs 2] [--repeat 3] [--data DIR]

First it makes sure the corpus is there: N realistic returns from N different networks
(see corpus.py), generated once and cached under `--data` (default benchmarks/data/, not
committed) in a folder named after a fingerprint of the corpus generator and the form's
sources, so a changed form gets a fresh corpus. Then, each measurement repeated `--repeat`
times and the median taken:

* consolidate, library: `consolidate(folder, jobs=J)` in a fresh process (its time), and
  writing the regional xlsx, JSON and CSV (shown apart in the notes);
* consolidate, CLI: `behovxl consolidate FOLDER -o … --json … --csv … --jobs J`, wall time;
* check, CLI: `behovxl check FOLDER --format json --jobs J`, wall time;
  the floor of these three: unzip + expat with no-op handlers over the same parts of every
  file, in J processes;
* read one: `pipeline.read_data` per file over a sample of the corpus, and the package layer
  alone inside it, each beside two floors: unzip + expat over the same XML parts with no
  handlers, and with no-op Python handlers;
* generate: `generate_roster` for a roster of 500 networks (the corpus's first) in a fresh
  process, beside bare xlsxwriter replaying the writer's own recorded calls for the same
  forms (same formats, cells, formula texts, cached values, validations, names, settings);
* memory flatness: the consolidate CLI over 0.3·N and over 3·N returns; the 3·N are the N
  returns and two renamed copies of each (corpus.clone: the network and every owner get
  " 2" or " 3" appended in the XML parts), so every file is a different network.

Peak RSS is `getrusage(RUSAGE_CHILDREN).ru_maxrss` of a wrapper process around the command:
on Linux the peak of the largest single process (the parent or one worker), not their
sum; the notes give the sampled peak PSS of the whole process tree too.

`--quick` runs everything once on 100 returns (a roster of 20, memory 10 vs 100 returns, a
sample of 10 for reading one), for CI: the time goals are then scaled to the smaller counts.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # also under PYTHONSAFEPATH=1, which leaves the script's folder out
    sys.path.insert(0, str(HERE))

import corpus  # noqa: E402
import measure  # noqa: E402

MiB = 1024 * 1024
SEED = 2026
ROSTER = 500
GOAL_SECONDS = 10.0      # consolidate and check, per 1,000 files
GOAL_RSS = 300 * MiB
GOAL_READ = 2.0          # × the floor
GOAL_GENERATE = 1.3      # × bare xlsxwriter
GOAL_FLAT = 1.2          # peak RSS 3·N / peak RSS 0.3·N
READ_SAMPLE = 50
QUICK_ROSTER = 20
QUICK_READ_SAMPLE = 10

# ---------------------------------------------------------------- public API


@dataclass
class Row:
    what: str
    measured: str
    floor: str = "—"
    ratio: str = "—"
    goal: str = "—"
    rss: str = "—"
    verdict: str = "—"


@dataclass
class Bench:
    """One benchmark run: its settings, the table rows and the notes under the table."""

    n: int
    jobs: int
    repeat: int
    data: Path
    quick: bool
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    load: list[float] = field(default_factory=list)  # 1-minute load average before each step and at the end
    consolidated: dict[Path, list[measure.Run]] = field(default_factory=dict)  # CLI runs by folder

    @property
    def roster(self) -> int:
        return QUICK_ROSTER if self.quick else ROSTER

    @property
    def flat_sizes(self) -> tuple[int, int]:
        """The two corpus sizes whose peak memory is compared: 10× apart."""
        return (max(1, self.n // 10), self.n) if self.quick else (max(1, round(self.n * 0.3)), 3 * self.n)

    @property
    def read_sample(self) -> int:
        return QUICK_READ_SAMPLE if self.quick else READ_SAMPLE

    @property
    def passes(self) -> int:
        """Passes over the sample for the per-file timings (at least 3 unless quick: they are short)."""
        return 1 if self.quick else max(3, self.repeat)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    if args.child:
        print(json.dumps(_child(json.loads(args.child))))
        return 0
    n = 100 if args.quick else args.n
    bench = Bench(n, args.jobs, 1 if args.quick else args.repeat, (args.data or HERE / "data").resolve(), args.quick)
    started = time.perf_counter()
    sets = _prepare(bench)
    steps: list[tuple[str, Callable[[], None]]] = [
        ("consolidate", lambda: _consolidate_rows(bench, sets["main"])),
        ("check", lambda: _check_row(bench, sets["main"])),
        ("read one", lambda: _read_rows(bench, sorted(sets["main"].iterdir()))),
        ("generate", lambda: _generate_row(bench)),
        ("memory flatness", lambda: _flat_row(bench, sets["small"], sets["large"])),
    ]
    for name, step in steps:
        start = time.perf_counter()
        bench.load.append(_load())
        _say(f"{name} ...")
        step()
        _say(f"{name}: {time.perf_counter() - start:.0f} s")
    bench.load.append(_load())
    print(_table(bench))
    print(f"\ntotal benchmark time {time.perf_counter() - started:.0f} s")
    return 0


# ---------------------------------------------------------------- the corpus and the sets of files


def _prepare(bench: Bench) -> dict[str, Path]:
    """The corpus, its clones, and one folder per set of files (hard links into the corpus)."""
    root = bench.data / f"corpus-{corpus.fingerprint()}-seed{SEED}"
    for old in bench.data.glob("corpus-*"):
        if old != root and old.is_dir():
            shutil.rmtree(old)  # a corpus of an older form or generator
    start = time.perf_counter()
    base = corpus.build_corpus(root / "returns", max(bench.n, 1), SEED, bench.jobs, report=_say)
    small, large = bench.flat_sizes
    copies = -(-large // len(base)) - 1
    clones = corpus.build_clones(base, root / "clones", SEED, copies) if copies > 0 else []
    took = time.perf_counter() - start
    if took > 1:
        bench.notes.append(f"corpus prepared in {took:.0f} s ({root})")
    return {"main": _link_set(root / "sets" / f"n{bench.n}", base),
            "small": _link_set(root / "sets" / f"n{small}", base[:small]),
            "large": _link_set(root / "sets" / f"n{large}", (base + clones)[:large])}


def _link_set(folder: Path, files: list[Path]) -> Path:
    wanted = {f.name: f for f in files}
    folder.mkdir(parents=True, exist_ok=True)
    for entry in folder.iterdir():
        if entry.name not in wanted:
            entry.unlink()
    for name, source in wanted.items():
        target = folder / name
        if not target.exists():
            try:
                os.link(source, target)
            except OSError:
                shutil.copyfile(source, target)
    return folder


# ---------------------------------------------------------------- consolidate and check


def _consolidate_rows(bench: Bench, folder: Path) -> None:
    floor = measure.median([measure.floor_many(sorted(folder.iterdir()), bench.jobs) for _ in range(bench.repeat)])
    out = bench.data / "out"
    lib = [_run_child(bench, {"task": "consolidate", "inputs": str(folder), "jobs": bench.jobs,
                              "out": str(out / "lib")}) for _ in range(bench.repeat)]
    seconds = measure.median([r.result["consolidate"] for r in lib])
    rss = max(r.run.peak_rss for r in lib)
    goal = GOAL_SECONDS * bench.n / 1000
    bench.rows.append(Row(f"consolidate() {bench.n:,} files, jobs={bench.jobs}", _s(seconds), _s(floor),
                          _x(seconds / floor), f"≤ {_s(goal)}, ≤ {_mb(GOAL_RSS)}", _mb(rss),
                          _verdict(seconds <= goal and rss <= GOAL_RSS)))
    first = lib[0].result
    bench.notes.append(f"consolidate(): {first['sources']} sources, {first['networks']} networks; writing xlsx+json+csv "
                       f"{_s(measure.median([r.result['write'] for r in lib]))} more; tree PSS peak "
                       f"{_mb(max(r.run.tree_pss for r in lib))}")
    cli = [_consolidate_cli(bench, folder) for _ in range(bench.repeat)]
    seconds = measure.median([r.seconds for r in cli])
    rss = max(r.peak_rss for r in cli)
    bench.rows.append(Row(f"behovxl consolidate {bench.n:,} (+xlsx/json/csv)", _s(seconds), _s(floor),
                          _x(seconds / floor), f"≤ {_s(goal)}, ≤ {_mb(GOAL_RSS)}", _mb(rss),
                          _verdict(seconds <= goal and rss <= GOAL_RSS)))
    bench.notes.append(f"consolidate CLI: tree PSS peak {_mb(max(r.tree_pss for r in cli))}; floor = unzip + expat "
                       f"(no-op handlers) over the same parts of all {bench.n:,} files in {bench.jobs} processes")


def _consolidate_cli(bench: Bench, folder: Path) -> measure.Run:
    out = bench.data / "out" / "cli"
    run = _run_cli(["consolidate", str(folder), "-o", str(out / "regional.xlsx"), "--json", str(out / "regional.json"),
                    "--csv", str(out / "csv"), "--jobs", str(bench.jobs)], ok=(0, 1), makes=out / "regional.xlsx")
    bench.consolidated.setdefault(folder, []).append(run)
    return run


def _check_row(bench: Bench, folder: Path) -> None:
    floor = measure.median([measure.floor_many(sorted(folder.iterdir()), bench.jobs) for _ in range(bench.repeat)])
    runs = [_run_cli(["check", str(folder), "--format", "json", "--jobs", str(bench.jobs)], ok=(0, 1))
            for _ in range(bench.repeat)]
    if not all(r.stdout.rstrip().endswith("}") for r in runs):
        raise RuntimeError("behovxl check did not print its JSON")
    seconds = measure.median([r.seconds for r in runs])
    rss = max(r.peak_rss for r in runs)
    goal = GOAL_SECONDS * bench.n / 1000
    bench.rows.append(Row(f"behovxl check {bench.n:,} --format json", _s(seconds), _s(floor), _x(seconds / floor),
                          f"≤ {_s(goal)}", _mb(rss), _verdict(seconds <= goal)))


# ---------------------------------------------------------------- reading one workbook


def _read_rows(bench: Bench, paths: list[Path]) -> None:
    from behovxl.pipeline import read_data

    step = max(1, len(paths) // bench.read_sample)
    sample = [(p, p.read_bytes()) for p in paths[::step][: bench.read_sample]]
    parts = {p: measure.floor_parts(data) for p, data in sample}
    _check_floor_parts(bench, sample[0], parts[sample[0][0]])
    timings: dict[str, list[float]] = {"read": [], "package": [], "bare": [], "noop": []}
    for _ in range(bench.passes):
        timer = _PackageTimer()
        timings["read"].append(_per_file(sample, lambda p, d: read_data(p, d)))
        _per_file(sample, functools.partial(_read_timed, timer=timer))
        timings["package"].append(timer.seconds / len(sample))
        timings["bare"].append(_per_file(sample, lambda p, d: measure.expat_floor(d, parts[p], False)))
        timings["noop"].append(_per_file(sample, lambda p, d: measure.expat_floor(d, parts[p], True)))
    t = {k: measure.median(v) for k, v in timings.items()}
    for label, key in (("read_data", "read"), ("package layer", "package")):
        for floor_label, floor_key in (("no handlers", "bare"), ("no-op handlers", "noop")):
            ratio = t[key] / t[floor_key]
            bench.rows.append(Row(f"read one: {label} vs expat, {floor_label}", _ms(t[key]), _ms(t[floor_key]),
                                  _x(ratio), f"≤ {GOAL_READ:g}×", "—", _verdict(ratio <= GOAL_READ)))
    size = sum(len(d) for _, d in sample) / len(sample)
    bench.notes.append(f"read one: mean over {len(sample)} returns of the corpus (mean {size / 1024:.0f} KiB), "
                       f"median of {bench.passes} passes; package layer = open_package + every cells() "
                       f"call made inside read_data")


class _PackageTimer:
    """An opener that times the package layer's own work inside a real read."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def open(self, data: bytes, limits: Any) -> Any:
        from behovxl.package import open_package

        start = time.perf_counter()
        package = open_package(data, limits)
        self.seconds += time.perf_counter() - start
        return _TimedPackage(package, self)


class _TimedPackage:
    def __init__(self, package: Any, timer: _PackageTimer) -> None:
        self._package, self._timer = package, timer

    def __getattr__(self, name: str) -> Any:
        return getattr(self._package, name)

    def cells(self, sheet: str, wanted: Any = None) -> Any:
        start = time.perf_counter()
        try:
            return self._package.cells(sheet, wanted)
        finally:
            self._timer.seconds += time.perf_counter() - start


def _read_timed(path: Path, data: bytes, timer: _PackageTimer) -> object:
    from behovxl.pipeline import read_data

    return read_data(path, data, opener=timer.open)


def _per_file(sample: list[tuple[Path, bytes]], action: Callable[[Path, bytes], object]) -> float:
    start = time.perf_counter()
    for path, data in sample:
        action(path, data)
    return (time.perf_counter() - start) / len(sample)


def _check_floor_parts(bench: Bench, item: tuple[Path, bytes], floor: list[str]) -> None:
    """Compare the floor's parts with the parts the package layer really parses (recorded once)."""
    from behovxl import package
    from behovxl.pipeline import read_data

    zip_class = getattr(package, "_Zip", None)
    if zip_class is None or not hasattr(zip_class, "parse"):
        bench.notes.append("read one: could not record the parts the package parses; floor uses every sheet")
        return
    seen: list[str] = []
    real = zip_class.parse

    def recording(self: Any, name: str, handler: Any) -> None:
        seen.append(name)
        real(self, name, handler)

    zip_class.parse = recording
    try:
        read_data(item[0], item[1])
    finally:
        zip_class.parse = real
    twice = sorted({n for n in seen if seen.count(n) > 1})
    if set(seen) != set(floor):
        bench.notes.append(f"read one: WARNING the package parsed {sorted(set(seen))}, the floor {sorted(floor)}")
    bench.notes.append(f"read one: the package parses {len(seen)} parts per file ({len(set(seen))} distinct"
                       + (f"; twice: {', '.join(twice)}" if twice else "") + ")")


# ---------------------------------------------------------------- generating forms


def _generate_row(bench: Bench) -> None:
    roster = corpus.write_roster(bench.data / "out" / f"roster-{bench.roster}.csv", bench.roster, SEED)
    runs = [_run_child(bench, {"task": "generate", "roster": str(roster), "out": str(bench.data / "out" / "forms")})
            for _ in range(bench.repeat)]
    seconds = measure.median([r.result["seconds"] for r in runs])
    floor = _generate_floor(roster, bench.data / "out" / "forms-floor", bench.passes)
    ratio = seconds / floor
    bench.rows.append(Row(f"generate --roster {bench.roster}", _s(seconds), _s(floor), _x(ratio),
                          f"≤ {GOAL_GENERATE:g}×", _mb(max(r.run.peak_rss for r in runs)),
                          _verdict(ratio <= GOAL_GENERATE)))
    bench.notes.append(f"generate: generate_roster() in a fresh process; floor = bare xlsxwriter replaying the "
                       f"writer's recorded calls for the same {bench.roster} forms and writing the files "
                       f"(median of {bench.passes} replays per form)")


def _generate_floor(roster: Path, out: Path, repeat: int) -> float:
    from behovxl.generate import Request, deadline_text, make_form, roster_report, safe_file_name
    from behovxl.registry import Registry
    from behovxl.roster import read_roster
    from behovxl.writer import _OPTIONS, workbook_bytes

    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    req = Request(Registry.default(), corpus.YEAR, None, corpus.DEADLINE)
    total = 0.0
    for entry in read_roster(roster):
        deadline = deadline_text(entry.deadline, entry.language) if entry.deadline else ""
        form = make_form(req, entry.network, entry.language, deadline)
        with measure.recording_writer() as books:
            workbook_bytes(form, roster_report(form, entry))
        target = out / safe_file_name(entry.network, corpus.YEAR)
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            target.write_bytes(measure.replay(books[0], _OPTIONS))
            times.append(time.perf_counter() - start)
        total += measure.median(times)
    return total


# ---------------------------------------------------------------- memory flat in N


def _flat_row(bench: Bench, small: Path, large: Path) -> None:
    runs = {}
    for name, folder in (("small", small), ("large", large)):
        # The same command as the consolidate row; a folder already measured there is not run again.
        runs[name] = (bench.consolidated.get(folder) or [_consolidate_cli(bench, folder)])[0]
    count = {name: sum(1 for _ in folder.iterdir()) for name, folder in (("small", small), ("large", large))}
    ratio = runs["large"].peak_rss / runs["small"].peak_rss
    bench.rows.append(Row(f"peak RSS consolidate {count['large']:,} vs {count['small']:,}",
                          _mb(runs["large"].peak_rss), _mb(runs["small"].peak_rss), _x(ratio), f"≤ {GOAL_FLAT:g}×",
                          _mb(runs["large"].peak_rss), _verdict(ratio <= GOAL_FLAT)))
    per_file = {k: runs[k].seconds / count[k] * 1000 for k in runs}
    pss = {k: runs[k].tree_pss for k in runs}
    made = (f"the {bench.n:,} returns + renamed copies" if count["large"] > bench.n else "the first returns")
    bench.notes.append(f"flatness: {count['large']:,} = {made}; "
                       f"{per_file['small']:.0f} ms/file at {count['small']:,}, {per_file['large']:.0f} ms/file at "
                       f"{count['large']:,}; tree PSS peak {_mb(pss['small'])} vs {_mb(pss['large'])}")


# ---------------------------------------------------------------- child processes


@dataclass(frozen=True)
class _Child:
    run: measure.Run
    result: dict[str, Any]


def _run_child(bench: Bench, task: dict[str, Any]) -> _Child:
    run = measure.run_measured([sys.executable, str(Path(__file__).resolve()), "--child", json.dumps(task)])
    if run.returncode != 0:
        raise RuntimeError(f"child {task['task']} failed with exit code {run.returncode}")
    return _Child(run, json.loads(run.stdout.strip().splitlines()[-1]))


def _run_cli(args: list[str], ok: tuple[int, ...] = (0,), makes: Path | None = None) -> measure.Run:
    """Run `behovxl ARGS`; `makes` is a file the command must write (removed before, checked after)."""
    cmd = [sys.executable, "-m", "behovxl", *args]
    if makes is not None:
        makes.parent.mkdir(parents=True, exist_ok=True)
        makes.unlink(missing_ok=True)
    run = measure.run_measured(cmd)
    if run.returncode not in ok or (makes is not None and not makes.is_file()):
        raise RuntimeError(f"{' '.join(cmd)} ended with exit code {run.returncode}:\n{run.stderr[-2000:]}")
    return run


def _child(task: dict[str, Any]) -> dict[str, Any]:
    """What a fresh process measures; runs in that process."""
    if task["task"] == "consolidate":
        from behovxl.consolidate import consolidate
        from behovxl.regional import write_regional

        out = Path(task["out"])
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        start = time.perf_counter()
        c = consolidate([Path(task["inputs"])], jobs=task["jobs"])
        middle = time.perf_counter()
        write_regional(c, out / "regional.xlsx", out / "regional.json", out / "csv")
        return {"consolidate": middle - start, "write": time.perf_counter() - middle,
                "sources": len(c.files), "networks": len(c.counted)}
    if task["task"] == "generate":
        from behovxl.generate import Request, generate_roster
        from behovxl.registry import Registry

        out = Path(task["out"])
        shutil.rmtree(out, ignore_errors=True)
        start = time.perf_counter()
        paths = generate_roster(Path(task["roster"]), out, Request(Registry.default(), corpus.YEAR, None,
                                                                   corpus.DEADLINE))
        return {"seconds": time.perf_counter() - start, "forms": len(paths)}
    raise ValueError(task["task"])


# ---------------------------------------------------------------- the table

_HEADER = Row("what", "measured", "floor", "ratio", "goal", "peak RSS", "verdict")


def _table(bench: Bench) -> str:
    rows = [_HEADER, *bench.rows]
    fields = ("what", "measured", "floor", "ratio", "goal", "rss", "verdict")
    widths = {f: max(len(getattr(r, f)) for r in rows) for f in fields}
    lines = []
    for i, row in enumerate(rows):
        cells = [getattr(row, f).ljust(widths[f]) if f == "what" else getattr(row, f).rjust(widths[f]) for f in fields]
        lines.append("| " + " | ".join(cells) + " |")
        if i == 0:
            lines.append("|" + "|".join("-" * (widths[f] + 2) for f in fields) + "|")
    mode = "quick: everything once" if bench.quick else f"median of {bench.repeat}"
    load = " ".join(f"{x:.1f}" for x in bench.load)
    head = (f"behovxl benchmarks: {bench.n:,} returns, jobs={bench.jobs}, {mode}, "
            f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}; load average at each step: {load}")
    return "\n".join([head, "", *lines, "", *(f"- {note}" for note in bench.notes)])


def _s(seconds: float) -> str:
    return f"{seconds:.2f} s" if seconds < 100 else f"{seconds:.0f} s"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def _mb(size: float) -> str:
    return f"{size / MiB:.0f} MB"


def _x(ratio: float) -> str:
    return f"{ratio:.2f}×"


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def _load() -> float:
    try:
        return os.getloadavg()[0]
    except OSError:
        return 0.0


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="returns in the corpus (default 1000)")
    parser.add_argument("--quick", action="store_true", help="100 returns, everything once (for CI)")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes for reading and generating (default 2)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the median counts (default 3)")
    parser.add_argument("--data", type=Path, help="where the corpus is cached (default benchmarks/data/)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(main())
