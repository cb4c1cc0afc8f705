"""The regional workbook: a consolidation drawn with xlsxwriter, plus JSON and CSV.

The rows come from `tabular.tables`; this module only knows how they look:
formats, formulas for every total (with the right cached value), the chart, the
defined name `Totalt_omsokt`, frozen headers and print settings.

Text from submissions is always written with `write_string`, and the workbook
options turn off every conversion of strings to formulas, numbers or links, so a
name that begins with `=`, `+`, `-` or `@` appears literally.

The output is deterministic: the same consolidation gives the same bytes (fixed
document dates, in-memory zip entries with fixed timestamps, sorted rows).
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import xlsxwriter

from xlsxwriter.utility import quote_sheetname as quote_sheet
from xlsxwriter.utility import xl_rowcol_to_cell

from .consolidate import Consolidation
from .files import FolderOutput, Output, write_outputs
from .ownfiles import REGIONAL_MARKER
from .tabular import Column, Table, consolidation_json, csv_files, tables


def a1(row: int, col: int) -> str:
    return xl_rowcol_to_cell(row, col)


def abs_a1(row: int, col: int) -> str:
    return xl_rowcol_to_cell(row, col, True, True)

__all__ = ["TOTAL_NAME", "TOTAL_CELL", "regional_bytes", "write_regional"]

#: The defined name of the grand total requested (owner + coordinator + UH, all schemes and networks).
TOTAL_NAME = "Totalt_omsokt"
#: Where that name points.
TOTAL_CELL = "Oversikt!$B$3"

AMOUNT_FORMAT = '#,##0 "kr"'
HEAD_FILL = "#1F4E79"
COLHEAD_FILL = "#DDEBF7"
FORMULA_FILL = "#F2F2F2"
CHART_COLOURS = ("#1F4E79", "#5B9BD5", "#A9D18E", "#C55A11", "#7F7F7F")

# ---------------------------------------------------------------- public API


def regional_bytes(c: Consolidation) -> bytes:
    """The regional workbook as xlsx bytes."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, _OPTIONS)
    _Regional(book, c).write()
    book.close()
    return buffer.getvalue()


def write_regional(
    c: Consolidation, xlsx_path: Path, json_path: Path | None = None, csv_dir: Path | None = None
) -> list[Path]:
    """Write the regional workbook, and JSON and CSV if asked; return the paths written.

    Everything is built in memory first and each file is then written atomically, so a
    failure never leaves a half-written file and never touches an existing one. A file
    that cannot be written raises BehovxlError with the path and the reason.
    """
    outputs: list[Output | FolderOutput] = [Output(Path(xlsx_path), regional_bytes(c))]
    if json_path is not None:
        outputs.append(Output(Path(json_path), consolidation_json(c)))
    files = csv_files(c) if csv_dir is not None else {}
    if csv_dir is not None:
        outputs.append(FolderOutput(Path(csv_dir), files))
    write_outputs(outputs)
    return [Path(xlsx_path), *([Path(json_path)] if json_path else []), *(Path(csv_dir) / n for n in files)]


# ---------------------------------------------------------------- the writer

_OPTIONS = {
    "in_memory": True,
    # Text from submissions must never become a formula, a number or a link.
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
}

_NUM_FORMATS = {"amount": AMOUNT_FORMAT, "count": "#,##0", "number": "0", "date": "yyyy-mm-dd hh:mm", "flag": "@"}
_ALIGN = {"number": "center", "date": "center", "flag": "center"}

# Status texts and their colours (font, fill): green, yellow, red.
_GOOD, _WARN, _BAD = ("#006100", "#C6EFCE"), ("#7F6000", "#FFEB9C"), ("#9C0006", "#FFC7CE")
_STATUS_COLOURS = {
    "OK": _GOOD, "Importert": _GOOD,
    "Advarsel": _WARN, "Duplikat": _WARN,
    "Feil": _BAD, "Avvist": _BAD, "Importert med feil": _BAD, "Erstattet": _BAD,
}

TITLE_ROW, NOTE_ROW, EXTRA_ROW = 0, 1, 2


