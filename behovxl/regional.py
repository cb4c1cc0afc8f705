"""The regional workbook: a consolidation drawn with xlsxwriter, plus JSON and CSV.

The rows come from `tabular.tables`; the Innstilling sheet from `innstilling.draw`. This
module only knows how they look: formats, formulas for every sum (with the right cached
value), marks on flagged figures (fill and a cell note), the chart, the defined name
`Totalt_omsokt`, frozen headers, print settings and sheet protection.

Every sheet is protected without a password; the only unlocked cells are the forum's
input cells on `Innstilling` (and the frame, when no frame file was given). Filters,
sorting and column widths stay free to use.

Print: every sheet prints on A4 landscape with the round's title and the sheet's name in
the page header, page numbers in the footer and the header rows on every page. A sheet is
fitted to the page width only when that keeps the text at 80 % or more (10 pt Arial becomes at
least 8 pt); otherwise its wrapped columns are narrowed first, and if that is not enough
it prints at 80 % over more pages, the first column repeated.

Text from submissions is always written with `write_string`, and the workbook options
turn off every conversion of strings to formulas, numbers or links, so a name that
begins with `=`, `+`, `-` or `@` appears literally.

The output is deterministic: the same consolidation gives the same bytes (fixed
document dates, in-memory zip entries with fixed timestamps, sorted rows).
"""

from __future__ import annotations

import functools
import io
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

import xlsxwriter
from xlsxwriter.utility import quote_sheetname as quote_sheet
from xlsxwriter.utility import xl_range_abs
from xlsxwriter.utility import xl_rowcol_to_cell as a1

from .consolidate import Consolidation
from .files import FolderOutput, Output, write_outputs
from .findings import Severity
from .innstilling import C_COMMENT, WIDTHS, Mark, draw, write_setup
from .lastyear import LastYear
from .ownfiles import REGIONAL_MARKER
from .registry import Registry
from .tabular import Column, Figure, Formula, Round, Table, csv_writers, tables, write_consolidation_json

__all__ = ["TOTAL_CELL", "TOTAL_NAME", "Outcome", "consolidate_to_files", "read_frame_for", "regional_bytes", "write_regional"]

#: The defined name of the grand total requested (owner + coordinator + UH, all schemes and networks).
TOTAL_NAME = "Totalt_omsokt"
#: Where that name points.
TOTAL_CELL = "Oversikt!$B$3"

AMOUNT_FORMAT = "#,##0"
HEAD_FILL = "#1F4E79"
COLHEAD_FILL = "#DDEBF7"
FORMULA_FILL = "#F2F2F2"
INPUT_FILL = "#FFF7CC"
#: Rows the chart below Oversikt's table takes (380 px at the default row height), so the page prints it.
CHART_ROWS = 30
CHART_COLOURS = ("#1F4E79", "#5B9BD5", "#A9D18E", "#C55A11", "#7F7F7F", "#FFC000")
MARK_FILL = {Severity.ERROR: "#FFC7CE", Severity.WARNING: "#FFEB9C"}
MARK_BORDER = {Severity.ERROR: "#C00000", Severity.WARNING: "#BF8F00"}

# ---------------------------------------------------------------- public API


def regional_bytes(c: Consolidation, *, frame: dict[str, int] | Path | None = None,
                   last_year: LastYear | Path | None = None) -> bytes:
    """The regional workbook as xlsx bytes; `frame` and `last_year` as read, or the files to read them from."""
    return _workbook(_round(c, frame, last_year))


