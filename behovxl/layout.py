"""Where everything lives: the layout derived from a form definition.

The writer draws the workbook from this layout and the reader reads it back
through the same layout, so the two can never disagree about a cell. No other
module knows a cell address.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from .cells import a1, abs_a1, quote_sheet, ref
from .definition import Form

# The grid every form sheet is drawn on: label column A, input columns B..E.
FORM_WIDTHS = (34, 18, 34, 18, 34)
SUMMARY_WIDTHS = (6, 44, 26, 18, 18, 16, 16, 14, 6, 6, 6)
LONG_TEXT_HEIGHT = 96
SHORT_SPANS = {"amount": 1, "integer": 1, "choice": 1}

LINE_HEIGHT = 15
MAX_ROW_HEIGHT = 409  # Excel's limit

# ---------------------------------------------------------------- public API


def text_height(text: str, width: float, minimum: float = LINE_HEIGHT) -> float:
    """Row height (points) that shows `text` wrapped in a cell `width` characters wide."""
    per_line = max(int(width * 1.1), 1)
    lines = sum(max(1, -(-len(part) // per_line)) for part in text.split("\n"))
    return min(max(minimum, lines * LINE_HEIGHT + 3), MAX_ROW_HEIGHT)


def span_width(widths: tuple[int, ...], col: int, span: int) -> float:
    return float(sum(widths[col : col + span]))


@dataclass(frozen=True)
class Input:
    """One cell a network types into."""

    path: str
    sheet: str
    row: int
    col: int
    span: int
    type: str
    label: str
    help: str
    required: bool = False
    choices: tuple[str, ...] = ()
    list_name: str | None = None
    max_length: int | None = None
    max_value: int | None = None

    @property
    def cell(self) -> str:
        return a1(self.row, self.col)

    @property
    def name(self) -> str:
        """The workbook-level defined name of this input."""
        return "F_" + self.path.replace(".", "_")

    @property
    def ref(self) -> str:
        return ref(self.sheet, self.row, self.col)


@dataclass(frozen=True)
class Static:
    """A fixed text: a title, heading, label or column header."""

    sheet: str
    row: int
    col: int
    text: str
    style: str = "label"
    span: int = 1


@dataclass(frozen=True)
class FormulaSlot:
    """A cell that holds a formula; `key` names what it computes."""

    key: str
    sheet: str
    row: int
    col: int
    style: str = "amount"
    span: int = 1

    @property
    def cell(self) -> str:
        return a1(self.row, self.col)

    @property
    def ref(self) -> str:
        return ref(self.sheet, self.row, self.col)


@dataclass
class SheetLayout:
    name: str
    widths: tuple[int, ...]
    statics: list[Static] = field(default_factory=list)
    inputs: list[Input] = field(default_factory=list)
    formulas: list[FormulaSlot] = field(default_factory=list)
    heights: dict[int, float] = field(default_factory=dict)
    hidden_cols: tuple[int, ...] = ()
    hidden: bool = False
    freeze_rows: int = 0
    rows: int = 0


@dataclass
class Layout:
    form: Form
    sheets: list[SheetLayout]

    @cached_property
    def inputs(self) -> dict[str, Input]:
        return {i.path: i for s in self.sheets for i in s.inputs}

    @cached_property
    def formulas(self) -> dict[str, FormulaSlot]:
        return {f.key: f for s in self.sheets for f in s.formulas}

    def sheet(self, name: str) -> SheetLayout:
        return next(s for s in self.sheets if s.name == name)

    def list_range(self, list_name: str) -> str:
        """The absolute range on the hidden list sheet that holds a choice list."""
        lists = list(self.form.data["lists"])
        col = lists.index(list_name)
        n = len(self.form.data["lists"][list_name])
        sheet = quote_sheet(self.form.sheet("lists"))
        return f"{sheet}!{abs_a1(1, col)}:{abs_a1(n, col)}"


IDENTITY_KEYS = ("form_id", "form_version", "year", "network", "measures", "generator")


def build_layout(form: Form) -> Layout:
    sheets = [_guide(form), _partnership(form)]
    sheets += [_measure(form, n) for n in range(1, form.measures + 1)]
    sheets += [_summary(form), _lists(form), _identity(form)]
    return Layout(form, sheets)


# ---------------------------------------------------------------- sheet builders


class _Cursor:
    """Appends rows to one sheet layout."""

    def __init__(self, form: Form, sheet: SheetLayout, row: int = 0) -> None:
        self.form, self.sheet, self.row = form, sheet, row

    def static(self, text: str, style: str = "label", col: int = 0, span: int = 1, row: int | None = None) -> None:
        self.sheet.statics.append(Static(self.sheet.name, self.row if row is None else row, col, text, style, span))

    def title(self, text: str, subtitle: str = "") -> None:
        self.static(text, "title", span=len(self.sheet.widths))
        self.sheet.heights[self.row] = 30
        self.row += 1
        if subtitle:
            self.static(subtitle, "subtitle", span=len(self.sheet.widths))
            self.row += 1
        self.row += 1

    def heading(self, text: str) -> None:
        if text:
            self.static(self.form.text(text), "heading", span=5)
            self.sheet.heights[self.row] = 22
            self.row += 1

    def input(self, path: str, spec: dict[str, Any], col: int, span: int, label: str) -> None:
        self.sheet.inputs.append(_make_input(self.form, self.sheet.name, path, spec, self.row, col, span, label))

    def formula(self, key: str, col: int, style: str = "amount", span: int = 1) -> None:
        self.sheet.formulas.append(FormulaSlot(key, self.sheet.name, self.row, col, style, span))

    def gap(self) -> None:
        self.row += 1


def _make_input(form: Form, sheet: str, path: str, spec: dict[str, Any], row: int, col: int, span: int, label: str) -> Input:
    meta = form.data["form"]
    kind = spec["type"]
    list_name = "yes_no" if kind == "yes_no" else spec.get("list")
    dict_type = "choice" if kind == "yes_no" else kind
    choices = tuple(c.label for c in form.definition.choices(list_name)) if list_name else ()
    max_length = None
    if dict_type in ("text", "email"):
        max_length = meta["short_text_max"]
    elif dict_type == "long_text":
        max_length = meta["long_text_max"]
    max_value = None
    if dict_type == "amount":
        max_value = spec.get("max", meta["max_amount"])
    elif dict_type == "integer":
        max_value = spec.get("max", meta["max_count"])
    return Input(
        path=path, sheet=sheet, row=row, col=col, span=span, type=dict_type,
        label=form.text(label), help=form.text(spec.get("help", "")),
        required=bool(spec.get("required", False)), choices=choices, list_name=list_name,
        max_length=max_length, max_value=max_value,
    )


def _fields_block(cur: _Cursor, block: dict[str, Any], prefix: str) -> None:
    cur.heading(block.get("heading", ""))
    for spec in block["fields"]:
        path = prefix + spec["key"]
        label = cur.form.text(spec["label"])
        if spec["type"] == "long_text":
            cur.static(label, "question", span=5)
            cur.sheet.heights[cur.row] = text_height(label, span_width(cur.sheet.widths, 0, 5), 18)
            cur.row += 1
            cur.input(path, spec, 0, 5, label)
            cur.sheet.heights[cur.row] = LONG_TEXT_HEIGHT
        else:
            cur.static(label, "label")
            span = SHORT_SPANS.get(spec["type"], 1 if spec["type"] == "yes_no" else 4)
            cur.input(path, spec, 1, span, label)
            height = text_height(label, cur.sheet.widths[0])
            if height > LINE_HEIGHT:
                cur.sheet.heights[cur.row] = height
        cur.row += 1
    cur.gap()


def _spans(columns: list[dict[str, Any]]) -> list[int]:
    """Share the four input columns B..E among a table's columns: text gets the rest."""
    spans = [SHORT_SPANS.get(c["type"], 0) for c in columns]
    spare = 4 - sum(spans)
    texts = [i for i, s in enumerate(spans) if s == 0]
    for n, i in enumerate(texts):
        spans[i] = spare // len(texts) + (1 if n < spare % len(texts) else 0)
    return spans


