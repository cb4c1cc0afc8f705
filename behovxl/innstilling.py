"""The forum's innstilling: the sheet where the samarbeidsforum writes its recommendation, and reading it back.

The `Innstilling` sheet of the regional workbook has one row per counted measure and one
row per network's coordinator money, grouped by scheme, each with the requested amounts
and two yellow input cells (recommended owner and UH amount, pre-filled with the request)
and a comment cell. Above them: the frame (*ramme*) per scheme against what is
recommended, the recommendation per network, and live check cells in Bokmål.

Every formula of the sheet is written once, as an expression (expr.py): `Layout` places
every cell and gives each formula cell its expression. The workbook carries `expr.xl()`
with `expr.ev()` as the cached value; `read_innstilling` rebuilds the same layout from the
hidden sheet `Oppsett` (what each row is: scheme, network, measure), reads the cells the
forum typed, evaluates the same expressions in Python (never trusting a cached value) and
compares every formula with its expression.

`run_innstilling(path)` is the `behovxl innstilling` command: it reads and checks the
innstilling, writes the allocation per network and scheme as JSON and CSV, and says in
Bokmål what is wrong and where.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

from xlsxwriter.utility import quote_sheetname as quote_sheet
from xlsxwriter.utility import xl_rowcol_to_cell as a1

from .csvfile import csv_bytes
from .errors import BehovxlError
from .expr import (
    AND,
    IF,
    ISTEXT,
    OR,
    Arith,
    Expr,
    Input,
    Lit,
    N,
    Slot,
    SumOf,
    Value,
    XlError,
    concat,
    kr,
)
from .findings import Finding, Severity, count, finding, sort_findings
from .findings import kr as kroner
from .limits import DEFAULT_LIMITS, Limits

__all__ = [
    "CHECKS", "COORDINATOR", "SETUP_SHEET", "SHEET", "Allocation", "DefinitionSpec", "InnstillingError", "Layout",
    "LineSpec", "LineView", "Mark", "NetworkSpec", "Outcome", "Refs", "SchemeSpec", "Spec", "Styles",
    "allocation_from_cells", "draw", "initial_values", "parse_setup", "read_innstilling", "recommendation_cell",
    "run_innstilling",
    "setup_rows", "write_setup",
]

SHEET = "Innstilling"
SETUP_SHEET = "Oppsett"
SETUP_MARK = "behovxl-innstilling"
SETUP_FORMAT = 1
#: The number of a coordinator line (measures count from 1).
COORDINATOR = 0

# The columns of the sheet. The summary blocks above the measure table reuse them: a label
# over A:E, amounts under F:L, so amounts stand in the same columns all the way down. (The
# scheme is the heading of each block of lines, so the lines need no column for it.)
C_NET, C_NO, C_NAME, C_PRI, C_DUR = range(5)
C_REQ_O, C_REQ_U, C_REQ_T, C_REC_O, C_REC_U, C_REC_T, C_CHECK, C_COMMENT = range(5, 13)
# Helper flags (0/1) that the check cells count; hidden, and outside the print area.
C_TEXT, C_NEG, C_ABOVE = 14, 15, 16
LAST_PRINTED = C_COMMENT
# The frame block: F frame, G requested, H recommended, I remaining, J share, K:M check, O over.
F_FRAME, F_REQ, F_REC, F_LEFT, F_SHARE, F_CHECK, F_OVER = 5, 6, 7, 8, 9, 10, C_TEXT

WIDTHS = {C_NET: 19, C_NO: 4, C_NAME: 22, C_PRI: 4, C_DUR: 12, C_REQ_O: 11, C_REQ_U: 11, C_REQ_T: 11,
          C_REC_O: 11, C_REC_U: 11, C_REC_T: 11, C_CHECK: 14, C_COMMENT: 18}

# ---------------------------------------------------------------- public API: what the sheet holds


@dataclass(frozen=True)
class DefinitionSpec:
    id: str
    label: str


@dataclass(frozen=True)
class SchemeSpec:
    key: str
    label: str
    short: str
    definition: str = ""
    framed: bool = True  # False for money under no scheme: there is no frame for it


@dataclass(frozen=True)
class NetworkSpec:
    key: str
    name: str


@dataclass(frozen=True)
class LineSpec:
    """One row of the measure table: a measure, or (number 0) a network's coordinator money in a scheme."""

    scheme: str
    network: str
    number: int


@dataclass(frozen=True)
class Spec:
    """Everything that decides where the cells of the sheet are; stored in the hidden sheet `Oppsett`."""

    year: int | None
    definitions: tuple[DefinitionSpec, ...]
    schemes: tuple[SchemeSpec, ...]
    networks: tuple[NetworkSpec, ...]
    lines: tuple[LineSpec, ...]            # grouped by scheme (in scheme order), then network, then number
    frame_given: tuple[str, ...] = ()      # schemes whose frame came from a file: locked values, not inputs
    #: (network key, scheme) -> last estimate for next round (owner, UH): carried into the JSON.
    estimates: tuple[tuple[str, str, int, int], ...] = ()


@dataclass(frozen=True)
class Mark:
    severity: Severity
    text: str


@dataclass(frozen=True)
class LineView:
    """What a line shows besides its cells' keys (all text from submissions, written as text)."""

    network: str
    number: int
    name: str
    priority: int | None
    duration: str
    owner: int
    uh: int | None
    marks: dict[str, Mark] = field(default_factory=dict)  # "owner" / "uh" -> mark on the requested amount


class InnstillingError(BehovxlError):
    """A file that is not a regional workbook with an innstilling we can read."""


# ---------------------------------------------------------------- the layout and its expressions

#: The check cells: what each makes sure of.
CHECKS = (
    ("over", "Anbefalt innenfor rammen i hver ordning"),
    ("frame", "Rammen er fylt ut for hver ordning"),
    ("above", "Ingen anbefaling er høyere enn det som er søkt om"),
    ("negative", "Ingen negative beløp"),
    ("text", "Alle beløp er skrevet som tall"),
)


