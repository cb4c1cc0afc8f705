"""The finishing touches xlsxwriter has no API for, made while it packages the workbook.

* Workbook *structure* protection: xlsxwriter protects worksheets (``Worksheet.protect()``)
  but cannot write ``<workbookProtection lockStructure="1"/>`` in ``xl/workbook.xml``, which
  stops users from adding, deleting, renaming, hiding or reordering sheets. A form must keep
  its sheets to be read back. Excel enforces the lock; LibreOffice (checked with 7.4) opens
  such files without complaint, does not enforce it, and drops it when it saves.
* Rows that may grow: xlsxwriter marks every row with a height ``customHeight="1"``, and a
  spreadsheet then keeps that height whatever is typed. For answer rows the height is only a
  hint, so the mark is dropped and the row grows to fit its text (Excel on edit, LibreOffice
  on load).

Both are edits of the XML before it is zipped, so the package stays xlsxwriter's own:
same entries, order, timestamps and compression, and the same bytes for the same input.
"""

from __future__ import annotations

import io
import re
from typing import Any

import xlsxwriter
from xlsxwriter.packager import Packager

__all__ = ["WORKBOOK_PART", "FinishedWorkbook"]

#: The workbook part as xlsxwriter writes it.
WORKBOOK_PART = "xl/workbook.xml"


class FinishedWorkbook(xlsxwriter.Workbook):
    """An xlsxwriter workbook finished as it is packaged: the structure locked, and the rows in
    `grow` ({sheet index: 0-based rows}, set before `close`) free to resize.

    xlsxwriter lets a workbook supply its own packager; ours edits the workbook and sheet XML
    before xlsxwriter zips them, so each part is compressed once (unzipping and zipping the
    whole package again cost a generated form a fifth of its time). Needs `in_memory`.
    """

    grow: dict[int, set[int]] = {}

    def _get_packager(self) -> Packager:
        return _FinishingPackager(self.grow)


class _FinishingPackager(Packager):
    def __init__(self, grow: dict[int, set[int]]) -> None:
        super().__init__()
        self.grow = grow

    def _create_package(self) -> list[tuple[Any, str, bool]]:
        return [self._finish(data, name, binary) for data, name, binary in super()._create_package()]

    def _finish(self, data: Any, name: str, binary: bool) -> tuple[Any, str, bool]:
        if binary:
            return data, name, binary
        if not isinstance(data, io.StringIO):
            raise ValueError("FinishedWorkbook needs the option in_memory: the parts are edited in memory")
        if name == WORKBOOK_PART:
            xml = data.getvalue().encode("utf-8")
            return io.BytesIO(_lock_structure(xml)), name, True
        if name.startswith("xl/worksheets/sheet") and name.endswith(".xml"):
            rows = self.grow.get(int(name[len("xl/worksheets/sheet") : -len(".xml")]) - 1, set())
            if rows:
                return io.BytesIO(_let_rows_grow(data.getvalue().encode("utf-8"), rows)), name, True
        return data, name, binary


def _lock_structure(xml: bytes) -> bytes:
    """CT_Workbook's child order is fileVersion, fileSharing, workbookPr, workbookProtection,
    bookViews, …: the lock goes right before ``<bookViews>``, which xlsxwriter always writes."""
    at = xml.index(b"<bookViews>")
    return xml[:at] + b'<workbookProtection lockStructure="1"/>' + xml[at:]


_ROW_RE = re.compile(rb'<row r="(\d+)"([^>]*?) customHeight="1"')


def _let_rows_grow(xml: bytes, rows: set[int]) -> bytes:
    """Drop customHeight on `rows` (0-based)."""

    def sub(m: re.Match[bytes]) -> bytes:
        return m.group(0) if int(m.group(1)) - 1 not in rows else b'<row r="' + m.group(1) + b'"' + m.group(2)

    return _ROW_RE.sub(sub, xml)
