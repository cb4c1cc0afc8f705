"""Shared test helpers: example reports, forms, and workbooks edited the way networks edit them."""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from behovxl.form import Form
from behovxl.formulas import raw_inputs
from behovxl.generate import Request, form_for_report
from behovxl.layout import Layout, build_layout
from behovxl.models import Report
from behovxl.registry import Registry
from behovxl.writer import workbook_bytes

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
REGISTRY = Registry.default()
OLD_FORM = "behovsmelding-lokal-kompetanseutvikling"
NEW_FORM = "behovsmelding-kollektiv-kompetanseutvikling"


def example_report(name: str, year: int = 2026) -> Report:
    """One of the example reports: 2026 (last year's, from the seeds) or 2027 (this year's round)."""
    path = EXAMPLES / "reports" / str(year) / f"{name}.json"
    return Report.model_validate(json.loads(path.read_text(encoding="utf-8")))


def form_of(report: Report, measures: int | None = None, language: str | None = None) -> Form:
    form, _ = form_for_report(report, Request(REGISTRY, report.year, measures))
    return replace(form, language=language or report.language)


def blank_form(year: int = 2026, measures: int = 8, language: str = "nb", form_id: str | None = None,
               network: str = "") -> Form:
    d = REGISTRY.pick(year, form_id)
    return Form(d, year, measures, language, network)


def blank_layout(year: int = 2026, measures: int = 8, language: str = "nb", form_id: str | None = None) -> Layout:
    return build_layout(blank_form(year, measures, language, form_id))


def prefilled(report: Report, measures: int | None = None, language: str | None = None) -> bytes:
    return workbook_bytes(form_of(report, measures, language), report)


def typed(report: Report, edits: dict[str, Any], measures: int | None = None, language: str | None = None) -> bytes:
    """A report's workbook after a network typed `edits` (input path -> value as typed; None clears)
    and the spreadsheet recalculated: every formula's cached value is right for the new values."""
    form = form_of(report, measures, language)
    layout = build_layout(form)
    raw = raw_inputs(layout, report)
    for path, value in edits.items():
        assert path in layout.inputs, path
        if value is None:
            raw.pop(path, None)
        else:
            raw[path] = value
    return workbook_bytes(form, report, raw=raw)


def edited(data: bytes, edits: dict[tuple[str, str], object]) -> bytes:
    """A copy of a workbook with cells set by openpyxl (which saves no cached values)."""
    book = load_workbook(io.BytesIO(data))
    for (sheet, cell), value in edits.items():
        book[sheet][cell].value = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def patch_sheet_xml(data: bytes, sheet_index: int, pattern: str, replacement: str) -> bytes:
    """Change one sheet's XML with a regular expression (exactly one match), keeping all else."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == f"xl/worksheets/sheet{sheet_index}.xml":
                body, n = re.subn(pattern.encode(), replacement.encode(), body)
                assert n == 1, (pattern, n)
            dst.writestr(info, body)
    return out.getvalue()


def sheet_index(layout: Layout, name: str) -> int:
    """The 1-based number of a sheet's XML part (xlsxwriter writes them in order)."""
    return layout.sheet_names.index(name) + 1


def found(result: Any) -> set[tuple[str, str | None, str | None]]:
    return {(f.code, f.sheet, f.cell) for f in result.findings}