class Layout:
    """Where every cell of the sheet is, and the expression of every formula cell.

    Keys: inputs `rec.{i}.owner`, `rec.{i}.uh`, `comment.{i}` and `frame.{scheme}` (locked when the
    frame came from a file); the requested amounts `req.{i}.owner`, `req.{i}.uh`; formulas `line.{i}.*`, `block.{scheme}.*`, `fr.{scheme}.*`,
    `fr.def.{id}.*`, `fr.all.*`, `net.{key}.*`, `net.all.*` and `chk.*`.
    """

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.pos: dict[str, tuple[int, int]] = {}
        self.inputs: list[str] = []        # unlocked cells the forum types in
        self.reads: list[str] = []         # every cell the formulas read: the inputs, the requested amounts…
        self.exprs: dict[str, Expr] = {}
        self.rows: dict[str, int] = {}     # named rows for drawing: headers, block headings, sums
        self.labels: dict[str, str] = {}   # how a finding names a cell: «Kompetansenettverk Salten, tiltak 1, eier»
        self.lines_of: dict[str, list[int]] = {}
        self._place()

    # -- reading it

    @property
    def framed(self) -> list[SchemeSpec]:
        return [s for s in self.spec.schemes if s.framed]

    def cell(self, key: str) -> str:
        row, col = self.pos[key]
        return a1(row, col)

    def where(self, key: str) -> str:
        label = self.labels.get(key)
        return f"{SHEET}!{self.cell(key)}" + (f" ({label})" if label else "")

    def texts(self, sheet: str = SHEET) -> dict[str, str]:
        """Formula text (without "=") of every formula cell, as seen from `sheet`."""
        refs = Refs(self, sheet)
        return {key: e.xl(refs) for key, e in self.exprs.items()}

    def ref(self, keys: Sequence[str], sheet: str) -> str:
        """A SUM over cells of this sheet, as another sheet writes it."""
        return SumOf(tuple(self._node(k) for k in keys)).xl(Refs(self, sheet))

    def evaluate(self, values: dict[str, Value]) -> dict[str, Value]:
        env = _Env(self, values)
        return {key: env.slot(key) for key in self.exprs}

    def _node(self, key: str) -> Expr:
        return Slot(key) if key in self.exprs else Input(key)

    # -- placing it

    def _place(self) -> None:
        row = 3
        row = self._frame_block(row)
        row = self._network_block(row + 1)
        row = self._check_block(row + 1)
        self._measure_table(row + 1)
        self._frame_formulas()
        self._network_formulas()
        self._check_formulas()

    def _frame_block(self, row: int) -> int:
        self.rows["frame.heading"], self.rows["frame.header"] = row, row + 1
        row += 2
        groups = self._definition_groups()
        grouped = {s.key for _, schemes in groups for s in schemes}
        for d, schemes in groups:
            for s in schemes:
                self._frame_row(f"fr.{s.key}", row, s)
                row += 1
            if len(groups) > 1:
                self.rows[f"fr.def.{d.id}"] = row
                self._frame_sum_cells(f"fr.def.{d.id}", row)
                row += 1
        for s in self.spec.schemes:
            if s.key not in grouped:
                self._frame_row(f"fr.{s.key}", row, s)
                row += 1
        if self.spec.schemes:
            self.rows["fr.all"] = row
            self._frame_sum_cells("fr.all", row)
            row += 1
        return row

    def _definition_groups(self) -> list[tuple[DefinitionSpec, list[SchemeSpec]]]:
        """The form definitions and their schemes (money under no scheme belongs to none)."""
        groups = [(d, [s for s in self.spec.schemes if s.definition == d.id]) for d in self.spec.definitions]
        return [(d, schemes) for d, schemes in groups if schemes]

    def _frame_row(self, k: str, row: int, s: SchemeSpec) -> None:
        self.rows[k] = row
        if s.framed:
            self.pos[f"frame.{s.key}"] = (row, F_FRAME)
            self.reads.append(f"frame.{s.key}")
            if s.key not in self.spec.frame_given:
                self.inputs.append(f"frame.{s.key}")
            for name, col in (("remaining", F_LEFT), ("over", F_OVER)):
                self.pos[f"{k}.{name}"] = (row, col)
        for name, col in (("requested", F_REQ), ("recommended", F_REC), ("share", F_SHARE), ("check", F_CHECK)):
            self.pos[f"{k}.{name}"] = (row, col)
        self.labels[f"{k}.recommended"] = f"anbefalt i {s.label}"

    def _frame_sum_cells(self, k: str, row: int) -> None:
        for name, col in (("frame", F_FRAME), ("requested", F_REQ), ("recommended", F_REC), ("remaining", F_LEFT),
                          ("share", F_SHARE)):
            self.pos[f"{k}.{name}"] = (row, col)

    def _network_block(self, row: int) -> int:
        self.rows["net.heading"], self.rows["net.header"] = row, row + 1
        row += 2
        for n in self.spec.networks:
            self.rows[f"net.{n.key}"] = row
            self._network_cells(f"net.{n.key}", row)
            row += 1
        self.rows["net.all"] = row
        self._network_cells("net.all", row)
        return row + 1

    def _network_cells(self, k: str, row: int) -> None:
        for name, col in (("req_owner", C_REQ_O), ("req_uh", C_REQ_U), ("req_total", C_REQ_T), ("rec_owner", C_REC_O),
                          ("rec_uh", C_REC_U), ("rec_total", C_REC_T), ("share", C_CHECK)):
            self.pos[f"{k}.{name}"] = (row, col)

    def _check_block(self, row: int) -> int:
        self.rows["chk.heading"] = row
        row += 1
        for name, _ in CHECKS:
            self.rows[f"chk.{name}"] = row
            self.pos[f"chk.{name}"] = (row, C_REQ_O)
            row += 1
        return row

    def _measure_table(self, row: int) -> None:
        self.rows["table.heading"], self.rows["table.header"] = row, row + 1
        row += 2
        names = {n.key: n.name for n in self.spec.networks}
        for s in self.spec.schemes:
            if not any(line.scheme == s.key for line in self.spec.lines):
                continue  # a scheme no network asks for: nothing to recommend
            self.rows[f"block.{s.key}.heading"] = row
            row += 1
            for i, line in enumerate(self.spec.lines):
                if line.scheme == s.key:
                    self._line_cells(i, line, row, names.get(line.network, line.network))
                    self.lines_of.setdefault(line.network, []).append(i)
                    row += 1
            self.rows[f"block.{s.key}"] = row
            for name, col in (("req_owner", C_REQ_O), ("req_uh", C_REQ_U), ("req_total", C_REQ_T),
                              ("rec_owner", C_REC_O), ("rec_uh", C_REC_U), ("rec_total", C_REC_T)):
                self.pos[f"block.{s.key}.{name}"] = (row, col)
            row += 1
        self.rows["end"] = row

    def _line_cells(self, i: int, line: LineSpec, row: int, network: str) -> None:
        self.rows[f"line.{i}"] = row
        cells = {"req.{i}.owner": C_REQ_O, "req.{i}.uh": C_REQ_U, "line.{i}.req_total": C_REQ_T,
                 "rec.{i}.owner": C_REC_O, "rec.{i}.uh": C_REC_U, "line.{i}.rec_total": C_REC_T,
                 "line.{i}.check": C_CHECK, "comment.{i}": C_COMMENT, "line.{i}.text": C_TEXT,
                 "line.{i}.negative": C_NEG, "line.{i}.above": C_ABOVE}
        for key, col in cells.items():
            self.pos[key.format(i=i)] = (row, col)
        self.reads += [f"req.{i}.owner", f"req.{i}.uh", f"rec.{i}.owner", f"rec.{i}.uh"]
        self.inputs += [f"rec.{i}.owner"] + ([f"rec.{i}.uh"] if line.number != COORDINATOR else []) + [f"comment.{i}"]
        what = "koordinator" if line.number == COORDINATOR else f"tiltak {line.number}"
        self.labels[f"rec.{i}.owner"] = f"{network}, {what}, eier"
        self.labels[f"rec.{i}.uh"] = f"{network}, {what}, UH"
        self.exprs.update(_line_exprs(i))

    # -- the formulas of the summary blocks

    def _frame_formulas(self) -> None:
        for s in self.spec.schemes:
            lines = [i for i, line in enumerate(self.spec.lines) if line.scheme == s.key]
            if lines:
                self.exprs.update(_block_exprs(f"block.{s.key}", lines))
            self.exprs.update(_frame_exprs(f"fr.{s.key}", s, f"block.{s.key}" if lines else ""))
        groups = self._definition_groups()
        if len(groups) > 1:
            for d, schemes in groups:
                self.exprs.update(_frame_sum_exprs(f"fr.def.{d.id}", schemes))
        if self.spec.schemes:
            self.exprs.update(_frame_sum_exprs("fr.all", list(self.spec.schemes)))

    def _network_formulas(self) -> None:
        for n in self.spec.networks:
            self.exprs.update(_network_exprs(f"net.{n.key}", self.lines_of.get(n.key, [])))
        keys = [f"net.{n.key}" for n in self.spec.networks]
        self.exprs.update(_network_total_exprs("net.all", keys))

    def _check_formulas(self) -> None:
        self.exprs.update(_check_exprs(self.framed, len(self.spec.lines)))


