"""Reconciliation: recompute every figure in Python and say, cell by cell, what does not add up.

Three kinds of check run on every returned workbook:
- the formula cells: each must still hold the form's formula, and its cached value
  (where the file has one) must equal the value recomputed from the inputs;
- the rules (rules.py), the same expressions the workbook's check area shows;
- the report: priorities, flags against the partner list, continuation estimates,
  e-mail addresses and the like, which a spreadsheet formula cannot judge.
A cached value is never trusted: it is only compared against the recomputation.
"""

from __future__ import annotations

import re
from typing import Any

from . import verdicts
from .expr import Value, truthy
from .findings import Finding, Severity, finding, plural
from .formulas import Env, formula_texts
from .layout import FormulaSlot, Input, Layout, shared_cache
from .models import Measure, Report, is_email
from .numbers import parse_whole_number
from .owners import owner_names
from .rules import Item
from .workbook import Workbook

# ---------------------------------------------------------------- public API


def check(book: Workbook, report: Report) -> list[Finding]:
    """Every finding about a workbook's figures and answers (reading findings come from reader.py)."""
    env = Env(book.layout, book.raw)
    findings = check_formulas(book, env)
    findings += verdicts.findings(book.layout, env, _Classifier(book))
    if truthy(env.slot("summary.count.filled")):
        findings += reconcile(book.layout, report, env)
    findings += _workbook_findings(book)
    return findings


def check_formulas(book: Workbook, env: Env) -> list[Finding]:
    """Every formula cell holds the form's formula and, where cached, the value it computes to."""
    texts = formula_texts(book.layout)
    normalized = _normalized_texts(book.layout)
    language = book.form.language
    findings: list[Finding] = []
    cached_seen = 0

    def at(key: str, slot: FormulaSlot) -> dict[str, Any]:  # built only for a finding: labels cost
        return {"sheet": slot.sheet, "cell": slot.cell, "path": key, "where": slot_label(book.layout, slot)}

    for key, slot in book.layout.formulas.items():
        if slot.sheet in book.missing_sheets:
            continue
        cell = book.formulas.get(key)
        if cell is None or cell.formula is None:
            found = None if cell is None else _plain(cell.value)
            findings.append(finding("formula-replaced", language=language, found=found,
                                    expected=_plain(env.slot(key)), **at(key, slot)))
            continue
        if cell.formula != texts[key] and normalize_formula(cell.formula) != normalized[key]:
            findings.append(finding("formula-changed", language=language, found=cell.formula.lstrip("="),
                                    expected=texts[key], **at(key, slot)))
            continue
        if cell.value is None:
            continue  # saved without cached values (a script, or an empty text result)
        cached_seen += 1
        want = env.slot(key)
        if not _same(cell.value, want):
            findings.append(finding("stale-value", language=language, found=_plain(cell.value), expected=_plain(want),
                                    **at(key, slot)))
    if cached_seen == 0:
        findings.append(finding("no-cached-values", language=language))
    return findings


def _normalized_texts(layout: Layout) -> dict[str, str]:
    """The form's formula texts as compared, once per form and round (kept on the shared layout)."""
    return shared_cache(layout, "_normalized_texts",
                        lambda base: {key: normalize_formula(text) for key, text in formula_texts(base).items()})


def reconcile(layout: Layout, report: Report, env: Any) -> list[Finding]:
    """The checks of the report that no spreadsheet formula makes."""
    c = _Report(layout, report, env)
    return c.continuation() + c.priorities() + c.flags() + c.scheme_ticks() + c.without_money() + c.emails()


_FORMULA_SPACE = re.compile(r'("[^"]*")|\s+|\$')
_TRAILING_ZEROS = re.compile(r"(\d+\.\d*?)0+\b")


def normalize_formula(text: str) -> str:
    """A formula as compared: without "=", spaces and $, names upper-case, 0.30 as 0.3 (string literals kept).

    LibreOffice and Excel rewrite formulas on save in these ways; none of them changes the result.
    """
    text = text.lstrip("=")
    parts = []
    for m in re.finditer(r'"[^"]*"|[^"]+', text):
        piece = m.group(0)
        if piece.startswith('"'):
            parts.append(piece)
        else:
            piece = re.sub(r"\s+|\$", "", piece).upper()
            piece = _TRAILING_ZEROS.sub(lambda mm: mm.group(1).rstrip("."), piece)
            parts.append(piece.replace("_XLFN.", ""))
    return "".join(parts)


