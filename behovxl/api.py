"""The public API: the round from Python, the same work the command line does.

    import behovxl
    c = behovxl.consolidate("examples/returned/2027", roster="examples/roster.csv")
    c.measures()                      # list[dict], for pandas.DataFrame(...)
    behovxl.write_regional(c, "regional-2027.xlsx")

Every function takes a `str` or a `Path` (or, where it reads many files, an iterable of
them). A bad file never raises: it is a result with findings. A bad argument (an unknown
form, a frame that cannot be read, an output that would overwrite an input) raises
`BehovxlError` with a message in Bokmål that says what is wrong and what would be right.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path

from .consolidate import Consolidation
from .consolidate import consolidate as _consolidate
from .definition import load_definition
from .errors import UsageError
from .generate import Request, generate_blank, generate_from_report, generate_roster, load_report_file
from .innstilling import Allocation, InnstillingError, read_innstilling
from .inputs import InputError, discover, read_bytes
from .lastyear import LastYear
from .models import Report
from .pipeline import ReadResult, read_many, registry_for
from .pipeline import read as _read
from .regional import read_frame_for
from .regional import write_regional as _write_regional
from .registry import Registry

PathLike = str | os.PathLike[str]
Inputs = PathLike | Iterable[PathLike]


def read(path: PathLike, *, forms: Sequence[PathLike] = ()) -> ReadResult:
    """Read and check one returned workbook: `.report` (None if unreadable), `.findings`, `.status`."""
    return _read(Path(path), registry=registry_for(_paths(forms)))


def check(paths: Inputs, *, forms: Sequence[PathLike] = (), jobs: int | None = None) -> list[ReadResult]:
    """Read and check every workbook in `paths` (files, or folders searched recursively), in order.

    Each file is read in a worker of its own (`jobs` at a time; default: the number of CPUs),
    so a file that hangs or exhausts memory costs that file only.
    """
    found = [e.path for e in discover(paths)]
    return list(read_many(found, forms=_paths(forms), jobs=jobs))


def consolidate(inputs: Inputs, *, roster: PathLike | None = None, frame: PathLike | dict[str, int] | None = None,
                deadline: date | None = None, year: int | None = None, forms: Sequence[PathLike] = (),
                jobs: int | None = None) -> Consolidation:
    """Read every file in `inputs` and pick one submission per network (the one saved last).

    `roster` (CSV or XLSX) says who should return, and with `deadline` who returned late.
    `frame` (a CSV or XLSX file, or a dict scheme key -> kroner) is the frame per scheme
    that the regional workbook's innstilling is measured against.
    """
    c = _consolidate(inputs, roster=roster, deadline=deadline, year=year, forms=_paths(forms), jobs=jobs)
    if isinstance(frame, dict):
        c.frame = {str(k): int(v) for k, v in frame.items()}
    elif frame is not None:
        c.frame = read_frame_for(Path(frame), c)
    return c


def write_regional(c: Consolidation, xlsx: PathLike, *, json: PathLike | None = None, csv: PathLike | None = None,
                   last_year: PathLike | LastYear | None = None) -> list[Path]:
    """Write the regional workbook (and the JSON, and a folder of CSV files); return the paths written.

    The files are replaced together or not at all, and never over a file that was read.
    """
    return _write_regional(c, Path(xlsx), Path(json) if json else None, Path(csv) if csv else None,
                                last_year=last_year if isinstance(last_year, LastYear) or last_year is None
                                else Path(last_year))


def generate(output: PathLike, *, year: int | None = None, network: str = "", roster: PathLike | None = None,
             report: PathLike | Report | None = None, measures: int | None = None, deadline: str = "",
             language: str = "nb", form: str | None = None) -> list[Path]:
    """Write forms to send: one blank form, one per roster network (`output` is a folder), or one
    pre-filled from a report (`year` one later than the report's: next year's form).

    `form` is a definition id (`behovxl forms`), `id:version`, or a TOML definition file of one's own.
    """
    registry, form_id = registry_and_form(form)
    if roster is not None and report is not None:
        raise UsageError("Bruk enten --roster eller --from, ikke begge.")
    if language not in ("nb", "nn"):
        raise UsageError(f"Målformen «{language}» finnes ikke. Bruk nb (bokmål) eller nn (nynorsk).")
    if roster is None:
        _xlsx_name(Path(output))
    if report is not None:
        loaded = report if isinstance(report, Report) else load_report_file(Path(report), registry)
        req = Request(registry, year or loaded.year, measures, deadline, language, form_id)
        return [generate_from_report(Path(output), loaded, req)]
    req = Request(registry, year or date.today().year + 1, measures, deadline, language, form_id)
    if roster is not None:
        return generate_roster(Path(roster), Path(output), req)
    return [generate_blank(Path(output), req, network)]


def innstilling(regional: PathLike) -> Allocation:
    """Read and check the forum's innstilling in a regional workbook: `.networks()`, `.schemes()`, `.findings`."""
    path = Path(regional)
    try:
        return read_innstilling(read_bytes(path), str(path))
    except InputError as exc:
        raise InnstillingError(f"{path}: {exc.detail}") from None


def registry_and_form(form: str | None) -> tuple[Registry, str | None]:
    """The registry, and the definition id to use: `form` may be an id or a TOML file of one's own."""
    registry = Registry.default()
    if form and form.lower().endswith(".toml"):
        d = load_definition(Path(form))
        return registry.with_files([Path(form)]), f"{d.form_id}:{d.version}"
    return registry, form


def _xlsx_name(path: Path) -> None:
    if path.suffix.lower() != ".xlsx":
        raise UsageError(f"«{path}» slutter ikke på .xlsx. Skjemaet er en Excel-arbeidsbok; gi filen navn som slutter "
                         "på .xlsx.")


def _paths(items: Sequence[PathLike]) -> tuple[Path, ...]:
    return tuple(Path(p) for p in items)
