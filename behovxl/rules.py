"""The rules of the form: each defined once, for the workbook and the checker alike.

One rule, one place. A rule is a list of items; each item has a condition and a
message, both expressions (expr.py), and the code of the finding it stands for. From
that one definition come:

- in the workbook, one cell per item on the hidden checks sheet, which shows the
  message when the condition holds, and the check area on the summary sheet, one line
  per rule (with a defined name `K_…`), which shows «OK» or the items' messages;
- in Python, `verdicts.findings()`, which evaluates the very same expressions over the raw cell
  values and reports each item whose condition holds, at its cell.

The two therefore agree by construction: a line of the check area shows «OK» exactly
when `behovxl check` reports none of that line's codes. A form with no measure filled
in says so on every line (code `form-empty`) instead of showing «OK».

Python may say more than the workbook can (a number typed as text is read, and the
finding says what it was read as), but never decide differently.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from . import findings as catalogue
from .definition import CHECK_LINES, SHARED_COORDINATOR
from .expr import (
    AND,
    IF,
    ISTEXT,
    LEFT,
    LEN,
    MID,
    NBSP,
    NOT,
    OR,
    ROUND,
    TRIM,
    Env,
    Expr,
    Func,
    Input,
    Lit,
    Slot,
    SumIfEq,
    SumOf,
    Value,
    _int,  # noqa: PLC2701 - INT's Python meaning, shared with kr()
    _mul,  # noqa: PLC2701 - the spreadsheet's product, for the thousands test
    concat,
    contains,
    kr,
    shortcut,
    text,
)
from .findings import CONTACT_REQUIRED, Severity
from .form import Form

if TYPE_CHECKING:  # the layout places the rules' items; the rules only read its inputs
    from .layout import Input as InputCell
    from .layout import Layout

LINE_CODES: dict[str, tuple[str, ...]] = {
    "filled": ("form-empty",),
    "required": ("required-missing", "required-for-money"),
    "text_numbers": ("text-number", "unparseable-number"),
    "thousands": ("amount-thousands", "continuation-thousands"),
    "coordinator": ("coordinator-unused", "coordinator-missing", "coordinator-cap"),
    "cofunding": ("cofunding-low",),
    "count": ("declared-count",),
    "scheme": ("scheme-missing",),
    "coordinator_measure": ("coordinator-as-measure", "coordinator-double-counted"),
}

#: The longest text a check-area line shows before it is cut with «…».
CHECK_TEXT_MAX = 330

#: Free texts of a measure that may show it is really the coordinator's salary.
_MEASURE_TEXTS = ("name", "anchoring", "collective_processes", "owner_plan", "uh_plan", "target_group",
                  "coordinator_reason")

# ---------------------------------------------------------------- public API


@dataclass(frozen=True)
class Item:
    """One thing a rule checks: a condition, and the finding it makes where it holds."""

    line: str
    code: str
    index: int
    where: str                 # shown beside the item's cell on the checks sheet
    path: str | None           # the input the finding points at, if any
    when: Expr
    message: Expr              # in the form's language
    found: Expr | None = None
    expected: Expr | None = None
    severity: Severity | None = None

    @property
    def key(self) -> str:
        return f"checks.{self.line}.{self.index}"


def check_items(form: Form, inputs: Mapping[str, InputCell]) -> list[Item]:
    """Every item of every rule, in check-area order; a policy the definition leaves out has none."""
    return _Rules(form, inputs).items()


def rule_expressions(layout: Layout) -> dict[str, Expr]:
    """The checks sheet's item cells and the summary's check lines, as expressions."""
    out: dict[str, Expr] = {}
    by_line: dict[str, list[Item]] = {}
    for item in layout.check_items:
        out[item.key] = IF(item.when, concat(item.message, " "), "")
        by_line.setdefault(item.line, []).append(item)
    rules = _Rules(layout.form, layout.inputs)
    for n in range(1, layout.form.measures + 1):
        out[f"checks.measures.{n}.looks"] = rules.looks_like_coordinator(n) if f"measures.{n}.purpose" in layout.inputs else Lit(0)
    summary = layout.form.definition.summary
    ok, not_checked = layout.form.t(summary.ok), layout.form.t(summary.not_checked)
    empty = Slot("summary.count.filled").eq(0)
    for line, items in by_line.items():
        key = f"summary.checks.{line}"
        if line == "filled":
            out[key] = IF(empty, items[0].message, ok)
            continue
        joined = concat(*(Slot(i.key) for i in items))
        shown = IF(LEN(joined).gt(CHECK_TEXT_MAX), concat(LEFT(joined, CHECK_TEXT_MAX), "…"), TRIM(joined))
        out[key] = IF(empty, not_checked, IF(joined.eq(""), ok, shown))
    return out


# ---------------------------------------------------------------- building the items


class _Rules:
    def __init__(self, form: Form, inputs: Mapping[str, InputCell]) -> None:
        self.form, self.inputs, self.d = form, inputs, form.definition
        self.numbers = range(1, form.measures + 1)
        self.out: list[Item] = []
        self.overrides = self.d.messages

    # -- helpers shared by the rules

    def msg(self, code: str, **args: Expr | str) -> Expr:
        """A catalogue message template as an expression: literal parts joined with the args."""
        template = catalogue.template(code, self.form.language, self.overrides)
        parts: list[Expr | str] = []
        rest = template
        while rest:
            start = rest.find("{")
            if start < 0:
                parts.append(rest)
                break
            end = rest.index("}", start)
            parts.append(rest[:start])
            parts.append(args[rest[start + 1 : end]])
            rest = rest[end + 1 :]
        return concat(*(p for p in parts if p != ""))

    def add(self, line: str, code: str, where: str, path: str | None, when: Expr, message: Expr,
            found: Expr | None = None, expected: Expr | None = None, severity: Severity | None = None) -> None:
        self.out.append(Item(line, code, len(self.out) + 1, where, path, when, message, found, expected, severity))

    def has(self, path: str) -> bool:
        return path in self.inputs

    def num(self, path: str) -> Expr:
        from .expr import N

        return N(Input(path)) if self.has(path) else Lit(0)

    def blank(self, path: str) -> Expr:
        from .expr import blankish
        from .numbers import PLACEHOLDERS

        return blankish(Input(path), PLACEHOLDERS)

    def filled(self, n: int) -> Expr:
        return Slot(f"checks.measures.{n}.filled").eq(1)

    def total(self, n: int) -> Expr:
        return Slot(f"measures.{n}.total")

    def label(self, key: str) -> str:
        return self.form.scheme_label(key)

    def scheme_of(self, n: int) -> Expr:
        path = f"measures.{n}.scheme"
        if self.has(path):
            return Input(path)
        return Lit(self.form.t(self.d.schemes[0].label))

    def where(self, path: str) -> str:
        return self.inputs[path].where

    def items(self) -> list[Item]:
        self._filled()
        self._required()
        self._text_numbers()
        self._thousands()
        self._coordinator()
        self._cofunding()
        self._count()
        self._scheme()
        self._coordinator_measure()
        order = {line: i for i, line in enumerate(CHECK_LINES)}
        items = sorted(self.out, key=lambda i: (order[i.line], i.index))
        return [Item(i.line, i.code, n, i.where, i.path, i.when, i.message, i.found, i.expected, i.severity)
                for n, i in enumerate(items, 1)]

    # -- the rules

    def _filled(self) -> None:
        count = Slot("summary.count.filled")
        self.add("filled", "form-empty", "", None, count.eq(0), self.msg("form-empty"))

    def _required(self) -> None:
        for path, spec in self.inputs.items():
            if not spec.required or spec.locked:
                continue
            where = Lit(spec.where)
            parts = path.split(".")
            if parts[0] != "measures":
                severity = Severity.ERROR if path in CONTACT_REQUIRED else None
                self.add("required", "required-missing", spec.where, path, self.blank(path),
                         self.msg("required-missing", where=where), severity=severity)
                continue
            n, field = int(parts[1]), parts[2]
            if field == "name":
                when = AND(self.total(n).ne(0), self.blank(path))
                self.add("required", "required-for-money", spec.where, path, when,
                         self.msg("required-for-money", where=where))
            elif field == "scheme":
                when = AND(self.filled(n), self.total(n).eq(0), self.blank(path))
                self.add("required", "required-missing", spec.where, path, when, self.msg("required-missing", where=where))
            else:
                self.add("required", "required-missing", spec.where, path, AND(self.filled(n), self.blank(path)),
                         self.msg("required-missing", where=where))

    def _text_numbers(self) -> None:
        for path, spec in self.inputs.items():
            if spec.type not in ("amount", "integer") or spec.locked:
                continue
            cell = Input(path)
            shown = LEFT(TRIM(cell), 40)
            self.add("text_numbers", "text-number", spec.where, path, AND(ISTEXT(cell), NOT(self.blank(path))),
                     self.msg("text-number", where=Lit(spec.where), found=shown), found=shown)

    def _thousands(self) -> None:
        t = self.d.thousands
        largest = Slot("checks.max_amount")
        for path, spec in self.inputs.items():
            if spec.type != "amount" or spec.locked:
                continue
            v = self.num(path)
            whole = v.eq(Func("INT", (v,), _int))
            when = shortcut(AND(v.gt(0), v.lt(t.below), whole, OR(largest.ge(v * t.factor), largest.lt(t.below))),
                            functools.partial(looks_like_thousands, v, largest, t.below, t.factor))
            code = "continuation-thousands" if ".continuation." in path else "amount-thousands"
            # v is a whole number below `below` here, so plain digits are its Norwegian spelling.
            self.add("thousands", code, spec.where, path, when,
                     self.msg(code, where=Lit(spec.where), found=text(v), expected=concat(text(v), NBSP + "000")),
                     found=v, expected=v * 1000)

    def _asks(self, key: str) -> Expr:
        asks = tuple(Slot(f"checks.measures.{n}.asks") for n in self.numbers)
        if key == SHARED_COORDINATOR or not self.d.several_schemes:
            return SumOf(asks)
        schemes = tuple(Slot(f"summary.measures.{n}.scheme") for n in self.numbers)
        return SumIfEq(schemes, Lit(self.label(key)), asks)

    def _asking_list(self, key: str) -> Expr:
        """«1, 3»: the numbers of the measures that ask for the coordinator, in `key`'s scheme."""
        parts: list[Expr] = []
        for n in self.numbers:
            asks = Slot(f"checks.measures.{n}.asks").eq(1)
            if key != SHARED_COORDINATOR and self.d.several_schemes:
                asks = AND(asks, Slot(f"summary.measures.{n}.scheme").eq(self.label(key)))
            parts.append(IF(asks, f", {n}", ""))
        return MID(concat(*parts), 3, 200)

    def _coordinator(self) -> None:
        for key in self.d.coordinator_keys():
            path = f"coordinator.{key}.amount"
            if not self.has(path):
                continue
            amount, asks = self.num(path), self._asks(key)
            name = Lit(self.label(key) if key != SHARED_COORDINATOR else self.form.text("coordinator_row").lower())
            where = self.where(path)
            self.add("coordinator", "coordinator-unused", where, path, AND(amount.gt(0), asks.eq(0)),
                     self.msg("coordinator-unused", found=kr(amount), scheme=name), found=amount)
            self.add("coordinator", "coordinator-missing", where, path, AND(asks.gt(0), amount.le(0)),
                     self.msg("coordinator-missing", measures=self._asking_list(key), scheme=name))
            cap = self._cap(key)
            if cap is not None:
                self.add("coordinator", "coordinator-cap", where, path, amount.gt(cap),
                         self.msg("coordinator-cap", scheme=name, found=kr(amount), expected=kr(cap)),
                         found=amount, expected=cap)

    def _cap(self, key: str) -> Expr | None:
        scheme = self.d.scheme(key)
        if scheme is None or scheme.coordinator_cap is None:
            return None
        cap = scheme.coordinator_cap
        if cap.amount is not None:
            return Lit(cap.amount)
        base = Slot(f"summary.schemes.{key}.owner") + Slot(f"summary.schemes.{key}.uh")
        return ROUND(Lit(cap.share.normalize()) * base)  # type: ignore[union-attr]

    def _cofunding(self) -> None:
        if not any(s.cofunding for s in self.d.schemes):
            return
        for n in self.numbers:
            path = f"measures.{n}.cofunding"
            if not self.has(path):
                continue
            need, have = Slot(f"measures.{n}.required_cofunding"), self.num(path)
            when = AND(self.filled(n), need.gt(0), have.lt(need))
            self.add("cofunding", "cofunding-low", self.where(path), path, when,
                     self.msg("cofunding-low", n=Lit(str(n)), found=kr(have), scheme=self.scheme_of(n),
                              expected=kr(need)), found=have, expected=need)

    def _count(self) -> None:
        path = "declared_measures"
        if not self.has(path):
            return
        cell, filled = Input(path), Slot("summary.count.filled")
        from .expr import N

        when = AND(NOT(self.blank(path)), NOT(ISTEXT(cell)), N(cell).ne(filled))
        self.add("count", "declared-count", self.where(path), path, when,
                 self.msg("declared-count", found=text(N(cell)), expected=text(filled)), found=N(cell), expected=filled)

    def _scheme(self) -> None:
        for n in self.numbers:
            path = f"measures.{n}.scheme"
            if not self.has(path):
                continue
            when = AND(self.total(n).ne(0), self.blank(path))
            self.add("scheme", "scheme-missing", self.where(path), path, when,
                     self.msg("scheme-missing", n=Lit(str(n)), found=kr(self.total(n)),
                              sheet=Lit(self.form.sheet("measure", n))), found=self.total(n))

    def looks_like_coordinator(self, n: int) -> Expr:
        """The measure's name says coordinator, or it pays salaries and its texts say coordinator."""
        p = f"measures.{n}."
        words = self.d.coordinator.words
        texts = [p + t for t in _MEASURE_TEXTS if self.has(p + t)]
        texts += [i for i in self.inputs if i.startswith(p + "owner_lines.") and i.endswith(".description")]
        joined = concat(*[part for t in texts for part in (Input(t), " ")])
        named = OR(*(contains(Input(p + "name"), w) for w in words))
        said = OR(*(contains(joined, w) for w in words))
        salary = self.form.t(next(c.label for c in self.d.lists["purposes"] if c.key == self.d.coordinator.salary_purpose))
        return IF(AND(self.filled(n), OR(named, AND(Input(p + "purpose").eq(salary), said))), 1, 0)

    def _coordinator_for(self, n: int) -> Expr:
        """The coordinator money on the partnership sheet that a measure would double."""
        total = Slot("summary.schemes.sum.coordinator")
        if not (self.d.several_schemes and self.d.coordinator.per_scheme):
            return total
        scheme = self.scheme_of(n)
        picks = [IF(scheme.eq(self.label(s.key)), Slot(f"summary.schemes.{s.key}.coordinator"), 0)
                 for s in self.d.schemes]
        body = picks[0]
        for p in picks[1:]:
            body = body + p
        return IF(scheme.eq(""), total, body)

    def _coordinator_measure(self) -> None:
        partnership = Lit(self.form.sheet("partnership"))
        grand = Slot("summary.schemes.sum.total")
        for n in self.numbers:
            if not self.has(f"measures.{n}.purpose"):
                continue
            looks, coord = Slot(f"checks.measures.{n}.looks").eq(1), self._coordinator_for(n)
            name_path = f"measures.{n}.name"
            where = self.where(name_path)
            scheme = IF(self.scheme_of(n).eq(""), self.form.text("coordinator_row").lower(), self.scheme_of(n))
            self.add("coordinator_measure", "coordinator-as-measure", where, name_path, AND(looks, coord.le(0)),
                     self.msg("coordinator-as-measure", n=Lit(str(n)), name=TRIM(Input(name_path)),
                              found=kr(self.total(n)), sheet=partnership), found=self.total(n))
            self.add("coordinator_measure", "coordinator-double-counted", where, name_path, AND(looks, coord.gt(0)),
                     self.msg("coordinator-double-counted", n=Lit(str(n)), coordinator=kr(coord), scheme=scheme,
                              found=kr(grand), expected=kr(grand - self.total(n))),
                     found=grand, expected=grand - self.total(n))


def looks_like_thousands(value: Expr, largest: Expr, below: int, factor: int, env: Env) -> Value:
    """The thousands test, AND(v>0,v<below,v=INT(v),OR(max>=v*factor,max<below)), as plain
    arithmetic: with two finite numbers no term can be an error. NotImplemented otherwise."""
    v, big = value.ev(env), largest.ev(env)
    if not (_finite_number(v) and _finite_number(big)):
        return NotImplemented
    assert isinstance(v, (int, float, Decimal)) and isinstance(big, (int, float, Decimal))
    return bool(0 < v < below and v == math.floor(v) and (big >= _mul(v, factor) or big < below))


def _finite_number(v: Value) -> bool:
    if isinstance(v, bool) or not isinstance(v, (int, float, Decimal)):
        return False
    return v.is_finite() if isinstance(v, Decimal) else isinstance(v, int) or math.isfinite(v)


def codes_of(lines: Iterable[str]) -> set[str]:
    return {c for line in lines for c in LINE_CODES[line]}
