"""Differential test: behovxl's own package layer reads every workbook exactly as openpyxl does.

`read_data` runs twice on the same bytes: with the default opener (behovxl.package, zip +
expat) and with the old reader (tests/openpyxl_package.py: openpyxl in read-only mode,
once for formulas and once for values). The reports must be equal, and so must the
findings, field by field (code, severity, sheet, cell, path, found, expected, message),
in order. The workbooks: every row of the two tables of broken workbooks in
test_reader.py (the files that are not xlsx at all left out), 500 random returns typed
the way test_rules.py types them (most written by behovxl's writer with cached values,
every fifth typed in by openpyxl without them), and 20 of them saved by LibreOffice.

The cases run in worker processes (behovxl.isolate, one per CPU) because each costs a
write and three openpyxl-sized reads; the items sent are indexes into the tables.
"""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path
from typing import Any

import pytest
from helpers import NEW_FORM, blank_form, prefilled, typed
from libreoffice import recalc_many
from openpyxl_package import OpenpyxlPackage, open_openpyxl
from test_reader import LAYOUT, SALTEN, TAMPERED, TYPED
from test_rules import KINDS, MEASURES, _typed_workbook, _Typist

from behovxl.findings import Finding
from behovxl.isolate import Failure, run_isolated
from behovxl.limits import Limits
from behovxl.package import sniff
from behovxl.pipeline import ReadResult, read_data
from behovxl.workbook import Opener
from behovxl.writer import workbook_bytes

RANDOM_RETURNS = 500
LIBREOFFICE_RETURNS = 20
MISTAKE_SHARE = 0.3
#: What sniff() says of files that are not an xlsx package at all: nothing for openpyxl to read.
NOT_XLSX = {"empty-file", "not-xlsx", "word-file", "pdf-file", "ods-file", "xls-file", "email-file", "image-file",
            "encrypted", "zip-password"}

# ---------------------------------------------------------------- comparing two reads


def differences(name: str, data: bytes, opener: Opener = open_openpyxl) -> list[str]:
    """How reading `data` through openpyxl differs from reading it through behovxl.package (empty: not at all)."""
    path = Path(f"{name}.xlsx")
    ours = read_data(path, data)
    old = read_data(path, data, opener=opener)
    out = []
    if ours.status != old.status:
        out.append(f"{name}: status {ours.status!r} (package) vs {old.status!r} (openpyxl)")
    out += _report_differences(name, ours, old)
    mine, theirs = [_fields(f) for f in ours.findings], [_fields(f) for f in old.findings]
    if mine != theirs:
        only_ours = [f for f in mine if f not in theirs]
        only_old = [f for f in theirs if f not in mine]
        out.append(f"{name}: findings differ; only with package: {only_ours[:3]}; only with openpyxl: {only_old[:3]}"
                   + ("" if only_ours or only_old else "; same findings in another order"))
    return out


def _fields(f: Finding) -> tuple[Any, ...]:
    return (f.code, f.severity, f.sheet, f.cell, f.path, f.found, f.expected, f.message)


def _report_differences(name: str, ours: ReadResult, old: ReadResult) -> list[str]:
    a = ours.report.model_dump() if ours.report is not None else None
    b = old.report.model_dump() if old.report is not None else None
    if a == b:
        return []
    if a is None or b is None:
        return [f"{name}: report {'missing' if a is None else 'present'} with package, "
                f"{'missing' if b is None else 'present'} with openpyxl"]
    fields = sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))
    return [f"{name}: reports differ in {fields}: {[(k, a.get(k), b.get(k)) for k in fields[:2]]}"]


def _in_workers(count: int, case: Any) -> list[str]:
    """`differences` of cases 0..count-1, each made by `case(i) -> (name, bytes)` in a worker process."""

    def failed(i: int, failure: Failure) -> list[str]:
        return [f"case {i}: {failure.kind}: {failure.detail[-1500:]}"]

    found: list[str] = []
    for result in run_isolated(_Runner(case), list(range(count)), seconds=300, memory_bytes=None, on_failure=failed):
        found += result
    return found


class _Runner:
    """The function a worker runs for item i (a module-level class, so that it pickles by name)."""

    def __init__(self, case: Any) -> None:
        self.case = case

    def __call__(self, i: int) -> list[str]:
        made = self.case(i)
        return [] if made is None else differences(*made)


