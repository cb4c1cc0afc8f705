"""Draw a layout into a locked xlsx workbook with xlsxwriter.

Everything about the form's content comes from the layout and its definition; this
module only knows how things look: formats, validation, protection and print settings.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import xlsxwriter
from xlsxwriter.utility import quote_sheetname
from xlsxwriter.worksheet import Worksheet

from .findings import Severity
from .form import Form
from .formulas import Formula, compute, raw_inputs
from .layout import LINE_HEIGHT, Input, Layout, SheetLayout, build_layout, shared_cache, text_height
from .models import Report
from .protect import FinishedWorkbook

AMOUNT_FORMAT = '#,##0 "kr"'
PLAIN_AMOUNT = "#,##0"
INPUT_FILL = "#FFF7CC"
HEAD_FILL = "#1F4E79"
COLHEAD_FILL = "#DDEBF7"
FORMULA_FILL = "#F2F2F2"
LOCKED_FILL = "#EDEDED"
_MARK_FILL = {Severity.ERROR: "#FFC7CE", Severity.WARNING: "#FFEB9C", Severity.INFO: "#DDEBF7"}
_MARK_BORDER = {Severity.ERROR: "#C00000", Severity.WARNING: "#BF8F00", Severity.INFO: "#2F75B5"}
_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")

# ---------------------------------------------------------------- public API


@dataclass(frozen=True)
class Mark:
    """A cell to point out: filled in the severity's colour, with a cell note holding the message."""

    severity: Severity
    message: str


@dataclass
class Extras:
    """What a feedback workbook adds to a form: marked cells, and a sheet in front of the form's own."""

    marks: dict[tuple[str, str], list[Mark]] = field(default_factory=dict)  # (sheet, cell) -> marks
    front: Callable[[Any, Any], None] | None = None  # front(book, styles) draws the first sheet


def workbook_bytes(form: Form, report: Report | None = None, *, raw: Mapping[str, Any] | None = None,
                   extras: Extras | None = None) -> bytes:
    """The whole workbook for one network: blank, pre-filled from a report, or from raw cell values.

    `raw` (input path -> the value as typed) wins over `report`: a feedback workbook keeps every
    input exactly as the network typed it, text in an amount cell included.
    """
    layout = build_layout(form)
    report = report or empty_report(form)
    buffer = io.BytesIO()
    book = FinishedWorkbook(buffer, _OPTIONS)
    writer = _Writer(book, layout, report, raw, extras or Extras())
    book.grow = writer.write()
    book.close()
    return buffer.getvalue()


def empty_report(form: Form) -> Report:
    d = form.definition
    return Report(form_id=d.form_id, form_version=d.version, year=form.year, language=form.language,  # type: ignore[arg-type]
                  network_id=form.network or None)


# ---------------------------------------------------------------- the writer

_OPTIONS = {
    "in_memory": True,
    # Text from users must never become a formula, a number or a link.
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
}

_STYLES: dict[str, dict[str, Any]] = {
    "title": {"bold": True, "font_size": 16, "font_color": HEAD_FILL, "valign": "vcenter", "text_wrap": True},
    "subtitle": {"italic": True, "font_color": "#595959", "text_wrap": True},
    "heading": {"bold": True, "font_size": 12, "font_color": "#FFFFFF", "bg_color": HEAD_FILL, "valign": "vcenter"},
    "subheading": {"bold": True, "bottom": 1, "bottom_color": "#9BC2E6", "valign": "bottom"},
    "question": {"bold": True, "text_wrap": True, "valign": "bottom"},
    "label": {"text_wrap": True, "valign": "top"},
    "note": {"italic": True, "text_wrap": True, "font_color": "#595959", "valign": "top"},
    "rowlabel": {"valign": "top", "text_wrap": True},
    "colhead": {"bold": True, "bg_color": COLHEAD_FILL, "border": 1, "text_wrap": True, "align": "center", "valign": "vcenter"},
    "total": {"bold": True, "valign": "top", "text_wrap": True},
    "paragraph": {"text_wrap": True, "valign": "top"},
    "fact": {"bold": True, "text_wrap": True},
    "plain": {},
}

