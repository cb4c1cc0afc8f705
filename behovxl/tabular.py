"""A consolidation as tables: the rows of every regional sheet, and JSON and CSV.

`tables(consolidation)` gives one `Table` per sheet of the regional workbook, in
sheet order: headers, column kinds and the rows as plain values. The workbook
writer (`regional.py`) draws them with formats and formulas; `csv_files` writes
the same rows as CSV, so the two never disagree.

CSV dialect: UTF-8 with BOM, `;` as separator, minimal quoting, CRLF line ends.
The separator is `;` on purpose: Excel with Norwegian regional settings uses `;`
as list separator (the comma is the decimal sign), so a comma-separated file
double-clicked in Norway opens with every row in column A. Amounts are whole
kroner written as plain integers (no thousands separator). Totals rows are not in
the CSV; they are sums of the rows.

CSV injection (OWASP): a text cell that begins with `=`, `+`, `-`, `@`, a tab or a
carriage return is written with a leading single quote (`'=HYPERLINK(...)`) so a
spreadsheet shows it as text instead of running it. Numbers are never prefixed.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .consolidate import Consolidation, Source, local
from .models import Report

__all__ = ["CSV_NAMES", "Column", "Table", "consolidation_json", "csv_files", "csv_safe", "scheme_figures", "tables"]

CSV_NAMES = ("oversikt", "tiltak", "videreforing", "enheter", "kontakter", "avvik", "kilder")
OTHER = "uten-ordning"  # pseudo-scheme for money with no (known) scheme
OTHER_LABEL = "Uten ordning"

# ---------------------------------------------------------------- public API


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = "text"            # text | flag (short, centred) | status | amount | count | number | date
    width: float = 14             # the widest the column may get
    group: str = ""               # a heading over several columns (Oversikt)
    sum_of: tuple[int, ...] = ()  # the cell is the sum of these columns of the same row
    total: bool = False           # summed in the totals row
    wrap: bool = False

    @property
    def csv_header(self) -> str:
        return f"{self.group}: {self.header}" if self.group else self.header


@dataclass(frozen=True)
class Table:
    key: str                       # CSV file stem
    sheet: str
    title: str
    note: str
    columns: tuple[Column, ...]
    rows: list[list[Any]]
    totals: str = ""               # label of the totals row; "" for none
    excel_table: bool = False      # an Excel table with filters (Tiltak)

    def total(self, col: int) -> int:
        return sum(_num(row[col]) for row in self.rows)


def tables(c: Consolidation) -> list[Table]:
    """The regional sheets in order: Oversikt, Tiltak, Videreføring, Enheter, Kontakter, Avvik, Kilder."""
    return [_oversikt(c), _tiltak(c), _videreforing(c), _enheter(c), _kontakter(c), _avvik(c), _kilder(c)]


def scheme_figures(report: Report, keys: list[str]) -> dict[str, tuple[int, int, int]]:
    """(owner, coordinator, UH) requested per scheme key; money under no key in `keys` goes to OTHER."""
    out = {k: [0, 0, 0] for k in [*keys, OTHER]}
    for m in report.measures:
        k = m.scheme if m.scheme in keys else OTHER
        out[k][0] += m.owner_amount
        out[k][2] += m.uh_amount
    for k, req in report.coordinator.items():
        out[k if k in keys else OTHER][1] += req.amount or 0
    return {k: (v[0], v[1], v[2]) for k, v in out.items()}


def csv_safe(value: str) -> str:
    """A text cell as written to CSV: a leading ' when a spreadsheet would take it for a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def csv_files(c: Consolidation) -> dict[str, bytes]:
    """File name -> bytes, one CSV per table."""
    return {f"{t.key}.csv": _csv(t) for t in tables(c)}