def _line_exprs(i: int) -> dict[str, Expr]:
    owner, uh = Input(f"rec.{i}.owner"), Input(f"rec.{i}.uh")
    req_owner, req_uh = Input(f"req.{i}.owner"), Input(f"req.{i}.uh")
    k = f"line.{i}."
    return {
        k + "req_total": SumOf((req_owner, req_uh)),
        k + "rec_total": SumOf((owner, uh)),
        k + "text": IF(OR(ISTEXT(owner), ISTEXT(uh)), 1, 0),
        k + "negative": IF(OR(N(owner).lt(0), N(uh).lt(0)), 1, 0),
        k + "above": IF(OR(N(owner).gt(N(req_owner)), N(uh).gt(N(req_uh))), 1, 0),
        k + "check": IF(Slot(k + "text").eq(1), "Skriv beløpet som tall",
                        IF(Slot(k + "negative").eq(1), "Negativt beløp",
                           IF(Slot(k + "above").eq(1), "Høyere enn søkt", ""))),
    }


def _block_exprs(k: str, lines: list[int]) -> dict[str, Expr]:
    def total(key: str) -> Expr:
        return SumOf(tuple(Input(key.format(i=i)) for i in lines)) if lines else Lit(0)

    return {
        f"{k}.req_owner": total("req.{i}.owner"),
        f"{k}.req_uh": total("req.{i}.uh"),
        f"{k}.req_total": Slot(f"{k}.req_owner") + Slot(f"{k}.req_uh"),
        f"{k}.rec_owner": total("rec.{i}.owner"),
        f"{k}.rec_uh": total("rec.{i}.uh"),
        f"{k}.rec_total": Slot(f"{k}.rec_owner") + Slot(f"{k}.rec_uh"),
    }


def _share(recommended: Expr, requested: Expr) -> Expr:
    return IF(requested.eq(0), "", Arith("/", recommended, requested))


def _frame_exprs(k: str, s: SchemeSpec, block: str) -> dict[str, Expr]:
    requested: Expr = Slot(f"{block}.req_total") if block else Lit(0)
    recommended: Expr = Slot(f"{block}.rec_total") if block else Lit(0)
    out: dict[str, Expr] = {f"{k}.requested": requested, f"{k}.recommended": recommended,
                            f"{k}.share": _share(Slot(f"{k}.recommended"), Slot(f"{k}.requested"))}
    rec = Slot(f"{k}.recommended")
    if not s.framed:
        out[f"{k}.check"] = IF(rec.eq(0), "OK", "Avklar ordningen med nettverket før det anbefales midler")
        return out
    f = Input(f"frame.{s.key}")
    over = Slot(f"{k}.over")
    out[f"{k}.remaining"] = IF(f.eq(""), "", f - rec)
    out[f"{k}.over"] = IF(OR(f.eq(""), ISTEXT(f)), 0, IF(rec.gt(f), rec - f, 0))
    out[f"{k}.check"] = IF(f.eq(""), IF(rec.eq(0), "OK", "Rammen er ikke fylt ut"),
                           IF(ISTEXT(f), "Rammen må være et tall",
                              IF(f.lt(0), "Rammen kan ikke være negativ",
                                 IF(over.gt(0), concat("Over rammen med ", kr(over), " kr"), "OK"))))
    return out


def _frame_sum_exprs(k: str, schemes: list[SchemeSpec]) -> dict[str, Expr]:
    frames = tuple(Input(f"frame.{s.key}") for s in schemes if s.framed)
    requested = SumOf(tuple(Slot(f"fr.{s.key}.requested") for s in schemes))
    recommended = SumOf(tuple(Slot(f"fr.{s.key}.recommended") for s in schemes))
    out: dict[str, Expr] = {f"{k}.requested": requested, f"{k}.recommended": recommended,
                            f"{k}.share": _share(Slot(f"{k}.recommended"), Slot(f"{k}.requested"))}
    if frames:
        missing = OR(*(f.eq("") for f in frames))
        out[f"{k}.frame"] = SumOf(frames)
        out[f"{k}.remaining"] = IF(missing, "", Slot(f"{k}.frame") - Slot(f"{k}.recommended"))
    return out


def _network_exprs(k: str, lines: list[int]) -> dict[str, Expr]:
    def total(key: str) -> Expr:
        return SumOf(tuple(Input(key.format(i=i)) for i in lines)) if lines else Lit(0)

    return {
        f"{k}.req_owner": total("req.{i}.owner"),
        f"{k}.req_uh": total("req.{i}.uh"),
        f"{k}.req_total": Slot(f"{k}.req_owner") + Slot(f"{k}.req_uh"),
        f"{k}.rec_owner": total("rec.{i}.owner"),
        f"{k}.rec_uh": total("rec.{i}.uh"),
        f"{k}.rec_total": Slot(f"{k}.rec_owner") + Slot(f"{k}.rec_uh"),
        f"{k}.share": _share(Slot(f"{k}.rec_total"), Slot(f"{k}.req_total")),
    }


def _network_total_exprs(k: str, rows: list[str]) -> dict[str, Expr]:
    out: dict[str, Expr] = {}
    for name in ("req_owner", "req_uh", "rec_owner", "rec_uh"):
        out[f"{k}.{name}"] = SumOf(tuple(Slot(f"{r}.{name}") for r in rows)) if rows else Lit(0)
    out[f"{k}.req_total"] = Slot(f"{k}.req_owner") + Slot(f"{k}.req_uh")
    out[f"{k}.rec_total"] = Slot(f"{k}.rec_owner") + Slot(f"{k}.rec_uh")
    out[f"{k}.share"] = _share(Slot(f"{k}.rec_total"), Slot(f"{k}.req_total"))
    return out


