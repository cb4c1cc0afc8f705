"""The old reader, for the differential test: a `Package` stand-in that gets every cell through openpyxl.

`open_openpyxl(data, limits)` has the signature of `behovxl.package.open_package` and can be
given to `pipeline.read_data(..., opener=open_openpyxl)`. It loads the workbook twice with
openpyxl in read-only mode, once for the formulas and once for the cached values, and
gives the same attributes as `behovxl.package.Package`: the sheets in order with their
states, the workbook's defined names, `modified` and `subject` from `book.properties`, and
whether the file is macro-enabled. Any failure of openpyxl is a PackageError "corrupt".

Not a test module (no `test_` prefix); the tests import it from this folder.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any

from openpyxl import load_workbook

from behovxl.limits import DEFAULT_LIMITS, Limits
from behovxl.package import Cell, PackageError

__all__ = ["OpenpyxlPackage", "open_openpyxl"]

# ---------------------------------------------------------------- public API


class OpenpyxlPackage:
    """An xlsx read whole by openpyxl: cells by sheet and 0-based (row, col), as behovxl's Package gives them."""

    sheet_names: list[str]
    sheet_states: dict[str, str]
    defined_names: dict[str, str]
    modified: datetime | None
    subject: str | None
    has_macros: bool

    def __init__(self, data: bytes) -> None:
        formulas = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        values = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            self.sheet_names = list(formulas.sheetnames)
            self.sheet_states = {ws.title: ws.sheet_state for ws in formulas.worksheets}
            self.defined_names = {name: d.attr_text for name, d in formulas.defined_names.items()}
            props = formulas.properties
            self.modified = None if props.modified is None else props.modified.replace(tzinfo=UTC)
            self.subject = props.subject
            self._cells = {name: _merge(_read(formulas[name]), _read(values[name])) for name in self.sheet_names}
        finally:
            formulas.close()
            values.close()
        self.has_macros = _macro_enabled(data)

    def cells(self, sheet: str, wanted: Collection[tuple[int, int]] | None = None) -> dict[tuple[int, int], Cell]:
        """Cells of one sheet (only the `wanted` positions, if given); KeyError for an unknown sheet."""
        cells = self._cells[sheet]
        if wanted is None:
            return dict(cells)
        return {key: cells[key] for key in wanted if key in cells}


def open_openpyxl(data: bytes, limits: Limits = DEFAULT_LIMITS) -> OpenpyxlPackage:
    """`open_package` done by openpyxl; `limits` is accepted for the signature and not used."""
    try:
        return OpenpyxlPackage(data)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a broken file
        raise PackageError("corrupt", reason=type(exc).__name__) from None


# ---------------------------------------------------------------- helpers

_Raw = dict[tuple[int, int], tuple[Any, str]]


def _read(ws: Any) -> _Raw:
    """Every stored cell of a read-only sheet: (row, col) -> (value, openpyxl's data type)."""
    if not hasattr(ws, "iter_rows"):
        return {}  # a chartsheet
    ws.reset_dimensions()  # a <dimension> that is wrong must not hide cells
    out: _Raw = {}
    for row in ws.iter_rows():
        for cell in row:
            if getattr(cell, "row", None) is None:
                continue  # openpyxl's EmptyCell padding
            out[(cell.row - 1, cell.column - 1)] = (cell.value, cell.data_type)
    return out


def _merge(formulas: _Raw, values: _Raw) -> dict[tuple[int, int], Cell]:
    out: dict[tuple[int, int], Cell] = {}
    for key in sorted(formulas.keys() | values.keys()):
        stored, kind = formulas.get(key, (None, "n"))
        if kind == "f":
            text = getattr(stored, "text", stored)  # an ArrayFormula keeps its text apart
            formula = str(text)[1:] if str(text).startswith("=") else str(text)
            value = values.get(key, (None, "n"))[0]
        else:
            formula, value = None, stored
        if value is not None or formula is not None:
            out[key] = Cell(value, formula)
    return out


def _macro_enabled(data: bytes) -> bool:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = {n.lower(): n for n in zf.namelist()}
        types = zf.read(names["[content_types].xml"]) if "[content_types].xml" in names else b""
    return b"macroEnabled" in types or any(n.endswith("vbaproject.bin") for n in names)
