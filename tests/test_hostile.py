"""Hostile input, end to end: never lose a file, never overwrite a return, never hang, never crash.

The folder from `hostile_files.build` (every file-system oddity, the byte-level corpus,
edited returns and the four good ones) is consolidated once by the library and once by the
CLI; every entry must be listed with its status and diagnosis. Then: the outputs that would
overwrite a return (refused before anything is read), a seeded fuzz of zip bytes and sheet
XML through the worker pool, failures injected into single files, SIGKILL at several points
of a real `behovxl consolidate`, and a CSV folder that cannot be written.
"""

from __future__ import annotations

import faulthandler
import hashlib
import io
import json
import os
import pwd
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hostile_files import (
    DUPLICATE,
    IMPORTED,
    LIMITS,
    REJECTED,
    SKIPPED,
    SUPERSEDED,
    WITH_ERRORS,
    Expected,
    HostileFolder,
    build,
    deny,
    good_returns,
    network_return,
    set_cell,
)
from openpyxl import load_workbook

import behovxl.pipeline
from behovxl.cli import main
from behovxl.consolidate import Consolidation, Status, consolidate
from behovxl.errors import BehovxlError
from behovxl.files import TEMP_PREFIX, clean_stale
from behovxl.inputs import discover
from behovxl.limits import GiB, Limits
from behovxl.pipeline import read_many
from behovxl.regional import consolidate_to_files, write_regional

#: Entries of the hostile folder that do not yet get what they must, and why. Each has its own
#: strict xfail test below; the folder tests leave them out. Remove an entry when it is fixed.
#: Words that show a Python exception or traceback leaked into a text a user reads.
EXCEPTION_NAMES = re.compile(
    r"Traceback|\b\w*(?:Error|Exception)\b|\bErrno\b|\berrno\b|BadZipFile|StopIteration|KeyboardInterrupt|"
    r'File "[^"]+", line \d+'
)
#: Seconds after which a test counts as hung (generous: the whole file runs in well under two minutes).
HANG_SECONDS = 150.0
COUNTED = (IMPORTED, WITH_ERRORS)


# ---------------------------------------------------------------- never hang


class Hung(BaseException):
    """A BaseException, so that no `except Exception` in the code under test can swallow it."""


@contextmanager
def deadline(seconds: float = HANG_SECONDS) -> Iterator[None]:
    """Fail, with the stack, a block that runs longer than `seconds`; a hard stop at twice that.

    Nested, the outer deadline is given back what is left of it.
    """

    def ring(signum: int, frame: object) -> None:
        raise Hung(f"no result after {seconds:g} s")

    started = time.monotonic()
    previous = signal.signal(signal.SIGALRM, ring)
    outer, _ = signal.setitimer(signal.ITIMER_REAL, seconds)
    faulthandler.dump_traceback_later(2 * seconds, exit=True)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        faulthandler.cancel_dump_traceback_later()
        if outer > 0:
            left = max(outer - (time.monotonic() - started), 0.001)
            signal.setitimer(signal.ITIMER_REAL, left)
            faulthandler.dump_traceback_later(2 * left, exit=True)


@pytest.fixture(autouse=True)
def no_hang() -> Iterator[None]:
    with deadline():
        yield


# ---------------------------------------------------------------- the hostile folder, consolidated twice


@dataclass
class Run:
    """What one consolidation left for a user: exit code, terminal text, JSON, CSV and the regional workbook."""

    exit_code: int
    output: str
    discovered: list[str]
    sources: list[dict[str, Any]]
    findings: list[dict[str, Any]]
    kilder: list[dict[str, Any]]
    oversikt: list[str]
    texts: list[str]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> HostileFolder:
    with deadline():
        return build(tmp_path_factory.mktemp("hostile") / "innkommet")


@pytest.fixture(scope="module")
def library_run(hostile: HostileFolder, tmp_path_factory: pytest.TempPathFactory) -> tuple[Run, Consolidation]:
    out = tmp_path_factory.mktemp("library-out")
    with deadline(), pytest.MonkeyPatch.context() as mp, deny(mp, [hostile.denied_folder], [hostile.denied_file]):
        found = [e.name for e in discover(hostile.root)]
        c = consolidate(hostile.root, jobs=2, limits=LIMITS)
    write_regional(c, out / "regional.xlsx", out / "regional.json", out / "csv")
    return collect(out, c.exit_code, c.summary(), found), c