def write_regional(c: Consolidation, xlsx_path: Path, json_path: Path | None = None, csv_dir: Path | None = None, *,
                   frame: dict[str, int] | Path | None = None, last_year: LastYear | Path | None = None) -> list[Path]:
    """Write the regional workbook, and JSON and CSV if asked; return the paths written.

    Each file is made while it is written to a temporary file beside its target, one after
    the other, so the workbook, the JSON and the CSV files are never in memory together; only
    when all are written are they renamed into place, together. A failure never leaves a
    half-written file and never touches an existing one. A file that cannot be written raises
    BehovxlError with the path and the reason; a frame or last year's file that cannot be read
    raises FrameError or UsageError before that.
    """
    r = _round(c, frame, last_year)
    outputs: list[Output | FolderOutput] = [Output(Path(xlsx_path), functools.partial(_write_workbook, r))]
    if json_path is not None:
        outputs.append(Output(Path(json_path), functools.partial(write_consolidation_json, r)))
    if csv_dir is not None:
        outputs.append(FolderOutput(Path(csv_dir), csv_writers(r)))
    write_outputs(outputs)
    return [Path(o.path) for o in outputs if isinstance(o, Output)] + [Path(o.path) / n for o in outputs
                                                                       if isinstance(o, FolderOutput) for n in o.files]


def _round(c: Consolidation, frame: dict[str, int] | Path | None, last_year: LastYear | Path | None) -> Round:
    from .lastyear import read_last_year

    amounts = read_frame_for(Path(frame), c) if isinstance(frame, (str, Path)) else frame
    previous = read_last_year(Path(last_year)) if isinstance(last_year, (str, Path)) else last_year
    return Round(c, amounts, previous)


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
    anything is read, never land on an input, and are replaced together or not at all. A bad frame
    file or last year's file stops the run before anything is written."""
    from .consolidate import consolidate
    from .errors import UsageError
    from .files import check_output_path, refuse_inputs
    from .lastyear import read_last_year
    from .pipeline import registry_for

    outputs = [Path(output), *([Path(json_path)] if json_path else []), *([Path(csv_dir)] if csv_dir else [])]
    if Path(output).suffix.lower() != ".xlsx":
        raise UsageError(f"«{output}» slutter ikke på .xlsx. Den regionale arbeidsboken er en Excel-arbeidsbok.")
    given = [Path(p) for p in (frame, last_year) if p is not None]
    refuse_inputs(outputs, [Path(p) for p in inputs if not Path(p).is_dir()] + given,
                  [Path(p) for p in inputs if Path(p).is_dir()])
    check_output_path(Path(output))
    if json_path:
        check_output_path(Path(json_path))
    if csv_dir:
        check_output_path(Path(csv_dir), "folder")
    previous = read_last_year(Path(last_year)) if last_year is not None else None
    if frame is not None:
        read_frame_for(Path(frame), registry_for(tuple(Path(f) for f in forms)))  # a broken file stops the run now
    c = consolidate(inputs, roster=roster, deadline=deadline, year=year, forms=forms, jobs=jobs, progress=progress,
                    skip=outputs)
    if c.exit_code == 2 and not c.files:
        raise UsageError(c.problem)
    if previous is not None and previous.year and c.year and previous.year >= c.year:
        raise UsageError(f"{last_year}: fila gjelder {previous.year}, men runden gjelder {c.year}. --last-year skal "
                         "være fila fra en tidligere runde.")
    if frame is not None:
        c.frame = read_frame_for(Path(frame), c)
    written = write_regional(c, output, json_path, csv_dir, last_year=previous)
    lines = [str(output)] + ([str(json_path)] if json_path else [])
    if csv_dir:
        lines.append(f"{csv_dir}{os.sep} ({len(written) - len(lines)} CSV-filer)")
    return Outcome(lines, c.summary(), c.exit_code, c)


def read_frame_for(path: Path, batch: Consolidation | Registry) -> dict[str, int]:
    """The frame over the schemes of the batch's definitions (of every definition, before the batch is read)."""
    from .frame import SchemeRef, read_frame

    if isinstance(batch, Consolidation):
        refs = [SchemeRef(s.key, s.label, s.short) for s in Round(batch).scheme_refs()]
    else:
        schemes: dict[str, SchemeRef] = {}
        for d in batch.definitions:
            for s in d.schemes:
                schemes.setdefault(s.key, SchemeRef(s.key, s.label.nb, s.short.nb))
        refs = list(schemes.values())
    return read_frame(path, refs)


