"""Check and import many returned workbooks: results, exit codes and how they are shown."""

from __future__ import annotations

import json
from pathlib import Path

from .findings import Code, Severity, sort_findings
from .reader import ReadResult, read_workbook

SEVERITY_NB = {Severity.ERROR: "FEIL", Severity.WARNING: "ADVARSEL", Severity.INFO: "INFO"}

# ---------------------------------------------------------------- public API


def check_files(paths: list[Path]) -> list[ReadResult]:
    """Read every file; one that cannot be read never stops the others."""
    return [read_workbook(Path(p)) for p in paths]


def exit_code(results: list[ReadResult]) -> int:
    """0 all clean, 1 any file with errors, 2 any file unreadable (2 wins)."""
    if any(r.status == "unreadable" for r in results):
        return 2
    return 1 if any(r.status == "errors" for r in results) else 0


def as_json(results: list[ReadResult]) -> str:
    files = [
        {
            "file": str(r.file),
            "status": r.status,
            "findings": [f.model_dump(mode="json") for f in sort_findings(r.findings)],
        }
        for r in results
    ]
    return json.dumps({"files": files}, ensure_ascii=False, indent=2)


def as_text(results: list[ReadResult]) -> str:
    blocks = []
    for r in results:
        head = f"{r.file}: {_summary(r)}"
        lines = [head]
        for f in sort_findings(r.findings):
            where = f"{f.sheet}!{f.cell}" if f.sheet and f.cell else (f.sheet or "")
            lines.append(f"  {SEVERITY_NB[f.severity]:<8} {where:<22} {f.code}")
            lines.append(f"           {f.message}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def reports_json(results: list[ReadResult]) -> str:
    reports = [r.report.model_dump(mode="json") for r in results if r.report is not None]
    return json.dumps(reports, ensure_ascii=False, indent=2)


def catalogue() -> list[dict]:
    """Every finding code: the reader's and checks' (`Code`), then consolidation's (`BatchCode`)."""
    from .consolidate import BatchCode

    codes: list = [*Code, *BatchCode]
    return [{"code": c.value, "severity": c.severity.value, "description": c.title, "message": c.template} for c in codes]


def catalogue_markdown() -> str:
    rows = ["| code | severity | what it means | message (Bokmål) |", "|---|---|---|---|"]
    for c in catalogue():
        rows.append(f"| `{c['code']}` | {c['severity']} | {c['description']} | {c['message'].replace('|', '/')} |")
    return "\n".join(rows)


# ---------------------------------------------------------------- helpers


def _summary(r: ReadResult) -> str:
    if r.status == "unreadable":
        return "kan ikke leses"
    if not r.findings:
        return "ingen avvik"
    info = sum(f.severity == Severity.INFO for f in r.findings)
    parts = [f"{r.errors} feil", f"{r.warnings} " + ("advarsel" if r.warnings == 1 else "advarsler")]
    if info:
        parts.append(f"{info} info")
    return ", ".join(parts)
