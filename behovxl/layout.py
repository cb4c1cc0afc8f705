"""Where everything lives: the layout derived from a form.

The writer draws the workbook from this layout and the reader reads it back through
the same layout, so the two can never disagree about a cell. No other module knows
a cell address.

Form sheets are drawn on a grid of two columns that together fill an A4 portrait
page at full size: labels in A, inputs in B. Every input is a single, unmerged
cell, so a spreadsheet grows its row with the text typed into it; long answers get
the wide column B to themselves, below their question. Budget lines put the amount
in A and the description in B.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, TypeVar

from xlsxwriter.utility import quote_sheetname, xl_rowcol_to_cell

from .definition import CHECK_LINES, FieldsBlock, FlagsBlock, LinesBlock, ReferenceBlock, TableBlock, Text, TotalsBlock
from .form import Form
from .rules import check_items

T = TypeVar("T")

#: Column widths (characters) of the form sheets: together one A4 portrait page at 100 %.
FORM_WIDTHS = (22.0, 72.0)
GUIDE_WIDTHS = (76.0,)  # LibreOffice clips, rather than scales, a single column wider than the page
SUMMARY_WIDTHS = (4.0, 24.0, 19.0, 11.0, 11.0, 11.0, 11.0, 7.0)  # the scheme column fits «kompetanseutvikling»
CHECKS_WIDTHS = (30.0, 40.0, 12.0, 12.0, 60.0)
LINE_HEIGHT = 15.0
ANSWER_FONT = 10
MAX_ROW_HEIGHT = 409.0  # Excel's limit
CHECK_ROW_HEIGHT = 62.0
IDENTITY_KEYS = ("form_id", "form_version", "year", "network", "measures", "language", "reference", "generator")

# ---------------------------------------------------------------- public API


def text_height(text: str, width: float, minimum: float = LINE_HEIGHT, font: int = 11) -> float:
    """Row height (points) that shows `text` wrapped in a cell `width` characters wide."""
    per_line = max(int(width * (1.2 if font <= 10 else 1.1)), 1)
    line = LINE_HEIGHT if font > 10 else 13.5
    lines = sum(max(1, -(-len(part) // per_line)) for part in text.split("\n"))
    return min(max(minimum, lines * line + 3), MAX_ROW_HEIGHT)


def a1(row: int, col: int) -> str:
    return xl_rowcol_to_cell(row, col)


def ref(sheet: str, row: int, col: int) -> str:
    return f"{quote_sheetname(sheet)}!{a1(row, col)}"


@dataclass(frozen=True)
class Input:
    """One cell a network types into (or, if `locked`, a value the generator fills in)."""

    path: str
    sheet: str
    row: int
    col: int
    type: str
    label: str          # how messages name the field: short, with its row ("Tiltak 1: Eier, linje 2: beløp")
    title: str          # the input message's title
    help: str
    required: bool = False
    choices: tuple[str, ...] = ()
    list_name: str | None = None
    max_length: int | None = None
    max_value: int | None = None
    locked: bool = False

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

    @property
    def where(self) -> str:
        """How a message points at it: «Tiltak 1!A21 (Eier, linje 2: beløp)»."""
        return f"{self.sheet}!{self.cell} ({self.label})"


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
    name: str | None = None  # a workbook-level defined name (the check area's K_ names)

    @property
    def cell(self) -> str:
        return a1(self.row, self.col)

    @property
    def ref(self) -> str:
        return ref(self.sheet, self.row, self.col)


@dataclass
class SheetLayout:
    key: str                      # guide | partnership | measure | summary | checks | lists | identity
    name: str
    widths: tuple[float, ...]
    statics: list[Static] = field(default_factory=list)
    inputs: list[Input] = field(default_factory=list)
    formulas: list[FormulaSlot] = field(default_factory=list)
    heights: dict[int, float] = field(default_factory=dict)
    grow_rows: set[int] = field(default_factory=set)  # rows the spreadsheet may resize to fit their text
    hidden: bool = False
    landscape: bool = False
    freeze_rows: int = 0
    rows: int = 0
    number: int = 0               # the measure number of a measure sheet


@dataclass
class Layout:
    form: Form
    sheets: list[SheetLayout]
    check_items: list[Any] = field(default_factory=list)  # rules.Item, placed on the checks sheet

    @cached_property
    def inputs(self) -> dict[str, Input]:
        return {i.path: i for s in self.sheets for i in s.inputs}

    @cached_property
    def formulas(self) -> dict[str, FormulaSlot]:
        return {f.key: f for s in self.sheets for f in s.formulas}

    def sheet(self, name: str) -> SheetLayout:
        return next(s for s in self.sheets if s.name == name)

    @cached_property
    def sheet_names(self) -> list[str]:
        return [s.name for s in self.sheets]

    def list_range(self, list_name: str) -> str:
        """The absolute range on the hidden list sheet that holds a choice list."""
        names = _list_names(self.form)
        col = names.index(list_name)
        n = len(self.form.definition.choices(list_name))
        sheet = quote_sheetname(self.form.sheet("lists"))
        first, last = xl_rowcol_to_cell(1, col, True, True), xl_rowcol_to_cell(n, col, True, True)
        return f"{sheet}!{first}:{last}"

    def amount_inputs(self) -> list[Input]:
        return [i for i in self.inputs.values() if i.type == "amount" and not i.locked]


def build_layout(form: Form) -> Layout:
    """The layout of a form. Only the guide and the identity sheet name the network and the deadline,
    so everything else (positions, formulas, rules) is built once per form and round and shared."""
    base = _base_layout(form)
    if not form.network and not form.deadline:
        return base
    sheets = [_guide(form), *base.sheets[1:-1], _identity(form)]
    layout = Layout(form, sheets, base.check_items)
    for shared in ("inputs", "formulas", "sheet_names"):  # the same cells: share the lookups
        layout.__dict__[shared] = getattr(base, shared)
    layout.__dict__["_base"] = base  # where shared_cache keeps what is made once per form and round
    return layout


_BASES: OrderedDict[tuple[Any, ...], Layout] = OrderedDict()


def _base_layout(form: Form) -> Layout:
    key = (id(form.definition), form.year, form.measures, form.language, form.reference)
    base = _BASES.get(key)
    if base is None or base.form.definition is not form.definition:
        base = _build(replace(form, network="", deadline=""))
        _BASES[key] = base
        while len(_BASES) > 32:
            _BASES.popitem(last=False)
    _BASES.move_to_end(key)
    return base


def base_of(layout: Layout) -> Layout:
    """The shared layout a network's layout was made from (where caches live)."""
    return layout.__dict__.get("_base", layout)