def _check_exprs(framed: list[SchemeSpec], lines: int) -> dict[str, Expr]:
    over = concat(*(IF(Slot(f"fr.{s.key}.over").gt(0), concat(s.short, ": ", kr(Slot(f"fr.{s.key}.over")),
                                                                " kr over rammen. "), "") for s in framed)) \
        if framed else Lit("")
    missing = concat(*(IF(AND(Input(f"frame.{s.key}").eq(""), Slot(f"fr.{s.key}.recommended").ne(0)),
                          concat(s.short, ". "), "") for s in framed)) \
        if framed else Lit("")
    out: dict[str, Expr] = {
        "chk.over": IF(over.eq(""), "OK", over),
        "chk.frame": IF(missing.eq(""), "OK", concat("Rammen mangler for: ", missing)),
    }
    frames = [Input(f"frame.{s.key}") for s in framed]
    counts = {
        "above": ("above", [], " anbefaling(er) er høyere enn det som er søkt om. Se kolonnen «Kontroll»."),
        "negative": ("negative", [IF(N(f).lt(0), 1, 0) for f in frames], " beløp er negative. Se kolonnen «Kontroll»."),
        "text": ("text", [IF(ISTEXT(f), 1, 0) for f in frames],
                 " beløp er skrevet som tekst og kommer ikke med i summene. Se kolonnen «Kontroll»."),
    }
    for name, (flag, extra, words) in counts.items():
        total: Expr = SumOf(tuple(Slot(f"line.{i}.{flag}") for i in range(lines))) if lines else Lit(0)
        for e in extra:
            total = total + e
        out[f"chk.{name}"] = IF(total.eq(0), "OK", concat(total, words))
    return out


class Refs:
    """How a sheet refers to the Innstilling sheet's cells (expr.Refs)."""

    def __init__(self, layout: Layout, sheet: str = SHEET) -> None:
        self.layout, self.sheet = layout, sheet

    def _cell(self, row: int, col: int) -> str:
        return a1(row, col) if self.sheet == SHEET else f"{quote_sheet(SHEET)}!{a1(row, col)}"

    def _pos(self, e: Expr) -> tuple[int, int]:
        if isinstance(e, Input):
            return self.layout.pos[e.path]
        if isinstance(e, Slot):
            return self.layout.pos[e.key]
        raise TypeError(f"not a cell: {e!r}")

    def input_ref(self, path: str) -> str:
        return self._cell(*self.layout.pos[path])

    def slot_ref(self, key: str) -> str:
        return self._cell(*self.layout.pos[key])

    def range_ref(self, refs: Sequence[Expr]) -> str | None:
        runs = self.runs(refs)
        return runs[0] if len(runs) == 1 else None

    def runs(self, refs: Sequence[Expr]) -> list[str]:
        """Consecutive cells of one column become one range."""
        out: list[str] = []
        spans: list[list[tuple[int, int]]] = []
        for e in refs:
            pos = self._pos(e)
            last = spans[-1][-1] if spans else None
            if last and pos[1] == last[1] and pos[0] == last[0] + 1:
                spans[-1].append(pos)
            else:
                spans.append([pos])
        for span in spans:
            head = self._cell(*span[0])
            out.append(head if len(span) == 1 else f"{head}:{a1(*span[-1])}")
        return out


class _Env:
    def __init__(self, layout: Layout, values: dict[str, Value]) -> None:
        self.layout, self.values = layout, values
        self._memo: dict[str, Value] = {}

    def input(self, path: str) -> Value:
        return self.values.get(path)

    def slot(self, key: str) -> Value:
        if key not in self._memo:
            self._memo[key] = self.layout.exprs[key].ev(self)
        return self._memo[key]


# ---------------------------------------------------------------- drawing the sheet


class Styles(Protocol):
    """What the regional writer lends this sheet: its formats, marked variants and row heights."""

    def fmt(self, name: str) -> Any: ...
    def marked(self, name: str, mark: Mark) -> Any: ...
    def height(self, cells: list[tuple[Any, float]]) -> float: ...


def initial_values(layout: Layout, views: dict[int, LineView], frame: dict[str, int]) -> dict[str, Value]:
    """The cells as written: requested amounts, recommendations pre-filled with them, the frame if given."""
    values: dict[str, Value] = {}
    for i in range(len(layout.spec.lines)):
        v = views[i]
        values[f"req.{i}.owner"] = values[f"rec.{i}.owner"] = v.owner
        if v.uh is not None:
            values[f"req.{i}.uh"] = values[f"rec.{i}.uh"] = v.uh
    for s in layout.framed:
        if s.key in frame:
            values[f"frame.{s.key}"] = frame[s.key]
    return values


def draw(book: Any, layout: Layout, views: dict[int, LineView], styles: Styles, *, title: str,
         frame: dict[str, int]) -> Any:
    """Add the Innstilling sheet to `book`; return the worksheet (print settings are the caller's)."""
    ws = book.add_worksheet(SHEET)
    values = initial_values(layout, views, frame)
    _Drawer(ws, layout, views, styles, values).draw(title)
    return ws


