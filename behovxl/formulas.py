"""Every formula of the form, written once as an expression (see expr.py).

`expressions(layout)` gives each formula cell of the layout its expression: the
figures (sums per measure, per scheme, continuation, counts), the helper flags on
the hidden checks sheet, and the rules with the check area (from rules.py).
`compute(layout, values)` renders each as formula text and evaluates it over the raw
input values, which is exactly what a spreadsheet computes: the writer stores the
value as the cached result, and the reader compares a returned workbook's formulas
and cached values against the same pairs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from .expr import (
    AND,
    IF,
    NOT,
    OR,
    ROUND,
    Expr,
    Input,
    Lit,
    MaxOf,
    N,
    Slot,
    SumIfEq,
    SumOf,
    Value,
    blankish,
)
from .form import Form
from .layout import SCHEME_COLUMNS, Layout, a1, ref, shared_cache
from .numbers import PLACEHOLDERS

# ---------------------------------------------------------------- public API


@dataclass(frozen=True)
class Formula:
    text: str
    value: Value


def expressions(layout: Layout) -> dict[str, Expr]:
    """Every formula slot of the layout and its expression (built once per form and round)."""
    return shared_cache(layout, "_expressions", _expressions)


def _expressions(base: Layout) -> dict[str, Expr]:
    from .rules import rule_expressions

    exprs = {**_figures(base), **rule_expressions(base)}
    missing = set(base.formulas) - set(exprs)
    assert not missing, f"formula slots without an expression: {sorted(missing)}"
    return exprs


def formula_texts(layout: Layout) -> dict[str, str]:
    """Formula text (without "=") of every formula slot; the same for every network of a form."""
    return shared_cache(layout, "_texts", _formula_texts)


def _formula_texts(base: Layout) -> dict[str, str]:
    exprs = expressions(base)
    return {key: exprs[key].xl(_Refs(base, slot.sheet)) for key, slot in base.formulas.items()}


def compute(layout: Layout, values: Mapping[str, Value]) -> dict[str, Formula]:
    """Formula text and value for every formula slot, the inputs being `values` (raw, by path)."""
    env = Env(layout, values)
    texts = formula_texts(layout)
    return {key: Formula(texts[key], env.slot(key)) for key in layout.formulas}


class _Compiled:
    """What every evaluation of a form shares: each formula's inputs, and the blank form's values."""

    def __init__(self, layout: Layout) -> None:
        self.exprs = expressions(layout)
        self.deps: dict[str, frozenset[str]] = {}
        for key in self.exprs:
            self._deps_of(key)
        blank = Env(layout, {}, preset={})
        self.blank = {key: blank.slot(key) for key in self.exprs}

    def _deps_of(self, key: str) -> frozenset[str]:
        if key not in self.deps:
            self.deps[key] = frozenset()  # a cycle would be a bug in the form; this keeps it finite
            self.deps[key] = frozenset(self._walk(self.exprs[key]))
        return self.deps[key]

    def _walk(self, e: Expr) -> set[str]:
        if isinstance(e, Input):
            return {e.path}
        if isinstance(e, Slot):
            return set(self._deps_of(e.key))
        out: set[str] = set()
        for child in _children(e):
            out |= self._walk(child)
        return out

    def unchanged(self, values: Mapping[str, Value]) -> dict[str, Value]:
        """The blank form's value of every formula none of whose inputs has a value here."""
        filled = {p for p, v in values.items() if v is not None}
        return {key: value for key, value in self.blank.items() if not (self.deps[key] & filled)}


def _children(e: Expr) -> tuple[Expr, ...]:
    for name in ("args", "parts", "cells"):
        if hasattr(e, name):
            return tuple(getattr(e, name))
    if isinstance(e, SumIfEq):
        return (*e.keys, e.label, *e.values)
    return tuple(v for v in vars(e).values() if isinstance(v, Expr))


def _compiled(layout: Layout) -> _Compiled:
    return shared_cache(layout, "_compiled", _Compiled)


class Env:
    """Raw input values and lazily evaluated formulas: what `Expr.ev` reads.

    A formula none of whose inputs has a value takes the blank form's value without being
    evaluated again: exact, because a formula's value depends on its inputs only.
    """

    def __init__(self, layout: Layout, values: Mapping[str, Value], preset: dict[str, Value] | None = None) -> None:
        self.layout, self.values = layout, values
        self.exprs = expressions(layout)
        self._memo: dict[str, Value] = dict(_compiled(layout).unchanged(values) if preset is None else preset)

    def input(self, path: str) -> Value:
        return self.values.get(path)

    def slot(self, key: str) -> Value:
        if key not in self._memo:
            self._memo[key] = self.exprs[key].ev(self)
        return self._memo[key]


