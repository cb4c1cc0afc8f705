"""Round trips through a real spreadsheet engine: LibreOffice headless, forced recalculation."""

from __future__ import annotations

import pytest
from helpers import blank_layout, example_report, prefilled
from libreoffice import recalc
from openpyxl import load_workbook

from behovxl import definition
from behovxl.dictionary import fields
from behovxl.findings import Severity
from behovxl.formulas import compute
from behovxl.generate import make_form
from behovxl.paths import cell_value, value_at
from behovxl.reader import read_workbook
from behovxl.writer import workbook_bytes

pytestmark = pytest.mark.libreoffice

REPORTS = ("indre-helgeland-rana", "ytre-helgeland", "lofoten")


def _formula_values(path, layout) -> dict[str, object]:
    book = load_workbook(path, data_only=True)
    return {key: book[s.sheet][s.cell].value for key, s in layout.formulas.items()}


def _same(a, b) -> bool:
    if isinstance(b, int):
        return isinstance(a, (int, float)) and abs(a - b) < 0.5
    return (a or "") == (b or "")


@pytest.mark.parametrize("name", REPORTS)
def test_typed_into_blank_then_recalculated_equals_python(tmp_path, name):
    """Type a report into a blank form through the data dictionary; LibreOffice's sums equal ours."""
    report = example_report(name)
    blank = tmp_path / "blank.xlsx"
    blank.write_bytes(workbook_bytes(make_form(2026, 8, report.network_id or "")))
    layout = blank_layout()
    book = load_workbook(blank)
    d = definition.current()
    for row in fields(layout):
        value = cell_value(d, layout.inputs[row["path"]], value_at(report, row["path"]))
        if value is not None:
            book[row["sheet"]][row["cell"]].value = value
    typed = tmp_path / "typed.xlsx"
    book.save(typed)
    out = recalc(typed, tmp_path / "lo")
    got = _formula_values(out, layout)
    want = compute(layout, report)
    wrong = {k: (got[k], w.value) for k, w in want.items() if not _same(got[k], w.value)}
    assert not wrong


@pytest.mark.parametrize("name", REPORTS)
def test_cached_values_equal_libreoffice_recalculation(tmp_path, name):
    src = tmp_path / "prefilled.xlsx"
    src.write_bytes(prefilled(example_report(name)))
    layout = blank_layout()
    cached = _formula_values(src, layout)
    recalculated = _formula_values(recalc(src, tmp_path / "lo"), layout)
    wrong = {k: (cached[k], recalculated[k]) for k in cached if not _same(recalculated[k], cached[k])}
    assert not wrong


def test_summary_check_cells_name_the_problems_in_libreoffice(tmp_path):
    src = tmp_path / "lofoten.xlsx"
    src.write_bytes(prefilled(example_report("lofoten")))
    layout = blank_layout()
    got = _formula_values(recalc(src, tmp_path / "lo"), layout)
    assert got["summary.checks.count"] == "Oppgitt antall tiltak (5) stemmer ikke med antall utfylte tiltak (4)."
    assert got["summary.checks.cofunding"].startswith("1 tiltak har lavere egenandel")
    assert got["summary.checks.coordinator"].startswith("Det er ført opp koordinatormidler for 1 ordning")
    assert got["summary.checks.scheme"] == "OK"


def test_workbook_saved_by_libreoffice_reads_correctly(tmp_path):
    """LibreOffice rewrites formulas and protection on save: neither is tampering."""
    report = example_report("indre-helgeland-rana")
    src = tmp_path / "rana.xlsx"
    src.write_bytes(prefilled(report))
    saved = recalc(src, tmp_path / "lo")
    result = read_workbook(saved)
    assert result.status == "ok"
    assert [f.code for f in result.findings if f.severity == Severity.ERROR] == []
    assert {f.code for f in result.findings} <= {"continuation-thousands", "required-missing"}
    assert result.report.model_dump() == report.model_dump()


def test_blank_opens_with_ok_checks_in_libreoffice(tmp_path):
    src = tmp_path / "blank.xlsx"
    src.write_bytes(workbook_bytes(make_form(2026, 8, "Nett")))
    got = _formula_values(recalc(src, tmp_path / "lo"), blank_layout())
    assert [got[f"summary.checks.{k}"] for k in ("count", "scheme", "coordinator", "cofunding")] == ["OK"] * 4