def _table_rows(form: Form, block: dict[str, Any]) -> list[tuple[str, str]]:
    """(path segment, row label) for each row of a table block."""
    if "rows_from_list" in block:
        return [(c.key, c.label) for c in form.definition.choices(block["rows_from_list"])]
    if "row_labels" in block:
        return [(str(i), form.text(lab)) for i, lab in enumerate(block["row_labels"], 1)]
    return [(str(i), block["row_label"].format(n=i)) for i in range(1, block["rows"] + 1)]


def _table_block(cur: _Cursor, block: dict[str, Any], prefix: str) -> None:
    cur.heading(block.get("heading", ""))
    columns = block["columns"]
    spans = _spans(columns)
    cur.static(block.get("row_label_header", ""), "colhead")
    col, height = 1, float(LINE_HEIGHT)
    for spec, span in zip(columns, spans):
        label = cur.form.text(spec["label"])
        cur.static(label, "colhead", col=col, span=span)
        height = max(height, text_height(label, span_width(cur.sheet.widths, col, span) * 0.8))
        col += span
    cur.sheet.heights[cur.row] = height
    cur.row += 1
    tall = any(c["type"] == "long_text" for c in columns)
    for seg, label in _table_rows(cur.form, block):
        cur.static(label, "rowlabel")
        col = 1
        for spec, span in zip(columns, spans):
            cur.input(f"{prefix}{block['path']}.{seg}.{spec['key']}", spec, col, span, f"{label}: {cur.form.text(spec['label'])}")
            col += span
        if tall:
            cur.sheet.heights[cur.row] = 48
        cur.row += 1
    cur.gap()