class _Regional:
    def __init__(self, book: xlsxwriter.Workbook, c: Consolidation) -> None:
        self.book, self.c = book, c
        base = {"valign": "top"}
        self.f = {
            "title": book.add_format({"bold": True, "font_size": 14, "font_color": HEAD_FILL}),
            "note": book.add_format({"italic": True, "font_color": "#595959"}),
            "group": book.add_format({"bold": True, "font_color": "#FFFFFF", "bg_color": HEAD_FILL, "align": "center",
                                      "valign": "vcenter", "border": 1, "border_color": "#FFFFFF"}),
            "header": book.add_format({"bold": True, "bg_color": COLHEAD_FILL, "border": 1, "border_color": "#9BC2E6",
                                       "text_wrap": True, "valign": "vcenter", "align": "center"}),
            "big_label": book.add_format({"bold": True, "font_size": 12, "valign": "vcenter"}),
            "big_total": book.add_format({"bold": True, "font_size": 12, "num_format": AMOUNT_FORMAT,
                                          "bg_color": FORMULA_FILL, "border": 1, "align": "right", "valign": "vcenter"}),
            "text": book.add_format(base),
            "wrap": book.add_format({**base, "text_wrap": True}),
            "total_label": book.add_format({"bold": True, "top": 1, "bottom": 6, "valign": "top"}),
            "total_blank": book.add_format({"top": 1, "bottom": 6}),
        }
        for kind, num in _NUM_FORMATS.items():
            self.f[kind] = book.add_format({**base, "num_format": num, **({"align": _ALIGN[kind]} if kind in _ALIGN else {})})
            self.f[f"{kind}_sum"] = book.add_format({**base, "num_format": num, "bg_color": FORMULA_FILL})
            self.f[f"{kind}_total"] = book.add_format({**base, "num_format": num, "bold": True, "top": 1, "bottom": 6})
        self.status_fmt = {
            text: book.add_format({**base, "font_color": fg, "bg_color": bg}) for text, (fg, bg) in _STATUS_COLOURS.items()
        }

    def write(self) -> None:
        year = self.c.year or 2000
        self.book.set_properties({
            "title": f"Regional oversikt over behovsmeldinger {self.c.year or ''}".strip(),
            "subject": "Behovsmelding – lokal kompetanseutvikling",
            "author": "behovxl",
            "company": "Statsforvalteren",
            "keywords": REGIONAL_MARKER,
            "created": datetime(year, 1, 1),
        })
        for table in tables(self.c):
            self._sheet(table)

    # -- one sheet

    def _sheet(self, t: Table) -> None:
        ws = self.book.add_worksheet(t.sheet)
        grouped = any(col.group for col in t.columns)
        header = EXTRA_ROW + (2 if grouped else 1)
        first, n = header + 1, max(len(t.rows), 1)
        last = first + n - 1
        ws.write_string(TITLE_ROW, 0, t.title, self.f["title"])
        ws.write_string(NOTE_ROW, 0, t.note, self.f["note"])
        ws.set_row(TITLE_ROW, 22)
        if grouped:
            self._groups(ws, t, header - 1)
        widths = [_width(column, t, col) for col, column in enumerate(t.columns)]
        for col, column in enumerate(t.columns):
            ws.write_string(header, col, column.header, self.f["header"])
            ws.set_column(col, col, widths[col])
        ws.set_row(header, _height([(c.header, w) for c, w in zip(t.columns, widths)]))
        for i, row in enumerate(t.rows):
            for col, column in enumerate(t.columns):
                self._cell(ws, first + i, col, column, row[col])
            wrapped = [(row[col], widths[col]) for col, column in enumerate(t.columns) if column.wrap]
            ws.set_row(first + i, _height(wrapped))
        if t.totals:
            self._totals(ws, t, first, last)
        if t.excel_table:
            columns = [{"header": col.header, "header_format": self.f["header"]} for col in t.columns]
            ws.add_table(header, 0, last, len(t.columns) - 1,
                         {"name": f"{t.sheet}tabell", "style": "Table Style Light 9", "columns": columns})
        elif not t.totals and t.rows:
            ws.autofilter(header, 0, last, len(t.columns) - 1)
        if t.sheet == "Oversikt":
            self._overview_extras(ws, t, first, last)
        self._print(ws, t, header - 1 if grouped else header, header)
        ws.freeze_panes(header + 1, 1)

    def _groups(self, ws, t: Table, row: int) -> None:
        col = 0
        while col < len(t.columns):
            group = t.columns[col].group
            end = col
            while end + 1 < len(t.columns) and group and t.columns[end + 1].group == group:
                end += 1
            if group and end > col:
                ws.merge_range(row, col, row, end, group, self.f["group"])
            elif group:
                ws.write_string(row, col, group, self.f["group"])
            col = end + 1

    def _cell(self, ws, row: int, col: int, column: Column, value: Any) -> None:
        if column.sum_of:
            refs = "+".join(a1(row, i) for i in column.sum_of)
            ws.write_formula(row, col, f"={refs}", self.f[f"{column.kind}_sum"], value)
        elif column.kind in ("text", "status", "flag"):
            fmt = self.status_fmt.get(value) if column.kind == "status" else None
            fmt = fmt or self.f["flag" if column.kind == "flag" else "wrap" if column.wrap else "text"]
            if value is None or value == "":
                ws.write_blank(row, col, None, fmt)
            else:
                ws.write_string(row, col, str(value), fmt)
        elif value is None:
            ws.write_blank(row, col, None, self.f[column.kind])
        elif column.kind == "date":
            ws.write_datetime(row, col, value, self.f["date"])
        else:
            ws.write_number(row, col, value, self.f[column.kind])

    def _totals(self, ws, t: Table, first: int, last: int) -> None:
        row = last + 1
        function = "SUBTOTAL(109," if t.excel_table else "SUM("
        ws.write_string(row, 0, t.totals, self.f["total_label"])
        for col, column in enumerate(t.columns[1:], start=1):
            if column.total:
                formula = f"={function}{a1(first, col)}:{a1(last, col)})"
                ws.write_formula(row, col, formula, self.f[f"{column.kind}_total"], t.total(col))
            else:
                ws.write_blank(row, col, None, self.f["total_blank"])

    # -- Oversikt: the grand total, its name and the chart

    def _overview_extras(self, ws, t: Table, first: int, last: int) -> None:
        grand = len(t.columns) - 1
        ws.write_string(EXTRA_ROW, 0, "Totalt omsøkt", self.f["big_label"])
        ws.merge_range(EXTRA_ROW, 1, EXTRA_ROW, 2, "", self.f["big_total"])
        ws.write_formula(EXTRA_ROW, 1, f"=SUM({a1(first, grand)}:{a1(last, grand)})", self.f["big_total"], t.total(grand))
        ws.set_row(EXTRA_ROW, 20)
        self.book.define_name(TOTAL_NAME, f"={quote_sheet(t.sheet)}!{abs_a1(EXTRA_ROW, 1)}")
        if t.rows:
            self._chart(ws, t, first, last)

    def _chart(self, ws, t: Table, first: int, last: int) -> None:
        chart = self.book.add_chart({"type": "column", "subtype": "stacked"})
        sheet = quote_sheet(t.sheet)
        categories = f"={sheet}!{abs_a1(first, 0)}:{abs_a1(last, 0)}"
        scheme_totals = [i for i, col in enumerate(t.columns[:-1]) if col.sum_of]
        for n, col in enumerate(scheme_totals):
            colour = CHART_COLOURS[n % len(CHART_COLOURS)]
            chart.add_series({
                "name": t.columns[col].group,
                "categories": categories,
                "values": f"={sheet}!{abs_a1(first, col)}:{abs_a1(last, col)}",
                "fill": {"color": colour}, "border": {"color": colour},
            })
        chart.set_title({"name": "Omsøkt per nettverk og ordning", "name_font": {"size": 12}})
        chart.set_y_axis({"num_format": AMOUNT_FORMAT, "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
        chart.set_x_axis({"num_font": {"rotation": -30 if len(t.rows) > 6 else 0}})
        chart.set_legend({"position": "bottom"})
        table_px = int(sum(_width(col, t, i) for i, col in enumerate(t.columns)) * 7)
        width = min(table_px, max(640, 70 * len(t.rows) + 200))
        chart.set_size({"width": width, "height": 380})
        ws.insert_chart(last + 3, 0, chart, {"x_offset": 2, "y_offset": 4})

    # -- print layout

    def _print(self, ws, t: Table, head_first: int, head_last: int) -> None:
        ws.set_paper(9)
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.set_margins(left=0.4, right=0.4, top=0.7, bottom=0.7)
        ws.repeat_rows(head_first, head_last)
        title = t.title.replace("&", "&&")
        ws.set_header(f"&L{title}&R&A")
        ws.set_footer("&LStatsforvalteren – laget med behovxl&RSide &P av &N")


LINE_HEIGHT = 15  # points per line of 11 pt text
MAX_LINES = 27    # Excel's highest row is 409 points


def _height(cells: list[tuple[Any, float]]) -> float:
    """A row height that shows every wrapped cell in full (neither Excel nor LibreOffice sizes them on load)."""
    lines = max([_lines(str(v), w) for v, w in cells if v not in (None, "")] + [1])
    return float(LINE_HEIGHT * min(lines, MAX_LINES))


def _lines(text: str, width: float) -> int:
    """How many lines `text` takes in a column `width` characters wide, wrapped at spaces."""
    room = max(int(width * 1.2) - 1, 1)  # text averages narrower than the digit a width unit measures
    total = 0
    for paragraph in text.split("\n"):
        used, lines = 0, 1
        for word in re.findall(r"[^\s-]+-?|-", paragraph):  # spreadsheets also break after a hyphen
            size = len(word)
            if used and used + 1 + size > room:
                lines, used = lines + 1, 0
            used += (1 if used else 0) + size
            while used > room:
                lines, used = lines + 1, used - room
        total += lines
    return total


def _width(column: Column, t: Table, col: int) -> float:
    """Wide enough for the header's longest word and the longest value, at most `column.width`."""
    header = max((len(w) for w in column.header.split()), default=4) + 3
    if column.group and sum(c.group == column.group for c in t.columns) == 1:
        header = max(header, len(column.group) + 3)  # a group heading over this column alone
    values = [row[col] for row in t.rows]
    if column.kind in ("amount", "count", "number"):
        biggest = max([abs(t.total(col))] + [v for v in values if isinstance(v, int)])
        longest = len(f"{biggest:,}") + (4 if column.kind == "amount" else 1)
        if column.kind == "amount":
            longest = max(longest, 10)
    elif column.kind == "date":
        longest = 16
    else:
        longest = max([len(str(v)) for v in values if v is not None] + [0])
        if column is t.columns[0] and t.totals:
            longest = max(longest, len(t.totals))
    return float(min(column.width, max(header, longest + 2, 6)))


# ---------------------------------------------------------------- the consolidate command


@dataclass
class Outcome:
    written: list[str]
    summary: str
    exit_code: int
    consolidation: Consolidation


def consolidate_to_files(inputs: list[Path], output: Path, *, json_path: Path | None = None, csv_dir: Path | None = None,
                         year: int | None = None, roster: Path | None = None, deadline: Any = None,
                         frame: Path | None = None, last_year: Path | None = None, forms: Sequence[Path] = (),
                         jobs: int | None = None, progress: Any = None) -> Outcome:
    """Consolidate and write the regional workbook (and JSON and CSV): the outputs are checked before
    anything is read, never land on an input, and are replaced together or not at all."""
    from .consolidate import consolidate
    from .errors import UsageError
    from .files import check_output_path, refuse_inputs

    outputs = [Path(output), *([Path(json_path)] if json_path else []), *([Path(csv_dir)] if csv_dir else [])]
    if Path(output).suffix.lower() != ".xlsx":
        raise UsageError(f"«{output}» slutter ikke på .xlsx. Den regionale arbeidsboken er en Excel-arbeidsbok.")
    refuse_inputs(outputs, [Path(p) for p in inputs if not Path(p).is_dir()], [Path(p) for p in inputs if Path(p).is_dir()])
    check_output_path(Path(output))
    if json_path:
        check_output_path(Path(json_path))
    if csv_dir:
        check_output_path(Path(csv_dir), "folder")
    c = consolidate(inputs, roster=roster, deadline=deadline, year=year, forms=forms, jobs=jobs, progress=progress,
                    skip=outputs)
    if c.exit_code == 2 and not c.sources:
        raise UsageError(c.problem)
    written = write_regional(c, output, json_path, csv_dir)
    lines = [str(output)] + ([str(json_path)] if json_path else [])
    if csv_dir:
        lines.append(f"{csv_dir}{os.sep} ({len(written) - len(lines)} CSV-filer)")
    return Outcome(lines, c.summary(), c.exit_code, c)