def shared_cache(layout: Layout, name: str, build: Callable[[Layout], T]) -> T:
    """`build(base)` for the shared layout of `layout`: made once per form and round, and kept on it."""
    base = base_of(layout)
    if name not in base.__dict__:
        base.__dict__[name] = build(base)
    return base.__dict__[name]


def _build(form: Form) -> Layout:
    sheets = [_guide(form), _partnership(form)]
    sheets += [_measure(form, n) for n in range(1, form.measures + 1)]
    layout = Layout(form, sheets)
    layout.check_items = check_items(form, layout.inputs)
    lines = {item.line for item in layout.check_items}
    layout.sheets += [_summary(form, lines), _checks(form, layout.check_items), _lists(form), _identity(form)]
    for cached in ("inputs", "formulas", "sheet_names"):
        layout.__dict__.pop(cached, None)
    return layout


#: The check area's lines and the defined names other tools find their verdicts by.
CHECK_NAMES = {
    "filled": "K_utfylt", "required": "K_pakrevd", "text_numbers": "K_tall_som_tekst", "thousands": "K_tusen",
    "coordinator": "K_koordinator", "cofunding": "K_egenandel", "count": "K_antall", "scheme": "K_ordning",
    "coordinator_measure": "K_koordinator_tiltak",
}

# ---------------------------------------------------------------- sheet builders