# ---------------------------------------------------------------- the writer

_OPTIONS = {
    "in_memory": True,
    # Text from submissions must never become a formula, a number or a link.
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
}
# Arial: the font Excel and LibreOffice (as Liberation Sans, with the same widths) both have, so a column is
# as wide and a page as full in either. (A fresh dict each time: xlsxwriter changes the one it is given.)
_FONT = {"font_name": "Arial", "font_size": 10}

# Status texts and their colours (font, fill): green, yellow, red.
_GOOD, _WARN, _BAD = ("#006100", "#C6EFCE"), ("#7F6000", "#FFEB9C"), ("#9C0006", "#FFC7CE")
_STATUS_COLOURS = {
    "OK": _GOOD, "Importert": _GOOD, "Levert": _GOOD,
    "Advarsel": _WARN, "Duplikat": _WARN, "Levert for sent": _WARN, "Ikke i listen": _WARN,
    "Feil": _BAD, "Avvist": _BAD, "Importert med feil": _BAD, "Erstattet": _BAD, "Ikke levert": _BAD,
}

TITLE_ROW, NOTE_ROW, EXTRA_ROW = 0, 1, 2
_BASE: dict[str, Any] = {"valign": "top"}
_NUM = {"amount": AMOUNT_FORMAT, "count": "#,##0", "number": "0", "date": "yyyy-mm-dd hh:mm", "flag": "@",
        "percent": "0 %"}
_ALIGN = {"number": "center", "date": "center", "flag": "center"}
_FORMATS: dict[str, dict[str, Any]] = {
    "title": {"bold": True, "font_size": 14, "font_color": HEAD_FILL},
    "note": {"italic": True, "font_color": "#595959", "text_wrap": True, "valign": "top"},
    "group": {"bold": True, "font_color": "#FFFFFF", "bg_color": HEAD_FILL, "align": "center", "valign": "vcenter",
              "border": 1, "border_color": "#FFFFFF", "text_wrap": True},
    "section": {"bold": True, "font_color": "#FFFFFF", "bg_color": HEAD_FILL, "valign": "vcenter"},
    "block": {"bold": True, "bg_color": COLHEAD_FILL, "valign": "vcenter", "top": 1},
    "header": {"bold": True, "bg_color": COLHEAD_FILL, "border": 1, "border_color": "#9BC2E6", "text_wrap": True,
               "valign": "vcenter", "align": "center"},
    "big_label": {"bold": True, "font_size": 12, "valign": "vcenter"},
    "big_total": {"bold": True, "font_size": 12, "num_format": AMOUNT_FORMAT, "bg_color": FORMULA_FILL, "border": 1,
                  "align": "right", "valign": "vcenter"},
    "text": dict(_BASE),
    "wrap": {**_BASE, "text_wrap": True},
    "label_total": {"bold": True, "top": 1, "bottom": 6, "valign": "top", "text_wrap": True},
    "label_sum": {"bold": True, "top": 1, "valign": "top", "text_wrap": True},
    "blank_total": {"top": 1, "bottom": 6},
    "blank_sum": {"top": 1},
    "input_amount": {**_BASE, "num_format": AMOUNT_FORMAT, "locked": False, "bg_color": INPUT_FILL, "border": 1,
                     "border_color": "#A6A6A6"},
    "input_text": {**_BASE, "locked": False, "bg_color": INPUT_FILL, "border": 1, "border_color": "#A6A6A6",
                   "text_wrap": True},
    "check": {**_BASE, "bg_color": FORMULA_FILL, "text_wrap": True},
    "ok": {"font_color": _GOOD[0], "bg_color": _GOOD[1]},
    "bad": {"font_color": _BAD[0], "bg_color": _BAD[1]},
}
for _kind, _num in _NUM.items():
    _extra = {"align": _ALIGN[_kind]} if _kind in _ALIGN else {}
    _FORMATS[_kind] = {**_BASE, "num_format": _num, **_extra}
    _FORMATS[f"{_kind}_sum"] = {**_BASE, "num_format": _num, "bg_color": FORMULA_FILL, **_extra}
    _FORMATS[f"{_kind}_subtotal"] = {**_BASE, "num_format": _num, "bold": True, "top": 1, "bg_color": FORMULA_FILL}
    _FORMATS[f"{_kind}_total"] = {**_BASE, "num_format": _num, "bold": True, "top": 1, "bottom": 6}