def _grid_block(cur: _Cursor, block: dict[str, Any], prefix: str) -> None:
    """Rows x columns of inputs, e.g. contact persons: rows Navn..., columns Eier/UH."""
    cur.heading(block.get("heading", ""))
    columns = block["columns"]
    span = 4 // len(columns)
    for i, spec in enumerate(columns):
        cur.static(spec["label"], "colhead", col=1 + i * span, span=span)
    cur.row += 1
    cells = {c["row"]: c for c in block["cells"]}
    for row in block["rows"]:
        cur.static(row["label"], "rowlabel")
        for i, column in enumerate(columns):
            path = f"{prefix}{block['path']}.{column['key']}.{row['key']}"
            cur.input(path, cells[row["key"]], 1 + i * span, span, f"{row['label']} ({column['label']})")
        cur.row += 1
    cur.gap()


def _lines_block(cur: _Cursor, block: dict[str, Any], prefix: str) -> None:
    """Itemised budget lines: amount in B, description in C..E, a sum row below."""
    cur.heading(block["heading"])
    cur.static("Beløp (kr)", "colhead", col=1)
    cur.static("Beskrivelse", "colhead", col=2, span=3)
    cur.row += 1
    amount = {"type": "amount", "help": block["amount_help"]}
    text = {"type": "text", "help": block["description_help"]}
    for i in range(1, block["rows"] + 1):
        label = block["row_label"].format(n=i)
        cur.static(label, "rowlabel")
        cur.input(f"{prefix}{block['path']}.{i}.amount", amount, 1, 1, f"{label}: beløp")
        cur.input(f"{prefix}{block['path']}.{i}.description", text, 2, 3, f"{label}: beskrivelse")
        cur.row += 1
    cur.static(block["total_label"], "total")
    cur.formula(f"{prefix}{block['total_key']}", 1, "total")
    cur.row += 1
    cur.gap()


def _totals_block(cur: _Cursor, block: dict[str, Any], prefix: str) -> None:
    cur.heading(block["heading"])
    cur.static(block["total_label"], "total")
    cur.formula(f"{prefix}total", 1, "total")
    cur.row += 1
    cur.static(block["required_cofunding_label"], "label")
    cur.formula(f"{prefix}required_cofunding", 1)
    cur.row += 1