class _Cursor:
    """Appends rows to one sheet layout."""

    def __init__(self, form: Form, sheet: SheetLayout, prefix: str = "", where: str = "") -> None:
        self.form, self.sheet, self.row, self.prefix, self.where = form, sheet, 0, prefix, where

    def static(self, text: str, style: str = "label", col: int = 0, span: int = 1) -> None:
        self.sheet.statics.append(Static(self.sheet.name, self.row, col, text, style, span))

    def wrapped(self, text: str, style: str, col: int = 0, span: int = 1, minimum: float = LINE_HEIGHT) -> None:
        self.static(text, style, col, span)
        width = sum(self.sheet.widths[col : col + span])
        height = text_height(text, width * (0.9 if style in ("question", "colhead") else 1.0), minimum)
        if height > LINE_HEIGHT:
            self.sheet.heights[self.row] = max(self.sheet.heights.get(self.row, 0), height)

    def title(self, text: str, subtitle: str = "") -> None:
        span = len(self.sheet.widths)
        self.static(text, "title", span=span)
        self.sheet.heights[self.row] = 30
        self.row += 1
        if subtitle:
            self.static(subtitle, "subtitle", span=span)
            self.row += 1
        self.row += 1

    def heading(self, text: Text | None) -> None:
        if text is not None:
            self.static(self.form.t(text), "heading", span=len(self.sheet.widths))
            self.sheet.heights[self.row] = 22
            self.row += 1

    def subheading(self, text: str) -> None:
        self.static(text, "subheading", span=len(self.sheet.widths))
        self.row += 1

    def input(self, path: str, kind: str, label: str, title: str, help_text: str, col: int = 1, **kw: Any) -> None:
        self.sheet.inputs.append(_make_input(self.form, self.sheet.name, self.prefix + path, kind, self.row, col,
                                             self._short(label), title, help_text, **kw))

    def formula(self, key: str, col: int, style: str = "amount", span: int = 1, name: str | None = None) -> None:
        self.sheet.formulas.append(FormulaSlot(key, self.sheet.name, self.row, col, style, span, name))

    def _short(self, label: str) -> str:
        return f"{self.where}: {label}" if self.where else label

    def field(self, path: str, kind: str, label: str, short: str, help_text: str, required: bool = False,
              list_name: str | None = None, max_value: int | None = None) -> None:
        """A label in A and the input in B; a long answer goes below its question, alone in B."""
        if kind == "long_text":
            self.wrapped(label, "question", span=2, minimum=18)
            self.row += 1
            self.input(path, kind, short, label, help_text, required=required)
            self.sheet.grow_rows.add(self.row)
        else:
            self.wrapped(label, "label")
            self.input(path, kind, short, label, help_text, required=required, list_name=list_name, max_value=max_value)
            if kind in ("text", "email"):
                self.sheet.grow_rows.add(self.row)
        self.row += 1

    def gap(self) -> None:
        self.row += 1


def _make_input(form: Form, sheet: str, path: str, kind: str, row: int, col: int, label: str, title: str,
                help_text: str, required: bool = False, list_name: str | None = None,
                max_value: int | None = None, locked: bool = False) -> Input:
    meta = form.definition.form
    if kind == "yes_no":
        list_name, kind = "yes_no", "choice"
    choices = form.choice_labels(list_name) if list_name else ()
    max_length = {"text": meta.short_text_max, "email": meta.short_text_max, "long_text": meta.long_text_max}.get(kind)
    if kind == "amount":
        max_value = max_value or meta.max_amount
    elif kind == "integer":
        max_value = max_value or meta.max_count
    return Input(path=path, sheet=sheet, row=row, col=col, type=kind, label=label, title=title, help=help_text,
                 required=required, choices=choices, list_name=list_name, max_length=max_length,
                 max_value=max_value, locked=locked)


def _shown(form: Form, block: Any) -> bool:
    return block.when != "several_schemes" or form.definition.several_schemes


def _fields_block(cur: _Cursor, block: FieldsBlock) -> None:
    if not _shown(cur.form, block):
        return
    cur.heading(block.heading)
    for spec in block.fields:
        if spec.key == "scheme" and not cur.form.definition.several_schemes:
            continue  # one scheme: every measure is in it, nothing to choose
        label = cur.form.t(spec.label)
        short = cur.form.t(spec.short) if spec.short else label
        cur.field(spec.key, spec.type, label, short, cur.form.t(spec.help), spec.required, spec.list, spec.max)
    cur.gap()


def _flags_block(cur: _Cursor, block: FlagsBlock) -> None:
    if not _shown(cur.form, block):
        return
    cur.heading(block.heading)
    for choice in cur.form.definition.choices(block.list):
        name = cur.form.t(choice.label)
        short = cur.form.t(block.short or block.label, label=name)
        cur.field(f"{block.path}.{choice.key}", "yes_no", cur.form.t(block.label, label=name), short,
                  cur.form.t(block.help, label=name), block.required)
    cur.gap()


def _table_rows(form: Form, block: TableBlock) -> list[tuple[str, str]]:
    """(path segment, row label) for each row of a table block."""
    d = form.definition
    if block.rows_from == "coordinator":
        return [(k, form.scheme_label(k) if d.scheme(k) else form.text("coordinator_row")) for k in d.coordinator_keys()]
    if block.rows_from == "schemes":
        return [(s.key, form.t(s.label)) for s in d.schemes]
    if block.row_labels:
        return [(str(i), form.t(label)) for i, label in enumerate(block.row_labels, 1)]
    assert block.rows is not None and block.row_label is not None
    return [(str(i), form.t(block.row_label, n=i)) for i in range(1, block.rows + 1)]


