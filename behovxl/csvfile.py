"""CSV as behovxl writes it: one dialect for every CSV file of the regional round.

UTF-8 with BOM, `;` as separator, minimal quoting, CRLF line ends. The separator is `;`
on purpose: Excel with Norwegian regional settings uses `;` as list separator (the comma
is the decimal sign), so a comma-separated file double-clicked in Norway opens with
every row in column A. Whole kroner are plain integers (no thousands separator).

CSV injection (OWASP): a text cell that begins with `=`, `+`, `-`, `@`, a tab or a
carriage return is written with a leading single quote (`'=HYPERLINK(...)`) so a
spreadsheet shows it as text instead of running it. Numbers are never prefixed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime
from typing import Any


def csv_safe(value: str) -> str:
    """A text cell as written to CSV: a leading ' when a spreadsheet would take it for a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def csv_bytes(rows: Sequence[Sequence[Any]]) -> bytes:
    """Rows (the first is the header) as behovxl writes CSV: BOM, `;`, CRLF, formula-like text prefixed."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def csv_cell(value: Any) -> str:
    """None is empty, booleans are Ja/Nei, whole numbers plain, times to the second, text made safe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Ja" if value else "Nei"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    return csv_safe(str(value))