def consolidation_json(c: Consolidation) -> bytes:
    data = {
        "behovxl": "consolidation",
        "year": c.year,
        "networks": [n.report.model_dump(mode="json") for n in c.networks],
        "sources": [_source_json(s) for s in c.sources],
        "findings": [
            {"file": sf.file, "network": sf.network, **sf.finding.model_dump(mode="json"), "message": sf.finding.text_nb}
            for sf in c.findings
        ],
    }
    return (json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n").encode("utf-8")


# ---------------------------------------------------------------- the tables


def _schemes(c: Consolidation) -> list[tuple[str, str]]:
    """(key, label) for every scheme of the forms in the batch, in form order; OTHER if any money lacks one."""
    labels = c.registry.scheme_labels()
    keys: list[str] = []
    forms = {(n.report.form_id, n.report.form_version) for n in c.networks}
    for d in c.registry.definitions:
        if (d.form_id, d.version) in forms:
            keys += [s.key for s in d.schemes if s.key not in keys]
    has_other = any(scheme_figures(n.report, keys)[OTHER] != (0, 0, 0) for n in c.networks)
    return [(k, labels[k]) for k in keys] + ([(OTHER, OTHER_LABEL)] if has_other else [])


def _title(text: str, c: Consolidation) -> str:
    return f"{text} {c.year}" if c.year else text


def _year(c: Consolidation, plus: int = 0) -> str:
    return str(c.year + plus) if c.year else ("Y" if not plus else f"Y+{plus}")


def _oversikt(c: Consolidation) -> Table:
    schemes = _schemes(c)
    cols = [Column("Nettverk", width=36, wrap=True), Column("Status", "status", width=10)]
    for _, label in schemes:
        first = len(cols)
        cols += [Column(h, "amount", 13, label, total=True) for h in ("Eier", "Koordinator", "UH")]
        cols.append(Column("Totalt", "amount", 14, label, (first, first + 1, first + 2), total=True))
    scheme_totals = tuple(i for i, col in enumerate(cols) if col.sum_of)
    cols.append(Column("Totalt omsøkt", "amount", 15, "Alle ordninger", scheme_totals, total=True))
    rows = []
    keys = [k for k, _ in schemes if k != OTHER]
    for n in c.networks:
        figures = scheme_figures(n.report, keys)
        row: list[Any] = [n.name, n.status]
        for key, _ in schemes:
            owner, coord, uh = figures[key]
            row += [owner, coord, uh, owner + coord + uh]
        row.append(sum(row[i] for i in scheme_totals))
        rows.append(row)
    files = len(c.sources)
    note = (f"{len(c.networks)} nettverk telt med, {files} filer lest. Beløp i hele kroner. "
            "Se arkene «Avvik» og «Kilder» for feil og for filer som ikke er telt med.")
    return Table("oversikt", "Oversikt", _title("Regional oversikt over behovsmeldinger", c), note,
                 tuple(cols), rows, totals="Sum alle nettverk")


def _tiltak(c: Consolidation) -> Table:
    cols = [
        Column("Nettverk", width=34, wrap=True), Column("Nr.", "number", 6), Column("Prioritet", "number", 9),
        Column("Tiltak", width=36, wrap=True), Column("Ordning", width=22, wrap=True), Column("Formål", width=24, wrap=True),
        Column("Eier", "amount", 13, total=True), Column("UH", "amount", 13, total=True),
        Column("Totalt", "amount", 13, sum_of=(6, 7), total=True), Column("Egenandel", "amount", 13, total=True),
        Column("Koordinator", "flag", 12), Column("Målgruppe", width=34, wrap=True),
    ]
    periods = [f"Høst {_year(c, 1)}", _year(c, 2), _year(c, 3)]
    for p in periods:
        cols += [Column(f"{p} eier", "amount", 13, total=True), Column(f"{p} UH", "amount", 13, total=True)]
    rows = []
    for n in c.networks:
        d = _definition(c, n.report)
        purposes = {ch.key: ch.label.nb for ch in d.choices("purposes")} if d else {}
        schemes = {s.key: s.label.nb for s in d.schemes} if d else c.registry.scheme_labels()
        for m in sorted(n.report.measures, key=lambda m: m.number):
            row: list[Any] = [
                n.name, m.number, m.priority, m.name, schemes.get(m.scheme or "", m.scheme),
                purposes.get(m.purpose or "", m.purpose), m.owner_amount, m.uh_amount, m.total, m.cofunding,
                _yes_no(m.needs_coordinator), m.target_group,
            ]
            for est in m.continuation:
                row += [est.owner, est.uh]
            rows.append(row)
    note = "Ett tiltak per rad fra alle nettverk som er telt med. Bruk filtrene i overskriftsraden; summen gjelder radene som vises."
    return Table("tiltak", "Tiltak", _title("Tiltak", c), note, tuple(cols), rows,
                 totals="Sum (viste rader)", excel_table=True)


def _videreforing(c: Consolidation) -> Table:
    cols = [Column("Nettverk", width=36, wrap=True)]
    periods = [f"Høst {_year(c, 1)}", _year(c, 2), _year(c, 3)]
    for p in periods:
        first = len(cols)
        cols += [Column("Eier", "amount", 13, p, total=True), Column("UH", "amount", 13, p, total=True),
                 Column("Sum", "amount", 13, p, (first, first + 1), total=True)]
    sums = tuple(i for i, col in enumerate(cols) if col.sum_of)
    cols.append(Column("Totalt", "amount", 14, "Alle år", sums, total=True))
    rows = []
    for n in c.networks:
        row: list[Any] = [n.name]
        for i in range(3):
            owner = _sum_or_none(m.continuation[i].owner for m in n.report.measures)
            uh = _sum_or_none(m.continuation[i].uh for m in n.report.measures)
            row += [owner, uh, _num(owner) + _num(uh)]
        row.append(sum(row[i] for i in sums))
        rows.append(row)
    note = "Anslag ved videreføring av tiltakene, summert per nettverk. Tomt: nettverket har ikke gitt anslag."
    return Table("videreforing", "Videreføring", (f"Anslag ved videreføring etter {c.year}" if c.year else "Anslag ved videreføring"), note,
                 tuple(cols), rows, totals="Sum alle nettverk")


_UNIT_COLUMNS = (
    ("municipal_kindergartens", "Kommunale barnehager"), ("private_kindergartens", "Private barnehager"),
    ("public_schools", "Offentlige skoler"), ("private_schools", "Private skoler"), ("pp_services", "PP-tjenester"),
)


def _enheter(c: Consolidation) -> Table:
    cols = [Column("Nettverk", width=36, wrap=True)]
    cols += [Column(label, "count", 12, total=True) for _, label in _UNIT_COLUMNS]
    cols.append(Column("Merknad", width=40, wrap=True))
    rows = [[n.name, *(getattr(n.report.units, key) for key, _ in _UNIT_COLUMNS), n.report.units.note]
            for n in c.networks]
    return Table("enheter", "Enheter", _title("Enheter i behovsmeldingene", c),
                 "Antall enheter som behovsmeldingene omfatter, slik nettverkene har oppgitt dem.",
                 tuple(cols), rows, totals="Sum alle nettverk")


def _kontakter(c: Consolidation) -> Table:
    cols = (Column("Nettverk", width=32, wrap=True), Column("Rolle", "flag", 8), Column("Navn", width=26, wrap=True),
            Column("Funksjon", width=28, wrap=True), Column("E-post", width=34), Column("Merking", width=28, wrap=True))
    rows = []
    for n in c.networks:
        for role, contact in (("Eier", n.report.contacts.owner), ("UH", n.report.contacts.uh)):
            rows.append([n.name, role, contact.name, contact.role, contact.email, contact.invoice_marking])
    return Table("kontakter", "Kontakter", _title("Kontaktpersoner", c),
                 "Kontaktperson for eier og for UH i hvert nettverk som er telt med.", cols, rows)


def _avvik(c: Consolidation) -> Table:
    cols = (Column("Fil", width=30, wrap=True), Column("Nettverk", width=34, wrap=True), Column("Ark", width=14),
            Column("Celle", width=7), Column("Alvorlighet", "status", 11), Column("Kode", width=22),
            Column("Melding", width=70, wrap=True))
    rows = [[sf.file, sf.network, sf.finding.sheet, sf.finding.cell, sf.finding.severity.label,
             sf.finding.code, sf.finding.text_nb] for sf in c.findings]
    return Table("avvik", "Avvik", _title("Avvik", c),
                 "Alle feil, advarsler og merknader fra alle filene, også filer som ikke er telt med.", cols, rows)


def _kilder(c: Consolidation) -> Table:
    cols = (Column("Fil", width=34, wrap=True), Column("Status", "status", 18), Column("Nettverk", width=34, wrap=True),
            Column("Skjemaversjon", "flag", 13), Column("År", "number", 6), Column("Feil", "count", 6),
            Column("Advarsler", "count", 10), Column("Lagret", "date", 17),
            Column("Erstattet av / årsak", width=50, wrap=True), Column("SHA-256", width=66))
    rows = []
    for s in c.sources:
        r = s.report
        rows.append([s.name, s.status.label, s.network, r.form_version if r else None, r.year if r else None,
                     s.errors, s.warnings, local(s.saved_at), s.reason, s.sha256])
    return Table("kilder", "Kilder", _title("Kilder", c),
                 "Hver fil som ble lest, med hva som skjedde med den. Bare «Importert» og «Importert med feil» er telt med.",
                 cols, rows)


# ---------------------------------------------------------------- helpers


def _definition(c: Consolidation, report: Report):  # type: ignore[no-untyped-def]
    from .errors import UnknownFormError

    try:
        return c.registry.lookup(report.form_id, report.form_version)
    except UnknownFormError:  # a report of an unknown version still shows its raw keys
        return None


def _yes_no(value: bool | None) -> str | None:
    return None if value is None else ("Ja" if value else "Nei")


def _sum_or_none(values) -> int | None:
    given = [v for v in values if v is not None]
    return sum(given) if given else None


def _num(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _source_json(s: Source) -> dict[str, Any]:
    r = s.report
    return {
        "file": s.name, "sha256": s.sha256, "status": s.status.value, "network": s.network,
        "form_id": r.form_id if r else None, "form_version": r.form_version if r else None,
        "year": r.year if r else None, "saved_at": s.saved_at.isoformat() if s.saved_at else None,
        "received": s.received.isoformat() if s.received else None,
        "errors": s.errors, "warnings": s.warnings, "reason": s.reason, "other": s.other or None,
    }


def _csv(t: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([csv_safe(col.csv_header) for col in t.columns])
    for row in t.rows:
        writer.writerow([_csv_cell(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Ja" if value else "Nei"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    return csv_safe(str(value))