class _Drawer:
    def __init__(self, ws: Any, layout: Layout, views: dict[int, LineView], styles: Styles,
                 values: dict[str, Value]) -> None:
        self.ws, self.layout, self.views, self.s, self.values = ws, layout, views, styles, values
        self.unlocked = set(layout.inputs)
        self.results = layout.evaluate(values)
        self.texts = layout.texts()

    def draw(self, title: str) -> None:
        ws, rows = self.ws, self.layout.rows
        for col, width in WIDTHS.items():
            ws.set_column(col, col, width)
        ws.set_column(C_COMMENT + 1, C_COMMENT + 1, 2)
        ws.set_column(C_TEXT, C_ABOVE, 6, None, {"hidden": True})
        ws.write_string(0, 0, title, self.s.fmt("title"))
        ws.set_row(0, 22)
        self._note()
        self._frame_rows()
        self._network_rows()
        self._section(rows["chk.heading"], "Kontroll")
        for name, label in CHECKS:
            ws.merge_range(rows[f"chk.{name}"], 0, rows[f"chk.{name}"], C_DUR, label, self.s.fmt("wrap"))
        self._table()
        for key in self.layout.exprs:
            self._formula(key)
        self._checks_coloured()
        ws.protect("", {"select_locked_cells": True, "select_unlocked_cells": True, "format_columns": True,
                        "format_rows": True})

    def _note(self) -> None:
        text = ("Skriv samarbeidsforumets anbefaling i de gule cellene: anbefalt beløp til eier og til UH for hvert "
                "tiltak, og til koordinator. De er fylt ut med beløpene nettverkene har søkt om. Summene, rammen og "
                "kontrollene regnes ut av seg selv. Alle andre celler er låst. Beløp i hele kroner.")
        self.ws.merge_range(1, 0, 1, LAST_PRINTED, text, self.s.fmt("note"))
        self.ws.set_row(1, self.s.height([(text, sum(WIDTHS.values()))]))

    def _section(self, row: int, text: str) -> None:
        self.ws.merge_range(row, 0, row, LAST_PRINTED, text, self.s.fmt("section"))
        self.ws.set_row(row, 18)

    def _headers(self, row: int, labels: dict[tuple[int, int], str]) -> None:
        for (first, last), text in labels.items():
            if last > first:
                self.ws.merge_range(row, first, row, last, text, self.s.fmt("header"))
            else:
                self.ws.write_string(row, first, text, self.s.fmt("header"))
        self.ws.set_row(row, 30)

    def _label(self, row: int, text: str, style: str = "wrap") -> None:
        self.ws.merge_range(row, 0, row, C_DUR, text, self.s.fmt(style))

    def _frame_rows(self) -> None:
        rows = self.layout.rows
        self._section(rows["frame.heading"], "Ramme og anbefaling per ordning")
        self._headers(rows["frame.header"], {(0, C_DUR): "Ordning", (F_FRAME, F_FRAME): "Ramme",
                                             (F_REQ, F_REQ): "Omsøkt", (F_REC, F_REC): "Anbefalt",
                                             (F_LEFT, F_LEFT): "Gjenstår av rammen", (F_SHARE, F_SHARE): "Andel av omsøkt",
                                             (F_CHECK, LAST_PRINTED): "Kontroll"})
        for s in self.layout.spec.schemes:
            row = rows[f"fr.{s.key}"]
            self._label(row, f"{s.label} ({s.short})" if s.short and s.short != s.label else s.label)
            if s.framed:
                self._amount_cell(f"frame.{s.key}")
            else:
                self.ws.write_blank(row, F_FRAME, None, self.s.fmt("amount"))
        for d in self.layout.spec.definitions:
            if f"fr.def.{d.id}" in rows:
                self._label(rows[f"fr.def.{d.id}"], f"Sum {d.label}", "label_sum")
        if "fr.all" in rows:
            self._label(rows["fr.all"], "Alle ordninger", "label_total")

    def _network_rows(self) -> None:
        rows = self.layout.rows
        self._section(rows["net.heading"], "Anbefalt per nettverk (eier inkluderer koordinator)")
        self._headers(rows["net.header"], {(0, C_DUR): "Nettverk", (C_REQ_O, C_REQ_O): "Omsøkt eier",
                                           (C_REQ_U, C_REQ_U): "Omsøkt UH", (C_REQ_T, C_REQ_T): "Omsøkt totalt",
                                           (C_REC_O, C_REC_O): "Anbefalt eier", (C_REC_U, C_REC_U): "Anbefalt UH",
                                           (C_REC_T, C_REC_T): "Anbefalt totalt", (C_CHECK, C_CHECK): "Andel av omsøkt"})
        for n in self.layout.spec.networks:
            self._label(rows[f"net.{n.key}"], n.name)
        self._label(rows["net.all"], "Alle nettverk", "label_total")

    def _table(self) -> None:
        rows, spec = self.layout.rows, self.layout.spec
        self._section(rows["table.heading"], "Tiltak og koordinator: skriv anbefalt beløp i de gule cellene")
        heads = ("Nettverk", "Nr.", "Tiltak", "Pri.", "Varighet", "Omsøkt eier", "Omsøkt UH",
                 "Omsøkt totalt", "Anbefalt eier", "Anbefalt UH", "Anbefalt totalt", "Kontroll", "Kommentar")
        self._headers(rows["table.header"], {(c, c): h for c, h in enumerate(heads)})
        for s in spec.schemes:
            if f"block.{s.key}" not in rows:
                continue
            row = rows[f"block.{s.key}.heading"]
            self.ws.merge_range(row, 0, row, LAST_PRINTED, s.label, self.s.fmt("block"))
            self._label(rows[f"block.{s.key}"], f"Sum {s.label}", "label_sum")
        for i in range(len(spec.lines)):
            self._line(i)

    def _line(self, i: int) -> None:
        v, row, ws = self.views[i], self.layout.rows[f"line.{i}"], self.ws
        ws.write_string(row, C_NET, v.network, self.s.fmt("wrap"))
        if v.number == COORDINATOR:
            ws.write_blank(row, C_NO, None, self.s.fmt("number"))
        else:
            ws.write_number(row, C_NO, v.number, self.s.fmt("number"))
        for col, text in ((C_NAME, v.name), (C_DUR, v.duration)):
            if text:
                ws.write_string(row, col, text, self.s.fmt("wrap"))
            else:
                ws.write_blank(row, col, None, self.s.fmt("wrap"))
        if v.priority is None:
            ws.write_blank(row, C_PRI, None, self.s.fmt("number"))
        else:
            ws.write_number(row, C_PRI, v.priority, self.s.fmt("number"))
        self._amount_cell(f"req.{i}.owner", v.marks.get("owner"))
        self._amount_cell(f"req.{i}.uh", v.marks.get("uh"))
        self._amount_cell(f"rec.{i}.owner")
        self._amount_cell(f"rec.{i}.uh")
        r, c = self.layout.pos[f"comment.{i}"]
        ws.write_blank(r, c, None, self.s.fmt("input_text"))
        ws.data_validation(r, c, r, c, {"validate": "length", "criteria": "<=", "value": 1000,
                                        "error_message": "Kommentaren kan være høyst 1000 tegn."})
        texts: list[tuple[Any, float]] = [(v.network, WIDTHS[C_NET]), (v.name, WIDTHS[C_NAME]),
                                          (v.duration, WIDTHS[C_DUR])]
        ws.set_row(row, self.s.height(texts))

    def _amount_cell(self, key: str, mark: Mark | None = None) -> None:
        row, col = self.layout.pos[key]
        value = self.values.get(key)
        is_input = key in self.unlocked
        style = "input_amount" if is_input else "amount"
        fmt = self.s.marked(style, mark) if mark else self.s.fmt(style)
        if mark:
            self.ws.write_comment(row, col, mark.text[:2000], {"author": "behovxl", "x_scale": 3, "y_scale": 2.5})
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            self.ws.write_number(row, col, value, fmt)
        else:
            self.ws.write_blank(row, col, None, fmt)
        if is_input:
            self.ws.data_validation(row, col, row, col, {
                "validate": "integer", "criteria": "between", "minimum": 0, "maximum": 1_000_000_000,
                "error_title": "Beløp i hele kroner", "error_message": "Skriv et helt kronebeløp, 0 eller mer, uten tekst.",
            })

    def _formula(self, key: str) -> None:
        row, col = self.layout.pos[key]
        value = self.results[key]
        fmt = self.s.fmt(_formula_style(key))
        span = _span(key)
        if span:
            self.ws.merge_range(row, col, row, span, "", fmt)
        self.ws.write_formula(row, col, "=" + self.texts[key], fmt, _cached(value))

    def _checks_coloured(self) -> None:
        """«OK» green, any other text red: in the frame's check column, the check block and the lines' checks."""
        rows = self.layout.rows
        ranges = [(rows["frame.header"] + 1, rows.get("fr.all", rows["frame.header"] + 1), F_CHECK),
                  (rows[f"chk.{CHECKS[0][0]}"], rows[f"chk.{CHECKS[-1][0]}"], C_REQ_O),
                  (rows["table.header"] + 1, max(rows["end"] - 1, rows["table.header"] + 1), C_CHECK)]
        for top, bottom, col in ranges:
            cell = a1(top, col)
            self.ws.conditional_format(top, col, bottom, col, {"type": "cell", "criteria": "==", "value": '"OK"',
                                                               "format": self.s.fmt("ok")})
            self.ws.conditional_format(top, col, bottom, col, {
                "type": "formula", "criteria": f'=AND({cell}<>"OK",{cell}<>"")', "format": self.s.fmt("bad")})