def slot_label(layout: Layout, slot: FormulaSlot) -> str:
    """How a finding names a formula cell: «Oppsummering!D18 (Desentralisert ordning, UH)»."""
    sheet = next(s for s in layout.sheets if s.name == slot.sheet)
    row_labels = [s for s in sheet.statics if s.row == slot.row and s.col != slot.col and s.style != "plain"]
    block_start = max((s.row for s in sheet.statics if s.style == "heading" and s.row < slot.row), default=-1)
    heads = [s for s in sheet.statics if s.style == "colhead" and s.col == slot.col and block_start < s.row < slot.row]
    names = []
    if row_labels:
        names.append(min(row_labels, key=lambda s: abs(s.col - slot.col)).text)
    if heads:
        names.append(max(heads, key=lambda s: s.row).text)
    return f"{slot.sheet}!{slot.cell}" + (f" ({', '.join(names)})" if names else "")


# ---------------------------------------------------------------- rules, precisely


class _Classifier:
    """A number typed as text: the workbook only sees text; here we say what it reads as."""

    def __init__(self, book: Workbook) -> None:
        self.book = book

    def __call__(self, item: Item, f: Finding, env: Any) -> Finding:
        if item.code != "text-number" or item.path is None:
            return f
        spec = self.book.layout.inputs[item.path]
        raw = self.book.raw.get(item.path)
        parsed = parse_whole_number(raw)
        language = self.book.form.language
        shown = " ".join(str(raw).split())
        if parsed.kind != "text_number" or parsed.value is None:
            return finding("unparseable-number", language=language, sheet=spec.sheet, cell=spec.cell,
                           path=spec.path, where=spec.where, found=shown)
        return _read_as(f, parsed, shown, language)


def _read_as(f: Finding, parsed: Any, shown: str, language: str) -> Finding:
    from .findings import kr

    value = kr(parsed.value)
    if language == "nn":
        tail = f" Det er lese som {value}." + (f" Merknaden «{parsed.remark}» er ikkje teken med." if parsed.remark else "")
    else:
        tail = f" Det er lest som {value}." + (f" Merknaden «{parsed.remark}» er ikke tatt med." if parsed.remark else "")
    nb_tail = f" Det er lest som {value}." + (f" Merknaden «{parsed.remark}» er ikke tatt med." if parsed.remark else "")
    return f.model_copy(update={"message": f.message + tail, "message_nb": f.text_nb + nb_tail,
                                "found": shown, "expected": parsed.value})


# ---------------------------------------------------------------- the report


