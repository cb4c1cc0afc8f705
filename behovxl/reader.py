"""From a workbook's raw cells to a typed report.

Every input is parsed by its field type. What cannot be trusted becomes a finding at
its sheet and cell: a Word placeholder left in a field, a choice that is not on the
list, a formula typed into an input, a negative or absurd amount. Numbers typed as
text are read (with «tusen», «mill.» understood); that they were text is the
concern of the rules (rules.py), which the workbook's check area shows too.
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime, time
from typing import Any

from .expr import Value
from .findings import Finding, finding
from .form import Form
from .layout import Input
from .models import Report
from .numbers import is_placeholder, parse_whole_number
from .paths import choice_key, report_from_values
from .workbook import Workbook

#: An amount above this in one field is not a figure anybody means (100 MNOK).
AMOUNT_CEILING = 100_000_000

# ---------------------------------------------------------------- public API


def read_report(book: Workbook) -> tuple[Report, list[Finding]]:
    """The report a workbook holds, and what reading its cells found."""
    return _Reader(book.form).read(book)


def clean_name(text: str) -> tuple[str, bool]:
    """A name with invisible and control characters removed (NFKC), and whether there were any."""
    normal = unicodedata.normalize("NFKC", text)
    kept = "".join(ch for ch in normal if unicodedata.category(ch) not in ("Cc", "Cf") or ch in "\n\t")
    return kept, kept != unicodedata.normalize("NFKC", text) or any(unicodedata.category(c) in ("Cc", "Cf")
                                                                    for c in text if c not in "\n\t")


# ---------------------------------------------------------------- cells


class _Reader:
    def __init__(self, form: Form) -> None:
        self.form, self.language = form, form.language
        self.findings: list[Finding] = []

    def read(self, book: Workbook) -> tuple[Report, list[Finding]]:
        values: dict[str, Any] = {}
        for path, spec in book.layout.inputs.items():
            if path in book.input_formulas:
                self.at(spec, "formula-in-input", found="=" + book.input_formulas[path], expected=book.raw.get(path))
            values[path] = self.value(spec, book.raw.get(path))
        d = self.form.definition
        identity = {"form_id": d.form_id, "form_version": d.version, "year": self.form.year,
                    "language": self.language, "network_id": self.form.network or None}
        report = report_from_values(book.layout, values, identity)
        if not d.several_schemes:
            for m in report.measures:  # one scheme: every measure is in it
                m.scheme = d.schemes[0].key
        return report, self.findings

    def at(self, spec: Input, code: str, **kw: Any) -> None:
        self.findings.append(finding(code, language=self.language, sheet=spec.sheet, cell=spec.cell, path=spec.path,
                                     where=spec.where, **kw))

    def value(self, spec: Input, raw: Value) -> Any:
        if isinstance(raw, (datetime, date, time)):
            raw = raw.date().isoformat() if isinstance(raw, datetime) else raw.isoformat()
        if isinstance(raw, str) and is_placeholder(raw):
            self.at(spec, "placeholder", found=" ".join(raw.split()))
            return None
        if spec.type in ("amount", "integer"):
            return self.number(spec, raw)
        if spec.type == "choice":
            return self.choice(spec, raw)
        return self.text(spec, raw)

    def text(self, spec: Input, raw: Value) -> str | None:
        if raw is None:
            return None
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        if isinstance(raw, bool):
            raw = self.form.text("yes" if raw else "no")
        typed = str(raw)
        text = typed.strip()
        if spec.max_length and len(typed) > spec.max_length:  # also a field of 32 000 spaces
            self.at(spec, "text-too-long", found=len(typed), expected=spec.max_length)
        if spec.path == "partnership.network" and text:
            cleaned, changed = clean_name(text)
            if changed:
                self.at(spec, "invisible-characters")
                text = cleaned.strip()
        return text or None

    def number(self, spec: Input, raw: Value) -> int | None:
        parsed = parse_whole_number(raw)
        if parsed.kind == "fractional":
            unit = "kroner" if spec.type == "amount" else ("tal" if self.language == "nn" else "tall")
            self.at(spec, "fractional-amount", found=_show(raw), unit=unit)
        if parsed.value is None:
            return None
        if parsed.value < 0:
            self.at(spec, "negative-amount", found=parsed.value)
        ceiling = AMOUNT_CEILING if spec.type == "amount" else (spec.max_value or 1000) * 100
        if abs(parsed.value) > ceiling:
            self.at(spec, "amount-too-large", found=parsed.value, expected=ceiling)
        return parsed.value

    def choice(self, spec: Input, raw: Value) -> Any:
        text = "" if raw is None else str(raw).strip()
        if not text:
            return None
        key = choice_key(self.form, spec, text)
        if key is None:
            self.at(spec, "invalid-choice", found=text, expected=", ".join(spec.choices))
        return key


def _show(raw: Any) -> str:
    return " ".join(str(raw).split())
