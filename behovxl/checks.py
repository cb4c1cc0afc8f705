"""Reconciliation: recompute every figure in Python and say, cell by cell, what does not add up.

Two kinds of check run on every returned workbook:
- the formula cells: each must still hold the template's formula, and its cached
  value (where the file has one) must equal the value recomputed from the inputs;
- the report: counts, schemes, coordinator, co-funding, continuation estimates,
  flags, priorities and required fields.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .findings import CONTACT_REQUIRED, Code, Finding, Severity, finding, kr
from .formulas import compute, required_cofunding
from .layout import FormulaSlot, Input, Layout
from .models import Measure, Report, is_email
from .paths import value_at

if TYPE_CHECKING:
    from .reader import OpenWorkbook

from .reader import Formula

# ---------------------------------------------------------------- public API


def check_report(book: OpenWorkbook, report: Report, seen: Report | None = None) -> list[Finding]:
    """`seen` is the report as the workbook's formulas see it (text numbers left out)."""
    findings = check_formulas(book, report, seen)
    findings += reconcile(book.layout, report)
    return findings


def check_formulas(book: OpenWorkbook, report: Report, seen: Report | None = None) -> list[Finding]:
    """Every formula cell holds the template's formula and a cached value that is right."""
    expected = compute(book.layout, report)
    explained = compute(book.layout, seen) if seen is not None and seen is not report else expected
    findings: list[Finding] = []
    cached_seen = 0
    for key, slot in book.layout.formulas.items():
        if slot.sheet not in book.formulas.sheetnames:
            continue
        found = book.formulas[slot.sheet].cell(slot.row + 1, slot.col + 1).value
        want = expected[key]
        where = {"sheet": slot.sheet, "cell": slot.cell, "label": slot_label(book.layout, slot)}
        if not isinstance(found, Formula):
            findings.append(finding(Code.FORMULA_REPLACED, found=_plain(found), expected=want.value, **where))
            continue
        if normalize_formula(found) != normalize_formula(want.text):
            findings.append(finding(Code.FORMULA_CHANGED, found=found.lstrip("="), expected=want.text, **where))
            continue
        cached = book.values[slot.sheet].cell(slot.row + 1, slot.col + 1).value
        if cached is None:
            continue  # saved without cached values (a script, or an empty text result)
        cached_seen += 1
        if not _same(cached, want.value) and not _same(cached, explained[key].value):
            findings.append(finding(Code.STALE_VALUE, found=_plain(cached), expected=want.value, **where))
    if cached_seen == 0:
        findings.append(finding(Code.NO_CACHED_VALUES))
    return findings


def reconcile(layout: Layout, report: Report) -> list[Finding]:
    out: list[Finding] = []
    for check in (_count, _measures, _priorities, _coordinator, _flags, _scheme_ticks, _required, _emails):
        out += check(layout, report)
    return out


def normalize_formula(text: str) -> str:
    """A formula as compared: LibreOffice rewrites `$`, spaces, case and number literals."""
    parts = re.split(r'("(?:[^"]|"")*")', text.lstrip("="))
    out = []
    for i, part in enumerate(parts):
        if i % 2:
            out.append(part)
            continue
        part = re.sub(r"\s+|\$", "", part).upper()
        part = re.sub(r"\d+\.\d+", lambda m: format(Decimal(m.group()).normalize(), "f"), part)
        out.append(part)
    return "".join(out)


def slot_label(layout: Layout, slot: FormulaSlot) -> str:
    """'Oppsummering!F20 (Kompetanseløftet, UH)': the cell, its row label and column header."""
    sheet = layout.sheet(slot.sheet)
    row_labels = [s for s in sheet.statics if s.row == slot.row and s.col < slot.col]
    block_start = max((s.row for s in sheet.statics if s.style == "heading" and s.row < slot.row), default=-1)
    heads = [s for s in sheet.statics if s.style == "colhead" and s.col == slot.col and block_start < s.row < slot.row]
    names = []
    if row_labels:
        names.append(max(row_labels, key=lambda s: s.col).text)
    if heads:
        names.append(max(heads, key=lambda s: s.row).text)
    return f"{slot.sheet}!{slot.cell}" + (f" ({', '.join(names)})" if names else "")