def _formula_style(key: str) -> str:
    if key.endswith(".share"):
        return "percent_total" if key.startswith(("fr.all", "net.all")) else "percent_sum"
    if key.startswith("chk.") or key.endswith(".check"):
        return "check"
    if key.endswith((".text", ".negative", ".above")):
        return "number"
    if key.startswith(("fr.all", "net.all")):
        return "amount_total"
    if key.startswith(("fr.def", "block.")):
        return "amount_subtotal"
    return "amount_sum"


def _span(key: str) -> int:
    """The last column of a merged formula cell, or 0."""
    if key.startswith("chk."):
        return LAST_PRINTED
    if key.startswith("fr.") and key.endswith(".check"):
        return LAST_PRINTED
    return 0


def _cached(value: Value) -> Any:
    if isinstance(value, XlError):
        return value.code
    if isinstance(value, Decimal):
        return float(value)
    if value is None:
        return 0
    return value


# ---------------------------------------------------------------- the hidden sheet Oppsett


def write_setup(book: Any, spec: Spec) -> None:
    """The hidden, locked sheet that says what each row of the Innstilling sheet is."""
    ws = book.add_worksheet(SETUP_SHEET)
    for r, row in enumerate(setup_rows(spec)):
        for c, v in enumerate(row):
            if isinstance(v, int):
                ws.write_number(r, c, v)
            else:
                ws.write_string(r, c, v)
    ws.set_column(0, 0, 12)
    ws.hide()
    ws.protect("", {"select_locked_cells": True})


def setup_rows(spec: Spec) -> list[list[str | int]]:
    rows: list[list[str | int]] = [
        [SETUP_MARK, SETUP_FORMAT, spec.year or ""],
        ["Dette arket brukes av behovxl for å lese innstillingen. Ikke endre det."],
        ["frame", *spec.frame_given],
    ]
    rows += [["definition", d.id, d.label] for d in spec.definitions]
    rows += [["scheme", s.key, s.label, s.short, s.definition, 1 if s.framed else 0] for s in spec.schemes]
    rows += [["network", n.key, n.name] for n in spec.networks]
    rows += [["line", line.scheme, line.network, line.number] for line in spec.lines]
    rows += [["estimate", network, scheme, owner, uh] for network, scheme, owner, uh in spec.estimates]
    return rows


def parse_setup(rows: list[list[Any]]) -> Spec:
    """The spec back from the setup rows; InnstillingError if they are not ours or were changed."""
    if not rows or len(rows[0]) < 2 or rows[0][0] != SETUP_MARK or _int(rows[0][1]) != SETUP_FORMAT:
        raise InnstillingError(_NOT_OURS)
    year = _int(rows[0][2]) if len(rows[0]) > 2 else None
    parts: dict[str, list[list[Any]]] = {}
    for row in rows[1:]:
        if row and isinstance(row[0], str):
            parts.setdefault(row[0], []).append(row[1:])
    try:
        spec = Spec(
            year=year,
            definitions=tuple(DefinitionSpec(_text(r[0]), _text(r[1])) for r in parts.get("definition", [])),
            schemes=tuple(SchemeSpec(_text(r[0]), _text(r[1]), _text(r[2]), _text(r[3]), _int(r[4]) == 1)
                          for r in parts.get("scheme", [])),
            networks=tuple(NetworkSpec(_text(r[0]), _text(r[1])) for r in parts.get("network", [])),
            lines=tuple(LineSpec(_text(r[0]), _text(r[1]), _whole(r[2])) for r in parts.get("line", [])),
            frame_given=tuple(_text(v) for r in parts.get("frame", []) for v in r if v not in (None, "")),
            estimates=tuple((_text(r[0]), _text(r[1]), _whole(r[2]), _whole(r[3])) for r in parts.get("estimate", [])),
        )
    except (IndexError, TypeError, ValueError):
        raise InnstillingError(_CHANGED) from None
    _check_spec(spec)
    return spec


_NOT_OURS = ("er ikke en regional arbeidsbok fra behovxl med innstilling: arkene «Innstilling» og «Oppsett» "
             "mangler eller er endret. Lag arbeidsboken med «behovxl consolidate», og skriv innstillingen i arket "
             "«Innstilling».")
_CHANGED = ("Det skjulte arket «Oppsett» er endret, så det går ikke å vite hvilke rader i «Innstilling» som hører "
            "til hvilke tiltak. Bruk en kopi av arbeidsboken slik «behovxl consolidate» skrev den, og skriv "
            "innstillingen på nytt der.")


def _check_spec(spec: Spec) -> None:
    schemes = [s.key for s in spec.schemes]
    networks = [n.key for n in spec.networks]
    if len(set(schemes)) != len(schemes) or len(set(networks)) != len(networks):
        raise InnstillingError(_CHANGED)
    order = {k: i for i, k in enumerate(schemes)}
    last = -1
    for line in spec.lines:
        if line.scheme not in order or line.network not in networks or line.number < 0:
            raise InnstillingError(_CHANGED)
        if order[line.scheme] < last:
            raise InnstillingError(_CHANGED)
        last = order[line.scheme]


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    raise ValueError(v)


def _int(v: Any) -> int | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return v
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return None


def _whole(v: Any) -> int:
    n = _int(v)
    if n is None:
        raise ValueError(v)
    return n


# ---------------------------------------------------------------- reading the innstilling back


