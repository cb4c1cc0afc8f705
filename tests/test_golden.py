"""Golden files: generated workbooks compared part by part and cell by cell with committed ones.

A change to the writer that changes a form shows up here as the part and the cells that
changed. If the change is intended, write the golden files again and commit them:

    BEHOVXL_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path

import pytest
from xlsxdiff import assert_same_xlsx, xlsx_differences

from behovxl.form import Form
from behovxl.models import Report
from behovxl.registry import Registry
from behovxl.writer import workbook_bytes

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).parent / "golden"
REGISTRY = Registry.default()


def _salten_2027() -> Report:
    return Report.model_validate(json.loads((ROOT / "examples/reports/2027/salten.json").read_text(encoding="utf-8")))


def _blank(form_id: str, year: int, language: str, measures: int) -> bytes:
    d = REGISTRY.lookup(form_id, "1")
    return workbook_bytes(Form(d, year, measures, language, "Kompetansenettverk Salten", "1. februar " + str(year)))


def _prefilled() -> bytes:
    report = _salten_2027()
    d = REGISTRY.lookup(report.form_id, report.form_version)
    return workbook_bytes(Form(d, report.year, len(report.measures), report.language, report.network_id or "",
                               "1. februar 2027"), report)


CASES = {
    "behovsmelding-2026-nb.xlsx": lambda: _blank("behovsmelding-lokal-kompetanseutvikling", 2026, "nb", 3),
    "kollektiv-2027-nn.xlsx": lambda: _blank("behovsmelding-kollektiv-kompetanseutvikling", 2027, "nn", 2),
    "kollektiv-2027-salten.xlsx": _prefilled,
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_generated_workbook_is_the_golden_file(name: str) -> None:
    got = CASES[name]()
    path = GOLDEN / name
    if os.environ.get("BEHOVXL_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(got)
    assert_same_xlsx(got, path.read_bytes(), f"tests/golden/{name}")
    assert got == path.read_bytes()


def test_a_difference_names_the_part_and_the_cell() -> None:
    report = _salten_2027()
    report.measures[0].owner_lines[0].amount = (report.measures[0].owner_lines[0].amount or 0) + 1
    d = REGISTRY.lookup(report.form_id, report.form_version)
    changed = workbook_bytes(Form(d, report.year, len(report.measures), report.language, report.network_id or "",
                                  "1. februar 2027"), report)
    lines = xlsx_differences(changed, _prefilled())
    assert lines, "one changed amount must show"
    assert "xl/worksheets/sheet3.xml: A36: value '200000' -> '200001'" in lines  # Tiltak 1, the first owner line
    assert all(line.startswith("xl/worksheets/sheet") for line in lines), lines  # the sums move, nothing else


def test_a_missing_part_is_named() -> None:
    original = _prefilled()
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(original)) as src, zipfile.ZipFile(buffer, "w") as dst:
        for info in src.infolist():
            if info.filename != "docProps/app.xml":
                dst.writestr(info, src.read(info))
    assert "part missing from the new file: docProps/app.xml" in xlsx_differences(buffer.getvalue(), original)
