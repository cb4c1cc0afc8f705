"""Cell references: the one place where (row, col) and "B3" meet."""

from __future__ import annotations

import re


def col_letter(col: int) -> str:
    """0-based column index to letters: 0 -> A, 26 -> AA."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def a1(row: int, col: int) -> str:
    """0-based (row, col) to "B3"."""
    return f"{col_letter(col)}{row + 1}"


def abs_a1(row: int, col: int) -> str:
    return f"${col_letter(col)}${row + 1}"


def quote_sheet(sheet: str) -> str:
    """A sheet name as it must appear in a formula."""
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", sheet):
        return sheet
    return "'" + sheet.replace("'", "''") + "'"


def ref(sheet: str, row: int, col: int, absolute: bool = False) -> str:
    cell = abs_a1(row, col) if absolute else a1(row, col)
    return f"{quote_sheet(sheet)}!{cell}"