@dataclass
class Allocation:
    """An innstilling read back: the cells as typed, every figure recomputed, and what is wrong."""

    name: str
    layout: Layout
    values: dict[str, Value]       # the cells the formulas read, as the spreadsheet sees them
    results: dict[str, Value]      # every formula, computed in Python
    texts: dict[str, str]          # comments, and the names shown on the lines
    findings: list[Finding]

    @property
    def spec(self) -> Spec:
        return self.layout.spec

    @property
    def exit_code(self) -> int:
        return 1 if count(self.findings, Severity.ERROR) else 0

    def amount(self, key: str) -> int:
        """A cell as SUM counts it: numbers only, text and blanks 0."""
        v = self.values.get(key)
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            return 0
        return int(v) if float(v).is_integer() else v  # type: ignore[return-value]

    def frame(self) -> dict[str, int | None]:
        out: dict[str, int | None] = {}
        for s in self.layout.framed:
            v = self.values.get(f"frame.{s.key}")
            out[s.key] = v if isinstance(v, int) and not isinstance(v, bool) else None
        return out

    def networks(self) -> list[dict[str, Any]]:
        """The allocation per network and scheme, and per measure, as the JSON carries it."""
        estimates = {(n, s): (o, u) for n, s, o, u in self.spec.estimates}
        out = []
        for n in self.spec.networks:
            lines = [(i, self.spec.lines[i]) for i in self.layout.lines_of.get(n.key, [])]
            schemes: dict[str, dict[str, Any]] = {}
            for i, line in lines:
                fig = schemes.setdefault(line.scheme, {"owner": 0, "coordinator": 0, "uh": 0, "total": 0,
                                                       "requested": 0})
                owner, uh = self.amount(f"rec.{i}.owner"), self.amount(f"rec.{i}.uh")
                fig["coordinator" if line.number == COORDINATOR else "owner"] += owner
                fig["uh"] += uh
                fig["total"] += owner + uh
                fig["requested"] += self.amount(f"req.{i}.owner") + self.amount(f"req.{i}.uh")
            for scheme, fig in schemes.items():
                est = estimates.get((n.key, scheme))
                fig["estimate_next_round"] = {"owner": est[0], "uh": est[1]} if est else None
            measures = sorted((self._measure(i, line) for i, line in lines if line.number != COORDINATOR),
                              key=lambda m: m["number"])
            out.append({"network": n.name, "schemes": schemes, "measures": measures})
        return out

    def _measure(self, i: int, line: LineSpec) -> dict[str, Any]:
        return {"number": line.number, "scheme": line.scheme, "name": self.texts.get(f"name.{i}", ""),
                "owner": self.amount(f"rec.{i}.owner"), "uh": self.amount(f"rec.{i}.uh"),
                "requested_owner": self.amount(f"req.{i}.owner"), "requested_uh": self.amount(f"req.{i}.uh"),
                "comment": self.texts.get(f"comment.{i}") or None}

    def schemes(self) -> list[dict[str, Any]]:
        frame = self.frame()
        out = []
        for s in self.spec.schemes:
            recommended = _number(self.results.get(f"fr.{s.key}.recommended"))
            requested = _number(self.results.get(f"fr.{s.key}.requested"))
            given = frame.get(s.key)
            out.append({"scheme": s.key, "label": s.label, "frame": given, "requested": requested,
                        "recommended": recommended, "remaining": None if given is None else given - recommended})
        return out

    def json_bytes(self) -> bytes:
        data = {
            "behovxl": "innstilling",
            "year": self.spec.year,
            "file": self.name,
            "frame": self.frame(),
            "schemes": self.schemes(),
            "networks": self.networks(),
            "findings": [{**f.model_dump(mode="json"), "message": f.text_nb} for f in self.findings],
        }
        return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")

    def csv_files(self) -> dict[str, bytes]:
        labels = {s.key: s.label for s in self.spec.schemes}
        shares = [["Nettverk", "Ordning", "Anbefalt eier", "Anbefalt koordinator", "Anbefalt UH", "Anbefalt totalt",
                   "Omsøkt totalt"]]
        lines = [["Nettverk", "Nr.", "Tiltak", "Ordning", "Omsøkt eier", "Omsøkt UH", "Anbefalt eier", "Anbefalt UH",
                  "Kommentar"]]
        for n in self.networks():
            for key, fig in n["schemes"].items():
                shares.append([n["network"], labels.get(key, key), fig["owner"], fig["coordinator"], fig["uh"],
                               fig["total"], fig["requested"]])
            for m in n["measures"]:
                lines.append([n["network"], m["number"], m["name"], labels.get(m["scheme"], m["scheme"]),
                              m["requested_owner"], m["requested_uh"], m["owner"], m["uh"], m["comment"]])
        problems: list[list[Any]] = [["Ark", "Celle", "Alvorlighet", "Kode", "Melding"]]
        problems += [[f.sheet, f.cell, f.severity.label, f.code, f.text_nb] for f in self.findings]
        return {"fordeling.csv": csv_bytes(shares), "innstilling.csv": csv_bytes(lines),
                "innstilling-avvik.csv": csv_bytes(problems)}

    def text(self) -> str:
        errors, warnings = count(self.findings, Severity.ERROR), count(self.findings, Severity.WARNING)
        year = f" for {self.spec.year}" if self.spec.year else ""
        verdict = "ingen avvik" if not self.findings else \
            f"{errors} feil, {warnings} {'advarsel' if warnings == 1 else 'advarsler'}"
        lines = [f"{self.name}: innstilling{year}, {verdict}"]
        for f in self.findings:
            lines.append(f"  {_LABELS[f.severity]:<9} {f.text_nb}")
            lines.append(f"  {'':<9} {f.sheet}!{f.cell} · {f.code}")
        lines += ["", "Per ordning:"]
        width = max([len(s["label"]) for s in self.schemes()] + [10])
        for s in self.schemes():
            if s["requested"] or s["recommended"] or s["frame"] is not None:  # a scheme nobody applied in is noise here
                lines.append(f"  {s['label']:<{width}}  {_scheme_line(s)}")
        lines += ["", "Per nettverk:"]
        width = max([len(n.name) for n in self.spec.networks] + [10])
        for n in self.networks():
            rec = sum(f["total"] for f in n["schemes"].values())
            req = sum(f["requested"] for f in n["schemes"].values())
            lines.append(f"  {n['network']:<{width}}  anbefalt {kroner(rec)} kr av {kroner(req)} kr omsøkt")
        return "\n".join(lines)


_LABELS = {Severity.ERROR: "FEIL", Severity.WARNING: "ADVARSEL", Severity.INFO: "INFO"}


def _scheme_line(s: dict[str, Any]) -> str:
    if not s["requested"] and not s["recommended"]:
        return "ingen søknader" + ("" if s["frame"] is None else f"; rammen er {kroner(s['frame'])} kr")
    text = f"anbefalt {kroner(s['recommended'])} kr av {kroner(s['requested'])} kr omsøkt"
    if s["frame"] is None:
        return text + "; rammen er ikke fylt ut"
    left = s["remaining"]
    where = f"{kroner(left)} kr igjen" if left >= 0 else f"{kroner(-left)} kr over rammen"
    return text + f"; rammen er {kroner(s['frame'])} kr, {where}"


def _number(v: Value) -> int:
    if isinstance(v, bool) or not isinstance(v, (int, float, Decimal)):
        return 0
    return int(v)


def read_innstilling(data: bytes, name: str = "", limits: Limits = DEFAULT_LIMITS) -> Allocation:
    """Read and check the innstilling in a regional workbook's bytes; InnstillingError if it has none."""
    from .package import PackageError, open_package

    shown = name or "Filen"
    try:
        package = open_package(data, limits)
        if SHEET not in package.sheet_names or SETUP_SHEET not in package.sheet_names:
            raise InnstillingError(f"{shown} {_NOT_OURS}")
        setup = package.cells(SETUP_SHEET)
        spec = parse_setup(_rows(setup))
        layout = Layout(spec)
        wanted = set(layout.pos.values()) | {(layout.rows[f"line.{i}"], c) for i in range(len(spec.lines))
                                             for c in (C_NET, C_NAME)}
        cells = package.cells(SHEET, wanted)
    except PackageError:
        raise InnstillingError(f"{shown} kan ikke leses som en Excel-arbeidsbok (.xlsx). Oppgi den regionale "
                               "arbeidsboken som «behovxl consolidate» laget, med innstillingen skrevet inn.") from None
    except InnstillingError as exc:
        text = str(exc)
        raise InnstillingError(text if text.startswith(shown) else f"{shown}: {text}") from None
    return allocation_from_cells(name, layout, cells)


def recommendation_cell(data: bytes, network: str, number: int, party: str = "owner") -> str:
    """Where the forum types its recommendation for a measure (number 0: the coordinator), e.g. «J57».

    `network` is the network's name as the regional workbook shows it; `party` is "owner" or "uh".
    """
    from .package import open_package
    from .roster import network_key

    package = open_package(data)
    spec = parse_setup(_rows(package.cells(SETUP_SHEET)))
    keys = {n.key for n in spec.networks if network_key(n.name) == network_key(network)}
    for i, line in enumerate(spec.lines):
        if line.network in keys and line.number == number:
            return Layout(spec).cell(f"rec.{i}.{party}")
    raise InnstillingError(f"Innstillingen har ingen linje for tiltak {number} i «{network}».")


