"""Plain records of a consolidation, for pandas or polars: lists of dicts with stable English keys.

The keys never change with the year, the form or its schemes: a scheme is a value
(`scheme`), never a column name. Amounts are whole kroner (`int`), or `None` where the
network left a cell empty. Times are ISO 8601 text with the offset. A measure's `flagged`
lists the codes of the warnings and errors in its own cells and in the cells its figures
rest on (flags.py); the figure itself is what the network wrote.

    import pandas
    measures = pandas.DataFrame(behovxl.consolidate("innkommet").measures())

These are the rows of the regional JSON, flattened; pandas is never needed by behovxl.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .findings import Severity
from .flags import Flags, union
from .models import Measure
from .owners import owner_names, uh_partners

if TYPE_CHECKING:  # consolidate.py builds the records from its own objects
    from .consolidate import Consolidation, Network, Source

__all__ = ["duration_text", "finding_records", "measure_records", "network_records", "source_record",
           "source_records"]


def source_records(c: Consolidation) -> list[dict[str, Any]]:
    """Every input file, by name (the same rows whatever order the files were given in)."""
    return [source_record(s) for s in sorted(c.files, key=lambda s: (s.name, s.sha256, s.status.value))]


def network_records(c: Consolidation) -> list[dict[str, Any]]:
    """Every counted network, then every roster network that has not returned (with empty figures)."""
    roster = {line.network: line for line in c.roster}
    out = [_network(n, roster.get(n.name)) for n in c.counted]
    for line in c.roster:
        if line.status.value == "missing":
            out.append({**dict.fromkeys(_NETWORK_KEYS), "network": line.network, "roster_status": "missing",
                        "owners": [], "uh_partners": []})
    return out


def measure_records(c: Consolidation) -> list[dict[str, Any]]:
    """Every measure of every counted network, in network and measure order."""
    out = []
    for n in c.counted:
        flags = Flags(n.source.findings)
        for m in sorted(n.report.measures, key=lambda m: m.number):
            out.append(_measure(n, m, flags, c.year))
    return out


def finding_records(c: Consolidation) -> list[dict[str, Any]]:
    """Every finding in every file, counted or not, with its message in Bokmål."""
    return [{"file": s.name, "network": s.network, "severity": f.severity.value, "code": f.code,
             "sheet": f.sheet, "cell": f.cell, "path": f.path, "message": f.text_nb}
            for s in sorted(c.files, key=lambda s: (s.name, s.sha256, s.status.value)) for f in s.findings]


def source_record(s: Source) -> dict[str, Any]:
    """One input file: its status, network, form, times and counts of findings."""
    r = s.report
    return {
        "file": s.name, "sha256": s.sha256, "status": s.status.value, "network": s.network,
        "form_id": r.form_id if r else None, "form_version": r.form_version if r else None,
        "year": r.year if r else None, "saved_at": s.saved_at.isoformat() if s.saved_at else None,
        "received": s.received.isoformat() if s.received else None,
        "errors": s.errors, "warnings": s.warnings, "reason": s.reason, "other": s.other or None,
    }


def duration_text(m: Measure, year: int | None) -> str:
    """«vår 2026 – vår 2027», and how far the estimates for continuation reach: «…, anslag til 2029»."""
    y = year or 0
    periods = [("vår", y, m.duration.spring_y), ("høst", y, m.duration.autumn_y), ("vår", y + 1, m.duration.spring_y1)]
    runs: list[list[str]] = []
    previous = False
    for word, when, on in periods:
        label = f"{word} {when}" if year else word
        if on and previous:
            runs[-1].append(label)
        elif on:
            runs.append([label])
        previous = bool(on)
    text = ", ".join(r[0] if len(r) == 1 else f"{r[0]} – {r[-1]}" for r in runs)
    reach = [i for i, e in enumerate(m.continuation) if e.owner is not None or e.uh is not None]
    if reach:
        last = [f"høst {y + 1}", str(y + 2), str(y + 3)][max(reach)] if year else ["høst Y+1", "Y+2", "Y+3"][max(reach)]
        text = f"{text}, anslag til {last}" if text else f"anslag til {last}"
    return text


_NETWORK_KEYS = ("network", "status", "roster_status", "file", "form_id", "form_version", "year", "language",
                 "owners", "uh_partners", "measures", "owner", "coordinator", "uh", "total", "codetermination",
                 "errors", "warnings", "saved_at", "received")


def _network(n: Network, roster: Any) -> dict[str, Any]:
    r, s = n.report, n.source
    owner = sum(m.owner_amount for m in r.measures)
    uh = sum(m.uh_amount for m in r.measures)
    coordinator = sum(req.amount or 0 for req in r.coordinator.values())
    status = "error" if s.errors else "warning" if s.warnings else "ok"
    return {
        "network": n.name, "status": status, "roster_status": roster.status.value if roster else None,
        "file": s.name, "form_id": r.form_id, "form_version": r.form_version, "year": r.year, "language": r.language,
        "owners": owner_names(r), "uh_partners": [name for name, _ in uh_partners(r)], "measures": len(r.measures),
        "owner": owner, "coordinator": coordinator, "uh": uh, "total": owner + coordinator + uh,
        "codetermination": r.codetermination.discussed, "errors": s.errors, "warnings": s.warnings,
        "saved_at": s.saved_at.isoformat() if s.saved_at else None,
        "received": s.received.isoformat() if s.received else None,
    }


def _measure(n: Network, m: Measure, flags: Flags, year: int | None) -> dict[str, Any]:
    k = m.number
    own = tuple(f for f in n.source.findings if (f.path or "").startswith((f"measures.{k}.", f"summary.measures.{k}.")))
    flagged = union(own, flags.get(f"m{k}.owner", f"m{k}.uh", f"m{k}.scheme", f"m{k}.cofunding"))
    return {
        "year": year, "network": n.name, "file": n.source.name, "number": k, "name": m.name, "scheme": m.scheme,
        "purpose": m.purpose, "priority": m.priority, "duration": duration_text(m, year),
        "owner": m.owner_amount, "uh": m.uh_amount, "total": m.total, "cofunding": m.cofunding,
        "needs_coordinator": m.needs_coordinator,
        "flagged": list(dict.fromkeys(f.code for f in flagged if f.severity in (Severity.ERROR, Severity.WARNING))),
    }