def _table_block(cur: _Cursor, block: TableBlock) -> None:
    cur.heading(block.heading)
    if len(block.columns) == 2 and block.rows is not None and all(c.type != "long_text" for c in block.columns):
        _grid_table(cur, block)
    else:
        for seg, row_label in _table_rows(cur.form, block):
            cur.subheading(row_label)
            for col in block.columns:
                label = cur.form.t(col.label)
                cur.field(f"{block.path}.{seg}.{col.key}", col.type, label, f"{row_label}: {label}",
                          cur.form.t(col.help), list_name=col.list)
    cur.gap()


def _grid_table(cur: _Cursor, block: TableBlock) -> None:
    """Two columns side by side (A and B), one numbered row each: participants, say."""
    labels = [cur.form.t(c.label) for c in block.columns]
    for col, label in enumerate(labels):
        cur.static(label, "colhead", col=col)
    cur.row += 1
    for seg, row_label in _table_rows(cur.form, block):
        for col, spec in enumerate(block.columns):
            cur.input(f"{block.path}.{seg}.{spec.key}", spec.type, f"{row_label}: {labels[col]}",
                      f"{row_label}: {labels[col]}", cur.form.t(spec.help), col=col, list_name=spec.list)
        cur.sheet.grow_rows.add(cur.row)
        cur.row += 1


def _lines_block(cur: _Cursor, block: LinesBlock) -> None:
    """Itemised budget lines: amount in A, description in B, the sum below."""
    f = cur.form
    cur.heading(block.heading)
    cur.static(f.text("amount_header"), "colhead", col=0)
    cur.static(f.text("description_header"), "colhead", col=1)
    cur.row += 1
    party = f.text("owner" if block.total == "owner_amount" else "uh")
    for i in range(1, block.rows + 1):
        label = f.text("line_label", party=party, n=i)
        amount_label = f"{label}: {f.text('amount_header').lower()}"
        text_label = f"{label}: {f.text('description_header').lower()}"
        cur.input(f"{block.path}.{i}.amount", "amount", amount_label, amount_label, f.t(block.amount_help), col=0)
        cur.input(f"{block.path}.{i}.description", "text", text_label, text_label, f.t(block.description_help), col=1)
        cur.sheet.grow_rows.add(cur.row)
        cur.row += 1
    cur.formula(f"{cur.prefix}{block.total}", 0, "total")
    cur.static(f.t(block.total_label), "total", col=1)
    cur.row += 1
    cur.gap()


def _totals_block(cur: _Cursor, block: TotalsBlock) -> None:
    cur.heading(block.heading)
    cur.formula(f"{cur.prefix}total", 0, "total")
    cur.static(cur.form.t(block.total_label), "total", col=1)
    cur.row += 1
    if any(s.cofunding for s in cur.form.definition.schemes):
        cur.formula(f"{cur.prefix}required_cofunding", 0)
        cur.static(cur.form.t(block.required_label), "label", col=1)
        cur.row += 1


def _reference_block(cur: _Cursor, block: ReferenceBlock) -> None:
    if not (cur.form.reference and cur.sheet.key == "measure"):
        return
    cur.heading(block.heading)
    for party in ("owner", "uh"):
        label = cur.form.text(f"reference_{party}")
        cur.static(label, "label")
        cur.input(f"reference.{party}", "amount", label, label, label, locked=True)
        cur.row += 1
    cur.gap()


_BLOCKS: dict[str, Callable[[_Cursor, Any], None]] = {
    "fields": _fields_block, "flags": _flags_block, "table": _table_block, "lines": _lines_block,
    "totals": _totals_block, "reference": _reference_block,
}


def _draw(cur: _Cursor, blocks: tuple[Any, ...]) -> None:
    for block in blocks:
        _BLOCKS[block.kind](cur, block)
    cur.sheet.rows = cur.row


def _subtitle(form: Form) -> str:
    return form.text("subtitle", title=form.title)


