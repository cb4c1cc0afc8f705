"""How `check` and `import` show their results: text for a person, JSON for a program.

The text leads with the message, in the file's own written language; the finding's
code stands apart on the line below, for whoever needs to look it up.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from .findings import CATALOGUE, Finding, Severity
from .pipeline import ReadResult

_LABELS = {
    "nb": {Severity.ERROR: "FEIL", Severity.WARNING: "ADVARSEL", Severity.INFO: "INFO"},
    "nn": {Severity.ERROR: "FEIL", Severity.WARNING: "ÅTVARING", Severity.INFO: "INFO"},
}

# ---------------------------------------------------------------- public API


def exit_code(results: Iterable[ReadResult]) -> int:
    """0 all clean, 1 any file with errors, 2 any file unreadable (2 wins)."""
    statuses = {r.status for r in results}
    if "unreadable" in statuses:
        return 2
    return 1 if "errors" in statuses else 0


def as_json(results: Sequence[ReadResult]) -> str:
    files = [{"file": str(r.file), "status": r.status, "language": r.language,
              "findings": [f.model_dump(mode="json") for f in r.findings]} for r in results]
    return json.dumps({"files": files}, ensure_ascii=False, indent=2)


def as_text(results: Sequence[ReadResult]) -> str:
    return "\n\n".join(file_text(r) for r in results)


def file_text(r: ReadResult) -> str:
    language = r.language if r.status != "unreadable" else "nb"
    lines = [f"{r.file}: {summary(r, language)}"]
    for f in r.findings:
        lines.append(f"  {_LABELS[language][f.severity]:<9} {f.message}")
        where = f"{f.sheet}!{f.cell}" if f.sheet and f.cell else (f.sheet or "")
        lines.append(f"  {'':<9} {where + ' · ' if where else ''}{f.code}")
    return "\n".join(lines)


def summary(r: ReadResult, language: str = "nb") -> str:
    nn = language == "nn"
    if r.status == "unreadable":
        return "kan ikkje lesast" if nn else "kan ikke leses"
    if not r.findings:
        return "ingen avvik"
    info = sum(f.severity == Severity.INFO for f in r.findings)
    warn_one, warn_many = ("åtvaring", "åtvaringar") if nn else ("advarsel", "advarsler")
    parts = [f"{r.errors} feil", f"{r.warnings} {warn_one if r.warnings == 1 else warn_many}"]
    if info:
        parts.append(f"{info} info")
    return ", ".join(parts)


def reports_json(results: Iterable[ReadResult]) -> str:
    reports = [r.report.model_dump(mode="json") for r in results if r.report is not None]
    return json.dumps(reports, ensure_ascii=False, indent=2) + "\n"


def catalogue() -> list[dict[str, Any]]:
    """Every finding code: severity, scope, what it means, and its message in Bokmål and Nynorsk."""
    return [{"code": e.code, "severity": e.severity.value, "scope": e.scope.value, "description": e.description,
             "message_nb": e.nb, "message_nn": e.nn} for e in CATALOGUE]


_SCOPES = {"cell": "celle", "workbook": "arbeidsbok", "file": "fil", "batch": "samling"}


def catalogue_markdown() -> str:
    rows = ["| Kode | Alvorlighet | Gjelder | Hva det betyr | Melding (bokmål) |", "|---|---|---|---|---|"]
    for c in catalogue():
        severity = Severity(c["severity"]).label
        message = c["message_nb"].replace("|", "/")
        rows.append(f"| `{c['code']}` | {severity} | {_SCOPES[c['scope']]} | {c['description']} | {message} |")
    return "\n".join(rows)


def catalogue_text() -> str:
    return "\n".join(f"{c['code']:<30} {Severity(c['severity']).label:<9} {c['description']}" for c in catalogue())


def findings_of(results: Iterable[ReadResult]) -> list[Finding]:
    return [f for r in results for f in r.findings]