_INPUT_STYLES: dict[str, dict[str, Any]] = {
    "text": {"text_wrap": True, "valign": "top"},
    "email": {"text_wrap": True, "valign": "top"},
    "long_text": {"text_wrap": True, "valign": "top", "font_size": 10},
    "amount": {"num_format": AMOUNT_FORMAT, "valign": "top", "align": "left"},
    "integer": {"num_format": "0", "valign": "top", "align": "left"},
    "line_amount": {"num_format": AMOUNT_FORMAT, "valign": "top"},
    "choice": {"valign": "top"},
}

_GREY = {"bg_color": FORMULA_FILL, "border": 1, "border_color": "#BFBFBF", "valign": "top"}
_FORMULA_STYLES: dict[str, dict[str, Any]] = {
    "amount": {**_GREY, "num_format": AMOUNT_FORMAT},
    # Zero shown as a dash: the summary's rows for measure sheets left empty stay quiet.
    "quiet": {**_GREY, "num_format": PLAIN_AMOUNT + ";-" + PLAIN_AMOUNT + ';"–"'},
    "total": {**_GREY, "num_format": AMOUNT_FORMAT, "bold": True, "border_color": "#7F7F7F"},
    "integer": {**_GREY, "num_format": "0"},
    "text": {**_GREY, "text_wrap": True},
    "flag": {**_GREY, "align": "center"},
    "check": {"bold": True, "text_wrap": True, "valign": "top", "border": 1, "border_color": "#BFBFBF"},
    "plain": {},
}


class _FormWorksheet(Worksheet):
    """A worksheet that prepares each distinct formula text once.

    xlsxwriter runs some thirty regular expressions over every formula to add `_xlfn.`
    prefixes for functions newer than Excel 2010. A form writes the same few hundred
    formula texts for every network and uses none of those functions, so the prepared
    text is kept per formula: the bytes written are the same, at a fraction of the cost.
    """

    _prepared: dict[tuple[str, bool], str] = {}

    def _prepare_formula(self, formula: str, expand_future_functions: bool = False) -> str:
        key = (formula, expand_future_functions)
        prepared = self._prepared.get(key)
        if prepared is None:
            prepared = super()._prepare_formula(formula, expand_future_functions)
            if len(self._prepared) < 200_000:
                self._prepared[key] = prepared
        return prepared