for _text, (_fg, _bg) in _STATUS_COLOURS.items():
    _FORMATS[f"status:{_text}"] = {**_BASE, "font_color": _fg, "bg_color": _bg, "text_wrap": True}


class _Styles:
    """Formats made once per workbook, by name; marked variants on demand."""

    def __init__(self, book: xlsxwriter.Workbook) -> None:
        self.book = book
        self.made: dict[tuple[str, str], Any] = {}

    def fmt(self, name: str) -> Any:
        return self._make(name, "")

    def marked(self, name: str, mark: Mark) -> Any:
        return self._make(name, mark.severity.value)

    def _make(self, name: str, severity: str) -> Any:
        key = (name, severity)
        if key not in self.made:
            spec = dict(_FORMATS[name])
            if severity:
                level = Severity(severity)
                spec.update({"bg_color": MARK_FILL[level], "border": 2, "border_color": MARK_BORDER[level]})
            self.made[key] = self.book.add_format(spec)
        return self.made[key]

    def height(self, cells: list[tuple[Any, float]]) -> float:
        return _height(cells)


def _workbook(r: Round) -> bytes:
    buffer = io.BytesIO()
    _write_workbook(r, buffer)
    return buffer.getvalue()


def _write_workbook(r: Round, fh: BinaryIO) -> None:
    book = xlsxwriter.Workbook(fh, {**_OPTIONS, "default_format_properties": dict(_FONT)})
    _Regional(book, r).write()
    book.close()


_PROTECTION = {"autofilter": True, "sort": True, "select_locked_cells": True, "select_unlocked_cells": True,
               "format_columns": True, "format_rows": True}