# ---------------------------------------------------------------- helpers


def _plain(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _same(cached: Any, want: Any) -> bool:
    if isinstance(want, int):
        return isinstance(cached, (int, float)) and not isinstance(cached, bool) and abs(cached - want) < 0.5
    return str(cached) == str(want)


def _at(layout: Layout, path: str, code: Code, **kw: Any) -> Finding:
    spec = layout.inputs[path]
    return finding(code, sheet=spec.sheet, cell=spec.cell, path=path, label=_label(spec), **kw)


def _label(spec: Input) -> str:
    return f"{spec.sheet}!{spec.cell} ({spec.label})"


def _filled(layout: Layout, report: Report) -> list[Measure]:
    return [m for m in report.measures if m.number <= layout.form.measures and (m.name or m.total)]


def _count(layout: Layout, report: Report) -> list[Finding]:
    filled = len(_filled(layout, report))
    if report.declared_measures is not None and report.declared_measures != filled:
        return [_at(layout, "declared_measures", Code.DECLARED_COUNT, found=report.declared_measures, expected=filled)]
    return []


def _scheme_label(layout: Layout, key: str | None) -> str:
    return next((c.label for c in layout.form.definition.schemes if c.key == key), key or "")


def _measures(layout: Layout, report: Report) -> list[Finding]:
    out: list[Finding] = []
    for m in _filled(layout, report):
        p = f"measures.{m.number}."
        if m.total and not m.scheme:
            out.append(_at(layout, p + "scheme", Code.SCHEME_MISSING, found=m.total))
        if m.total and not m.name:
            out.append(_at(layout, p + "name", Code.REQUIRED_FOR_MONEY))
        if m.name and not m.total:
            out.append(_at(layout, p + "name", Code.MEASURE_WITHOUT_MONEY))
        out += _cofunding(layout, m)
        out += _continuation(layout, m)
    return out


def _cofunding(layout: Layout, m: Measure) -> list[Finding]:
    need = required_cofunding(layout, m)
    if need and (m.cofunding or 0) < need:
        share = layout.form.definition.cofunding_share(m.scheme)
        return [_at(layout, f"measures.{m.number}.cofunding", Code.COFUNDING_LOW, found=m.cofunding or 0, expected=need,
                    share=f"{share * 100:.0f} %", total=_kr(m.total), scheme_label=_scheme_label(layout, m.scheme))]
    return []


def _kr(value: int) -> str:
    return f"{kr(value)} kr"


def _continuation(layout: Layout, m: Measure) -> list[Finding]:
    out: list[Finding] = []
    policy = layout.form.data["policy"]
    p = f"measures.{m.number}.continuation."
    for party, own in (("owner", m.owner_amount), ("uh", m.uh_amount)):
        reference = own or m.total
        for i, est in enumerate(m.continuation, 1):
            v = getattr(est, party)
            if v and 0 < v < policy["thousands_below"] and reference >= v * policy["thousands_factor"]:
                out.append(_at(layout, f"{p}{i}.{party}", Code.CONTINUATION_THOUSANDS, found=v, expected=v * 1000,
                               total=_kr(reference)))
        half, full = getattr(m.continuation[0], party), getattr(m.continuation[1], party)
        if half is not None and full is not None and half > full:
            out.append(_at(layout, f"{p}1.{party}", Code.CONTINUATION_HALF_YEAR, found=half, expected=full))
    estimates = [(i, party) for i, e in enumerate(m.continuation, 1) for party in ("owner", "uh") if getattr(e, party)]
    if estimates and m.duration.spring_y1 is False:
        i, party = estimates[0]
        period = layout.form.text("vår {Y1}")
        out.append(_at(layout, f"{p}{i}.{party}", Code.CONTINUATION_WITHOUT_DURATION, period=period))
    return out


def _priorities(layout: Layout, report: Report) -> list[Finding]:
    by_priority: dict[int, list[int]] = {}
    for m in _filled(layout, report):
        if m.priority is not None:
            by_priority.setdefault(m.priority, []).append(m.number)
    out = []
    for priority, numbers in sorted(by_priority.items()):
        if len(numbers) > 1:
            listed = ", ".join(str(n) for n in numbers)
            for n in numbers:
                out.append(_at(layout, f"measures.{n}.priority", Code.PRIORITY_DUPLICATE, found=priority, expected=listed))
    return out


def _coordinator(layout: Layout, report: Report) -> list[Finding]:
    out = []
    measures = _filled(layout, report)
    for scheme in layout.form.definition.schemes:
        request = report.coordinator.get(scheme.key)
        amount = (request.amount or 0) if request else 0
        asking = [m.number for m in measures if m.scheme == scheme.key and m.needs_coordinator]
        path = f"coordinator.{scheme.key}.amount"
        if amount > 0 and not asking:
            out.append(_at(layout, path, Code.COORDINATOR_UNUSED, found=amount, scheme_label=scheme.label))
        if asking and amount <= 0:
            out.append(_at(layout, path, Code.COORDINATOR_MISSING, expected=", ".join(map(str, asking)),
                           scheme_label=scheme.label))
    return out


def _yes_no(value: bool) -> str:
    return "Ja" if value else "Nei"


def _owner_count(report: Report) -> int:
    listed = [o for o in re.split(r",|\bog\b|;|\n", report.partnership.owners or "") if o.strip()]
    partners = [p for p in report.partners if p.kind == "owner"]
    return max(len(listed), 1 if report.partnership.owners else 0) + len(partners)


def _flags(layout: Layout, report: Report) -> list[Finding]:
    out = []
    p = report.partnership
    owners = _owner_count(report)
    if p.several_owners is not None and p.several_owners != (owners > 1):
        out.append(_at(layout, "partnership.several_owners", Code.FLAG_SEVERAL_OWNERS, found=_yes_no(p.several_owners), expected=owners))
    uh = (1 if p.uh else 0) + sum(1 for x in report.partners if x.kind == "uh")
    if p.several_uh is not None and p.several_uh != (uh > 1):
        out.append(_at(layout, "partnership.several_uh", Code.FLAG_SEVERAL_UH, found=_yes_no(p.several_uh), expected=uh))
    used = {m.scheme for m in _filled(layout, report) if m.scheme}
    if p.several_schemes is not None and used and p.several_schemes != (len(used) > 1):
        out.append(_at(layout, "partnership.several_schemes", Code.FLAG_SEVERAL_SCHEMES, found=_yes_no(p.several_schemes), expected=len(used)))
    return out


def _scheme_ticks(layout: Layout, report: Report) -> list[Finding]:
    out = []
    measures = _filled(layout, report)
    for scheme in layout.form.definition.schemes:
        ticked = report.partnership.schemes.get(scheme.key)
        count = sum(1 for m in measures if m.scheme == scheme.key)
        if ticked is not None and ticked != (count > 0):
            out.append(_at(layout, f"partnership.schemes.{scheme.key}", Code.SCHEME_NOT_DECLARED, found=_yes_no(ticked), expected=count))
    return out


def _required(layout: Layout, report: Report) -> list[Finding]:
    out = []
    filled = {m.number for m in _filled(layout, report)}
    money = {m.number for m in _filled(layout, report) if m.total}
    for path, spec in layout.inputs.items():
        if not spec.required or value_at(report, path) is not None:
            continue
        parts = path.split(".")
        if parts[0] == "measures":
            number = int(parts[1])
            if number not in filled or (number in money and parts[2] in ("name", "scheme")):
                continue
        severity = Severity.ERROR if path in CONTACT_REQUIRED else None
        out.append(_at(layout, path, Code.REQUIRED_MISSING, severity=severity))
    return out


def _emails(layout: Layout, report: Report) -> list[Finding]:
    out = []
    for path, spec in layout.inputs.items():
        value = value_at(report, path) if spec.type == "email" else None
        if value and not is_email(value):
            out.append(_at(layout, path, Code.INVALID_EMAIL, found=value))
    return out
