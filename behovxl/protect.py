"""Workbook *structure* protection as a post-write step for xlsx bytes.

Why this module exists: xlsxwriter can protect individual worksheets
(``Worksheet.protect()``), but it has no API for protecting the workbook
structure, i.e. the ``<workbookProtection lockStructure="1"/>`` element in
``xl/workbook.xml`` that stops users from adding, deleting, renaming, hiding
or reordering sheets. The needs-report forms must keep their sheet layout
intact so they can be read back and consolidated, so after xlsxwriter has
produced the file we patch that one element into the workbook part.

Excel enforces the lock. LibreOffice (checked with 7.4) opens such files
without complaint but does not enforce the lock, and drops it if the file is
saved again from LibreOffice.

The rewrite is deterministic: entries keep their order, names, compression
type and attributes, and every entry gets the fixed timestamp
1980-01-01 00:00:00, so the same input bytes always give the same output
bytes.
"""

from __future__ import annotations

import io
import re
import zipfile

__all__ = ["WORKBOOK_PART", "finish_package", "lock_structure"]

#: The workbook part as written by xlsxwriter (and Excel/LibreOffice).
WORKBOOK_PART = "xl/workbook.xml"

_FIXED_DATE_TIME = (1980, 1, 1, 0, 0, 0)

# Element start tags, with an optional namespace prefix ("x:bookViews").
# The lookahead makes sure "<bookViews" does not match "<bookViewsFoo".
_PROTECTION_RE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?workbookProtection(?=[\s/>])")
_BOOKVIEWS_RE = re.compile(rb"<((?:[A-Za-z_][\w.-]*:)?)bookViews(?=[\s/>])")
_SHEETS_RE = re.compile(rb"<((?:[A-Za-z_][\w.-]*:)?)sheets(?=[\s/>])")


def _patch_workbook_xml(xml: bytes) -> bytes | None:
    """Return patched workbook XML, or None if it is already protected.

    CT_Workbook child order is fileVersion, fileSharing, workbookPr,
    workbookProtection, bookViews, sheets, ... so the new element goes right
    before ``<bookViews>`` (or before ``<sheets>`` when the optional
    bookViews element is absent).
    """
    if _PROTECTION_RE.search(xml):
        return None
    anchor = _BOOKVIEWS_RE.search(xml) or _SHEETS_RE.search(xml)
    if anchor is None:
        raise ValueError(
            f"{WORKBOOK_PART} has neither a <bookViews> nor a <sheets> element; "
            "cannot place <workbookProtection>"
        )
    prefix = anchor.group(1)
    element = b"<" + prefix + b'workbookProtection lockStructure="1"/>'
    return xml[: anchor.start()] + element + xml[anchor.start() :]


_ROW_RE = re.compile(rb'<row r="(\d+)"([^>]*?) customHeight="1"')


def _let_rows_grow(xml: bytes, rows: set[int]) -> bytes:
    """Drop customHeight on `rows` (0-based): the height stays a hint, and a spreadsheet may
    grow the row to fit text typed into it (Excel on edit, LibreOffice on load)."""
    if not rows:
        return xml

    def sub(m: re.Match[bytes]) -> bytes:
        return m.group(0) if int(m.group(1)) - 1 not in rows else b'<row r="' + m.group(1) + b'"' + m.group(2)

    return _ROW_RE.sub(sub, xml)


def finish_package(xlsx: bytes, grow: dict[int, set[int]]) -> bytes:
    """Lock the workbook structure and let the rows in `grow` ({sheet index: rows}) resize."""
    zin = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == WORKBOOK_PART:
                data = _patch_workbook_xml(data) or data
            elif info.filename.startswith("xl/worksheets/sheet") and info.filename.endswith(".xml"):
                index = int(info.filename[len("xl/worksheets/sheet") : -len(".xml")]) - 1
                data = _let_rows_grow(data, grow.get(index, set()))
            new = zipfile.ZipInfo(info.filename, date_time=_FIXED_DATE_TIME)
            new.compress_type = info.compress_type
            new.create_system = info.create_system
            new.external_attr = info.external_attr
            zout.writestr(new, data)
    return out.getvalue()


def lock_structure(xlsx: bytes) -> bytes:
    """Add ``<workbookProtection lockStructure="1"/>`` to an xlsx file.

    ``xlsx`` is the complete file content (e.g. from an xlsxwriter workbook
    written to a ``BytesIO``). Returns the new file content. If the workbook
    already has a ``workbookProtection`` element, ``xlsx`` is returned
    unchanged, so the function is idempotent.

    Raises ValueError if the input is not a zip file, has no
    ``xl/workbook.xml``, or that part has no ``<bookViews>``/``<sheets>``.
    """
    try:
        zin = zipfile.ZipFile(io.BytesIO(xlsx))
    except zipfile.BadZipFile as exc:
        raise ValueError(f"not an xlsx (zip) file: {exc}") from exc

    with zin:
        infos = zin.infolist()
        if WORKBOOK_PART not in {info.filename for info in infos}:
            raise ValueError(f"not an xlsx workbook: {WORKBOOK_PART} is missing")

        patched = _patch_workbook_xml(zin.read(WORKBOOK_PART))
        if patched is None:
            return xlsx

        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as zout:
            for info in infos:
                data = patched if info.filename == WORKBOOK_PART else zin.read(info)
                new = zipfile.ZipInfo(info.filename, date_time=_FIXED_DATE_TIME)
                new.compress_type = info.compress_type
                # Copy (not default) these so the result does not depend on
                # the platform we run on.
                new.create_system = info.create_system
                new.external_attr = info.external_attr
                new.comment = info.comment
                zout.writestr(new, data)
            zout.comment = zin.comment
    return out.getvalue()
