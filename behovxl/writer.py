"""Draw a layout into a locked xlsx workbook with xlsxwriter.

Everything about the form's content comes from the layout; this module only
knows how things look: formats, validation, protection and print settings.
"""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

import xlsxwriter

from .definition import Form
from .formulas import Formula, compute
from .layout import LINE_HEIGHT, Input, Layout, SheetLayout, build_layout, span_width, text_height
from .models import Report
from .paths import cell_value, value_at
from .protect import lock_structure

AMOUNT_FORMAT = '#,##0 "kr"'
INPUT_FILL = "#FFF7CC"
HEAD_FILL = "#1F4E79"
COLHEAD_FILL = "#DDEBF7"
FORMULA_FILL = "#F2F2F2"

# ---------------------------------------------------------------- public API


def workbook_bytes(form: Form, report: Report | None = None) -> bytes:
    """The whole workbook for one network, blank or pre-filled from a report."""
    layout = build_layout(form)
    report = report or empty_report(form)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, _OPTIONS)
    _Writer(book, layout, report).write()
    book.close()
    return lock_structure(buffer.getvalue())


def empty_report(form: Form) -> Report:
    d = form.definition
    return Report(form_id=d.form_id, form_version=d.version, year=form.year, network_id=form.network or None)


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
    "subtitle": {"italic": True, "font_color": "#595959"},
    "heading": {"bold": True, "font_size": 12, "font_color": "#FFFFFF", "bg_color": HEAD_FILL, "valign": "vcenter"},
    "question": {"bold": True, "text_wrap": True, "valign": "bottom"},
    "label": {"text_wrap": True, "valign": "vcenter"},
    "rowlabel": {"valign": "vcenter"},
    "colhead": {"bold": True, "bg_color": COLHEAD_FILL, "border": 1, "text_wrap": True, "align": "center", "valign": "vcenter"},
    "total": {"bold": True, "valign": "vcenter"},
    "paragraph": {"text_wrap": True, "valign": "top"},
    "fact": {"bold": True, "text_wrap": True},
    "plain": {},
}

_INPUT_STYLES: dict[str, dict[str, Any]] = {
    "text": {"text_wrap": True, "valign": "vcenter"},
    "email": {"valign": "vcenter"},
    "long_text": {"text_wrap": True, "valign": "top"},
    "amount": {"num_format": AMOUNT_FORMAT, "valign": "vcenter"},
    "integer": {"num_format": "0", "valign": "vcenter"},
    "choice": {"valign": "vcenter"},
}

_FORMULA_STYLES: dict[str, dict[str, Any]] = {
    "amount": {"num_format": AMOUNT_FORMAT, "bg_color": FORMULA_FILL, "border": 1, "border_color": "#BFBFBF"},
    # Zero shown as a dash: the summary's rows for measure sheets left empty stay quiet.
    "quiet": {"num_format": AMOUNT_FORMAT + ';-' + AMOUNT_FORMAT + ';"–"', "bg_color": FORMULA_FILL, "border": 1, "border_color": "#BFBFBF"},
    "total": {"num_format": AMOUNT_FORMAT, "bg_color": FORMULA_FILL, "bold": True, "border": 1, "border_color": "#7F7F7F"},
    "integer": {"num_format": "0", "bg_color": FORMULA_FILL, "border": 1, "border_color": "#BFBFBF"},
    "text": {"bg_color": FORMULA_FILL, "border": 1, "border_color": "#BFBFBF", "text_wrap": True},
    "check": {"bold": True, "text_wrap": True, "valign": "vcenter", "border": 1, "border_color": "#BFBFBF"},
}