# ---------------------------------------------------------------- references


class _Refs:
    """How one sheet refers to cells: bare on its own sheet, quoted with the sheet name elsewhere."""

    def __init__(self, layout: Layout, sheet: str) -> None:
        self.layout, self.sheet = layout, sheet

    def _pos(self, e: Expr) -> tuple[str, int, int]:
        if isinstance(e, Input):
            cell = self.layout.inputs[e.path]
            return cell.sheet, cell.row, cell.col
        if isinstance(e, Slot):
            slot = self.layout.formulas[e.key]
            return slot.sheet, slot.row, slot.col
        raise TypeError(f"not a cell: {e!r}")

    def _ref(self, sheet: str, row: int, col: int) -> str:
        return a1(row, col) if sheet == self.sheet else ref(sheet, row, col)

    def input_ref(self, path: str) -> str:
        return self._ref(*self._pos(Input(path)))

    def slot_ref(self, key: str) -> str:
        return self._ref(*self._pos(Slot(key)))

    def range_ref(self, refs: Sequence[Expr]) -> str | None:
        runs = self.runs(refs)
        return runs[0] if len(runs) == 1 else None

    def runs(self, refs: Sequence[Expr]) -> list[str]:
        """Consecutive cells of one column on one sheet become one range."""
        out: list[str] = []
        start = prev = None
        for e in refs:
            pos = self._pos(e)
            if prev and pos[0] == prev[0] and pos[2] == prev[2] and pos[1] == prev[1] + 1:
                prev = pos
                continue
            if start and prev:
                out.append(self._span(start, prev))
            start = prev = pos
        if start and prev:
            out.append(self._span(start, prev))
        return out

    def _span(self, first: tuple[str, int, int], last: tuple[str, int, int]) -> str:
        head = self._ref(*first)
        return head if first == last else f"{head}:{a1(last[1], last[2])}"


# ---------------------------------------------------------------- the figures


class Model:
    """Names for the parts of a form that figures and rules are built from."""

    def __init__(self, layout: Layout) -> None:
        self.layout, self.form = layout, layout.form
        self.d = layout.form.definition
        self.numbers = range(1, layout.form.measures + 1)

    def has(self, path: str) -> bool:
        return path in self.layout.inputs

    def num(self, path: str) -> Expr:
        """An input as a number, the way SUM sees it: text and blanks count as 0."""
        return N(Input(path)) if self.has(path) else Lit(0)

    def blank(self, path: str) -> Expr:
        return blankish(Input(path), PLACEHOLDERS)

    @cached_property
    def yes(self) -> str:
        return self.form.t(self.d.lists["yes_no"][0].label)

    def scheme_of(self, n: int) -> Expr:
        """The measure's scheme as the sheet shows it: the chosen label, or the only scheme."""
        path = f"measures.{n}.scheme"
        if self.has(path):
            return Input(path)
        return IF(Slot(f"checks.measures.{n}.filled").eq(1), self.form.t(self.d.schemes[0].label), "")

    def filled(self, n: int) -> Expr:
        return Slot(f"checks.measures.{n}.filled").eq(1)

    def column(self, key: str) -> tuple[Expr, ...]:
        return tuple(Slot(f"summary.measures.{n}.{key}") for n in self.numbers)

    def labels(self) -> dict[str, str]:
        return {s.key: self.form.t(s.label) for s in self.d.schemes}

    def scheme_sum(self, key: str, column: str) -> Expr:
        """The sum of one summary column over the measures of one scheme."""
        if not self.d.several_schemes:
            return SumOf(self.column(column))
        return SumIfEq(self.column("scheme"), Lit(self.labels()[key]), self.column(column))


def _figures(layout: Layout) -> dict[str, Expr]:
    m = Model(layout)
    out: dict[str, Expr] = {}
    for n in m.numbers:
        out.update(_measure(m, n))
        out.update(_summary_row(m, n))
        out.update(_helper_row(m, n))
    out["checks.max_amount"] = MaxOf(tuple(Input(i.path) for i in layout.amount_inputs()))
    out.update(_schemes(m))
    out.update(_continuation(m))
    out["summary.count.declared"] = _shown(Input("declared_measures"))
    out["summary.count.filled"] = SumOf(tuple(Slot(f"checks.measures.{n}.filled") for n in m.numbers))
    return out


