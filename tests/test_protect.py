"""behovxl.protect.FinishedWorkbook: structure protection and rows that grow, made while xlsxwriter packages."""

from __future__ import annotations

import io
import re
import zipfile

import openpyxl
import pytest
import xlsxwriter

from behovxl.protect import FinishedWorkbook

OPTIONS = {"in_memory": True}


def _draw(book: xlsxwriter.Workbook, sheets: tuple[str, ...]) -> None:
    for name in sheets:
        ws = book.add_worksheet(name)
        ws.write("A1", f"hello {name}")
        ws.write_number("B1", 7)
        for row in range(1, 4):
            ws.set_row(row, 40)
            ws.write(row, 0, f"answer {row}")


def _xlsx(*, finished: bool, grow: dict[int, set[int]] | None = None,
          sheets: tuple[str, ...] = ("Skjema", "Lister")) -> bytes:
    buffer = io.BytesIO()
    book = (FinishedWorkbook if finished else xlsxwriter.Workbook)(buffer, OPTIONS)
    _draw(book, sheets)
    if finished:
        book.grow = grow or {}
    book.close()
    return buffer.getvalue()


def _part(xlsx: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(xlsx)) as zf:
        return zf.read(name)


def _custom_rows(xml: bytes) -> list[int]:
    return [int(r) for r in re.findall(rb'<row r="(\d+)"[^>]* customHeight="1"', xml)]


def test_openpyxl_sees_lock_structure() -> None:
    assert not openpyxl.load_workbook(io.BytesIO(_xlsx(finished=False))).security
    wb = openpyxl.load_workbook(io.BytesIO(_xlsx(finished=True)))
    assert wb.security is not None and wb.security.lockStructure
    assert wb.sheetnames == ["Skjema", "Lister"]
    assert wb["Skjema"]["A1"].value == "hello Skjema"


def test_lock_in_schema_position() -> None:
    xml = _part(_xlsx(finished=True), "xl/workbook.xml")
    assert xml.count(b"<workbookProtection") == 1
    assert b'<workbookProtection lockStructure="1"/>' in xml
    assert xml.index(b"<workbookPr") < xml.index(b"<workbookProtection") < xml.index(b"<bookViews") < xml.index(
        b"<sheets")


def test_only_the_rows_asked_for_grow() -> None:
    xlsx = _xlsx(finished=True, grow={0: {1, 3}})
    assert _custom_rows(_part(xlsx, "xl/worksheets/sheet1.xml")) == [3]  # row index 2 keeps its height
    assert _custom_rows(_part(xlsx, "xl/worksheets/sheet2.xml")) == [2, 3, 4]
    assert b'<row r="2" spans="1:2" ht="39.75">' in _part(xlsx, "xl/worksheets/sheet1.xml")  # the height stays a hint


def test_every_other_part_and_the_zip_layout_are_xlsxwriters() -> None:
    plain, finished = _xlsx(finished=False), _xlsx(finished=True, grow={1: {2}})
    with zipfile.ZipFile(io.BytesIO(plain)) as a, zipfile.ZipFile(io.BytesIO(finished)) as b:
        assert [(i.filename, i.compress_type, i.date_time, i.external_attr) for i in a.infolist()] == [
            (i.filename, i.compress_type, i.date_time, i.external_attr) for i in b.infolist()]
        changed = [i.filename for i in a.infolist() if a.read(i) != b.read(i.filename)]
    assert changed == ["xl/worksheets/sheet2.xml", "xl/workbook.xml"]


def test_deterministic() -> None:
    assert _xlsx(finished=True, grow={0: {1}}) == _xlsx(finished=True, grow={0: {1}})


def test_needs_in_memory(tmp_path) -> None:  # type: ignore[no-untyped-def]
    book = FinishedWorkbook(str(tmp_path / "x.xlsx"), {"in_memory": False})
    _draw(book, ("Skjema",))
    with pytest.raises(ValueError, match="in_memory"):
        book.close()


@pytest.mark.libreoffice
def test_opens_in_libreoffice(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from libreoffice import convert

    src = tmp_path / "in" / "locked.xlsx"
    src.parent.mkdir()
    src.write_bytes(_xlsx(finished=True, grow={0: {1}}, sheets=("Skjema",)))

    csv = convert(src, tmp_path / "csv", "csv")
    assert csv.read_text(encoding="utf-8").splitlines()[0] == "hello Skjema,7"
    # Note: we do not assert that LibreOffice honours the lock. LibreOffice
    # 7.4 opens the file fine but ignores lockStructure on xlsx import and
    # writes an empty <workbookProtection/> for every workbook when it saves.