class _Report:
    def __init__(self, layout: Layout, report: Report, env: Any) -> None:
        self.layout, self.report, self.env = layout, report, env
        self.form = layout.form
        self.language = layout.form.language
        self.filled = [m for m in report.measures
                       if m.number <= self.form.measures and truthy(env.slot(f"checks.measures.{m.number}.filled"))]

    def at(self, path: str, code: str, **kw: Any) -> Finding:
        spec: Input = self.layout.inputs[path]
        return finding(code, language=self.language, sheet=spec.sheet, cell=spec.cell, path=path, where=spec.where,
                       **kw)

    def yes_no(self, value: bool) -> str:
        return self.form.text("yes" if value else "no")

    def continuation(self) -> list[Finding]:
        out: list[Finding] = []
        for m in self.filled:
            out += self._continuation(m)
        return out

    def _continuation(self, m: Measure) -> list[Finding]:
        out: list[Finding] = []
        p = f"measures.{m.number}.continuation."
        for party in ("owner", "uh"):
            half, full = getattr(m.continuation[0], party), getattr(m.continuation[1], party)
            if half is not None and full is not None and half > full and f"{p}1.{party}" in self.layout.inputs:
                out.append(self.at(f"{p}1.{party}", "continuation-half-year", found=half, expected=full))
        estimates = [(i, party) for i, e in enumerate(m.continuation, 1) for party in ("owner", "uh") if getattr(e, party)]
        if estimates and m.duration.spring_y1 is False:
            i, party = estimates[0]
            period = self.form.text("spring", year=self.form.year + 1).lower()
            out.append(self.at(f"{p}{i}.{party}", "continuation-without-duration", period=period))
        return out

    def priorities(self) -> list[Finding]:
        by_priority: dict[int, list[int]] = {}
        for m in self.filled:
            if m.priority is not None:
                by_priority.setdefault(m.priority, []).append(m.number)
        out = []
        for priority, numbers in sorted(by_priority.items()):
            if len(numbers) > 1:
                listed = ", ".join(str(n) for n in numbers)
                out += [self.at(f"measures.{n}.priority", "priority-duplicate", found=priority, expected=listed)
                        for n in numbers]
        return out

    def _count(self, n: int, kind: str) -> str:
        words = {("owner", "nb"): ("eier", "eiere"), ("owner", "nn"): ("eigar", "eigarar"),
                 ("uh", "nb"): ("UH", "UH"), ("uh", "nn"): ("UH", "UH"),
                 ("scheme", "nb"): ("ordning", "ordninger"), ("scheme", "nn"): ("ordning", "ordningar")}
        one, many = words[(kind, self.language)]
        return plural(n, one, many)

    def flags(self) -> list[Finding]:
        out = []
        p, r = self.report.partnership, self.report
        owners = len(owner_names(r))
        if p.several_owners is not None and p.several_owners != (owners > 1):
            out.append(self.at("partnership.several_owners", "flag-several-owners", found=self.yes_no(p.several_owners),
                               expected=self._count(owners, "owner")))
        uh = (1 if p.uh else 0) + sum(1 for x in r.partners if x.kind in ("uh", "fagskole"))
        if p.several_uh is not None and p.several_uh != (uh > 1):
            out.append(self.at("partnership.several_uh", "flag-several-uh", found=self.yes_no(p.several_uh),
                               expected=self._count(uh, "uh")))
        used = sorted({m.scheme for m in self.filled if m.scheme})
        path = "partnership.several_schemes"
        if p.several_schemes is not None and used and p.several_schemes != (len(used) > 1) and path in self.layout.inputs:
            names = ", ".join(self.form.scheme_label(k) for k in used)
            out.append(self.at(path, "flag-several-schemes", found=self.yes_no(p.several_schemes),
                               expected=f"{self._count(len(used), 'scheme')} ({names})"))
        return out

    def scheme_ticks(self) -> list[Finding]:
        out = []
        for scheme in self.form.definition.schemes:
            path = f"partnership.schemes.{scheme.key}"
            ticked = self.report.partnership.schemes.get(scheme.key)
            count = sum(1 for m in self.filled if m.scheme == scheme.key)
            if path in self.layout.inputs and ticked is not None and ticked != (count > 0):
                out.append(self.at(path, "scheme-not-declared", found=self.yes_no(ticked), expected=count,
                                   scheme=self.form.scheme_label(scheme.key)))
        return out

    def without_money(self) -> list[Finding]:
        return [self.at(f"measures.{m.number}.name", "measure-without-money") for m in self.filled
                if m.name and not m.total]

    def emails(self) -> list[Finding]:
        out = []
        for path, spec in self.layout.inputs.items():
            if spec.type != "email":
                continue
            value = _value_at(self.report, path)
            if value and not is_email(value):
                out.append(self.at(path, "invalid-email", found=value[:80]))
        return out


def _workbook_findings(book: Workbook) -> list[Finding]:
    language = book.form.language
    out = [finding("sheet-missing", language=language, sheet=name) for name in book.missing_sheets]
    out += [finding("extra-sheet", language=language, sheet=name, found=count) for name, count in book.extra_sheets
            if count]
    if book.has_macros:
        out.append(finding("macro-enabled", language=language))
    network, subject = book.form.network, (book.subject or "").strip()
    if network and subject and " ".join(network.split()).casefold() != " ".join(subject.split()).casefold():
        out.append(finding("identity-mismatch", language=language, found=network, expected=subject))
    return out


# ---------------------------------------------------------------- helpers


def _value_at(report: Report, path: str) -> Any:
    from .paths import value_at

    return value_at(report, path)


def _plain(value: Any) -> Any:
    from decimal import Decimal

    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _same(cached: Any, want: Value) -> bool:
    if isinstance(want, bool) or isinstance(cached, bool):
        return cached == want
    if isinstance(want, (int, float)) or want.__class__.__name__ == "Decimal":
        if not isinstance(cached, (int, float)):
            return False
        # A spreadsheet keeps numbers as doubles: beyond 2**53 only their first 15 digits are exact.
        return abs(float(cached) - float(want)) <= max(0.5, abs(float(want)) * 1e-12)  # type: ignore[arg-type]
    return str(cached if cached is not None else "") == str(want if want is not None else "")


__all__ = ["check", "check_formulas", "normalize_formula", "reconcile", "slot_label", "Severity"]