def _measure(m: Model, n: int) -> dict[str, Expr]:
    p = f"measures.{n}."
    out: dict[str, Expr] = {}
    for party in ("owner", "uh"):
        lines = [i for i in m.layout.inputs if i.startswith(f"{p}{party}_lines.") and i.endswith(".amount")]
        out[f"{p}{party}_amount"] = SumOf(tuple(Input(i) for i in lines))
    out[f"{p}total"] = Slot(f"{p}owner_amount") + Slot(f"{p}uh_amount")
    if f"{p}required_cofunding" in m.layout.formulas:
        out[f"{p}required_cofunding"] = required_cofunding(m, n)
    return out


def required_cofunding(m: Model, n: int) -> Expr:
    """ROUND of each co-funding scheme's share of its base, for the scheme the measure is in."""
    bases = {"total": "total", "uh": "uh_amount", "owner": "owner_amount"}
    terms: list[Expr] = []
    for s in m.d.schemes:
        if s.cofunding is None:
            continue
        share = Lit(s.cofunding.share.normalize()) * Slot(f"measures.{n}.{bases[s.cofunding.of]}")
        terms.append(share if not m.d.several_schemes else m.scheme_of(n).eq(m.labels()[s.key]) * share)
    total = terms[0]
    for t in terms[1:]:
        total = total + t
    return ROUND(total)


def _shown(e: Expr) -> Expr:
    """An input shown on the summary: blank stays blank instead of 0."""
    return IF(e.eq(""), "", e)


def _summary_row(m: Model, n: int) -> dict[str, Expr]:
    p, k = f"measures.{n}.", f"summary.measures.{n}."
    return {
        k + "name": _shown(Input(p + "name")),
        k + "scheme": _shown(m.scheme_of(n)) if m.has(p + "scheme") else m.scheme_of(n),
        k + "owner": Slot(p + "owner_amount"),
        k + "uh": Slot(p + "uh_amount"),
        k + "total": Slot(p + "total"),
        k + "cofunding": m.num(p + "cofunding"),
        k + "coordinator": _shown(Input(p + "needs_coordinator")),
    }


def _helper_row(m: Model, n: int) -> dict[str, Expr]:
    p, k = f"measures.{n}.", f"checks.measures.{n}."
    filled = OR(NOT(m.blank(p + "name")), Slot(p + "total").ne(0))
    return {
        k + "filled": IF(filled, 1, 0),
        k + "asks": IF(AND(m.filled(n), Input(p + "needs_coordinator").eq(m.yes)), 1, 0),
    }


def _schemes(m: Model) -> dict[str, Expr]:
    out: dict[str, Expr] = {}
    rows: list[str] = []
    for s in m.d.schemes:
        k = f"summary.schemes.{s.key}."
        coord = m.num(f"coordinator.{s.key}.amount") if m.d.coordinator.per_scheme else Lit(0)
        out.update(_scheme_row(k, m.scheme_sum(s.key, "owner"), coord, m.scheme_sum(s.key, "uh")))
        rows.append(s.key)
    if not m.d.coordinator.per_scheme:
        from .definition import SHARED_COORDINATOR

        out.update(_scheme_row("summary.schemes.shared.", Lit(0), m.num(f"coordinator.{SHARED_COORDINATOR}.amount"),
                               Lit(0)))
        rows.append("shared")
    for key in SCHEME_COLUMNS:
        out[f"summary.schemes.sum.{key}"] = SumOf(tuple(Slot(f"summary.schemes.{r}.{key}") for r in rows))
    return out


def _scheme_row(k: str, owner: Expr, coordinator: Expr, uh: Expr) -> dict[str, Expr]:
    return {
        k + "owner": owner,
        k + "coordinator": coordinator,
        k + "owner_incl": Slot(k + "owner") + Slot(k + "coordinator"),
        k + "uh": uh,
        k + "total": Slot(k + "owner_incl") + Slot(k + "uh"),
    }


def _continuation(m: Model) -> dict[str, Expr]:
    out: dict[str, Expr] = {}
    for i in (1, 2, 3):
        k = f"summary.continuation.{i}."
        for party in ("owner", "uh"):
            out[k + party] = SumOf(tuple(Input(f"measures.{n}.continuation.{i}.{party}") for n in m.numbers))
        out[k + "total"] = Slot(k + "owner") + Slot(k + "uh")
    return out


def raw_inputs(layout: Layout, report: Any) -> dict[str, Value]:
    """A report's values as a network types them into this form (choice keys become labels)."""
    from .paths import cell_value, value_at

    out: dict[str, Value] = {}
    for path, spec in layout.inputs.items():
        value = cell_value(layout.form, spec, value_at(report, path))
        if value is not None:
            out[path] = value
    return out


def form_of(layout: Layout) -> Form:
    return layout.form