def test_a_reader_that_loses_one_cell_is_caught() -> None:
    """The comparison can fail: an old reader that misses the declared count differs in report and findings."""
    data = typed(SALTEN, {"declared_measures": 4})
    spec = LAYOUT.inputs["declared_measures"]

    def lossy(data: bytes, limits: Limits) -> OpenpyxlPackage:
        package = open_openpyxl(data, limits)
        del package._cells[spec.sheet][(spec.row, spec.col)]
        return package

    assert differences("typed", data) == []
    found = differences("lossy", data, opener=lossy)
    assert {line.split(":")[1].split()[0] for line in found} >= {"reports", "findings"}, found


# ---------------------------------------------------------------- the tables of broken workbooks


#: Rows where the two readers are known to part, each tested on its own below.
DIVERGENT = {
    # The row's content type, "…openxmlformats-officedocument.ms-excel.sheet.macroEnabled…", is not a real one:
    # openpyxl finds no workbook part by content type and gives up; behovxl.package follows _rels/.rels as
    # Excel does. A file with the real xlsm content type reads the same in both (see below).
    "macro-enabled",
}


def _table_case(i: int) -> tuple[str, bytes] | None:
    if i < len(TYPED):
        name, edits, measures, _ = TYPED[i]
        return f"typed:{name}", typed(SALTEN, dict(edits), measures)  # type: ignore[call-overload]
    name, edit, _ = TAMPERED[i - len(TYPED)]
    data = edit(_good())
    return None if sniff(data) in NOT_XLSX or name in DIVERGENT else (f"tampered:{name}", data)


_GOOD: list[bytes] = []


def _good() -> bytes:
    if not _GOOD:
        _GOOD.append(prefilled(SALTEN))
    return _GOOD[0]


def test_the_tables_leave_out_only_files_that_are_not_xlsx() -> None:
    skipped = [name for name, edit, _ in TAMPERED if sniff(edit(_good())) in NOT_XLSX]
    assert skipped == ["not-xlsx", "encrypted", "zip-without-workbook"]


def test_every_broken_workbook_reads_the_same_through_openpyxl() -> None:
    assert _in_workers(len(TYPED) + len(TAMPERED), _table_case) == []


def _content_type(data: bytes, old: bytes, new: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "[Content_Types].xml":
                assert old in body
                body = body.replace(old, new)
            dst.writestr(info, body)
    return out.getvalue()


_XLSX_TYPE = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
_XLSM_TYPE = b"application/vnd.ms-excel.sheet.macroEnabled.main+xml"


def test_a_real_macro_enabled_workbook_reads_the_same_through_openpyxl() -> None:
    data = _content_type(_good(), _XLSX_TYPE, _XLSM_TYPE)
    assert [f.code for f in read_data(Path("x.xlsm"), data).findings] == ["macro-enabled"]
    assert differences("xlsm", data) == []


def test_a_made_up_workbook_content_type_is_read_by_behovxl_only() -> None:
    (name, edit, _), = [row for row in TAMPERED if row[0] == "macro-enabled"]
    data = edit(_good())
    assert [f.code for f in read_data(Path("x.xlsx"), data).findings] == ["macro-enabled"]
    assert [f.code for f in read_data(Path("x.xlsx"), data, opener=open_openpyxl).findings] == ["corrupt"]


# ---------------------------------------------------------------- random returns


def random_return(i: int, seed: str = "differential") -> tuple[str, bytes]:
    """Return number i: typed like test_rules' forms; every fifth typed in by openpyxl (no cached values)."""
    rng = random.Random(f"{seed}:{i}")
    new_form = i % 4 == 3
    form = blank_form(2027 if new_form else 2026, MEASURES, "nn" if i % 3 == 1 else "nb",
                      NEW_FORM if new_form else None, network="Nettverk")
    mistakes = rng.sample(KINDS, rng.randint(1, 3)) if rng.random() < MISTAKE_SHARE else []
    raw = _Typist(rng, form).fill(mistakes)
    data = _typed_workbook(form, raw) if i % 5 == 4 else workbook_bytes(form, None, raw=raw)
    return f"{seed}-{i:03d}", data


def test_random_returns_read_the_same_through_openpyxl() -> None:
    assert _in_workers(RANDOM_RETURNS, random_return) == []


@pytest.fixture(scope="module")
def saved_by_libreoffice(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("differential")
    sources = []
    for i in range(LIBREOFFICE_RETURNS):
        name, data = random_return(i, "libreoffice")
        sources.append(folder / f"{name}.xlsx")
        sources[-1].write_bytes(data)
    return recalc_many(sources, folder / "lo")


@pytest.mark.libreoffice
def test_returns_saved_by_libreoffice_read_the_same_through_openpyxl(saved_by_libreoffice: list[Path]) -> None:
    found = []
    for path in saved_by_libreoffice:
        found += differences(path.stem, path.read_bytes())
    assert found == []
