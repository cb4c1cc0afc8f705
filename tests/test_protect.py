"""behovxl.protect.lock_structure: workbook structure protection."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
import xlsxwriter

from behovxl.protect import lock_structure


def _xlsx_bytes(*, sheets=("Skjema", "Lister")) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    for name in sheets:
        ws = wb.add_worksheet(name)
        ws.write("A1", f"hello {name}")
        ws.write_number("B1", 7)
    wb.close()
    return buf.getvalue()


def _workbook_xml(xlsx: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(xlsx)) as zf:
        return zf.read("xl/workbook.xml")


def _replace_workbook_xml(xlsx: bytes, xml: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            data = xml if info.filename == "xl/workbook.xml" else zin.read(info)
            zout.writestr(info, data)
    return out.getvalue()


def test_openpyxl_sees_lock_structure():
    original = _xlsx_bytes()
    assert not openpyxl.load_workbook(io.BytesIO(original)).security

    locked = lock_structure(original)

    wb = openpyxl.load_workbook(io.BytesIO(locked))
    assert wb.security is not None
    assert wb.security.lockStructure
    assert wb.sheetnames == ["Skjema", "Lister"]
    assert wb["Skjema"]["A1"].value == "hello Skjema"


def test_element_in_schema_position():
    xml = _workbook_xml(lock_structure(_xlsx_bytes()))
    assert xml.count(b"<workbookProtection") == 1
    assert b'<workbookProtection lockStructure="1"/>' in xml
    pos = xml.index(b"<workbookProtection")
    assert xml.index(b"<workbookPr") < pos < xml.index(b"<bookViews") < xml.index(b"<sheets")


def test_idempotent():
    once = lock_structure(_xlsx_bytes())
    assert lock_structure(once) == once


def test_deterministic():
    original = _xlsx_bytes()
    assert lock_structure(original) == lock_structure(original)


def test_zip_layout_preserved():
    original = _xlsx_bytes()
    locked = lock_structure(original)
    with zipfile.ZipFile(io.BytesIO(original)) as a, zipfile.ZipFile(io.BytesIO(locked)) as b:
        a_infos, b_infos = a.infolist(), b.infolist()
        assert [i.filename for i in a_infos] == [i.filename for i in b_infos]
        for ai, bi in zip(a_infos, b_infos, strict=True):
            assert bi.compress_type == ai.compress_type
            assert bi.date_time == (1980, 1, 1, 0, 0, 0)
            if ai.filename != "xl/workbook.xml":
                assert a.read(ai) == b.read(bi)


def test_existing_protection_left_unchanged():
    original = _xlsx_bytes()
    xml = _workbook_xml(original).replace(
        b"<bookViews>", b'<workbookProtection lockWindows="1"/><bookViews>'
    )
    already = _replace_workbook_xml(original, xml)
    assert lock_structure(already) == already


def test_without_bookviews_inserts_before_sheets():
    original = _xlsx_bytes()
    xml = _workbook_xml(original)
    start, end = xml.index(b"<bookViews>"), xml.index(b"</bookViews>") + len(b"</bookViews>")
    no_views = _replace_workbook_xml(original, xml[:start] + xml[end:])

    out = _workbook_xml(lock_structure(no_views))
    assert out.index(b"<workbookPr") < out.index(b"<workbookProtection") < out.index(b"<sheets")


def test_prefixed_namespace():
    xml = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<x:workbook xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<x:workbookPr/><x:bookViews><x:workbookView/></x:bookViews>"
        b"<x:sheets/></x:workbook>"
    )
    out = _workbook_xml(lock_structure(_replace_workbook_xml(_xlsx_bytes(), xml)))
    assert b'<x:workbookPr/><x:workbookProtection lockStructure="1"/><x:bookViews>' in out


def test_missing_workbook_part():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
    with pytest.raises(ValueError, match="xl/workbook.xml is missing"):
        lock_structure(buf.getvalue())


def test_no_bookviews_no_sheets():
    xml = b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>'
    with pytest.raises(ValueError, match="bookViews.*sheets"):
        lock_structure(_replace_workbook_xml(_xlsx_bytes(), xml))


def test_not_a_zip():
    with pytest.raises(ValueError, match="not an xlsx"):
        lock_structure(b"definitely not a zip file")


@pytest.mark.libreoffice
def test_opens_in_libreoffice(tmp_path):
    from libreoffice import convert

    src = tmp_path / "in" / "locked.xlsx"
    src.parent.mkdir()
    src.write_bytes(lock_structure(_xlsx_bytes(sheets=("Skjema",))))

    csv = convert(src, tmp_path / "csv", "csv")
    assert csv.read_text(encoding="utf-8").splitlines()[0] == "hello Skjema,7"
    # Note: we do not assert that LibreOffice honours the lock. LibreOffice
    # 7.4 opens the file fine but ignores lockStructure on xlsx import and
    # writes an empty <workbookProtection/> for every workbook when it saves.