_BLOCKS = {
    "fields": _fields_block,
    "table": _table_block,
    "grid": _grid_block,
    "lines": _lines_block,
    "totals": _totals_block,
}


def _draw_blocks(cur: _Cursor, blocks: list[dict[str, Any]], prefix: str) -> None:
    for block in blocks:
        _BLOCKS[block["kind"]](cur, block, prefix)
    cur.sheet.rows = cur.row


def _guide(form: Form) -> SheetLayout:
    # One column as wide as an A4 portrait page, so the guide prints at full size.
    sheet = SheetLayout(form.sheet("guide"), (76,))
    cur = _Cursor(form, sheet)
    guide = form.data["guide"]
    cur.title(form.data["form"]["title"], form.text(guide["title"]))
    sheet.heights[0] = 44
    for text in guide["paragraphs"]:
        cur.static(form.text(text), "paragraph")
        sheet.heights[cur.row] = text_height(form.text(text), 76 * 0.95) + 4
        cur.row += 1
    cur.gap()
    facts = [
        (guide["deadline_label"], form.deadline_text),
        (guide["authority_label"], form.text(form.data["defaults"]["authority"])),
        (guide["contact_label"], form.text(form.data["defaults"]["contact"])),
    ]
    if form.network:
        facts.append((guide["network_label"], form.network))
    for label, value in facts:
        cur.static(f"{label}: {value}", "fact")
        cur.row += 1
    sheet.rows = cur.row
    return sheet


def _partnership(form: Form) -> SheetLayout:
    sheet = SheetLayout(form.sheet("partnership"), FORM_WIDTHS, freeze_rows=1)
    cur = _Cursor(form, sheet)
    cur.title(form.text(form.data["partnership"]["title"]), f"{form.data['form']['title']} – {form.year}")
    _draw_blocks(cur, form.data["partnership"]["blocks"], "")
    return sheet


def _measure(form: Form, n: int) -> SheetLayout:
    sheet = SheetLayout(form.sheet("measure", n), FORM_WIDTHS, freeze_rows=1)
    cur = _Cursor(form, sheet)
    cur.title(form.data["measure"]["title"].format(n=n), f"{form.data['form']['title']} – {form.year}")
    _draw_blocks(cur, form.data["measure"]["blocks"], f"measures.{n}.")
    return sheet


def _summary(form: Form) -> SheetLayout:
    spec = form.data["summary"]
    sheet = SheetLayout(form.sheet("summary"), SUMMARY_WIDTHS, freeze_rows=1, hidden_cols=(8, 9, 10))
    cur = _Cursor(form, sheet)
    cur.title(spec["title"], f"{form.data['form']['title']} – {form.year}")
    _summary_measures(cur, spec)
    _summary_schemes(cur, spec)
    _summary_pairs(cur, spec["economy_heading"], "summary.economy", spec["economy_labels"])
    _summary_continuation(cur, spec)
    _summary_pairs(cur, spec["count_heading"], "summary.count", spec["count_labels"], style="integer")
    _summary_checks(cur, spec)
    sheet.rows = cur.row
    return sheet


MEASURE_COLUMNS = ("number", "name", "scheme", "owner", "uh", "total", "cofunding", "coordinator")
MEASURE_FLAGS = ("filled", "missing_scheme", "low_cofunding")
SCHEME_COLUMNS = ("owner", "coordinator", "owner_incl", "uh", "total")


def _summary_measures(cur: _Cursor, spec: dict[str, Any]) -> None:
    cur.static(spec["measures_heading"], "heading", span=8)
    cur.row += 1
    for col, label in enumerate(spec["measure_columns"]):
        cur.static(label, "colhead", col=col)
    cur.row += 1
    styles = {"name": "text", "scheme": "text", "coordinator": "text"}
    for n in range(1, cur.form.measures + 1):
        cur.static(str(n), "rowlabel")
        for col, key in enumerate(MEASURE_COLUMNS[1:], start=1):
            cur.formula(f"summary.measures.{n}.{key}", col, styles.get(key, "quiet"))
        for col, key in enumerate(MEASURE_FLAGS, start=8):
            cur.formula(f"summary.measures.{n}.{key}", col, "integer")
        cur.row += 1
    cur.gap()