class _Writer:
    def __init__(self, book: xlsxwriter.Workbook, layout: Layout, report: Report, raw: Mapping[str, Any] | None,
                 extras: Extras) -> None:
        self.book, self.layout, self.report, self.form, self.extras = book, layout, report, layout.form, extras
        self.values = dict(raw) if raw is not None else raw_inputs(layout, report)
        self.formulas: dict[str, Formula] = compute(layout, self.values)
        self.static_fmt = {k: book.add_format(v) for k, v in _STYLES.items()}
        base_input = {"locked": False, "bg_color": INPUT_FILL, "border": 1, "border_color": "#A6A6A6"}
        self.input_fmt = {k: book.add_format({**base_input, **v}) for k, v in _INPUT_STYLES.items()}
        self.locked_fmt = book.add_format({**_GREY, "num_format": AMOUNT_FORMAT, "bg_color": LOCKED_FILL})
        self.formula_fmt = {k: book.add_format(v) for k, v in _FORMULA_STYLES.items()}
        self.ok_fmt = book.add_format({"font_color": "#006100", "bg_color": "#C6EFCE"})
        self.bad_fmt = book.add_format({"font_color": "#9C0006", "bg_color": "#FFC7CE"})
        self._marked: dict[tuple[int, str], Any] = {}

    def write(self) -> dict[int, set[int]]:
        """Draw every sheet; return the rows per sheet (by position) a spreadsheet may resize."""
        self.book.set_properties({
            "title": self.form.title,
            "subject": self.form.network or "",
            "author": "behovxl",
            "created": datetime(self.form.year, 1, 1),
        })
        grow: dict[int, set[int]] = {}
        offset = 0
        if self.extras.front is not None:
            self.extras.front(self.book, self)
            offset = 1
        for index, sheet_layout in enumerate(self.layout.sheets):
            grow[index + offset] = self._sheet(sheet_layout)
        return grow

    def _sheet(self, sl: SheetLayout) -> set[int]:
        ws = self.book.add_worksheet(sl.name, worksheet_class=_FormWorksheet)
        for col, width in enumerate(sl.widths):
            ws.set_column(col, col, width)
        for row, height in self._heights(sl).items():
            ws.set_row(row, height)
        for static in sl.statics:
            self._static(ws, static.row, static.col, static.span, static.text, self.static_fmt[static.style])
        for spec in sl.inputs:
            self._input(ws, spec)
        for slot in sl.formulas:
            self._formula(ws, slot)
        self._finish(ws, sl)
        return set(sl.grow_rows)

    def _heights(self, sl: SheetLayout) -> dict[int, float]:
        """The layout's row heights, raised where a pre-filled text needs more room."""
        heights = dict(sl.heights)
        for spec in sl.inputs:
            value = self.values.get(spec.path)
            if isinstance(value, str) and spec.type in ("text", "long_text", "email"):
                font = 10 if spec.type == "long_text" else 11
                need = text_height(value, sl.widths[spec.col], font=font)
                heights[spec.row] = max(heights.get(spec.row, LINE_HEIGHT), need)
            elif spec.type == "long_text" and spec.row not in heights:
                heights[spec.row] = 3 * LINE_HEIGHT  # an empty answer box, three lines tall until filled
        for slot in sl.formulas:  # a text a formula shows (a measure's name on the summary) never grows its row
            value = self.formulas[slot.key].value
            if slot.style == "text" and slot.row in sl.grow_rows and isinstance(value, str) and value:
                heights[slot.row] = max(heights.get(slot.row, LINE_HEIGHT), text_height(value, sl.widths[slot.col]))
        return dict(sorted(heights.items()))

    def _static(self, ws: Any, row: int, col: int, span: int, text: str, fmt: Any) -> None:
        if span > 1:
            ws.merge_range(row, col, row, col + span - 1, "", fmt)
        ws.write_string(row, col, text, fmt)

    def _input(self, ws: Any, field: Input) -> None:
        kind = "line_amount" if field.type == "amount" and field.col == 0 else field.type
        fmt = self.locked_fmt if field.locked else self.input_fmt[kind]
        fmt = self._mark(ws, field.sheet, field.row, field.col, fmt, {"locked": field.locked} if field.locked
                         else {**_INPUT_STYLES[kind], "locked": False, "border": 1})
        value = self.values.get(field.path)
        if value is None:
            ws.write_blank(field.row, field.col, None, fmt)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            ws.write_number(field.row, field.col, value, fmt)
        else:
            ws.write_string(field.row, field.col, str(value), fmt)
        if field.locked:
            return
        ws.data_validation(field.row, field.col, field.row, field.col, self._validation(field))
        self.book.define_name(field.name, f"={quote_sheetname(field.sheet)}!{_absolute(field.row, field.col)}")

    def _validation(self, field: Input) -> dict[str, Any]:
        """The input's data validation: the same for every network, so made once per form and round."""
        cache: dict[str, dict[str, Any]] = shared_cache(self.layout, "_validations", lambda base: {})
        if field.path not in cache:
            cache[field.path] = self._make_validation(field)
        return dict(cache[field.path])

    def _make_validation(self, field: Input) -> dict[str, Any]:
        t = self.form.text
        title = field.title if len(field.title) <= 32 else field.title[:31] + "…"
        common = {"input_title": title, "input_message": field.help[:255], "error_title": t("invalid_title")}
        if field.type in ("amount", "integer"):
            limit = f"{field.max_value:,}".replace(",", "\u00a0")
            message = t("invalid_amount" if field.type == "amount" else "invalid_count", max=limit)
            return {**common, "validate": "integer", "criteria": "between", "minimum": 0, "maximum": field.max_value,
                    "error_message": message}
        if field.type == "choice":
            assert field.list_name is not None
            return {**common, "validate": "list", "source": "=" + self.layout.list_range(field.list_name),
                    "error_message": t("invalid_choice")}
        if field.type == "email":
            return {**common, "validate": "custom",
                    "value": f'=AND(LEN({field.cell})<={field.max_length},ISNUMBER(FIND("@",{field.cell})))',
                    "error_message": t("invalid_email")}
        return {**common, "validate": "length", "criteria": "<=", "value": field.max_length,
                "error_message": t("invalid_length", max=field.max_length)}

    def _mark(self, ws: Any, sheet: str, row: int, col: int, fmt: Any, base: dict[str, Any]) -> Any:
        """A marked cell gets the severity's fill and a note with the messages."""
        marks = self.extras.marks.get((sheet, _cell(row, col)))
        if not marks:
            return fmt
        worst = min(marks, key=lambda m: _RANK[m.severity]).severity
        key = (id(base), worst.value)
        if key not in self._marked:
            self._marked[key] = self.book.add_format({**base, "bg_color": _MARK_FILL[worst], "border": 2,
                                                      "border_color": _MARK_BORDER[worst]})
        ws.write_comment(row, col, "\n\n".join(m.message for m in marks)[:2000],
                         {"author": "Statsforvalteren", "x_scale": 3, "y_scale": 2.5})
        return self._marked[key]

    def _formula(self, ws: Any, slot: Any) -> None:
        fmt = self.formula_fmt[slot.style]
        fmt = self._mark(ws, slot.sheet, slot.row, slot.col, fmt, _FORMULA_STYLES[slot.style])
        if slot.span > 1:
            ws.merge_range(slot.row, slot.col, slot.row, slot.col + slot.span - 1, "", fmt)
        formula = self.formulas[slot.key]
        value = formula.value
        if value is not None and not isinstance(value, (int, float, str, bool)):
            value = float(value)  # type: ignore[arg-type]
        if isinstance(value, str):
            value = _CONTROL.sub("", value)  # a cached text may echo a typed control character; XML cannot hold it
        ws.write_formula(slot.row, slot.col, "=" + formula.text, fmt, value)
        if slot.name:
            self.book.define_name(slot.name, f"={quote_sheetname(slot.sheet)}!{_absolute(slot.row, slot.col)}")
        if slot.style == "check":
            ok = self.form.t(self.form.definition.summary.ok)
            cells = f"{slot.cell}:{_cell(slot.row, slot.col + slot.span - 1)}"
            ws.conditional_format(cells, {"type": "cell", "criteria": "==", "value": f'"{ok}"', "format": self.ok_fmt})
            ws.conditional_format(cells, {"type": "cell", "criteria": "!=", "value": f'"{ok}"', "format": self.bad_fmt})

    def _finish(self, ws: Any, sl: SheetLayout) -> None:
        ws.protect("", {"format_rows": True})
        if sl.hidden:
            ws.hide()
            return
        if sl.freeze_rows:
            ws.freeze_panes(sl.freeze_rows, 0)
        ws.set_paper(9)
        ws.set_landscape() if sl.landscape else ws.set_portrait()
        if sl.key == "guide":
            ws.set_print_scale(100)  # fitting its one column to the page would enlarge the text
        else:
            ws.fit_to_pages(1, 0)
        ws.set_margins(left=0.5, right=0.5, top=0.75, bottom=0.75, )
        network = (self.form.network or self.report.partnership.network or "").replace("&", "&&")
        ws.set_header(f"&L{network}&R&A", {"scale_with_doc": False})
        footer = self.form.text("page_footer")
        ws.set_footer(f"&L{self.form.title.replace('&', '&&')}&R{footer}", {"scale_with_doc": False})
        ws.print_area(0, 0, max(sl.rows - 1, 0), len(sl.widths) - 1)
        if sl.key == "guide" and self.extras.front is None:
            ws.activate()


def _absolute(row: int, col: int) -> str:
    from xlsxwriter.utility import xl_rowcol_to_cell

    return xl_rowcol_to_cell(row, col, True, True)


def _cell(row: int, col: int) -> str:
    from xlsxwriter.utility import xl_rowcol_to_cell

    return xl_rowcol_to_cell(row, col)