class _Regional:
    def __init__(self, book: xlsxwriter.Workbook, r: Round) -> None:
        self.book, self.r, self.c = book, r, r.c
        self.s = _Styles(book)
        self.heading = _round_title(r.c)

    def write(self) -> None:
        year = self.c.year or 2000
        self.book.set_properties({
            "title": self.heading,
            "subject": "Behovsmelding – lokal kompetanseutvikling",
            "author": "behovxl",
            "company": "Statsforvalteren",
            "keywords": REGIONAL_MARKER,
            "created": datetime(year, 1, 1),
        })
        sheets = tables(self.r)
        self._sheet(sheets[0])
        self._innstilling()
        for table in sheets[1:]:
            self._sheet(table)
        write_setup(self.book, self.r.spec)

    def _innstilling(self) -> None:
        title = _title_of("Innstilling fra samarbeidsforumet", self.c)
        ws = draw(self.book, self.r.layout, self.r.views, self.s, title=title, frame=self.r.frame)
        header = self.r.layout.rows["table.header"]
        widths = [float(WIDTHS[c]) for c in range(C_COMMENT + 1)]
        _Print(ws, self.heading, widths).apply((header, header), self.r.layout.rows["end"])

    # -- one table sheet

    def _sheet(self, t: Table) -> None:
        ws = self.book.add_worksheet(t.sheet)
        cols = [i for i, col in enumerate(t.columns) if col.sheet]
        widths = _fit([_width(t.columns[i], t, i) for i in cols], [t.columns[i] for i in cols], t, cols)
        grouped = any(t.columns[i].group for i in cols)
        header = EXTRA_ROW + (2 if grouped else 1)
        first = header + 1
        last = first + max(len(t.rows), 1) - 1
        ws.write_string(TITLE_ROW, 0, t.title, self.s.fmt("title"))
        ws.set_row(TITLE_ROW, 22)
        ws.merge_range(NOTE_ROW, 0, NOTE_ROW, max(len(cols) - 1, 1), t.note, self.s.fmt("note"))
        ws.set_row(NOTE_ROW, _height([(t.note, sum(widths) * 0.95)]))
        if grouped:
            self._groups(ws, t, cols, header - 1)
        for x, i in enumerate(cols):
            ws.write_string(header, x, t.columns[i].header, self.s.fmt("header"))
            ws.set_column(x, x, widths[x])
        ws.set_row(header, _height([(t.columns[i].header, w) for i, w in zip(cols, widths, strict=True)]))
        _Cells(self, ws, t, cols, widths).rows(first)
        end = self._sums(ws, t, cols, first, last)
        if t.excel_table:
            columns = [{"header": t.columns[i].header, "header_format": self.s.fmt("header")} for i in cols]
            ws.add_table(header, 0, last, len(cols) - 1,
                         {"name": f"{t.sheet}tabell", "style": "Table Style Light 9", "columns": columns})
        elif t.rows:
            ws.autofilter(header, 0, last, len(cols) - 1)
        if t.sheet == "Oversikt":
            self._overview_extras(ws, t, cols, first, last)
            end += CHART_ROWS if t.rows else 0
        _Print(ws, self.heading, widths).apply((header - 1 if grouped else header, header), end)
        ws.freeze_panes(header + 1, 1)
        ws.protect("", _PROTECTION)

    def _groups(self, ws: Any, t: Table, cols: list[int], row: int) -> None:
        x = 0
        while x < len(cols):
            group = t.columns[cols[x]].group
            end = x
            while end + 1 < len(cols) and group and t.columns[cols[end + 1]].group == group:
                end += 1
            if group and end > x:
                ws.merge_range(row, x, row, end, group, self.s.fmt("group"))
            elif group:
                ws.write_string(row, x, group, self.s.fmt("group"))
            x = end + 1
        ws.set_row(row, 18)

    def _sums(self, ws: Any, t: Table, cols: list[int], first: int, last: int) -> int:
        """The subtotal rows and the totals row below the data; returns the last row written."""
        row = last
        if t.subtotals:
            row += 1  # a blank row between the data and the subtotals
        for sub in t.subtotals:
            row += 1
            self._sum_row(ws, t, cols, row, sub.label, list(sub.rows), first, "subtotal")
        if t.totals:
            row += 1
            self._sum_row(ws, t, cols, row, t.totals, list(range(len(t.rows))), first, "total")
        return row

    def _sum_row(self, ws: Any, t: Table, cols: list[int], row: int, label: str, idx: list[int], first: int,
                 kind: str) -> None:
        """SUM over data rows `idx` (SUBTOTAL over all of them in an Excel table, so filters count)."""
        label_fmt = self.s.fmt("label_total" if kind == "total" else "label_sum")
        span = next((x for x, i in enumerate(cols) if t.columns[i].total or t.columns[i].sum_of), len(cols)) - 1
        if span > 0:
            ws.merge_range(row, 0, row, span, label, label_fmt)
        else:
            ws.write_string(row, 0, label, label_fmt)
        for x, i in enumerate(cols[span + 1:], start=span + 1):
            column = t.columns[i]
            if not column.total or not idx:
                ws.write_blank(row, x, None, self.s.fmt("blank_total" if kind == "total" else "blank_sum"))
                continue
            if t.excel_table and kind == "total":
                formula = f"=SUBTOTAL(109,{a1(first, x)}:{a1(first + len(t.rows) - 1, x)})"
            else:
                formula = "=" + _sum_formula(_runs([first + k for k in idx], x))
            ws.write_formula(row, x, formula, self.s.fmt(f"{column.kind}_{kind}"), t.total(i, idx))
        widths = [_width(t.columns[i], t, i) for i in cols[: max(span, 0) + 1]]
        ws.set_row(row, _height([(label, sum(widths))]))

    # -- Oversikt: the grand total, its name and the chart

    def _overview_extras(self, ws: Any, t: Table, cols: list[int], first: int, last: int) -> None:
        grand = next(x for x, i in enumerate(cols) if t.columns[i].header == "Totalt omsøkt")
        ws.write_string(EXTRA_ROW, 0, "Totalt omsøkt", self.s.fmt("big_label"))
        ws.merge_range(EXTRA_ROW, 1, EXTRA_ROW, 2, "", self.s.fmt("big_total"))
        ws.write_formula(EXTRA_ROW, 1, f"=SUM({a1(first, grand)}:{a1(last, grand)})", self.s.fmt("big_total"),
                         t.total(cols[grand]))
        ws.set_row(EXTRA_ROW, 20)
        self.book.define_name(TOTAL_NAME, f"={quote_sheet(t.sheet)}!{a1(EXTRA_ROW, 1, True, True)}")
        if t.rows:
            self._chart(ws, t, cols, first, last)

    def _chart(self, ws: Any, t: Table, cols: list[int], first: int, last: int) -> None:
        chart = self.book.add_chart({"type": "column", "subtype": "stacked"})
        sheet = quote_sheet(t.sheet)
        categories = f"={sheet}!{xl_range_abs(first, 0, last, 0)}"
        schemes = [x for x, i in enumerate(cols) if t.columns[i].key]  # one series per scheme
        for n, x in enumerate(schemes):
            colour = CHART_COLOURS[n % len(CHART_COLOURS)]
            chart.add_series({
                "name": t.columns[cols[x]].csv_name or t.columns[cols[x]].header,
                "categories": categories,
                "values": f"={sheet}!{xl_range_abs(first, x, last, x)}",
                "fill": {"color": colour}, "border": {"color": colour},
            })
        chart.set_title({"name": "Omsøkt per nettverk og ordning", "name_font": {"size": 12}})
        chart.set_y_axis({"num_format": AMOUNT_FORMAT, "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
        chart.set_x_axis({"num_font": {"rotation": -30 if len(t.rows) > 6 else 0}})
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": 900, "height": 380})
        row = last + 3 + (1 if t.totals else 0)  # CHART_ROWS below the table: inside the print area
        ws.insert_chart(row, 0, chart, {"x_offset": 2, "y_offset": 4})


class _Cells:
    """The data rows of one table sheet: values, row formulas, marks with their notes."""

    def __init__(self, w: _Regional, ws: Any, t: Table, cols: list[int], widths: list[float]) -> None:
        self.s, self.ws, self.t, self.cols = w.s, ws, t, cols
        self.widths = dict(zip(cols, widths, strict=True))

    def rows(self, first: int) -> None:
        shown = {i: x for x, i in enumerate(self.cols)}
        for k, row in enumerate(self.t.rows):
            for x, i in enumerate(self.cols):
                self.cell(first + k, x, self.t.columns[i], row[i], shown, self.t.text_marks.get((k, i)))
            wrapped = [(_plain(row[i]), self.widths[i]) for i in self.cols if self.t.columns[i].wrap]
            self.ws.set_row(first + k, _height(wrapped))

    def cell(self, row: int, x: int, column: Column, value: Any, shown: dict[int, int], mark: Mark | None) -> None:
        mark = mark or (value.mark if isinstance(value, Figure) else None)
        if mark is not None:
            self.ws.write_comment(row, x, mark.text[:2000], {"author": "behovxl", "x_scale": 3, "y_scale": 2.5})
        if (column.sum_of or column.minus) and _plain(value) is not None:
            self._row_formula(row, x, column, value, shown, mark)
        elif isinstance(value, Formula):
            self.ws.write_formula(row, x, "=" + value.text, self._fmt(f"{column.kind}_sum", mark), value.value)
        elif column.kind in ("text", "status", "flag", "codes"):
            self._text(row, x, column, value, mark)
        elif _plain(value) is None:
            self.ws.write_blank(row, x, None, self._fmt(column.kind, mark))
        elif column.kind == "date":
            self.ws.write_datetime(row, x, value, self._fmt("date", mark))
        else:
            self.ws.write_number(row, x, _plain(value), self._fmt(column.kind, mark))

    def _fmt(self, name: str, mark: Mark | None) -> Any:
        return self.s.marked(name, mark) if mark else self.s.fmt(name)

    def _row_formula(self, row: int, x: int, column: Column, value: Any, shown: dict[int, int],
                     mark: Mark | None) -> None:
        if column.minus:
            a, b = column.minus
            text = f"={a1(row, shown[a])}-{a1(row, shown[b])}"
        else:
            text = "=" + "+".join(a1(row, shown[i]) for i in column.sum_of)
        self.ws.write_formula(row, x, text, self._fmt(f"{column.kind}_sum", mark), _plain(value))

    def _text(self, row: int, x: int, column: Column, value: Any, mark: Mark | None) -> None:
        name = "flag" if column.kind == "flag" else "wrap" if column.wrap else "text"
        if column.kind == "status" and f"status:{value}" in _FORMATS:
            name = f"status:{value}"
        if value is None or value == "":
            self.ws.write_blank(row, x, None, self._fmt(name, mark))
        else:
            self.ws.write_string(row, x, str(value), self._fmt(name, mark))


def _plain(value: Any) -> Any:
    if isinstance(value, Figure):
        return value.amount
    if isinstance(value, Formula):
        return value.value
    return value


# ---------------------------------------------------------------- print layout

#: A4 landscape, less 0.4" margins left and right, in points.
PRINTABLE_WIDTH = 842 - 2 * 0.4 * 72
#: The smallest scale a sheet is fitted at: 10 pt body text stays at 8 pt or more.
MIN_SCALE = 0.8
#: Pixels per character of column width. Excel draws Arial 10 at 7; LibreOffice measures the font's
#: true digit width, nearer 7.4, so its columns come out a little wider.
CHAR_PIXELS = 7.5


class _Print:
    def __init__(self, ws: Any, title: str, widths: list[float]) -> None:
        self.ws, self.title, self.widths = ws, title, widths

    def apply(self, head: tuple[int, int], last_row: int) -> None:
        ws = self.ws
        ws.set_paper(9)
        ws.set_landscape()
        ws.set_margins(left=0.4, right=0.4, top=0.75, bottom=0.7, )
        ws.print_area(0, 0, max(last_row, head[1]), len(self.widths) - 1)
        ws.repeat_rows(*head)
        if _points(self.widths) * MIN_SCALE <= PRINTABLE_WIDTH:
            ws.fit_to_pages(1, 0)
        else:  # too wide for one page at a readable size: as small as allowed, over more pages
            ws.set_print_scale(round(MIN_SCALE * 100))
            ws.repeat_columns(0)
        title = self.title.replace("&", "&&")
        ws.set_header(f"&L&10{title}&R&10&A")
        ws.set_footer("&L&10Statsforvalteren – laget med behovxl&R&10Side &P av &N")


def _points(widths: Sequence[float]) -> float:
    """The printed width of columns: pixels for a width (CHAR_PIXELS per character, 5 px padding) at 96 dpi."""
    return sum(w * CHAR_PIXELS + 5 for w in widths) * 0.75


def _fit(widths: list[float], columns: list[Column], t: Table, cols: list[int]) -> list[float]:
    """Narrow the wrapped text columns until the sheet fits the page width at MIN_SCALE, or they cannot get
    narrower than the longest word in them or in their header (no word is split)."""
    out = list(widths)
    floor = [min(out[x], max(6.0, _longest_word([c.header] + [row[i] for row in t.rows]) + 1.0)) if c.wrap
             else out[x] for x, (i, c) in enumerate(zip(cols, columns, strict=True))]
    while _points(out) * MIN_SCALE > PRINTABLE_WIDTH:
        room = [x for x, c in enumerate(columns) if c.wrap and out[x] > floor[x]]
        if not room:
            break
        widest = max(room, key=lambda x: (out[x] - floor[x], -x))
        out[widest] = max(floor[widest], out[widest] - 1)
    return out


def _longest_word(values: Sequence[Any]) -> int:
    """The longest word in texts; a token over 25 characters (a checksum, a path) is split anyway."""
    return max([len(w) for v in values if isinstance(v, str) for w in re.split(r"[\s-]+", v) if len(w) <= 25] + [0])


LINE_HEIGHT = 13  # points per line of 10 pt text
MAX_LINES = 27    # Excel's highest row is 409 points


def _height(cells: list[tuple[Any, float]]) -> float:
    """A row height that shows every wrapped cell in full (neither Excel nor LibreOffice sizes them on load)."""
    lines = max([_lines(str(v), w) for v, w in cells if v not in (None, "")] + [1])
    return float(LINE_HEIGHT * min(lines, MAX_LINES))


def _lines(text: str, width: float) -> int:
    """How many lines `text` takes in a column `width` characters wide, wrapped at spaces."""
    room = max(int(width) - 1, 1)  # a width unit holds a digit; text is a little narrower, fonts vary
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
    if column.group and sum(c.group == column.group and c.sheet for c in t.columns) == 1:
        header = max(header, len(column.group) + 3)  # a group heading over this column alone
    values = [_plain(row[col]) for row in t.rows]
    if column.kind in ("amount", "count", "number"):
        biggest = max([abs(t.total(col))] + [abs(v) for v in values if isinstance(v, int)])
        longest = len(f"{biggest:,}") + 1
        if column.kind == "amount":
            longest = max(longest, 9)
    elif column.kind == "date":
        longest = 16
    else:
        longest = max([len(str(v)) for v in values if v is not None] + [0])
        if column is t.columns[0]:
            longest = max([longest, len(t.totals)] + [len(s.label) for s in t.subtotals])
    width = float(min(column.width, max(header, longest + 2, 6)))
    if column.wrap:  # wide enough for its longest word: a spreadsheet would split it anywhere
        width = max(width, min(float(_longest_word(values) + 1), 30.0))
    return width


def _runs(rows: list[int], col: int) -> list[str]:
    """Cells of one column in `rows` (ascending), consecutive ones as ranges."""
    out: list[str] = []
    start = prev = None
    for r in rows:
        if prev is not None and r == prev + 1:
            prev = r
            continue
        if start is not None and prev is not None:
            out.append(a1(start, col) if start == prev else f"{a1(start, col)}:{a1(prev, col)}")
        start = prev = r
    if start is not None and prev is not None:
        out.append(a1(start, col) if start == prev else f"{a1(start, col)}:{a1(prev, col)}")
    return out


def _sum_formula(refs: list[str]) -> str:
    """SUM over references; nested when there are more than a function's 255 arguments."""
    if len(refs) <= 250:
        return f"SUM({','.join(refs)})"
    return _sum_formula([_sum_formula(refs[i:i + 250]) for i in range(0, len(refs), 250)])


def _title_of(text: str, c: Consolidation) -> str:
    return f"{text} {c.year}" if c.year else text


def _round_title(c: Consolidation) -> str:
    return _title_of("Regional oversikt over behovsmeldinger", c)