def _guide(form: Form) -> SheetLayout:
    # One column as wide as an A4 portrait page, so the guide prints at full size.
    sheet = SheetLayout("guide", form.sheet("guide"), GUIDE_WIDTHS)
    cur = _Cursor(form, sheet)
    guide = form.definition.guide
    cur.title(form.title, form.t(guide.title))
    sheet.heights[0] = 44
    defaults = form.definition.defaults
    for paragraph in (*guide.paragraphs, guide.sending):
        text = form.t(paragraph, address=defaults.address, deadline=form.deadline_text)
        cur.wrapped(text, "paragraph", minimum=LINE_HEIGHT)
        sheet.heights[cur.row] = sheet.heights.get(cur.row, LINE_HEIGHT) + 4
        cur.row += 1
    cur.gap()
    facts = [
        (form.text("deadline_label"), form.deadline_text),
        (form.text("authority_label"), form.t(defaults.authority)),
        (form.text("contact_label"), form.t(defaults.contact)),
    ]
    if form.network:
        facts.append((form.text("network_label"), form.network))
    for label, value in facts:
        cur.wrapped(f"{label}: {value}", "fact")
        cur.row += 1
    sheet.rows = cur.row
    return sheet


def _partnership(form: Form) -> SheetLayout:
    sheet = SheetLayout("partnership", form.sheet("partnership"), FORM_WIDTHS, freeze_rows=1)
    cur = _Cursor(form, sheet)
    cur.title(form.t(form.definition.partnership.title), _subtitle(form))
    _draw(cur, form.definition.partnership.blocks)
    return sheet


def _measure(form: Form, n: int) -> SheetLayout:
    sheet = SheetLayout("measure", form.sheet("measure", n), FORM_WIDTHS, freeze_rows=1, number=n)
    cur = _Cursor(form, sheet, prefix=f"measures.{n}.")
    cur.title(form.t(form.definition.measure.title, n=n), _subtitle(form))
    _draw(cur, form.definition.measure.blocks)
    return sheet


MEASURE_COLUMNS = ("name", "scheme", "owner", "uh", "total", "cofunding", "coordinator")
SCHEME_COLUMNS = ("owner", "coordinator", "owner_incl", "uh", "total")


def _summary(form: Form, lines: set[str]) -> SheetLayout:
    spec = form.definition.summary
    sheet = SheetLayout("summary", form.sheet("summary"), SUMMARY_WIDTHS, freeze_rows=1)
    cur = _Cursor(form, sheet)
    cur.title(form.t(spec.title), _subtitle(form))
    _summary_measures(cur)
    _summary_schemes(cur)
    _summary_continuation(cur)
    _summary_count(cur)
    _summary_checks(cur, lines)
    sheet.rows = cur.row
    return sheet


def _summary_measures(cur: _Cursor) -> None:
    spec = cur.form.definition.summary
    cur.heading(spec.measures_heading)
    for col, label in enumerate(spec.measure_columns):
        cur.static(cur.form.t(label), "colhead", col=col)
    cur.sheet.heights[cur.row] = 30
    cur.row += 1
    styles = {"name": "text", "scheme": "text", "coordinator": "flag"}
    for n in range(1, cur.form.measures + 1):
        cur.static(str(n), "rowlabel")
        for col, key in enumerate(MEASURE_COLUMNS, start=1):
            cur.formula(f"summary.measures.{n}.{key}", col, styles.get(key, "quiet"))
        cur.sheet.heights[cur.row] = 2 * LINE_HEIGHT  # a formula's text never makes its row grow: room for two lines
        cur.sheet.grow_rows.add(cur.row)
        cur.row += 1
    cur.gap()


def _summary_schemes(cur: _Cursor) -> None:
    spec = cur.form.definition.summary
    cur.heading(spec.schemes_heading)
    for col, label in enumerate(spec.scheme_columns, start=1):
        cur.static(cur.form.t(label), "colhead", col=col)
    cur.sheet.heights[cur.row] = 30
    cur.row += 1
    for s in cur.form.definition.schemes:
        cur.wrapped(cur.form.t(s.label), "rowlabel", col=1)
        for col, key in enumerate(SCHEME_COLUMNS, start=2):
            cur.formula(f"summary.schemes.{s.key}.{key}", col)
        cur.row += 1
    if not cur.form.definition.coordinator.per_scheme:
        cur.static(cur.form.text("coordinator_row"), "rowlabel", col=1)
        for col, key in enumerate(SCHEME_COLUMNS, start=2):
            cur.formula(f"summary.schemes.shared.{key}", col)
        cur.row += 1
    cur.static(cur.form.t(spec.sum_label), "total", col=1)
    for col, key in enumerate(SCHEME_COLUMNS, start=2):
        cur.formula(f"summary.schemes.sum.{key}", col, "total")
    cur.row += 1
    cur.gap()