@pytest.fixture(scope="module")
def cli_run(hostile: HostileFolder, tmp_path_factory: pytest.TempPathFactory) -> Run:
    out = tmp_path_factory.mktemp("cli-out")
    args = ["consolidate", str(hostile.root), "-o", str(out / "regional.xlsx"), "--json", str(out / "regional.json"),
            "--csv", str(out / "csv"), "--jobs", "2"]
    with deadline(), pytest.MonkeyPatch.context() as mp, deny(mp, [hostile.denied_folder], [hostile.denied_file]):
        found = [e.name for e in discover(hostile.root)]
        result = CliRunner().invoke(main, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return collect(out, result.exit_code, result.output, found)


def test_library_accounts_for_every_entry(hostile: HostileFolder, library_run: tuple[Run, Consolidation]) -> None:
    run, _ = library_run
    assert run.exit_code == 1
    assert_accounted(run, hostile.expected)


def test_cli_accounts_for_every_entry(hostile: HostileFolder, cli_run: Run) -> None:
    assert cli_run.exit_code == 1, cli_run.output
    assert_accounted(cli_run, hostile.expected_default)
    assert "regional.xlsx" in cli_run.output


def test_library_counts_exactly_the_good_ones(hostile: HostileFolder, library_run: tuple[Run, Consolidation]) -> None:
    run, c = library_run
    want = {name for name, e in hostile.expected.items() if e.status in COUNTED}
    assert {n.source.name for n in c.counted} == want
    assert {n.name for n in c.counted} <= set(run.oversikt)
    for name, network in hostile.networks.items():  # the four example networks, with their own figures
        assert network in run.oversikt, name


def test_cli_regional_workbook_holds_the_counted_networks(cli_run: Run) -> None:
    counted = [s for s in cli_run.sources if s["status"] in COUNTED]
    assert counted
    assert {s["network"] for s in counted} <= set(cli_run.oversikt)


@pytest.mark.parametrize("which", ["library", "cli"])
def test_no_exception_name_reaches_a_user(which: str, library_run: tuple[Run, Consolidation], cli_run: Run) -> None:
    run = library_run[0] if which == "library" else cli_run
    leaks = sorted({m.group(0) for text in [run.output, *run.texts] for m in EXCEPTION_NAMES.finditer(text)})
    assert leaks == []


def test_no_file_hung(library_run: tuple[Run, Consolidation]) -> None:
    """Nothing in the folder should need the pool's time or memory limit: each is diagnosed on its merits."""
    run, _ = library_run
    assert [f["file"] for f in run.findings if f["code"] in ("timeout", "out-of-memory")] == []


# ---------------------------------------------------------------- checking a run


def collect(out: Path, exit_code: int, output: str, discovered: list[str]) -> Run:
    data = json.loads((out / "regional.json").read_text(encoding="utf-8"))
    texts = [(out / "regional.json").read_text(encoding="utf-8")]
    texts += [p.read_bytes().decode("utf-8-sig") for p in sorted((out / "csv").iterdir())]
    book = load_workbook(out / "regional.xlsx", read_only=True)
    texts += [str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row if isinstance(v, str)]
    kilder = table(book["Kilder"], "Fil")
    oversikt = [str(row["Nettverk"]) for row in table(book["Oversikt"], "Nettverk")]
    book.close()
    return Run(exit_code, output, discovered, data["sources"], data["findings"], kilder, oversikt, texts)


def table(ws: Any, first: str) -> list[dict[str, Any]]:
    """The rows under a sheet's header row (the row whose first cell is `first`), up to the first blank one."""
    rows = list(ws.iter_rows(values_only=True))
    start = next(i for i, row in enumerate(rows) if row and row[0] == first)
    header = [str(h) if h is not None else "" for h in rows[start]]
    out = []
    for row in rows[start + 1 :]:
        if not row or row[0] is None:
            break
        out.append(dict(zip(header, row, strict=False)))
    return out


def assert_accounted(run: Run, expected: dict[str, Expected]) -> None:
    kilder = [str(row["Fil"]) for row in run.kilder]
    assert Counter(kilder) == Counter(s["file"] for s in run.sources), "Kilder and the JSON list different files"
    assert Counter(kilder) == Counter(run.discovered), "Kilder is not every entry found"
    assert len(kilder) == len(set(kilder))
    assert set(kilder) <= set(expected), f"not in the table: {sorted(set(kilder) - set(expected))}"
    assert mismatches(run, expected) == []


def mismatches(run: Run, expected: dict[str, Expected]) -> list[str]:
    """Every entry of `expected` that is not listed, or listed with another status, diagnosis or no reason."""
    sources = {s["file"]: s for s in run.sources}
    rows = {row["Fil"]: row for row in run.kilder}
    codes: dict[str, list[str]] = defaultdict(list)
    errors: Counter[str] = Counter()
    for f in run.findings:
        codes[f["file"]].append(f["code"])
        errors[f["file"]] += f["severity"] == "error"
    reason = next((h for h in (run.kilder[0] if run.kilder else {}) if "årsak" in h), "")
    out = []
    for name, want in sorted(expected.items()):
        if name not in sources or name not in rows:
            out.append(f"{name}: not listed")
            continue
        got = f"{sources[name]['status']}/{rows[name]['Status']} {codes[name][:4]}"
        if sources[name]["status"] != want.status or rows[name]["Status"] != Status(want.status).label:
            out.append(f"{name}: {got}, want {want}")
        elif want.code is not None and want.code not in codes[name]:
            out.append(f"{name}: {got}, want the code {want.code}")
        elif want.code is None and errors[name]:
            out.append(f"{name}: {got}, want no error")
        elif want.status not in COUNTED and not str(rows[name].get(reason) or "").strip():
            out.append(f"{name}: {want.status} without a reason in Kilder")
    return out


# ---------------------------------------------------------------- one file, one fate


REAL_READ_DATA = behovxl.pipeline.read_data
TEST_PROCESS = os.getpid()


def failing_read(path: Path, data: bytes, **kwargs: Any) -> Any:
    """behovxl.pipeline.read_data, except for the files named to fail."""
    if path.name == "minne.xlsx":
        if os.getpid() == TEST_PROCESS:
            raise MemoryError  # jobs=1: no memory limit in this process to run into
        return len(bytearray(64 * GiB))
    if path.name == "tid.xlsx":
        time.sleep(60)
    if path.name == "feil.xlsx":
        raise KeyError("a bug in behovxl")
    if path.name == "krasj.xlsx":
        os.kill(os.getpid(), signal.SIGKILL)
    return REAL_READ_DATA(path, data, **kwargs)


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_failing_file_costs_that_file_only(jobs: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fates = {"minne.xlsx": "out-of-memory", "tid.xlsx": "timeout", "feil.xlsx": "internal-error"}
    if jobs > 1:
        fates["krasj.xlsx"] = "internal-error"  # a worker killed outright
    for name, data in good_returns().items():
        (tmp_path / name).write_bytes(data)
    for i, name in enumerate(fates):
        (tmp_path / name).write_bytes(network_return(f"Testnettverk {i}"))
    monkeypatch.setattr(behovxl.pipeline, "read_data", failing_read)
    c = consolidate(tmp_path, jobs=jobs, limits=Limits(seconds=2.0))
    by_name = {s.name: s for s in c.files}
    assert len(c.files) == len(fates) + 4
    for name, code in fates.items():
        s = by_name[name]
        assert (s.status, [f.code for f in s.findings]) == (Status.REJECTED, [code]), name
        assert s.reason and not EXCEPTION_NAMES.search(s.reason + " ".join(f.message for f in s.findings))
    assert sorted(n.source.name for n in c.counted) == sorted(good_returns())
    assert c.exit_code == 1


# ---------------------------------------------------------------- paths given


@dataclass
class Given:
    folder: Path
    args: list[str]


@pytest.fixture
def given(tmp_path: Path) -> Given:
    """A good return and every kind of bad path, each given by name."""
    inn = tmp_path / "inn"
    inn.mkdir()
    (inn / "salten.xlsx").write_bytes(good_returns()["salten.xlsx"])
    os.mkfifo(inn / "ror.xlsx")
    os.symlink("/dev/zero", inn / "null.xlsx")
    os.symlink("ring.xlsx", inn / "ring.xlsx")
    (inn / "mappe.xlsx").mkdir()
    (inn / "mappe.xlsx" / "ytre.xlsx").write_bytes(good_returns()["ytre-helgeland.xlsx"])
    names = ["salten.xlsx", "ror.xlsx", "null.xlsx", "ring.xlsx", "finnes-ikke.xlsx", "mappe.xlsx"]
    return Given(inn, [str(inn / n) for n in names])


def test_every_path_given_is_listed(given: Given, tmp_path: Path) -> None:
    out = tmp_path / "ut"
    out.mkdir()
    result = CliRunner().invoke(main, ["consolidate", *given.args, "-o", str(out / "r.xlsx"), "--json", str(out / "r.json")])
    assert result.exit_code == 1, result.output  # a bad input file is never a usage error (2)
    sources = {s["file"]: s["status"] for s in json.loads((out / "r.json").read_text(encoding="utf-8"))["sources"]}
    assert sources == {
        "salten.xlsx": IMPORTED, "ror.xlsx": REJECTED, "null.xlsx": REJECTED, "ring.xlsx": REJECTED,
        "finnes-ikke.xlsx": REJECTED, "ytre.xlsx": IMPORTED,  # named as inside the folder given
    }  # fmt: skip
    assert not EXCEPTION_NAMES.search(result.output)


@pytest.mark.parametrize("command", ["consolidate", "import", "check"])
def test_an_unreadable_file_given_by_name_is_listed(command: str, given: Given, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    unreadable = given.folder / "ulesbar.xlsx"
    unreadable.write_bytes(good_returns()["lofoten.xlsx"])
    args = {"consolidate": ["-o", str(tmp_path / "r.xlsx"), "--json", str(tmp_path / "r.json")],
            "import": ["-o", str(tmp_path / "r.json")], "check": []}[command]
    with deny(monkeypatch, [], [unreadable]):
        result = CliRunner().invoke(main, [command, str(given.folder / "salten.xlsx"), str(unreadable), *args])
    assert result.exit_code == (1 if command == "consolidate" else 2), result.output  # 2: «a file could not be read»
    assert "Bruk:" not in result.output, result.output  # not a usage error
    if command == "consolidate":
        sources = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["sources"]
        assert [(s["file"], s["status"]) for s in sources] == [("salten.xlsx", IMPORTED), ("ulesbar.xlsx", REJECTED)]


def test_an_empty_folder_given_is_listed(tmp_path: Path) -> None:
    (tmp_path / "tom.xlsx").mkdir()
    (tmp_path / "salten.xlsx").write_bytes(good_returns()["salten.xlsx"])
    c = consolidate([tmp_path / "salten.xlsx", tmp_path / "tom.xlsx"], jobs=1)
    assert [s.name for s in c.files] == ["salten.xlsx", "tom.xlsx/"]


@pytest.mark.parametrize("only", ["finnes-ikke.xlsx", "ror.xlsx", "null.xlsx"])
def test_only_bad_files_is_no_usage_error(only: str, given: Given, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["consolidate", str(given.folder / only), "-o", str(tmp_path / "r.xlsx")])
    assert result.exit_code == 1, result.output
    assert (tmp_path / "r.xlsx").exists()


def test_latin1_file_name_given(tmp_path: Path) -> None:
    raw = os.path.join(os.fsencode(tmp_path), b"S\xf8r-Troms.xlsx")
    with open(raw, "wb") as fh:
        fh.write(network_return("Kompetansenettverk Sør-Troms"))
    out = tmp_path / "ut"
    out.mkdir()
    args = ["consolidate", os.fsdecode(raw), "-o", str(out / "r.xlsx"), "--json", str(out / "r.json"), "--csv", str(out / "csv")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    sources = json.loads((out / "r.json").read_text(encoding="utf-8"))["sources"]
    assert [(s["file"], s["status"]) for s in sources] == [("S\ufffdr-Troms.xlsx", IMPORTED)]
    assert [row["Fil"] for row in table(load_workbook(out / "r.xlsx", read_only=True)["Kilder"], "Fil")] == ["S\ufffdr-Troms.xlsx"]


# ---------------------------------------------------------------- a returned file is never written


@dataclass
class Returns:
    inn: Path
    out: Path

    def snapshot(self) -> dict[str, str]:
        return tree(self.inn)


@pytest.fixture
def returns(tmp_path: Path) -> Returns:
    inn, out = tmp_path / "inn", tmp_path / "ut"
    inn.mkdir()
    out.mkdir()
    (inn / "A.xlsx").write_bytes(good_returns()["salten.xlsx"])
    (inn / "B.xlsx").write_bytes(good_returns()["ytre-helgeland.xlsx"])
    os.symlink(inn / "A.xlsx", out / "lenke-til-A.xlsx")
    return Returns(inn, out)


OVERWRITES = {
    "consolidate -o an input": ["consolidate", "{A}", "{B}", "-o", "{B}"],
    "consolidate --json an input": ["consolidate", "{A}", "{B}", "-o", "{out}/r.xlsx", "--json", "{B}"],
    "consolidate -o a link to an input": ["consolidate", "{A}", "{B}", "-o", "{out}/lenke-til-A.xlsx"],
    "consolidate -o inside the input folder": ["consolidate", "{inn}", "-o", "{inn}/regional.xlsx"],
    "consolidate --csv inside the input folder": ["consolidate", "{inn}", "-o", "{out}/r.xlsx", "--csv", "{inn}/csv"],
    "consolidate --csv the folder of an input": ["consolidate", "{A}", "-o", "{out}/r.xlsx", "--csv", "{inn}"],
    "import -o an input": ["import", "{A}", "-o", "{A}"],
    "import -o inside the input folder": ["import", "{inn}", "-o", "{inn}/rapporter.json"],
    "feedback -o the folder of an input": ["feedback", "{A}", "-o", "{inn}"],
    "feedback -o inside the input folder": ["feedback", "{inn}", "-o", "{inn}/tilbakemelding"],
}
OVERWRITE_BUGS: dict[str, str] = {}


@pytest.mark.parametrize(
    "case",
    [pytest.param(k, marks=pytest.mark.xfail(strict=True, reason=OVERWRITE_BUGS[k])) if k in OVERWRITE_BUGS else k
     for k in OVERWRITES],
)
def test_a_return_is_never_written(case: str, returns: Returns, monkeypatch: pytest.MonkeyPatch) -> None:
    before = returns.snapshot()
    reads = record_reads(monkeypatch)
    fill = {"A": str(returns.inn / "A.xlsx"), "B": str(returns.inn / "B.xlsx"), "inn": str(returns.inn),
            "out": str(returns.out)}
    args = [a.format(**fill) for a in OVERWRITES[case]]
    if args[0] in ("consolidate", "import"):
        args += ["--jobs", "1"]  # every read in this process, where it is recorded
    result = CliRunner().invoke(main, args)
    assert returns.snapshot() == before, "the returned files were changed"
    assert result.exit_code == 1, result.output
    assert result.output.startswith("Feil: ") and "leses" in result.output, result.output
    assert not EXCEPTION_NAMES.search(result.output) and "Intern feil" not in result.output
    assert reads == [], "read before the outputs were refused"


@pytest.mark.parametrize("args", [
    ["import", "{A}", "-o", "/proc/x.json"],
    ["consolidate", "{A}", "-o", "/proc/x.xlsx"],
    ["consolidate", "{A}", "-o", "{out}/r.xlsx", "--json", "/proc/self/x.json"],
])  # fmt: skip
def test_an_impossible_output_is_a_bokmal_error(args: list[str], returns: Returns) -> None:
    fill = {"A": str(returns.inn / "A.xlsx"), "out": str(returns.out)}
    result = CliRunner().invoke(main, [a.format(**fill) for a in args])
    assert result.exit_code == 1
    assert result.output.startswith("Feil: Kan ikke skrive"), result.output
    assert not EXCEPTION_NAMES.search(result.output)


def test_reads_are_recorded(returns: Returns, monkeypatch: pytest.MonkeyPatch) -> None:
    """The check that nothing was read can fail: a run that is not refused reads every return."""
    reads = record_reads(monkeypatch)
    result = CliRunner().invoke(main, consolidate_args(returns))
    assert result.exit_code == 0, result.output
    assert {Path(r).name for r in reads} >= {"A.xlsx", "B.xlsx"}


def record_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every call of behovxl.inputs.read_bytes from now on, through whichever module imported it."""
    from behovxl import inputs

    calls: list[str] = []
    real = inputs.read_bytes

    def read_bytes(path: Path, *args: Any, **kwargs: Any) -> bytes:
        calls.append(str(path))
        return real(path, *args, **kwargs)

    for module in [m for name, m in sys.modules.items() if name.startswith("behovxl") and m is not None]:
        if getattr(module, "read_bytes", None) is real:
            monkeypatch.setattr(module, "read_bytes", read_bytes)
    return calls


def tree(folder: Path) -> dict[str, str]:
    """Every entry below a folder with a digest of its content (links and folders by kind)."""
    out = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_symlink():
            out[rel] = "link:" + os.readlink(path)
        elif path.is_dir():
            out[rel] = "folder"
        else:
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


# ---------------------------------------------------------------- outputs: all or nothing


#: The outputs of an earlier run (the CSV one of behovxl's own, so the folder may be replaced).
OLD = {"regional.xlsx": b"old regional workbook", "regional.json": b'{"old": true}',
       "csv/avvik.csv": "\ufeffFil;Nettverk;Ark;Celle;Alvorlighet;Kode;Melding\r\n".encode()}


def old_outputs(out: Path) -> None:
    for rel, data in OLD.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_bytes(data)


def outputs(out: Path) -> dict[str, bytes]:
    """The outputs as a user finds them: every file below `out` except temporary ones."""
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and not any(part.startswith(TEMP_PREFIX) for part in p.relative_to(out).parts)}


def temporaries(*folders: Path) -> list[str]:
    return sorted(str(p) for f in folders for p in f.rglob("*") if p.name.startswith(TEMP_PREFIX))


def consolidate_args(returns: Returns) -> list[str]:
    out = returns.out
    return ["consolidate", str(returns.inn), "-o", str(out / "regional.xlsx"), "--json", str(out / "regional.json"),
            "--csv", str(out / "csv"), "--jobs", "1"]


def test_csv_folder_that_is_a_file_changes_nothing(returns: Returns, monkeypatch: pytest.MonkeyPatch) -> None:
    old_outputs(returns.out)
    shutil.rmtree(returns.out / "csv")
    (returns.out / "csv").write_bytes(b"a file, not a folder")
    before = outputs(returns.out)
    reads = record_reads(monkeypatch)
    result = CliRunner().invoke(main, consolidate_args(returns))
    assert result.exit_code == 1
    assert result.output.startswith("Feil: Kan ikke skrive mappen"), result.output
    assert outputs(returns.out) == before
    assert reads == []


@pytest.mark.parametrize("when", ["staging", "swapping"])
def test_csv_folder_that_fails_while_written_changes_nothing(when: str, returns: Returns,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    old_outputs(returns.out)
    before = outputs(returns.out)
    fail_csv_folder(monkeypatch, when)
    result = CliRunner().invoke(main, consolidate_args(returns))
    assert result.exit_code == 1, result.output
    assert result.output.startswith("Feil: ") and not EXCEPTION_NAMES.search(result.output), result.output
    assert outputs(returns.out) == before


@pytest.mark.parametrize("when", [
    "staging",
    "swapping",
])  # fmt: skip
def test_a_failed_write_leaves_no_temporary_file(when: str, returns: Returns, monkeypatch: pytest.MonkeyPatch) -> None:
    old_outputs(returns.out)
    fail_csv_folder(monkeypatch, when)
    result = CliRunner().invoke(main, consolidate_args(returns))
    assert result.exit_code == 1, result.output
    assert temporaries(returns.out, returns.inn) == []


def fail_csv_folder(monkeypatch: pytest.MonkeyPatch, when: str) -> None:
    """The disk fills while the CSV files are staged, or the new CSV folder cannot be moved into place."""
    import errno

    real_fsync, real_rename = os.fsync, Path.rename

    def fsync(fd: int) -> None:
        if "csv" in os.readlink(f"/proc/self/fd/{fd}").rsplit("/", 2)[-2]:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    def rename(self: Path, target: Any) -> Any:
        if self.name.startswith(TEMP_PREFIX) and "-old-" not in self.name and Path(target).name == "csv":
            raise PermissionError(errno.EACCES, "Permission denied", str(target))
        return real_rename(self, target)

    if when == "staging":
        monkeypatch.setattr(os, "fsync", fsync)
    else:
        monkeypatch.setattr(Path, "rename", rename)


# ---------------------------------------------------------------- as a user without root's rights


@pytest.fixture
def open_dir() -> Iterator[Path]:
    """A folder the user nobody may enter (pytest's own temporary folders are root's only)."""
    path = Path(tempfile.mkdtemp(prefix="behovxl-hostile-"))
    path.chmod(0o755)
    try:
        yield path
    finally:
        for p in [path, *path.rglob("*")]:
            if not p.is_symlink():
                p.chmod(0o777 if p.is_dir() else 0o666)
        shutil.rmtree(path)


def unprivileged(fn: Callable[[], Any]) -> Any:
    """fn() as a user whom permissions stop: here if we are not root, else in a child forked as nobody."""
    if os.geteuid() != 0:
        return fn()
    try:
        nobody = pwd.getpwnam("nobody")
    except KeyError:
        pytest.skip("running as root and there is no user «nobody» to drop to")
    warm_up()  # the child may not be able to read the interpreter's own files to import them
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            os.close(read)
            os.setgid(nobody.pw_gid)
            os.setuid(nobody.pw_uid)
            payload = {"ok": fn()}
        except BaseException:  # noqa: BLE001 - everything goes back to the parent
            payload = {"error": traceback.format_exc()}
        with os.fdopen(write, "wb") as fh:
            fh.write(json.dumps(payload, default=str).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as fh:
        answer = json.loads(fh.read() or b'{"error": "the child said nothing"}')
    os.waitpid(pid, 0)
    if "error" in answer:
        pytest.fail(answer["error"])
    return answer["ok"]


def warm_up() -> None:
    """Import everything a consolidation touches, by running one."""
    with tempfile.TemporaryDirectory() as tmp:
        inn, out = Path(tmp) / "inn", Path(tmp) / "ut"
        inn.mkdir()
        out.mkdir()
        (inn / "salten.xlsx").write_bytes(good_returns()["salten.xlsx"])
        consolidate_to_files([inn], out / "r.xlsx", json_path=out / "r.json", csv_dir=out / "csv", jobs=1)


def world(folder: Path, *, writable: bool = False) -> None:
    """Everything below `folder` readable by all (and writable by all if asked)."""
    for p in [folder, *folder.rglob("*")]:
        if not p.is_symlink():
            p.chmod((0o777 if writable else 0o755) if p.is_dir() else (0o666 if writable else 0o644))


def test_unreadable_folder_and_file_for_real(open_dir: Path) -> None:
    inn, out = open_dir / "inn", open_dir / "ut"
    inn.mkdir()
    out.mkdir()
    (inn / "salten.xlsx").write_bytes(good_returns()["salten.xlsx"])
    (inn / "lukket").mkdir()
    (inn / "lukket" / "inni.xlsx").write_bytes(good_returns()["lofoten.xlsx"])
    (inn / "ulesbar.xlsx").write_bytes(good_returns()["ytre-helgeland.xlsx"])
    world(inn)
    world(out, writable=True)
    (inn / "lukket").chmod(0)
    (inn / "ulesbar.xlsx").chmod(0)

    def run() -> tuple[int, list[tuple[str, str, list[str]]]]:
        o = consolidate_to_files([inn, inn / "ulesbar.xlsx"], out / "r.xlsx", json_path=out / "r.json", jobs=1)
        return o.exit_code, [(s.name, s.status.value, [f.code for f in s.findings]) for s in o.consolidation.files]

    code, sources = unprivileged(run)
    assert code == 1
    assert [tuple(s) for s in sources] == [
        ("lukket/", REJECTED, ["cannot-open"]), ("salten.xlsx", IMPORTED, []),
        ("ulesbar.xlsx", REJECTED, ["cannot-open"]), ("ulesbar.xlsx", REJECTED, ["cannot-open"]),
    ]  # fmt: skip
    assert (out / "r.xlsx").exists() and (out / "r.json").exists()


def test_csv_folder_in_a_read_only_folder_changes_nothing(open_dir: Path) -> None:
    inn, out = open_dir / "inn", open_dir / "ut"
    inn.mkdir()
    (inn / "salten.xlsx").write_bytes(good_returns()["salten.xlsx"])
    out.mkdir()
    old_outputs(out)
    (out / "skrivebeskyttet").mkdir()
    world(inn)
    world(out, writable=True)
    (out / "skrivebeskyttet").chmod(0o555)
    before = outputs(out)

    def run() -> str:
        try:
            consolidate_to_files([inn], out / "regional.xlsx", json_path=out / "regional.json",
                                 csv_dir=out / "skrivebeskyttet" / "csv", jobs=1)
        except BehovxlError as exc:
            return str(exc)
        return "written"

    message = unprivileged(run)
    assert message.startswith("Kan ikke skrive mappen") and "skrivetilgang" in message, message
    assert outputs(out) == before


# ---------------------------------------------------------------- SIGKILL in the middle of a run

#: Runs the installed CLI with one step made slow, so that a kill lands in it for certain.
HARNESS = """
import os, pathlib, sys, time
slow = os.environ.get("BEHOVXL_TEST_SLOW", "")
if slow == "staging":  # each temporary output file is synced before it is complete
    fsync = os.fsync
    def slow_fsync(fd):
        time.sleep(0.15)
        fsync(fd)
    os.fsync = slow_fsync
elif slow == "swapping":  # each rename of an output into place
    replace, rename = os.replace, pathlib.Path.rename
    def slow_replace(a, b):
        replace(a, b)
        time.sleep(0.3)
    def slow_rename(self, target):
        moved = rename(self, target)
        time.sleep(0.3)
        return moved
    os.replace, pathlib.Path.rename = slow_replace, slow_rename
from behovxl.cli import main
sys.argv[0] = "behovxl"
main()
"""

KILLS: dict[str, float | str] = {"after 0.2 s": 0.2, "after 0.5 s": 0.5, "after 1 s": 1.0, "staging": "staging", "swapping": "swapping"}


@pytest.fixture(scope="module")
def many_returns(tmp_path_factory: pytest.TempPathFactory) -> Path:
    inn = tmp_path_factory.mktemp("many") / "inn"
    inn.mkdir()
    for i in range(16):
        (inn / f"nettverk-{i:02}.xlsx").write_bytes(network_return(f"Kompetansenettverk {i:02}"))
    return inn


@pytest.mark.parametrize(
    "kill",
    list(KILLS),
)  # fmt: skip
def test_sigkill_leaves_old_or_new_outputs(kill: str, many_returns: Path, tmp_path: Path) -> None:
    out = tmp_path / "ut"
    out.mkdir()
    old_outputs(out)
    args = ["consolidate", str(many_returns), "-o", str(out / "regional.xlsx"), "--json", str(out / "regional.json"),
            "--csv", str(out / "csv"), "--jobs", "2"]
    when = KILLS[kill]
    process = start_cli(args, slow=when if isinstance(when, str) else "", cwd=tmp_path)
    finished = wait_then_kill(process, when, out)
    for rel, data in OLD.items():  # nothing lost yet: each old output is in place or kept aside
        assert finished or data in [p.read_bytes() for p in places(out, rel) if p.is_file()], rel
    clean_stale(out)  # what the next run does first
    after_kill = outputs(out)
    rerun = subprocess.run([sys.executable, "-m", "behovxl.cli", *args], cwd=tmp_path, capture_output=True, timeout=60,
                           env=cli_env(""))
    assert rerun.returncode == 0, rerun.stderr.decode()
    new = outputs(out)
    assert set(new) == {"regional.xlsx", "regional.json"} | {f"csv/{p.name}" for p in (out / "csv").iterdir()}
    assert after_kill in (OLD, new), f"a mix of old and new outputs: {sorted(after_kill)}"
    assert temporaries(out, many_returns) == []


def places(out: Path, rel: str) -> list[Path]:
    """Where an output is: its own path, or inside a copy kept aside by a run (.behovxl-tmp-<pid>-old-<name>)."""
    top, _, rest = rel.partition("/")
    kept = [p / rest if rest else p for p in out.glob(f"{TEMP_PREFIX}*-old-{top}")]
    return [out / rel, *kept]


def cli_env(slow: str) -> dict[str, str]:
    return {**os.environ, "BEHOVXL_TEST_SLOW": slow, "PYTHONSAFEPATH": "1"}


def start_cli(args: list[str], *, slow: str, cwd: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-c", HARNESS, *args] if slow else [sys.executable, "-m", "behovxl.cli", *args]
    return subprocess.Popen(command, cwd=cwd, env=cli_env(slow), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def wait_then_kill(process: subprocess.Popen[bytes], when: float | str, out: Path) -> bool:
    """SIGKILL after `when` seconds, or as soon as `out` shows the step named (a temporary file, an old one kept aside).

    True if the run had already ended (a timed kill may come after a fast run is done)."""
    started = time.monotonic()
    mark = {"staging": TEMP_PREFIX, "swapping": "-old-"}.get(str(when))
    while process.poll() is None and time.monotonic() - started < 60:
        if mark is None and time.monotonic() - started >= float(when):
            break
        if mark is not None and any(mark in p.name for p in out.iterdir()):
            break
        time.sleep(0.002)
    finished = process.poll() is not None
    process.kill()
    process.wait(timeout=10)
    assert process.stderr is not None
    assert not finished or mark is None, f"the run ended before the {when} step: {process.stderr.read().decode()}"
    return finished


# ---------------------------------------------------------------- fuzz: mutated zips and sheet XML

FUZZ_SEED = 20260120
FUZZ_CASES = 150
FUZZ_LIMITS = Limits(seconds=20.0, memory_bytes=2 * GiB)


@dataclass
class Fuzzed:
    paths: list[Path]
    results: list[Any]
    rss_growth_kib: int


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Fuzzed:
    folder = tmp_path_factory.mktemp("fuzz")
    base = good_returns()["ytre-helgeland.xlsx"]
    rng = random.Random(FUZZ_SEED)
    paths = []
    for i in range(FUZZ_CASES):
        path = folder / f"m{i:03}.xlsx"
        path.write_bytes(zip_mutant(rng, base) if i % 2 else xml_mutant(rng, base))
        paths.append(path)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with deadline():
        results = list(read_many(paths, jobs=2, limits=FUZZ_LIMITS))
    return Fuzzed(paths, results, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)


def test_fuzz_every_file_has_one_result_in_order(fuzzed: Fuzzed) -> None:
    assert [r.file for r in fuzzed.results] == fuzzed.paths
    assert {r.status for r in fuzzed.results} <= {"ok", "errors", "unreadable"}
    for r in fuzzed.results:
        assert r.status != "unreadable" or (r.report is None and len(r.findings) == 1), r.file.name
        assert not EXCEPTION_NAMES.search(" ".join(f.message for f in r.findings)), r.file.name


def test_fuzz_nothing_hangs_or_floods_memory(fuzzed: Fuzzed) -> None:
    assert [(r.file.name, f.code) for r in fuzzed.results for f in r.findings if f.code in ("timeout", "out-of-memory")] == []
    assert fuzzed.rss_growth_kib < 300 * 1024, "the parent process grew by more than 300 MB"


def test_fuzz_meets_no_bug(fuzzed: Fuzzed) -> None:
    assert [r.file.name for r in fuzzed.results for f in r.findings if f.code == "internal-error"] == []


def zip_mutant(rng: random.Random, data: bytes) -> bytes:
    """The zip's bytes damaged: bytes changed, cut, inserted, zeroed, repeated, or a header field set wild."""
    b = bytearray(data)
    op = rng.randrange(6)
    at = rng.randrange(len(b))
    if op == 0:
        for _ in range(rng.randint(1, 16)):
            b[rng.randrange(len(b))] = rng.randrange(256)
    elif op == 1:
        del b[at:]
    elif op == 2:
        b[at:at] = rng.randbytes(rng.randint(1, 64))
    elif op == 3:
        n = rng.randint(1, 4096)
        b[at : at + n] = bytes(len(b[at : at + n]))
    elif op == 4:
        heads = [m.start() for m in re.finditer(rb"PK\x01\x02|PK\x03\x04|PK\x05\x06", bytes(b))]
        field = rng.choice(heads) + rng.randrange(4, 30)
        b[field : field + 4] = rng.choice([b"\xff\xff\xff\xff", b"\0\0\0\0", rng.randbytes(4)])
    else:
        n = rng.randint(1, 2048)
        b[at:at] = b[at : at + n] * rng.randint(2, 50)
    return bytes(b)


_INPUT_VALUES = ["1E+29", "1E+308", "-1E+308", "4.9E-324", "123456789012345678901234567890", "NaN", "1.5", "-0",
                 "2958466", "-1", "1e16"]
_INPUT_TEXTS = ["x" * 300, "=1+1", " " * 500, "Velg et element.", "1 000 000 000 000 000 000 kr", "٣٤٥", "1,5 mill.",
                "9" * 4400, "\u202eevil", "a@b"]


def xml_mutant(rng: random.Random, data: bytes) -> bytes:
    """The workbook with one XML part changed, re-zipped; often an input cell given a hostile value."""
    src = zipfile.ZipFile(io.BytesIO(data))
    parts = [n for n in src.namelist() if n.endswith((".xml", ".rels"))]
    on_input = rng.random() < 0.4
    part = rng.choice(["xl/worksheets/sheet2.xml", "xl/worksheets/sheet3.xml"]) if on_input else rng.choice(parts)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == part:
                text = body.decode("utf-8")
                body = (_input_mutation(rng, text) if on_input else _xml_mutation(rng, text)).encode("utf-8", "surrogatepass")
            dst.writestr(info, body, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _input_mutation(rng: random.Random, s: str) -> str:
    m = rng.choice(list(re.finditer(r'<c r="([AB]\d+)"( s="\d+")?(?: t="\w+")?(?:/>|>.*?</c>)', s)))
    body = rng.choice([
        f"><v>{rng.choice(_INPUT_VALUES)}</v></c>",
        f' t="str"><v>{rng.choice(_INPUT_VALUES + _INPUT_TEXTS)}</v></c>',
        f' t="b"><v>{rng.choice(["0", "1", "2"])}</v></c>',
        ' t="e"><v>#DIV/0!</v></c>',
        f' t="d"><v>{rng.choice(["2026-13-45", "9999-12-31T23:59:59", "0001-01-01"])}</v></c>',
    ])  # fmt: skip
    return s[: m.start()] + f'<c r="{m[1]}"' + (m[2] or "") + body + s[m.end() :]


def _xml_mutation(rng: random.Random, s: str) -> str:
    op = rng.randrange(9)
    if op == 0:  # a number
        return _sub_one(rng, r"<v>[^<]*</v>", s, lambda m: f"<v>{rng.choice(_INPUT_VALUES + ['', '0x10', '１２'])}</v>")
    if op == 1:  # a cell reference
        return _sub_one(rng, r' r="[A-Z]+\d+"', s, lambda m: f' r="{rng.choice(["A1", "XFD1048576", "A2000000000", "ZZZZ1", "", "B"])}"')
    if op == 2:  # a cell type
        return _sub_one(rng, r' t="\w+"', s, lambda m: f' t="{rng.choice(["s", "str", "b", "e", "d", "n", "inlineStr", "x"])}"')
    if op == 3:  # a span between two tags cut out
        tags = [m.start() for m in re.finditer("<", s)]
        a, z = sorted(rng.sample(tags, 2))
        return s[:a] + s[z:]
    if op == 4:  # an element repeated
        pattern = r"<(c|row|si|sheet|Relationship|Override|definedName)\b[^>]*?(?:/>|>.*?</\1>)"
        return _sub_one(rng, pattern, s, lambda m: m[0] * rng.randint(2, 20))
    if op == 5:  # an odd character or reference
        at = rng.randrange(len(s))
        return s[:at] + rng.choice(["\u200b", "\u202e", "\ufeff", "&amp;", "&#0;", "&#xD800;", "]]>", "\U0001f600"]) + s[at:]
    if op == 6:
        return s[: rng.randrange(len(s))]
    if op == 7:  # an attribute value
        return _sub_one(rng, r'="[^"]*"', s, lambda m: '="' + rng.choice(["", "0", "-1", "99999999999", "x"]) + '"')
    at = s.find("<sheetData>")
    at = at + len("<sheetData>") if at >= 0 else rng.randrange(len(s))
    return s[:at] + "<x>" * 5000 + "</x>" * 5000 + s[at:]


def _sub_one(rng: random.Random, pattern: str, s: str, make: Callable[[re.Match[str]], str]) -> str:
    found = list(re.finditer(pattern, s))
    if not found:
        return s
    m = rng.choice(found)
    return s[: m.start()] + make(m) + s[m.end() :]


# ---------------------------------------------------------------- texts longer than a cell


def test_a_text_longer_than_a_cell_is_cut_in_the_regional_workbook_only(tmp_path: Path) -> None:
    long_name = "Lang " * 8_000  # 40 000 characters
    inn, out = tmp_path / "inn", tmp_path / "ut"
    inn.mkdir()
    out.mkdir()
    (inn / "lang.xlsx").write_bytes(set_cell(network_return("Testnettverk Lang tekst"), "Tiltak 1", "B5", long_name))
    c = consolidate(inn, jobs=1)
    assert [s.status for s in c.files] == [Status.IMPORTED]
    assert ("text-too-long", "Tiltak 1", "B5") in {(f.code, f.sheet, f.cell) for f in c.files[0].findings}
    write_regional(c, out / "r.xlsx", out / "r.json", out / "csv")
    assert long_name.strip() in (out / "r.json").read_text(encoding="utf-8")
    assert long_name.strip() in (out / "csv" / "tiltak.csv").read_text(encoding="utf-8-sig")
    book = load_workbook(out / "r.xlsx", read_only=True)
    cells = [v for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row if isinstance(v, str)]
    assert max(len(v) for v in cells) <= 32_767
    assert any(v.startswith("Lang Lang") for v in cells)


# ---------------------------------------------------------------- writing into a folder that holds other files


def test_csv_into_a_folder_with_other_files_deletes_none(returns: Returns) -> None:
    (returns.out / "csv").mkdir()
    (returns.out / "csv" / "mine-notater.txt").write_bytes(b"not behovxl's")
    result = CliRunner().invoke(main, consolidate_args(returns))
    assert result.exit_code in (0, 1), result.output
    assert (returns.out / "csv" / "mine-notater.txt").read_bytes() == b"not behovxl's"


# ---------------------------------------------------------------- the cases the issue names, each once more by itself


@pytest.mark.parametrize(("name", "code"), [
    ("corpus/sheet-1gib-of-spaces.xlsx", "too-large"),
    ("corpus/shared-string-400mib.xlsx", "too-large"),
    ("corpus/cell-row-2e9.xlsx", "too-large"),
    ("null.xlsx", "not-regular-file"),
    ("ror.xlsx", "not-regular-file"),
    ("epost-200k.xlsx", "invalid-email"),
    ("corpus/billion-laughs-workbook.xlsx", "xml-attack"),
    ("corpus/zip-password-flag.xlsx", "zip-password"),
    ("corpus/ods.xlsx", "ods-file"),
    ("corpus/ole-xls.xlsx", "xls-file"),
    ("corpus/docx.xlsx", "word-file"),
    ("corpus/pdf.xlsx", "pdf-file"),
    ("corpus/duplicate-sheet-entry.xlsx", "duplicate-entry"),
    ("belop-1e20.xlsx", "amount-too-large"),
    ("ar-1999.xlsx", "identity-invalid"),
    ("vesteralen-2.xlsx", "invisible-characters"),
    ("tiltak-9.xlsx", "extra-sheet"),
    ("nettverk-endret.xlsx", "identity-mismatch"),
    ("makro.xlsm", "macro-enabled"),
])  # fmt: skip
def test_named_diagnosis(name: str, code: str, hostile: HostileFolder, library_run: tuple[Run, Consolidation]) -> None:
    run, _ = library_run
    assert hostile.expected[name].code == code
    assert code in [f["code"] for f in run.findings if f["file"] == name]


def test_save_time_with_an_offset_picks_the_right_submission(library_run: tuple[Run, Consolidation]) -> None:
    _, c = library_run
    by_name = {s.name: s for s in c.files}
    assert (by_name["ofoten-a.xlsx"].status, by_name["ofoten-b.xlsx"].status) == (Status.SUPERSEDED, Status.IMPORTED)
    assert by_name["ofoten-a.xlsx"].saved_at is not None and by_name["ofoten-a.xlsx"].saved_at.utcoffset() is not None


def test_save_date_without_a_time_is_valid(library_run: tuple[Run, Consolidation]) -> None:
    _, c = library_run
    narvik = next(s for s in c.files if s.name == "mappe.xlsx/narvik.xlsx")
    assert narvik.status == Status.IMPORTED and narvik.saved_at is not None
    assert narvik.saved_at.date().isoformat() == "2026-01-20"


def test_a_double_submission_with_an_invisible_character_counts_once(library_run: tuple[Run, Consolidation]) -> None:
    _, c = library_run
    vesteralen = [n for n in c.counted if "Vester" in n.name]
    assert [(n.source.name, n.name) for n in vesteralen] == [("vesteralen-2.xlsx", "Kompetansenettverk Vesterålen")]


def test_statuses_cover_every_fate(library_run: tuple[Run, Consolidation]) -> None:
    run, _ = library_run
    assert {s["status"] for s in run.sources} == {IMPORTED, WITH_ERRORS, REJECTED, DUPLICATE, SUPERSEDED, SKIPPED}