def _summary_schemes(cur: _Cursor, spec: dict[str, Any]) -> None:
    cur.static(cur.form.text(spec["schemes_heading"]), "heading", span=8)
    cur.row += 1
    for col, label in enumerate(spec["scheme_columns"], start=1):
        cur.static(label, "colhead", col=col)
    cur.sheet.heights[cur.row] = max(text_height(lab, cur.sheet.widths[c] * 0.8) for c, lab in enumerate(spec["scheme_columns"], 1))
    cur.row += 1
    for scheme in cur.form.definition.schemes:
        cur.static(scheme.label, "rowlabel", col=1)
        for col, key in enumerate(SCHEME_COLUMNS, start=2):
            cur.formula(f"summary.schemes.{scheme.key}.{key}", col)
        cur.formula(f"summary.schemes.{scheme.key}.coordinator_unused", 8, "integer")
        cur.row += 1
    cur.static(spec["sum_label"], "total", col=1)
    for col, key in enumerate(SCHEME_COLUMNS, start=2):
        cur.formula(f"summary.schemes.sum.{key}", col, "total")
    cur.row += 1
    cur.gap()


def _summary_pairs(cur: _Cursor, heading: str, prefix: str, labels: dict[str, str], style: str = "amount") -> None:
    cur.static(heading, "heading", span=8)
    cur.row += 1
    for key, label in labels.items():
        cur.static(label, "label", col=1)
        cur.formula(f"{prefix}.{key}", 2, "total" if key == "total" else style)
        cur.row += 1
    cur.gap()


def _summary_continuation(cur: _Cursor, spec: dict[str, Any]) -> None:
    cur.static(spec["continuation_heading"], "heading", span=8)
    cur.row += 1
    for col, label in enumerate(spec["continuation_columns"], start=1):
        cur.static(label, "colhead", col=col)
    cur.row += 1
    periods = _continuation_labels(cur.form)
    for i, label in enumerate(periods, 1):
        cur.static(label, "rowlabel", col=1)
        for col, key in enumerate(("owner", "uh", "total"), start=2):
            cur.formula(f"summary.continuation.{i}.{key}", col)
        cur.row += 1
    cur.gap()


def _summary_checks(cur: _Cursor, spec: dict[str, Any]) -> None:
    cur.static(spec["checks_heading"], "heading", span=8)
    cur.row += 1
    for key, check in spec["checks"].items():
        cur.static(check["label"], "label", col=1)
        cur.formula(f"summary.checks.{key}", 2, "check", span=6)
        cur.sheet.heights[cur.row] = 30
        cur.row += 1


def _continuation_labels(form: Form) -> list[str]:
    block = next(b for b in form.data["measure"]["blocks"] if b.get("path") == "continuation")
    return [form.text(label) for label in block["row_labels"]]


def _lists(form: Form) -> SheetLayout:
    lists = form.data["lists"]
    sheet = SheetLayout(form.sheet("lists"), tuple(24 for _ in lists), hidden=True)
    for col, (name, items) in enumerate(lists.items()):
        sheet.statics.append(Static(sheet.name, 0, col, name, "colhead"))
        for row, item in enumerate(items, 1):
            sheet.statics.append(Static(sheet.name, row, col, item["label"], "plain"))
    sheet.rows = 1 + max(len(v) for v in lists.values())
    return sheet


def _identity(form: Form) -> SheetLayout:
    sheet = SheetLayout(form.sheet("identity"), (16, 48), hidden=True)
    values = {
        "form_id": form.definition.form_id,
        "form_version": form.definition.version,
        "year": str(form.year),
        "network": form.network,
        "measures": str(form.measures),
        "generator": "behovxl",
    }
    for row, key in enumerate(IDENTITY_KEYS):
        sheet.statics.append(Static(sheet.name, row, 0, key, "plain"))
        sheet.statics.append(Static(sheet.name, row, 1, values[key], "plain"))
    sheet.rows = len(IDENTITY_KEYS)
    return sheet