def allocation_from_cells(name: str, layout: Layout, cells: dict[tuple[int, int], Any]) -> Allocation:
    """Check the Innstilling sheet's cells (package.Cell by (row, col)) and recompute every figure."""
    return _Reader(name, layout, cells).read()


def _rows(cells: dict[tuple[int, int], Any]) -> list[list[Any]]:
    """The setup sheet's filled rows in order (blank rows left out), each as its values from column A."""
    by_row: dict[int, dict[int, Any]] = {}
    for (r, c), cell in cells.items():
        by_row.setdefault(r, {})[c] = cell.value
    if 0 not in by_row:
        return []
    return [[row.get(c) for c in range(max(row) + 1)] for _, row in sorted(by_row.items())]


class _Reader:
    def __init__(self, name: str, layout: Layout, cells: dict[tuple[int, int], Any]) -> None:
        self.name, self.layout, self.cells = name, layout, cells
        self.findings: list[Finding] = []
        self.values: dict[str, Value] = {}

    def read(self) -> Allocation:
        for key in self.layout.reads:
            self.values[key] = self._value(key)
            if not key.startswith("req."):
                self._amount(key)
        results = self.layout.evaluate(self.values)
        self._formulas(results)
        self._above_request()
        self._over_frame(results)
        texts = self._texts()
        return Allocation(self.name, self.layout, self.values, results, texts,
                          sort_findings(self.findings, [SHEET]))

    def _cell(self, key: str) -> Any:
        return self.cells.get(self.layout.pos[key])

    def _value(self, key: str) -> Value:
        cell = self._cell(key)
        if cell is None:
            return None
        v = cell.value
        if isinstance(v, float) and v.is_integer():
            return int(v)
        if isinstance(v, (int, float, str, bool)) or v is None:
            return v
        return _serial(v)

    def _add(self, code: str, key: str, **params: Any) -> None:
        row, col = self.layout.pos[key]
        self.findings.append(finding(code, sheet=SHEET, cell=a1(row, col), path=key, where=self.layout.where(key),
                                     **params))

    def _amount(self, key: str) -> None:
        from .numbers import parse_whole_number

        cell, raw = self._cell(key), self.values.get(key)
        if cell is not None and cell.formula:
            self._add("formula-in-input", key, found="=" + cell.formula, expected=raw)
        parsed = parse_whole_number(raw)
        if parsed.kind == "empty":
            pass
        elif parsed.kind == "text_number":
            self._add("text-number", key, found=raw, severity=Severity.ERROR)
        elif parsed.kind == "fractional":
            self._add("fractional-amount", key, found=raw, unit="kroner")
        elif parsed.kind != "number":
            self._add("unparseable-number", key, found=raw)
        elif parsed.value is not None and parsed.value < 0:
            self._add("negative-amount", key, found=parsed.value)

    def _formulas(self, results: dict[str, Value]) -> None:
        from .checks import normalize_formula

        for key, text in self.layout.texts().items():
            cell = self._cell(key)
            if cell is None or not cell.formula:
                found = cell.value if cell is not None and cell.value not in (None, "") else "ingenting (cellen er tom)"
                self._add("formula-replaced", key, found=_shown(found), expected=_shown(results[key]))
            elif normalize_formula(cell.formula) != normalize_formula(text):
                self._add("formula-changed", key, found=cell.formula.lstrip("="), expected=text)

    def _above_request(self) -> None:
        for i in range(len(self.layout.spec.lines)):
            for party in ("owner", "uh"):
                rec, req = self.values.get(f"rec.{i}.{party}"), self.values.get(f"req.{i}.{party}")
                if _is_number(rec) and rec > (req if _is_number(req) else 0):  # type: ignore[operator]
                    self._add("above-request", f"rec.{i}.{party}", found=_shown(rec), expected=_shown(req or 0))

    def _over_frame(self, results: dict[str, Value]) -> None:
        for s in self.layout.framed:
            frame, rec = self.values.get(f"frame.{s.key}"), results.get(f"fr.{s.key}.recommended")
            if frame is None and rec != 0:
                self._add("frame-missing", f"frame.{s.key}", scheme=s.label)
            elif _is_number(frame) and _is_number(rec) and rec > frame:  # type: ignore[operator]
                self._add("over-frame", f"fr.{s.key}.recommended", scheme=s.label, found=_shown(rec),
                          expected=_shown(frame), over=kroner(_number(rec) - _number(frame)))

    def _texts(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for i in range(len(self.layout.spec.lines)):
            row = self.layout.rows[f"line.{i}"]
            for key, pos in ((f"comment.{i}", self.layout.pos[f"comment.{i}"]), (f"name.{i}", (row, C_NAME))):
                cell = self.cells.get(pos)
                if cell is not None and cell.value not in (None, ""):
                    out[key] = str(cell.value)
        return out


def _is_number(v: Value) -> bool:
    return isinstance(v, (int, float, Decimal)) and not isinstance(v, bool)


def _shown(v: Any) -> Any:
    """A value as a finding shows it: whole numbers grouped (kr() in findings), the rest as text."""
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, (int, str)):
        return v
    if isinstance(v, Decimal):
        return float(v)
    return str(v)


def _serial(v: Any) -> Value:
    """A date or time read from a cell, as the number the spreadsheet holds."""
    try:
        from openpyxl.utils.datetime import to_excel

        return to_excel(v)
    except (TypeError, ValueError):
        return str(v)


# ---------------------------------------------------------------- the innstilling command


@dataclass
class Outcome:
    text: str
    exit_code: int
    allocation: Allocation | None = None
    written: list[Path] = field(default_factory=list)


def run_innstilling(regional: Path, *, json_path: Path | None = None, csv_dir: Path | None = None,
                    limits: Limits = DEFAULT_LIMITS) -> Outcome:
    """Read, check and write out the innstilling in a regional workbook (`behovxl innstilling`)."""
    from .files import FolderOutput, Output, check_output_path, refuse_inputs, write_outputs
    from .inputs import InputError, read_bytes

    regional = Path(regional)
    outputs = [p for p in (json_path, csv_dir) if p is not None]
    refuse_inputs([Path(p) for p in outputs], [regional])
    if json_path is not None:
        check_output_path(Path(json_path))
    if csv_dir is not None:
        check_output_path(Path(csv_dir), "folder")
    try:
        allocation = read_innstilling(read_bytes(regional, limits), str(regional), limits)
    except InputError as exc:
        return Outcome(f"{regional}: {exc.detail}", 2)
    except InnstillingError as exc:
        return Outcome(str(exc), 2)
    files: list[Output | FolderOutput] = []
    if json_path is not None:
        files.append(Output(Path(json_path), allocation.json_bytes()))
    if csv_dir is not None:
        files.append(FolderOutput(Path(csv_dir), allocation.csv_files()))
    write_outputs(files)
    written = [Path(p) for p in outputs]
    text = allocation.text()
    if written:
        text += "\n\nSkrevet: " + ", ".join(str(p) for p in written)
    return Outcome(text, allocation.exit_code, allocation, written)


