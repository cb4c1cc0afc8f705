"""The LibreOffice recalculation harness really recalculates."""

from __future__ import annotations

import hashlib

import openpyxl
import pytest
import xlsxwriter

pytestmark = pytest.mark.libreoffice


def _write_stale_sum(path):
    with xlsxwriter.Workbook(str(path)) as wb:
        ws = wb.add_worksheet("Data")
        ws.write_number("A1", 2)
        ws.write_number("A2", 40)
        # Deliberately wrong cached value: only a real recalculation fixes it.
        ws.write_formula("A3", "=A1+A2", None, 999)


def test_recalc_replaces_stale_cached_value(tmp_path, lo_recalc):
    src = tmp_path / "src" / "stale.xlsx"
    src.parent.mkdir()
    _write_stale_sum(src)
    before = hashlib.sha256(src.read_bytes()).hexdigest()

    # Sanity check: the input really carries the wrong cached value.
    assert openpyxl.load_workbook(src, data_only=True)["Data"]["A3"].value == 999

    out = lo_recalc(src, tmp_path / "out")

    assert out == (tmp_path / "out" / "stale.xlsx").resolve()
    ws = openpyxl.load_workbook(out, data_only=True)["Data"]
    assert ws["A3"].value == 42
    # The formula survives the round trip.
    assert openpyxl.load_workbook(out)["Data"]["A3"].value == "=A1+A2"
    # The source file is untouched.
    assert hashlib.sha256(src.read_bytes()).hexdigest() == before


def test_recalc_refuses_to_overwrite_source(tmp_path, lo_recalc):
    src = tmp_path / "book.xlsx"
    _write_stale_sum(src)
    with pytest.raises(ValueError, match="overwrite the source"):
        lo_recalc(src, tmp_path)
