"""Shared test helpers: example reports and small workbook edits."""

from __future__ import annotations

import io
import json
from pathlib import Path

from openpyxl import load_workbook

from behovxl.generate import make_form
from behovxl.layout import build_layout
from behovxl.models import Report
from behovxl.writer import workbook_bytes

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def example_report(name: str) -> Report:
    return Report.model_validate(json.loads((EXAMPLES / "reports" / f"{name}.json").read_text(encoding="utf-8")))


def blank_layout(year: int = 2026, measures: int = 8):
    return build_layout(make_form(year, measures))


def edited(data: bytes, edits: dict[tuple[str, str], object]) -> bytes:
    """A copy of a workbook with cells set by openpyxl (which saves no cached values)."""
    book = load_workbook(io.BytesIO(data))
    for (sheet, cell), value in edits.items():
        book[sheet][cell].value = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def prefilled(report: Report) -> bytes:
    from behovxl import definition

    d = definition.lookup(report.form_id, report.form_version)
    from behovxl.definition import Form

    return workbook_bytes(Form(d, report.year, 8, report.network_id or ""), report)
