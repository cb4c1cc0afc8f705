"""How the benchmarks measure: wall time and peak memory of a command, and the floors.

* `run_measured(cmd)` runs a command under a small wrapper process (`python measure.py
  --wrap ...`) so that `resource.getrusage(RUSAGE_CHILDREN).ru_maxrss` there is this
  command's alone (it only ever grows in a process, so the benchmark itself cannot ask).
  On Linux that figure is the peak RSS of the largest single process of the command's
  tree (the parent or one worker), not their sum; the wrapper also samples the sum of
  the tree's PSS (proportional set size: shared pages counted once) every 0.1 s.
* Floor for reading: unzip + expat over the same XML parts the package layer parses, once
  with no handlers at all and once with no-op Python handlers for start, end and text.
* Floor for writing: the exact xlsxwriter calls behovxl's writer makes for a form are
  recorded once, then replayed against a fresh `xlsxwriter.Workbook` (same formats, cells,
  formula texts, cached values, validations, defined names, sheet settings) and timed.
"""

from __future__ import annotations

import io
import json
import multiprocessing
import os
import re
import statistics
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.parsers import expat

# ---------------------------------------------------------------- public API


@dataclass(frozen=True)
class Run:
    """One measured command: wall seconds, peak RSS of its largest process, peak PSS of its tree."""

    seconds: float
    peak_rss: int        # bytes, getrusage(RUSAGE_CHILDREN) in the wrapper
    tree_pss: int        # bytes, sampled; 0 where /proc/<pid>/smaps_rollup is missing
    returncode: int
    stdout: str
    stderr: str


def run_measured(cmd: Sequence[str], env: dict[str, str] | None = None) -> Run:
    """Run `cmd` to the end under the wrapper; the end of its standard output is kept in `Run.stdout`."""
    wrapper = [sys.executable, str(Path(__file__).resolve()), "--wrap", "--", *cmd]
    done = subprocess.run(wrapper, capture_output=True, text=True, env=env, check=False)
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"wrapper failed ({done.returncode}): {' '.join(cmd)}\n{done.stderr[-3000:]}")
    result = json.loads(lines[-1])
    return Run(result["seconds"], result["peak_rss"], result["tree_pss"], result["returncode"], result["stdout"],
               done.stderr[-_KEEP:])


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


#: Parts the package layer parses besides the worksheets (checked against a recording in run.py).
BOOK_PARTS = ("[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
              "docProps/core.xml", "xl/sharedStrings.xml", "xl/styles.xml")


def floor_parts(data: bytes) -> list[str]:
    """The XML parts of a generated return that reading it must parse: the book's parts and every sheet."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = [i.filename for i in zf.infolist()]
    sheets = [n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml")]
    return [n for n in BOOK_PARTS if n in names] + sheets


def expat_floor(data: bytes, parts: Sequence[str], handlers: bool) -> None:
    """Inflate each part in 64 KiB chunks and feed it to expat, with no-op handlers or none."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for name in parts:
            parser = expat.ParserCreate()
            parser.buffer_text = True
            if handlers:
                parser.StartElementHandler = _start
                parser.EndElementHandler = _end
                parser.CharacterDataHandler = _chars
            with zf.open(name) as fh:
                while chunk := fh.read(65536):
                    parser.Parse(chunk, False)
            parser.Parse(b"", True)


def floor_many(paths: Sequence[Path], jobs: int, handlers: bool = True) -> float:
    """Wall seconds to read every file and run `expat_floor` on it, in `jobs` processes."""
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    tasks = [(str(p), handlers) for p in paths]
    start = time.perf_counter()
    if jobs <= 1:
        for task in tasks:
            _floor_file(task)
    else:
        with context.Pool(jobs) as pool:
            for _ in pool.imap_unordered(_floor_file, tasks, chunksize=8):
                pass
    return time.perf_counter() - start


@contextmanager
def recording_writer() -> Iterator[list[list[tuple[Any, ...]]]]:
    """While active, every workbook behovxl's writer makes also leaves its xlsxwriter calls in the list."""
    import behovxl.writer as writer_module

    books: list[list[tuple[Any, ...]]] = []
    real = writer_module.FinishedWorkbook
    # The writer's workbook class swapped for one that also records; the replay uses plain xlsxwriter.
    setattr(writer_module, "FinishedWorkbook", _recording_book_class(books, real))  # noqa: B010
    try:
        yield books
    finally:
        setattr(writer_module, "FinishedWorkbook", real)  # noqa: B010


def replay(calls: list[tuple[Any, ...]], options: dict[str, Any]) -> bytes:
    """The workbook the recorded calls make, made by xlsxwriter alone (with the writer's worksheet class)."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, options)
    formats: list[Any] = []
    sheets: list[Any] = []
    for target, method, args, kwargs, marks in calls:
        if marks == _TOP:
            args = tuple(formats[a.index] if type(a) is _Fmt else a for a in args)
        elif marks == _NESTED:
            args, kwargs = _resolve(args, formats), _resolve(kwargs, formats)
        if target == -1:
            if method == "add_format":
                formats.append(book.add_format(*args))
            elif method == "add_worksheet":
                sheets.append(book.add_worksheet(*args))
            else:
                getattr(book, method)(*args, **kwargs)
        else:
            getattr(sheets[target], method)(*args, **kwargs)
    book.close()
    return buffer.getvalue()


# ---------------------------------------------------------------- expat callbacks


def _start(name: str, attrs: dict[str, str]) -> None:
    pass


def _end(name: str) -> None:
    pass


def _chars(data: str) -> None:
    pass


def _floor_file(task: tuple[str, bool]) -> None:
    path, handlers = task
    data = Path(path).read_bytes()
    expat_floor(data, floor_parts(data), handlers)


# ---------------------------------------------------------------- recording xlsxwriter calls


#: Where a recorded call's formats are: none, among its positional arguments only, or deeper.
_NONE, _TOP, _NESTED = 0, 1, 2


class _Fmt:
    """A recorded call's format argument: the index of the format in its book."""

    __slots__ = ("index",)

    def __init__(self, index: int) -> None:
        self.index = index


