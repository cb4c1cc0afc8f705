"""Round trips through a real spreadsheet engine: LibreOffice headless, forced recalculation."""

from __future__ import annotations

import pytest
from helpers import blank_form, example_report, form_of, prefilled
from libreoffice import recalc, recalc_many
from openpyxl import load_workbook

from behovxl.formulas import compute, raw_inputs
from behovxl.layout import build_layout
from behovxl.pipeline import read
from behovxl.writer import workbook_bytes

pytestmark = pytest.mark.libreoffice

REPORTS = ("indre-helgeland-rana", "ytre-helgeland", "lofoten", "salten")


def _formula_values(path, layout) -> dict[str, object]:
    book = load_workbook(path, data_only=True)
    return {key: book[s.sheet][s.cell].value for key, s in layout.formulas.items()}


def _same(a, b) -> bool:
    if isinstance(b, (int, float)) and not isinstance(b, bool):
        return isinstance(a, (int, float)) and abs(a - b) < 0.5
    return (a or "") == (b or "")


@pytest.fixture(scope="module")
def typed_and_recalculated(tmp_path_factory):
    """Each report typed into a blank form (no cached values), in bokmål and in nynorsk, then recalculated."""
    folder = tmp_path_factory.mktemp("typed")
    cases = []
    for name in REPORTS:
        for language in ("nb", "nn"):
            report = example_report(name)
            form = form_of(report, 8, language)
            layout = build_layout(form)
            raw = raw_inputs(layout, report)
            book = load_workbook(__import__("io").BytesIO(workbook_bytes(blank_form(report.year, 8, language))))
            for path, value in raw.items():
                book[layout.inputs[path].sheet][layout.inputs[path].cell].value = value
            src = folder / f"{name}-{language}.xlsx"
            book.save(src)
            cases.append((name, language, layout, raw, src))
    outputs = recalc_many([c[-1] for c in cases], folder / "lo")
    return [(*c[:4], out) for c, out in zip(cases, outputs, strict=True)]


def test_typed_into_blank_then_recalculated_equals_python(typed_and_recalculated):
    for name, language, layout, raw, out in typed_and_recalculated:
        got = _formula_values(out, layout)
        want = compute(layout, raw)
        wrong = {k: (got[k], w.value) for k, w in want.items() if not _same(got[k], w.value)}
        assert not wrong, (name, language, list(wrong.items())[:5])


@pytest.mark.parametrize("name", REPORTS)
def test_cached_values_equal_libreoffice_recalculation(tmp_path, name):
    report = example_report(name)
    src = tmp_path / "prefilled.xlsx"
    src.write_bytes(prefilled(report))
    layout = build_layout(form_of(report))
    cached = _formula_values(src, layout)
    recalculated = _formula_values(recalc(src, tmp_path / "lo"), layout)
    wrong = {k: (cached[k], recalculated[k]) for k in cached if not _same(recalculated[k], cached[k])}
    assert not wrong


def test_workbook_saved_by_libreoffice_reads_correctly(tmp_path):
    """LibreOffice rewrites formulas and protection on save: neither is tampering."""
    report = example_report("indre-helgeland-rana")
    src = tmp_path / "rana.xlsx"
    src.write_bytes(prefilled(report))
    result = read(recalc(src, tmp_path / "lo"))
    assert result.status == "ok"
    assert {f.code for f in result.findings} == {"continuation-thousands", "required-missing"}
    assert result.report.model_dump() == report.model_dump()


def test_blank_form_says_it_is_not_filled_in(tmp_path):
    src = tmp_path / "blank.xlsx"
    src.write_bytes(workbook_bytes(blank_form(2026, 8, network="Nett")))
    layout = build_layout(blank_form(2026, 8))
    got = _formula_values(recalc(src, tmp_path / "lo"), layout)
    lines = {k: v for k, v in got.items() if k.startswith("summary.checks.")}
    assert lines.pop("summary.checks.filled") == "Skjemaet er ikke fylt ut: ingen tiltak har navn eller beløp."
    assert set(lines.values()) == {"Ikke kontrollert: skjemaet er ikke fylt ut."}