class _Writer:
    def __init__(self, book: xlsxwriter.Workbook, layout: Layout, report: Report) -> None:
        self.book, self.layout, self.report, self.form = book, layout, report, layout.form
        self.formulas: dict[str, Formula] = compute(layout, report)
        self.static_fmt = {k: book.add_format(v) for k, v in _STYLES.items()}
        base_input = {"locked": False, "bg_color": INPUT_FILL, "border": 1, "border_color": "#A6A6A6"}
        self.input_fmt = {k: book.add_format({**base_input, **v}) for k, v in _INPUT_STYLES.items()}
        self.formula_fmt = {k: book.add_format(v) for k, v in _FORMULA_STYLES.items()}
        self.ok_fmt = book.add_format({"font_color": "#006100", "bg_color": "#C6EFCE"})
        self.bad_fmt = book.add_format({"font_color": "#9C0006", "bg_color": "#FFC7CE"})

    def write(self) -> None:
        self.book.set_properties({
            "title": self.form.data["form"]["title"],
            "subject": self.form.network or "",
            "author": "behovxl",
            "created": datetime(self.form.year, 1, 1),
        })
        for sheet_layout in self.layout.sheets:
            self._sheet(sheet_layout)

    def _sheet(self, sl: SheetLayout) -> None:
        ws = self.book.add_worksheet(sl.name)
        for col, width in enumerate(sl.widths):
            ws.set_column(col, col, width, None, {"hidden": col in sl.hidden_cols})
        for row, height in self._heights(sl).items():
            ws.set_row(row, height)
        for static in sl.statics:
            self._merge_or_write(ws, static.row, static.col, static.span, static.text, self.static_fmt[static.style])
        for field in sl.inputs:
            self._input(ws, field)
        for slot in sl.formulas:
            self._formula(ws, slot)
        self._finish(ws, sl)

    def _heights(self, sl: SheetLayout) -> dict[int, float]:
        """The layout's row heights, raised where a pre-filled text needs more room."""
        heights = dict(sl.heights)
        for field in sl.inputs:
            value = value_at(self.report, field.path)
            if isinstance(value, str) and field.type in ("text", "long_text"):
                need = text_height(value, span_width(sl.widths, field.col, field.span))
                heights[field.row] = max(heights.get(field.row, LINE_HEIGHT), need)
        return dict(sorted(heights.items()))

    def _merge_or_write(self, ws, row: int, col: int, span: int, text: str, fmt) -> None:
        if span > 1:
            ws.merge_range(row, col, row, col + span - 1, "", fmt)
        ws.write_string(row, col, text, fmt)

    def _input(self, ws, field: Input) -> None:
        fmt = self.input_fmt[field.type]
        if field.span > 1:
            ws.merge_range(field.row, field.col, field.row, field.col + field.span - 1, "", fmt)
        value = cell_value(self.form.definition, field, value_at(self.report, field.path))
        if value is None:
            ws.write_blank(field.row, field.col, None, fmt)
        elif field.type in ("amount", "integer"):
            ws.write_number(field.row, field.col, value, fmt)
        else:
            ws.write_string(field.row, field.col, str(value), fmt)
        ws.data_validation(field.row, field.col, field.row, field.col, self._validation(field))
        self.book.define_name(field.name, f"={field.ref.split('!')[0]}!${field.cell[0]}${field.cell[1:]}")

    def _validation(self, field: Input) -> dict[str, Any]:
        title = field.label if len(field.label) <= 32 else field.label[:31] + "…"
        common = {"input_title": title, "input_message": field.help[:255], "error_title": "Ugyldig verdi"}
        if field.type in ("amount", "integer"):
            unit = "et helt beløp i kroner" if field.type == "amount" else "et helt tall"
            limit = f"{field.max_value:,}".replace(",", " ")
            return {**common, "validate": "integer", "criteria": "between", "minimum": 0, "maximum": field.max_value,
                    "error_message": f"Skriv {unit} mellom 0 og {limit}, bare tall uten «kr», punktum eller mellomrom."}
        if field.type == "choice":
            return {**common, "validate": "list", "source": "=" + self.layout.list_range(field.list_name),
                    "error_message": "Velg en verdi fra listen."}
        if field.type == "email":
            return {**common, "validate": "custom",
                    "value": f'=AND(LEN({field.cell})<={field.max_length},ISNUMBER(FIND("@",{field.cell})))',
                    "error_message": "Skriv en gyldig e-postadresse, for eksempel navn@kommune.no."}
        return {**common, "validate": "length", "criteria": "<=", "value": field.max_length,
                "error_message": f"Teksten kan være på høyst {field.max_length} tegn."}

    def _formula(self, ws, slot) -> None:
        fmt = self.formula_fmt[slot.style]
        if slot.span > 1:
            ws.merge_range(slot.row, slot.col, slot.row, slot.col + slot.span - 1, "", fmt)
        formula = self.formulas[slot.key]
        ws.write_formula(slot.row, slot.col, "=" + formula.text, fmt, formula.value)
        if slot.style == "check":
            ok = self.form.data["summary"]["ok"]
            ws.conditional_format(slot.cell, {"type": "cell", "criteria": "==", "value": f'"{ok}"', "format": self.ok_fmt})
            ws.conditional_format(slot.cell, {"type": "cell", "criteria": "!=", "value": f'"{ok}"', "format": self.bad_fmt})

    def _finish(self, ws, sl: SheetLayout) -> None:
        ws.protect("", {"format_rows": True})
        if sl.hidden:
            ws.hide()
            return
        if sl.freeze_rows:
            ws.freeze_panes(sl.freeze_rows, 0)
        ws.set_paper(9)
        ws.set_portrait() if len(sl.widths) <= 5 else ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.set_margins(left=0.5, right=0.5, top=0.8, bottom=0.8)
        network = (self.form.network or self.report.partnership.network or "").replace("&", "&&")
        ws.set_header(f"&L{network}&R&A")
        ws.set_footer(f"&L{self.form.data['form']['title'].replace('&', '&&')}&RSide &P av &N")
        ws.print_area(0, 0, max(sl.rows - 1, 0), len(sl.widths) - 1 - len(sl.hidden_cols))
        if sl.name == self.form.sheet("guide"):
            ws.activate()