def _recording_book_class(books: list[list[tuple[Any, ...]]], base: type) -> type:
    class RecordingBook(base):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            self.calls: list[tuple[Any, ...]] = []
            self.format_index: dict[int, int] = {}
            self.recording = False  # xlsxwriter adds its default format itself, as it will in the replay
            super().__init__(*args, **kwargs)
            self.recording = True
            books.append(self.calls)

        def add_format(self, properties: Any = None) -> Any:
            fmt = super().add_format(properties)
            if not self.recording:
                return fmt
            self.format_index[id(fmt)] = len(self.format_index)
            self.calls.append((-1, "add_format", (dict(properties or {}),), {}, _NONE))
            return fmt

        def add_worksheet(self, name: Any = None, worksheet_class: Any = None) -> Any:
            # The writer's own worksheet class (it caches prepared formula texts) is part of the floor.
            sheet = super().add_worksheet(name, worksheet_class)
            self.calls.append((-1, "add_worksheet", (name, worksheet_class), {}, _NONE))
            return _SheetTap(sheet, self, len(self.worksheets()) - 1)

        def set_properties(self, properties: Any) -> Any:
            self.calls.append((-1, "set_properties", (dict(properties),), {}, _NONE))
            return super().set_properties(properties)

        def define_name(self, name: str, formula: str) -> Any:
            self.calls.append((-1, "define_name", (name, formula), {}, _NONE))
            return super().define_name(name, formula)

    return RecordingBook


class _SheetTap:
    """Stands for a worksheet: logs each call (formats by index) and makes it on the real one."""

    def __init__(self, sheet: Any, book: Any, index: int) -> None:
        self._sheet, self._book, self._index = sheet, book, index

    def __getattr__(self, method: str) -> Callable[..., Any]:
        real = getattr(self._sheet, method)

        def call(*args: Any, **kwargs: Any) -> Any:
            index = self._book.format_index
            marked_args, _ = _mark(args, index)
            marked_kwargs, found_k = _mark(kwargs, index)
            top = any(type(a) is _Fmt for a in marked_args)
            nested = found_k or any(_mark(a, index)[1] for a in args if _holds(a))
            marks = _NESTED if nested else _TOP if top else _NONE
            self._book.calls.append((self._index, method, marked_args, marked_kwargs, marks))
            return real(*args, **kwargs)

        return call


def _mark(value: Any, index: dict[int, int]) -> tuple[Any, bool]:
    """A copy of `value` with every Format replaced by its `_Fmt`; and whether there was one."""
    from xlsxwriter.format import Format

    if isinstance(value, Format):
        return _Fmt(index[id(value)]), True
    if isinstance(value, dict):
        pairs = [(k, *_mark(v, index)) for k, v in value.items()]
        return {k: v for k, v, _ in pairs}, any(f for _, _, f in pairs)
    if isinstance(value, (list, tuple)):
        items = [_mark(v, index) for v in value]
        return type(value)(v for v, _ in items), any(f for _, f in items)
    return value, False


def _holds(value: Any) -> bool:
    """Whether a value may hold a Format inside it (a container)."""
    return isinstance(value, (dict, list, tuple))


def _resolve(value: Any, formats: list[Any]) -> Any:
    if isinstance(value, _Fmt):
        return formats[value.index]
    if isinstance(value, dict):
        return {k: _resolve(v, formats) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_resolve(v, formats) for v in value)
    return value


# ---------------------------------------------------------------- the wrapper process


def _descendants(root: int) -> list[int]:
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces: the fields after ")" are fixed.
        ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        parents.setdefault(ppid, []).append(int(entry))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(parents.get(pid, []))
    return out


#: Characters of the command's standard output handed back (its last line is a child's result).
_KEEP = 20_000
_PSS = re.compile(rb"^Pss:\s+(\d+) kB", re.MULTILINE)


def _tree_pss(root: int) -> int:
    total = 0
    for pid in _descendants(root):
        try:
            with open(f"/proc/{pid}/smaps_rollup", "rb") as fh:
                found = _PSS.search(fh.read())
        except OSError:
            continue
        if found:
            total += int(found.group(1)) * 1024
    return total


def _wrap(cmd: list[str]) -> None:
    import resource

    peak = [0]
    stop = threading.Event()
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)

    def sample() -> None:
        while not stop.wait(0.1):
            peak[0] = max(peak[0], _tree_pss(proc.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    if os.path.exists(f"/proc/{os.getpid()}/smaps_rollup"):
        sampler.start()
    stdout, _ = proc.communicate()
    seconds = time.perf_counter() - start
    stop.set()
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    rss *= 1 if sys.platform == "darwin" else 1024  # kilobytes on Linux, bytes on macOS
    print(json.dumps({"seconds": seconds, "peak_rss": rss, "tree_pss": peak[0], "returncode": proc.returncode,
                      "stdout": stdout[-_KEEP:]}))


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--wrap" and sys.argv[2] == "--":
        _wrap(sys.argv[3:])
    else:
        sys.exit("usage: measure.py --wrap -- COMMAND...")