def _summary_continuation(cur: _Cursor) -> None:
    spec = cur.form.definition.summary
    cur.heading(spec.continuation_heading)
    for col, label in enumerate(spec.continuation_columns, start=1):
        cur.static(cur.form.t(label), "colhead", col=col)
    cur.row += 1
    for i, period in enumerate(continuation_labels(cur.form), 1):
        cur.static(period, "rowlabel", col=1)
        for col, key in enumerate(("owner", "uh", "total"), start=2):
            cur.formula(f"summary.continuation.{i}.{key}", col)
        cur.row += 1
    cur.gap()


def _summary_count(cur: _Cursor) -> None:
    spec = cur.form.definition.summary
    cur.heading(spec.count_heading)
    for key, label in (("declared", spec.count_declared), ("filled", spec.count_filled)):
        cur.wrapped(cur.form.t(label), "label", col=1)
        cur.formula(f"summary.count.{key}", 2, "integer")
        cur.row += 1
    cur.gap()


def _summary_checks(cur: _Cursor, lines: set[str]) -> None:
    spec = cur.form.definition.summary
    cur.heading(spec.checks_heading)
    cur.wrapped(cur.form.t(spec.checks_intro), "note", col=1, span=7)
    cur.row += 1
    for line in CHECK_LINES:
        if line not in lines:
            continue  # a policy the definition leaves out is not checked
        cur.wrapped(cur.form.t(spec.checks[line]), "label", col=1)
        cur.formula(f"summary.checks.{line}", 2, "check", span=6, name=CHECK_NAMES[line])
        cur.sheet.heights[cur.row] = CHECK_ROW_HEIGHT
        cur.row += 1


def continuation_labels(form: Form) -> list[str]:
    block = next(b for b in form.definition.measure.blocks if isinstance(b, TableBlock) and b.path == "continuation")
    return [form.t(label) for label in block.row_labels]


def _checks(form: Form, items: list[Any]) -> SheetLayout:
    """The hidden helper sheet: one flag row per measure, then one cell per check item."""
    sheet = SheetLayout("checks", form.sheet("checks"), CHECKS_WIDTHS, hidden=True)
    for n in range(1, form.measures + 1):
        sheet.statics.append(Static(sheet.name, n - 1, 0, form.text("measure", n=n), "plain"))
        for col, key in ((2, "filled"), (3, "asks"), (4, "looks")):
            sheet.formulas.append(FormulaSlot(f"checks.measures.{n}.{key}", sheet.name, n - 1, col, "integer"))
    row = form.measures
    sheet.statics.append(Static(sheet.name, row, 0, "max", "plain"))
    sheet.formulas.append(FormulaSlot("checks.max_amount", sheet.name, row, 2, "integer"))
    row += 1
    for item in items:
        sheet.statics.append(Static(sheet.name, row, 0, item.code, "plain"))
        sheet.statics.append(Static(sheet.name, row, 1, item.where, "plain"))
        sheet.formulas.append(FormulaSlot(item.key, sheet.name, row, 4, "plain"))
        row += 1
    sheet.rows = row
    return sheet


def _list_names(form: Form) -> list[str]:
    return ["schemes", *form.definition.lists]


def _lists(form: Form) -> SheetLayout:
    names = _list_names(form)
    sheet = SheetLayout("lists", form.sheet("lists"), tuple(24.0 for _ in names), hidden=True)
    for col, name in enumerate(names):
        sheet.statics.append(Static(sheet.name, 0, col, name, "plain"))
        for row, label in enumerate(form.choice_labels(name), 1):
            sheet.statics.append(Static(sheet.name, row, col, label, "plain"))
    sheet.rows = 1 + max(len(form.definition.choices(n)) for n in names)
    return sheet


def identity_values(form: Form) -> dict[str, str]:
    d = form.definition
    return {
        "form_id": d.form_id, "form_version": d.version, "year": str(form.year), "network": form.network,
        "measures": str(form.measures), "language": form.language, "reference": "1" if form.reference else "0",
        "generator": "behovxl",
    }


def _identity(form: Form) -> SheetLayout:
    sheet = SheetLayout("identity", form.sheet("identity"), (16.0, 48.0), hidden=True)
    values = identity_values(form)
    for row, key in enumerate(IDENTITY_KEYS):
        sheet.statics.append(Static(sheet.name, row, 0, key, "plain"))
        sheet.statics.append(Static(sheet.name, row, 1, values[key], "plain"))
    sheet.rows = len(IDENTITY_KEYS)
    return sheet
