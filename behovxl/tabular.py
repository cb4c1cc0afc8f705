"""A consolidation as the regional workbook's tables, and as JSON and CSV.

`Round(consolidation, frame, last_year)` is the round as the regional forum sees it: the
schemes of every form definition in the batch, each network's money per scheme, the
figures that rest on flagged cells, and the lines of the forum's innstilling.
`tables(round)` gives one `Table` per sheet (Innstilling is drawn by innstilling.py): its
headers, column kinds, rows and subtotals as plain values. The workbook writer
(`regional.py`) draws them with formats and formulas; `csv_files` writes the same rows as
CSV, so the two never disagree.

A figure that rests on a cell with a warning or an error in the network's own workbook
(a finding whose path is an input the figure sums, or a formula that computes it) is a
`Figure` with those findings: the workbook marks it (fill and a note with the messages),
the CSV names the codes in the column «Flagget», and the JSON lists them. The figure is
never corrected: it is what the network wrote.

CSV files are written in behovxl's one dialect (csvfile.py).
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from .consolidate import Consolidation, Network, RosterStatus, Source, local
from .csvfile import csv_bytes
from .definition import Definition
from .findings import Finding, Severity
from .flags import PARTS, Flags, targets, union
from .innstilling import COORDINATOR, DefinitionSpec, Layout, LineSpec, LineView, Mark, NetworkSpec, SchemeSpec, Spec
from .jsonfile import write_json
from .lastyear import LastYear
from .models import Measure, Report
from .owners import owner_key, owner_names, uh_partners
from .records import duration_text, source_record
from .roster import network_key

__all__ = ["CSV_NAMES", "Column", "Figure", "Flags", "Formula", "NetworkMoney", "Round", "Subtotal", "Table", "as_round",
           "consolidation_json", "csv_files", "duration_text", "scheme_figures", "tables",
           "targets"]

CSV_NAMES = ("oversikt", "ordninger", "tiltak", "videreforing", "eiere-og-uh", "sammenligning", "enheter",
             "kontakter", "avvik", "kilder")
OTHER = "uten-ordning"  # pseudo-scheme for money with no (known) scheme
OTHER_LABEL = "Uten ordning"

# ---------------------------------------------------------------- public API: cells and tables


@dataclass(frozen=True)
class Figure:
    """An amount and the findings (warnings, errors) of the cells it rests on."""

    amount: int | None
    findings: tuple[Finding, ...] = ()

    @property
    def codes(self) -> list[str]:
        return list(dict.fromkeys(f.code for f in self.findings))

    @property
    def mark(self) -> Mark | None:
        if not self.findings:
            return None
        worst = Severity.ERROR if any(f.severity == Severity.ERROR for f in self.findings) else Severity.WARNING
        texts = list(dict.fromkeys(f"{f.severity.label}: {f.text_nb}" for f in self.findings))
        return Mark(worst, "Tallet står slik nettverket skrev det. Avvik i skjemaet:\n\n" + "\n\n".join(texts))

    def __add__(self, other: Figure) -> Figure:
        if self.amount is None and other.amount is None:
            amount = None
        else:
            amount = (self.amount or 0) + (other.amount or 0)
        return Figure(amount, union(self.findings, other.findings))


@dataclass(frozen=True)
class Formula:
    """A formula cell of a table (a reference to another sheet) with its value as written."""

    text: str
    value: int


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = "text"            # text | flag | status | amount | count | number | date | codes
    width: float = 14             # the widest the column may get
    group: str = ""               # a heading over several columns
    sum_of: tuple[int, ...] = ()  # the cell is the sum of these columns of the same row
    minus: tuple[int, int] | None = None  # the cell is column a minus column b of the same row
    total: bool = False           # summed in the totals and subtotal rows
    wrap: bool = False
    sheet: bool = True            # shown in the workbook
    csv: bool = True              # written to the CSV file
    csv_name: str = ""            # the CSV header, when it differs from the sheet's
    key: str = ""                 # what the column holds, where the header does not say it uniquely (a scheme)

    @property
    def csv_header(self) -> str:
        name = self.csv_name or self.header
        return f"{self.group}: {name}" if self.group else name


@dataclass(frozen=True)
class Subtotal:
    label: str
    rows: tuple[int, ...]         # the data rows it sums (indexes into Table.rows)
    grand: bool = False           # styled as a grand total


@dataclass
class Table:
    key: str                       # CSV file stem
    sheet: str
    title: str
    note: str
    columns: tuple[Column, ...]
    rows: list[list[Any]]
    totals: str = ""               # label of the totals row; "" for none
    excel_table: bool = False      # an Excel table with filters (Tiltak)
    subtotals: list[Subtotal] = field(default_factory=list)
    text_marks: dict[tuple[int, int], Mark] = field(default_factory=dict)  # marks on text cells

    def total(self, col: int, rows: Iterable[int] | None = None) -> int:
        chosen = range(len(self.rows)) if rows is None else rows
        return sum(_num(self.rows[i][col]) for i in chosen)


# ---------------------------------------------------------------- public API: the round


class Round:
    """The consolidation as the forum reads it; everything the regional outputs are made of."""

    def __init__(self, c: Consolidation, frame: dict[str, int] | None = None, last_year: LastYear | None = None) -> None:
        self.c, self.frame, self.last_year = c, dict(c.frame if frame is None else frame), last_year
        self.definitions = _definitions(c)
        self.schemes = self._schemes()
        self.keys = [s.key for s in self.schemes if s.key != OTHER]
        self.money = {n.key: NetworkMoney(n, self.keys) for n in c.counted}
        self.spec, self.views = self._innstilling()
        self.layout = Layout(self.spec)
        self._line_index: dict[tuple[str, str], list[int]] = {}
        for i, line in enumerate(self.spec.lines):
            self._line_index.setdefault((line.network, line.scheme), []).append(i)
        self._tables: list[Table] | None = None

    @property
    def labels(self) -> dict[str, str]:
        return {s.key: s.label for s in self.schemes}

    def scheme_spec(self, key: str) -> SchemeSpec | None:
        return next((s for s in self.schemes if s.key == key), None)

    def scheme_refs(self) -> list[SchemeSpec]:
        """The schemes a frame may name: those of the definitions in the batch."""
        return [s for s in self.schemes if s.framed]

    def definition(self, report: Report) -> Definition | None:
        return next((d for d in self.definitions if (d.form_id, d.version) == (report.form_id, report.form_version)),
                    None)

    def _schemes(self) -> list[SchemeSpec]:
        seen: dict[str, SchemeSpec] = {}
        for d in self.definitions:
            for s in d.schemes:
                seen.setdefault(s.key, SchemeSpec(s.key, s.label.nb, s.short.nb, _definition_id(d)))
        keys = list(seen)
        if any(scheme_figures(n.report, keys)[OTHER] != (0, 0, 0) for n in self.c.counted):
            seen[OTHER] = SchemeSpec(OTHER, OTHER_LABEL, OTHER_LABEL, "", framed=False)
        return list(seen.values())

    def definition_specs(self) -> list[DefinitionSpec]:
        out = []
        for d in self.definitions:
            shorts = [s.short for s in self.schemes if s.definition == _definition_id(d)]
            if shorts:
                out.append(DefinitionSpec(_definition_id(d), _joined(shorts)))
        return out

    def _innstilling(self) -> tuple[Spec, dict[int, LineView]]:
        lines: list[LineSpec] = []
        views: dict[int, LineView] = {}
        for s in self.schemes:
            for n in self.c.counted:
                for line, view in self.money[n.key].lines(s, self.c.year):
                    views[len(lines)] = view
                    lines.append(line)
        used = {line.network for line in lines}
        networks = tuple(NetworkSpec(n.key, n.name) for n in self.c.counted if n.key in used)
        estimates = tuple((n.key, s, o, u) for n in self.c.counted
                          for s, (o, u) in self.money[n.key].estimates().items())
        spec = Spec(self.c.year, tuple(self.definition_specs()), tuple(self.schemes), networks, tuple(lines),
                    frame_given=tuple(s.key for s in self.schemes if s.key in self.frame), estimates=estimates)
        return spec, views

    def recommended(self, network: str, scheme: str, side: str) -> Formula | None:
        """The Innstilling sheet's recommendation for a network's owner or UH side in a scheme, as a formula."""
        idx = self._line_index.get((network, scheme), [])
        if not idx:
            return None
        keys = [f"rec.{i}.{side}" for i in idx]
        value = sum(_num(self.views[i].owner if side == "owner" else self.views[i].uh) for i in idx)
        return Formula(self.layout.ref(keys, EIERE_SHEET), value)


class NetworkMoney:
    """One network's request: per scheme owner, coordinator and UH, and the figures that rest on flagged cells."""

    def __init__(self, n: Network, keys: list[str]) -> None:
        self.n, self.report, self.keys = n, n.report, keys
        self.flags = Flags(n.source.findings)

    def scheme_of(self, m: Measure) -> str:
        return m.scheme if m.scheme in self.keys else OTHER

    def coordinator_scheme(self, key: str) -> str:
        return key if key in self.keys else OTHER

    def measure(self, m: Measure, part: str) -> Figure:
        n = m.number
        if part == "owner":
            return Figure(m.owner_amount, self.flags.get(f"m{n}.owner"))
        if part == "uh":
            return Figure(m.uh_amount, self.flags.get(f"m{n}.uh"))
        if part == "total":
            return Figure(m.total, self.flags.get(f"m{n}.owner", f"m{n}.uh"))
        return Figure(m.cofunding, self.flags.get(f"m{n}.cofunding"))

    def part(self, scheme: str, part: str) -> Figure:
        """Owner, coordinator or UH in one scheme: the amount and every flagged cell it rests on."""
        out = Figure(None)
        if part == "coordinator":
            for key, req in sorted(self.report.coordinator.items()):
                if self.coordinator_scheme(key) == scheme:  # an empty amount can be flagged too (coordinator missing)
                    out = out + Figure(req.amount, self.flags.get(f"coord.{key}", f"scheme.{key}.coordinator"))
            return Figure(out.amount or 0, out.findings)
        for m in self.report.measures:
            if self.scheme_of(m) == scheme:
                out = out + Figure(getattr(m, f"{part}_amount"), self.flags.get(f"m{m.number}.{part}",
                                                                               f"m{m.number}.scheme"))
        level = self.flags.get(f"scheme.{scheme}.{part}") if scheme != OTHER else ()
        return Figure(out.amount or 0, union(out.findings, level))

    def scheme_total(self, scheme: str) -> Figure:
        out = Figure(0)
        for part in PARTS:
            out = out + self.part(scheme, part)
        return out

    def total(self, schemes: Iterable[str]) -> Figure:
        out = Figure(0)
        for s in schemes:
            out = out + self.scheme_total(s)
        return Figure(out.amount, union(out.findings, self.flags.get(*(f"all.{p}" for p in PARTS))))

    def flagged(self, scheme: str | None = None) -> int:
        """Kroner of the request that rest on flagged cells: per scheme, or (None) in all, with the network's totals."""
        total = 0
        for m in self.report.measures:
            s = self.scheme_of(m)
            if scheme is not None and s != scheme:
                continue
            for part in ("owner", "uh"):
                targets = [f"m{m.number}.{part}", f"m{m.number}.scheme", f"scheme.{s}.{part}"]
                total += getattr(m, f"{part}_amount") if self.flags.any(*targets, *self._all(scheme, part)) else 0
        for key, req in self.report.coordinator.items():
            s = self.coordinator_scheme(key)
            if (scheme is None or s == scheme) and req.amount and self.flags.any(
                    f"coord.{key}", f"scheme.{key}.coordinator", *self._all(scheme, "coordinator")):
                total += req.amount
        return total

    @staticmethod
    def _all(scheme: str | None, part: str) -> list[str]:
        return [f"all.{part}"] if scheme is None else []

    def continuation(self, scheme: str, period: int, party: str) -> Figure:
        out = Figure(None)
        for m in self.report.measures:
            if self.scheme_of(m) == scheme:
                value = getattr(m.continuation[period], party)
                out = out + Figure(value, self.flags.get(f"m{m.number}.c{period + 1}.{party}"))
        return out

    def estimates(self) -> dict[str, tuple[int, int]]:
        """Per scheme, the estimate for next round (the first continuation row), where one is given."""
        out: dict[str, tuple[int, int]] = {}
        for m in self.report.measures:
            first = m.continuation[0]
            if first.owner is not None or first.uh is not None:
                o, u = out.get(self.scheme_of(m), (0, 0))
                out[self.scheme_of(m)] = (o + (first.owner or 0), u + (first.uh or 0))
        return dict(sorted(out.items()))

    def lines(self, scheme: SchemeSpec, year: int | None) -> list[tuple[LineSpec, LineView]]:
        """The Innstilling lines of this network in one scheme: its measures, then its coordinator money."""
        out = []
        for m in sorted(self.report.measures, key=lambda m: m.number):
            if self.scheme_of(m) != scheme.key:
                continue
            marks = {p: mark for p in ("owner", "uh") if (mark := self.measure(m, p).mark) is not None}
            view = LineView(self.n.name, m.number, m.name or "", m.priority, duration_text(m, year), m.owner_amount,
                            m.uh_amount, marks)
            out.append((LineSpec(scheme.key, self.n.key, m.number), view))
        coordinator = self.part(scheme.key, "coordinator")
        if coordinator.amount:
            marks = {"owner": coordinator.mark} if coordinator.mark else {}
            view = LineView(self.n.name, COORDINATOR, "Koordinator", None, "", coordinator.amount, None, marks)
            out.append((LineSpec(scheme.key, self.n.key, COORDINATOR), view))
        return out

    def has_money(self, scheme: str) -> bool:
        return bool(self.scheme_total(scheme).amount) or any(self.scheme_of(m) == scheme for m in self.report.measures)


def as_round(r: Round | Consolidation) -> Round:
    """A round: as given, or a consolidation seen without frame or last year."""
    return r if isinstance(r, Round) else Round(r)


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


def tables(r: Round | Consolidation) -> list[Table]:
    """The regional sheets besides Innstilling, in order."""
    r = as_round(r)
    if r._tables is not None:  # the workbook and the CSV files are drawn from the same tables, built once
        return r._tables
    out = [_oversikt(r), _ordninger(r), _tiltak(r), _videreforing(r), _eiere(r)]
    if r.last_year is not None:
        out.append(_sammenligning(r))
    r._tables = out + [_enheter(r.c), _kontakter(r.c), _avvik(r.c), _kilder(r)]
    return r._tables


def csv_files(r: Round | Consolidation) -> dict[str, bytes]:
    """File name -> bytes, one CSV per table."""
    return {name: _csv(t) for name, t in _csv_tables(r).items()}


def csv_writers(r: Round | Consolidation) -> dict[str, Callable[[BinaryIO], None]]:
    """File name -> a function that writes that CSV file: one table's text in memory at a time."""
    return {name: functools.partial(_write_csv, t) for name, t in _csv_tables(r).items()}


def _csv_tables(r: Round | Consolidation) -> dict[str, Table]:
    return {f"{t.key}.csv": t for t in tables(as_round(r))}


def _write_csv(t: Table, fh: BinaryIO) -> None:
    fh.write(_csv(t))


def consolidation_json(r: Round | Consolidation) -> bytes:
    """Everything the regional workbook shows, for programs: `{"behovxl": "consolidation", ...}`."""
    buffer = io.BytesIO()
    write_consolidation_json(r, buffer)
    return buffer.getvalue()


def write_consolidation_json(r: Round | Consolidation, fh: BinaryIO) -> None:
    """`consolidation_json`, streamed to `fh`: a network's report is made into JSON only as it is written."""
    r = as_round(r)
    c = r.c
    data: dict[str, Any] = {
        "behovxl": "consolidation",
        "year": c.year,
        "schemes": [{"key": s.key, "label": s.label, "short": s.short, "definition": s.definition} for s in r.schemes],
        "frame": r.frame,
        "networks": (n.report.model_dump(mode="json") for n in c.counted),
        "overview": (_network_json(r, n) for n in c.counted),
        "institutions": _institutions_json(r),
        "roster": [{"network": line.network, "status": line.status.value, "file": line.file or None,
                    "received": line.received.isoformat() if line.received else None} for line in c.roster],
        "sources": (source_record(s) for s in _sources(c)),
        "findings": ({"file": s.name, "network": s.network, **f.model_dump(mode="json"), "message": f.text_nb}
                     for s in _sources(c) for f in s.findings),
    }
    if r.last_year is not None:
        data["comparison"] = _comparison_json(r)
    write_json(fh, data)


# ---------------------------------------------------------------- the tables

EIERE_SHEET = "Eiere og UH"


def _title(text: str, c: Consolidation) -> str:
    return f"{text} {c.year}" if c.year else text


def _year(c: Consolidation, plus: int = 0) -> str:
    return str(c.year + plus) if c.year else ("Y" if not plus else f"Y+{plus}")


def _flagged_codes(*figures: Figure) -> str:
    return ", ".join(dict.fromkeys(code for f in figures for code in f.codes))


def _oversikt(r: Round) -> Table:
    c = r.c
    cols = [Column("Nettverk", width=22, wrap=True), Column("Levert", "status", 10, wrap=True, sheet=bool(c.roster)),
            Column("Status", "status", 9), Column("Eiere", width=22, wrap=True), Column("UH", width=16, wrap=True),
            Column("Medbest.", "flag", 8, csv_name="Drøftet i medbestemmelse")]
    scheme_cols: list[int] = []
    groups = r.definition_specs()
    for d, schemes in _scheme_groups(r, groups):
        first = len(cols)
        group = d.label if len(groups) > 1 else "Omsøkt per ordning"
        cols += [Column(s.short, "amount", max(11, len(s.short) + 2), group if d.id else "", total=True,
                        csv_name=s.label, key=s.key) for s in schemes]
        scheme_cols += range(first, len(cols))
        if len(groups) > 1 and d.id:
            cols.append(Column("Sum", "amount", 11, group, tuple(range(first, len(cols))), total=True))
    cols += [Column("Totalt omsøkt", "amount", 12, sum_of=tuple(scheme_cols), total=True),
             Column("Herav flagget", "amount", 11, total=True), Column("Flagget", "codes", sheet=False)]
    rows = [_overview_row(r, n, cols) for n in c.counted]
    rows += [_missing_row(line.network, len(cols)) for line in c.roster if line.status == RosterStatus.MISSING]
    order = sorted(range(len(rows)), key=lambda i: (network_key(str(rows[i][0])), i))
    rows = [rows[i] for i in order]
    note = (f"{len(c.counted)} nettverk telt med, {len(c.files)} filer lest. Beløp i hele kroner. «Herav flagget» er "
            "kroner som bygger på celler med feil eller advarsel i nettverkets skjema; de er merket, og merknaden i "
            "cellen sier hva. Medbest.: drøftet i medbestemmelse. Se «Avvik» og «Kilder».")
    return Table("oversikt", "Oversikt", _title("Regional oversikt over behovsmeldinger", c), note,
                 tuple(cols), rows, totals="Sum alle nettverk")


def _scheme_groups(r: Round, groups: list[DefinitionSpec]) -> list[tuple[DefinitionSpec, list[SchemeSpec]]]:
    """The schemes by form definition, in order; money under no scheme last, in a group of its own."""
    out = [(d, [s for s in r.schemes if s.definition == d.id]) for d in groups]
    rest = [s for s in r.schemes if s.definition not in {d.id for d in groups}]
    return out + ([(DefinitionSpec("", OTHER_LABEL), rest)] if rest else [])


def _overview_row(r: Round, n: Network, cols: list[Column]) -> list[Any]:
    money, report = r.money[n.key], n.report
    roster = {network_key(line.network): line.status.label for line in r.c.roster}
    row: list[Any] = [n.name, roster.get(n.key, "Ikke i listen" if r.c.roster else "Levert"), n.status,
                      ", ".join(owner_names(report)), ", ".join(name for name, _ in uh_partners(report)),
                      _yes_no(report.codetermination.discussed)]
    for col in cols[len(row):-3]:
        row.append(_sum_figures([row[i] for i in col.sum_of]) if col.sum_of else money.scheme_total(col.key))
    total = money.total(s.key for s in r.schemes)
    row += [total, money.flagged(), _flagged_codes(total)]
    return row


def _missing_row(name: str, width: int) -> list[Any]:
    return [name, RosterStatus.MISSING.label] + [None] * (width - 2)


def _sum_figures(figures: Sequence[Figure]) -> Figure:
    out = Figure(0)
    for f in figures:
        out = out + f
    return out


def _ordninger(r: Round) -> Table:
    cols = (Column("Ordning", width=16, wrap=True), Column("Nettverk", width=24, wrap=True),
            Column("Eier (tiltak)", "amount", 12, total=True), Column("Koordinator", "amount", 12, total=True),
            Column("UH", "amount", 12, total=True), Column("Totalt", "amount", 12, sum_of=(2, 3, 4), total=True),
            Column("Herav flagget", "amount", 12, total=True), Column("Flagget", "codes", sheet=False))
    rows: list[list[Any]] = []
    for s in r.schemes:
        for n in r.c.counted:
            money = r.money[n.key]
            if not money.has_money(s.key):
                continue
            parts = [money.part(s.key, p) for p in PARTS]
            rows.append([s.label, n.name, *parts, _sum_figures(parts), money.flagged(s.key), _flagged_codes(*parts)])
    note = ("Det hvert nettverk har søkt om, per ordning: eier for tiltakene, koordinator og UH. Beløp i hele kroner. "
            "Merkede tall bygger på celler med feil eller advarsel i nettverkets skjema.")
    return Table("ordninger", "Ordninger", _title("Omsøkt per ordning", r.c), note, cols, rows,
                 totals="Sum alle ordninger", subtotals=_scheme_subtotals(r, rows, 0))


def _scheme_subtotals(r: Round, rows: list[list[Any]], col: int) -> list[Subtotal]:
    """A sum per scheme, and per form definition when the batch mixes definitions."""
    out = []
    for s in r.schemes:
        idx = tuple(i for i, row in enumerate(rows) if row[col] == s.label)
        if idx:
            out.append(Subtotal(f"Sum {s.label}", idx))
    groups = r.definition_specs()
    if len(groups) > 1:
        for d in groups:
            labels = {s.label for s in r.schemes if s.definition == d.id}
            idx = tuple(i for i, row in enumerate(rows) if row[col] in labels)
            if idx:
                out.append(Subtotal(f"Sum {d.label}", idx))
    return out


def _tiltak(r: Round) -> Table:
    cols = (
        Column("Nettverk", width=18, wrap=True), Column("Nr.", "number", 5), Column("Pri.", "number", 5,
                                                                                   csv_name="Prioritet"),
        Column("Tiltak", width=26, wrap=True), Column("Ordning", width=14, wrap=True, csv=False),
        Column("Varighet", width=14, wrap=True), Column("Eiere", width=18, wrap=True),
        Column("UH-institusjon", width=14, wrap=True),
        Column("Eier", "amount", 12, total=True), Column("UH", "amount", 12, total=True),
        Column("Totalt", "amount", 12, sum_of=(8, 9), total=True), Column("Egenandel", "amount", 12, total=True),
        Column("Koord.", "flag", 7, csv_name="Koordinator"), Column("Formål", sheet=False),
        Column("Målgruppe", sheet=False), Column("Ordning", sheet=False), Column("Flagget", "codes", sheet=False),
    )
    rows: list[list[Any]] = []
    marks: dict[tuple[int, int], Mark] = {}
    for n in r.c.counted:
        money, report = r.money[n.key], n.report
        d = r.definition(report)
        purposes = {ch.key: ch.label.nb for ch in d.choices("purposes")} if d else {}
        owners = ", ".join(owner_names(report))
        uh = ", ".join(name for name, _ in uh_partners(report))
        for m in sorted(report.measures, key=lambda m: m.number):
            figures = [money.measure(m, p) for p in ("owner", "uh", "total", "cofunding")]
            scheme = r.scheme_spec(money.scheme_of(m)) if m.scheme in money.keys else None
            label, short = (scheme.label, scheme.short) if scheme else (m.scheme or "", m.scheme or "")
            flagged_scheme = Figure(None, money.flags.get(f"m{m.number}.scheme"))
            if flagged_scheme.mark is not None:
                marks[(len(rows), 4)] = flagged_scheme.mark
            rows.append([n.name, m.number, m.priority, m.name, short, duration_text(m, r.c.year), owners, uh,
                         *figures, _yes_no(m.needs_coordinator), purposes.get(m.purpose or "", m.purpose),
                         m.target_group, label, _flagged_codes(*figures, flagged_scheme)])
    note = ("Ett tiltak per rad fra alle nettverk som er telt med. Bruk filtrene i overskriftsraden; summen gjelder "
            "radene som vises. Koord.: tiltaket trenger koordinator. Beløp i hele kroner.")
    return Table("tiltak", "Tiltak", _title("Tiltak", r.c), note, cols, rows, totals="Sum (viste rader)",
                 excel_table=True, text_marks=marks)


def _videreforing(r: Round) -> Table:
    periods = [f"Høst {_year(r.c, 1)}", _year(r.c, 2), _year(r.c, 3)]
    cols = [Column("Ordning", width=16, wrap=True), Column("Nettverk", width=22, wrap=True),
            Column("Tiltak", width=8, wrap=True)]
    for p in periods:
        cols += [Column("Eier", "amount", 12, p, total=True), Column("UH", "amount", 12, p, total=True)]
    cols += [Column("Totalt", "amount", 12, "Alle år", tuple(range(3, 9)), total=True),
             Column("Flagget", "codes", sheet=False)]
    rows: list[list[Any]] = []
    for s in r.schemes:
        for n in r.c.counted:
            money = r.money[n.key]
            figures = [money.continuation(s.key, i, party) for i in range(3) for party in ("owner", "uh")]
            if all(f.amount is None for f in figures):
                continue
            numbers = [m.number for m in n.report.measures if money.scheme_of(m) == s.key
                       and any(e.owner is not None or e.uh is not None for e in m.continuation)]
            rows.append([s.label, n.name, ", ".join(map(str, numbers)), *figures, _sum_figures(figures),
                         _flagged_codes(*figures)])
    note = ("Nettverkenes anslag for å videreføre tiltakene, per ordning. Tomt: ikke gitt anslag. Merkede tall er "
            "tvilsomme i skjemaet (for eksempel skrevet i tusen kroner); merknaden sier hva, og tallet står slik det "
            "ble skrevet.")
    title = f"Anslag ved videreføring etter {r.c.year}" if r.c.year else "Anslag ved videreføring"
    return Table("videreforing", "Videreføring", title, note, tuple(cols), rows, totals="Sum alle ordninger",
                 subtotals=_scheme_subtotals(r, rows, 0))


_KINDS = {"owner": "Eier", "uh": "UH", "fagskole": "Fagskole"}


def _institutions(r: Round) -> list[tuple[str, str, Network, str, str, list[str]]]:
    """(name, kind, network, scheme, side, shared with) for every owner and UH in every scheme of its network."""
    out = []
    for n in r.c.counted:
        money = r.money[n.key]
        sides = {"owner": [(name, "owner") for name in owner_names(n.report)], "uh": uh_partners(n.report)}
        for s in r.schemes:
            if not money.has_money(s.key):
                continue
            for side, members in sides.items():
                for name, kind in members:
                    others = [other for other, _ in members if other != name]
                    out.append((name, kind, n, s.key, side, others))
    rank = {"uh": 0, "fagskole": 1, "owner": 2}
    order = {s.key: i for i, s in enumerate(r.schemes)}
    return sorted(out, key=lambda x: (rank.get(x[1], 3), owner_key(x[0]), x[0], x[2].key, order[x[3]]))


def _eiere(r: Round) -> Table:
    cols = (Column("Eier/UH", width=26, wrap=True), Column("Type", "flag", 9), Column("Nettverk", width=24, wrap=True),
            Column("Ordning", width=16, wrap=True), Column("Omsøkt", "amount", 12, total=True),
            Column("Anbefalt", "amount", 12, total=True), Column("Delt med", width=30, wrap=True),
            Column("Flagget", "codes", sheet=False))
    rows: list[list[Any]] = []
    groups: dict[str, list[int]] = {}
    for name, kind, n, scheme, side, others in _institutions(r):
        money = r.money[n.key]
        amount = money.part(scheme, "uh") if side == "uh" else money.part(scheme, "owner") + money.part(scheme,
                                                                                                     "coordinator")
        if kind != "owner":
            groups.setdefault(name, []).append(len(rows))
        rows.append([name, _KINDS[kind], n.name, r.labels[scheme], amount, r.recommended(n.key, scheme, side),
                     ", ".join(others), _flagged_codes(amount)])
    subtotals = [Subtotal(f"Sum {name}", tuple(idx)) for name, idx in groups.items()]
    note = ("Hver eier og hver UH eller fagskole, med nettverkene og ordningene den er med i. Beløpet er nettverkets "
            "beløp for eiersiden (med koordinator) eller UH-siden i ordningen; deler flere på det, står de under «Delt "
            "med». «Anbefalt» følger arket «Innstilling». Summen for en UH er det institusjonen får.")
    return Table("eiere-og-uh", EIERE_SHEET, _title("Eiere og UH", r.c), note, cols, rows, subtotals=subtotals)


def _sammenligning(r: Round) -> Table:
    last = r.last_year
    assert last is not None
    then = last.label
    cols = (Column("Ordning", width=16, wrap=True), Column("Nettverk", width=22, wrap=True),
            Column("Eier", "amount", 12, f"Anslag fra {then}", total=True, csv_name="eier"),
            Column("UH", "amount", 12, f"Anslag fra {then}", total=True, csv_name="UH"),
            Column("Sum", "amount", 12, f"Anslag fra {then}", (2, 3), total=True),
            Column("Eier", "amount", 12, "Omsøkt til tiltak nå", total=True),
            Column("UH", "amount", 12, "Omsøkt til tiltak nå", total=True),
            Column("Sum", "amount", 12, "Omsøkt til tiltak nå", (5, 6), total=True),
            Column("Endring", "amount", 12, "Omsøkt til tiltak nå", minus=(7, 4), total=True),
            Column(f"Innstilt {then}", "amount", 12, "Totalt med koordinator", total=True),
            Column("Omsøkt nå", "amount", 12, "Totalt med koordinator", total=True),
            Column("Endring", "amount", 12, "Totalt med koordinator", minus=(10, 9), total=True))
    rows = [_comparison_row(r, scheme, key) for scheme, key in _comparison_keys(r)]
    what = "en innstilling" if last.kind == "innstilling" else "en samlet oversikt (uten innstilling)"
    note = (f"Sammenlignet med {then} ({what}). «Anslag fra {then}»: nettverkenes anslag for videreføring i år. "
            "«Omsøkt til tiltak nå»: årets søknad for tiltakene, uten koordinator. Tomt: ingen tall.")
    title = f"Sammenligning {r.c.year} med {then}" if r.c.year else f"Sammenligning med {then}"
    return Table("sammenligning", "Sammenligning", title, note, cols, rows,
                 totals="Sum", subtotals=_scheme_subtotals(r, rows, 0))


def _comparison_keys(r: Round) -> list[tuple[str, str]]:
    """(scheme, network key) for every pair with figures this year or last, in scheme then network order."""
    last = r.last_year
    assert last is not None
    mapped = {(k, _this_scheme(r, s)) for (k, s) in [*last.estimates, *last.requested, *last.allocated]}
    now = {(n.key, s.key) for n in r.c.counted for s in r.schemes if r.money[n.key].has_money(s.key)}
    order = {s.key: i for i, s in enumerate(r.schemes)}
    pairs = sorted(mapped | now, key=lambda p: (order.get(p[1], len(order)), p[1], p[0]))
    return [(s, k) for k, s in pairs]


def _this_scheme(r: Round, key: str) -> str:
    """Last year's scheme key as this round knows it: itself, or the one scheme that replaces it."""
    if key in r.labels:
        return key
    successors = [s.key for d in r.definitions for s in d.schemes if key in s.replaces]
    return successors[0] if len(set(successors)) == 1 else key


def _comparison_row(r: Round, scheme: str, key: str) -> list[Any]:
    last = r.last_year
    assert last is not None
    estimate = [0, 0]
    found_estimate = allocated = requested_then = False
    allocation = 0
    for (k, s), (o, u) in last.estimates.items():
        if k == key and _this_scheme(r, s) == scheme:
            estimate, found_estimate = [estimate[0] + o, estimate[1] + u], True
    for (k, s), value in last.allocated.items():
        if k == key and _this_scheme(r, s) == scheme:
            allocation, allocated = allocation + value, True
    del requested_then
    money = r.money.get(key)
    names = {n.key: n.name for n in r.c.counted}
    owner = money.part(scheme, "owner").amount if money else None
    uh = money.part(scheme, "uh").amount if money else None
    total = money.scheme_total(scheme).amount if money else None
    e_owner, e_uh = (estimate[0], estimate[1]) if found_estimate else (None, None)
    return [r.labels.get(scheme, scheme), names.get(key) or last.names.get(key, key), e_owner, e_uh,
            _opt_sum(e_owner, e_uh), owner, uh, _opt_sum(owner, uh), _opt_diff(_opt_sum(owner, uh),
                                                                                _opt_sum(e_owner, e_uh)),
            allocation if allocated else None, total, _opt_diff(total, allocation if allocated else None)]


def _opt_sum(a: int | None, b: int | None) -> int | None:
    return None if a is None and b is None else (a or 0) + (b or 0)


def _opt_diff(a: int | None, b: int | None) -> int | None:
    return None if a is None and b is None else (a or 0) - (b or 0)


_UNIT_COLUMNS = (
    ("municipal_kindergartens", "Kommunale barnehager"), ("private_kindergartens", "Private barnehager"),
    ("public_schools", "Offentlige skoler"), ("private_schools", "Private skoler"), ("pp_services", "PP-tjenester"),
)


def _enheter(c: Consolidation) -> Table:
    cols = [Column("Nettverk", width=36, wrap=True)]
    cols += [Column(label, "count", 12, total=True) for _, label in _UNIT_COLUMNS]
    cols.append(Column("Merknad", width=40, wrap=True))
    rows = [[n.name, *(getattr(n.report.units, key) for key, _ in _UNIT_COLUMNS), n.report.units.note]
            for n in c.counted]
    return Table("enheter", "Enheter", _title("Enheter i behovsmeldingene", c),
                 "Antall enheter som behovsmeldingene omfatter, slik nettverkene har oppgitt dem.",
                 tuple(cols), rows, totals="Sum alle nettverk")


def _kontakter(c: Consolidation) -> Table:
    cols = (Column("Nettverk", width=32, wrap=True), Column("Rolle", "flag", 8), Column("Navn", width=26, wrap=True),
            Column("Funksjon", width=28, wrap=True), Column("E-post", width=34), Column("Merking", width=28, wrap=True))
    rows = []
    for n in c.counted:
        for role, contact in (("Eier", n.report.contacts.owner), ("UH", n.report.contacts.uh)):
            rows.append([n.name, role, contact.name, contact.role, contact.email, contact.invoice_marking])
    return Table("kontakter", "Kontakter", _title("Kontaktpersoner", c),
                 "Kontaktperson for eier og for UH i hvert nettverk som er telt med.", cols, rows)


def _avvik(c: Consolidation) -> Table:
    cols = (Column("Fil", width=24, wrap=True), Column("Nettverk", width=20, wrap=True), Column("Ark", width=12),
            Column("Celle", width=7), Column("Alvorlighet", "status", 11), Column("Kode", width=20, wrap=True),
            Column("Melding", width=60, wrap=True))
    rows = [[s.name, s.network, f.sheet, f.cell, f.severity.label, f.code, f.text_nb]
            for s in _sources(c) for f in s.findings]
    return Table("avvik", "Avvik", _title("Avvik", c),
                 "Alle feil, advarsler og merknader fra alle filene, også filer som ikke er telt med.", cols, rows)


def _kilder(r: Round) -> Table:
    cols = (Column("Fil", width=24, wrap=True), Column("Status", "status", 16), Column("Nettverk", width=18, wrap=True),
            Column("Skjema", width=16, wrap=True), Column("År", "number", 6), Column("Feil", "count", 6),
            Column("Adv.", "count", 6, csv_name="Advarsler"), Column("Lagret", "date", 16),
            Column("Mottatt", "date", 16), Column("Erstattet av / årsak", width=24, wrap=True),
            Column("SHA-256", width=34, wrap=True))
    rows = []
    for s in _sources(r.c):
        rep = s.report
        form = f"{_form_name(r, rep)} v{rep.form_version}" if rep else None
        rows.append([s.name, s.status.label, s.network, form, rep.year if rep else None, s.errors, s.warnings,
                     local(s.saved_at), local(s.received), s.reason, s.sha256])
    return Table("kilder", "Kilder", _title("Kilder", r.c),
                 "Hver fil som ble lest, med hva som skjedde med den. Bare «Importert» og «Importert med feil» er telt "
                 "med. Tider i norsk tid.", cols, rows)


def _sources(c: Consolidation) -> list[Source]:
    """Every source by name: the same rows whatever order the files were given in."""
    return sorted(c.files, key=lambda s: (s.name, s.sha256, s.status.value))


def _form_name(r: Round, report: Report) -> str:
    d = r.definition(report)
    if d is None:
        return report.form_id
    return ", ".join(s.short.nb for s in d.schemes)


# ---------------------------------------------------------------- JSON


def _figure_json(f: Figure) -> dict[str, Any]:
    return {"amount": f.amount, "flagged": f.codes}


def _network_json(r: Round, n: Network) -> dict[str, Any]:
    money, report = r.money[n.key], n.report
    roster = {network_key(line.network): line.status.value for line in r.c.roster}
    schemes = {}
    for s in r.schemes:
        if money.has_money(s.key):
            parts = {p: money.part(s.key, p) for p in PARTS}
            total = _sum_figures(list(parts.values()))
            schemes[s.key] = {**{p: f.amount for p, f in parts.items()}, "total": total.amount,
                              "flagged_amount": money.flagged(s.key), "flagged": total.codes}
    total = money.total(s.key for s in r.schemes)
    measures = []
    for m in sorted(report.measures, key=lambda m: m.number):
        figures = {p: money.measure(m, p) for p in ("owner", "uh", "total", "cofunding")}
        measures.append({"number": m.number, "name": m.name, "scheme": money.scheme_of(m), "priority": m.priority,
                         "duration": duration_text(m, r.c.year), **{p: f.amount for p, f in figures.items()},
                         "flagged": {p: f.codes for p, f in figures.items() if f.codes}})
    continuation = {}
    for s in r.schemes:
        periods = [{p: _figure_json(money.continuation(s.key, i, p)) for p in ("owner", "uh")} for i in range(3)]
        if any(period[p]["amount"] is not None for period in periods for p in period):
            continuation[s.key] = periods
    return {"network": n.name, "status": n.status, "roster_status": roster.get(n.key),
            "owners": owner_names(report), "uh": [{"name": name, "kind": kind} for name, kind in uh_partners(report)],
            "codetermination": report.codetermination.discussed, "schemes": schemes, "total": total.amount,
            "flagged_amount": money.flagged(), "flagged": total.codes, "measures": measures,
            "continuation": continuation}


def _institutions_json(r: Round) -> list[dict[str, Any]]:
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for name, kind, n, scheme, side, others in _institutions(r):
        money = r.money[n.key]
        amount = money.part(scheme, "uh") if side == "uh" else money.part(scheme, "owner") + money.part(scheme,
                                                                                                     "coordinator")
        entry = out.setdefault((kind, owner_key(name)), {"name": name, "kind": kind, "networks": [], "total": 0})
        entry["networks"].append({"network": n.name, "scheme": scheme, "amount": amount.amount,
                                  "shared_with": others, "flagged": amount.codes})
        entry["total"] += amount.amount or 0
    return list(out.values())


def _comparison_json(r: Round) -> list[dict[str, Any]]:
    keys = ("scheme", "network", "estimate_owner", "estimate_uh", "estimate", "requested_owner", "requested_uh",
            "requested_measures", "change_from_estimate", "allocated_last_year", "requested", "change_from_allocation")
    out = []
    for scheme, key in _comparison_keys(r):
        row = _comparison_row(r, scheme, key)
        out.append({**dict(zip(keys, row, strict=True)), "scheme": scheme})
    return out


# ---------------------------------------------------------------- helpers


def _definitions(c: Consolidation) -> list[Definition]:
    """The definitions of the counted reports, the older rules first."""
    forms = {(n.report.form_id, n.report.form_version) for n in c.counted}
    found = [d for d in c.registry.definitions if (d.form_id, d.version) in forms]
    return sorted(found, key=lambda d: (d.form.years.first, d.form_id, d.version_key()))


def _definition_id(d: Definition) -> str:
    return f"{d.form_id}:{d.version}"


def _joined(words: list[str]) -> str:
    """«REKOM, DEKOM og Kompetanseløftet»."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} og {words[-1]}"


def _yes_no(value: bool | None) -> str | None:
    return None if value is None else ("Ja" if value else "Nei")


def _num(value: Any) -> int:
    if isinstance(value, Figure):
        return value.amount or 0
    if isinstance(value, Formula):
        return value.value
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _csv(t: Table) -> bytes:
    shown = [i for i, col in enumerate(t.columns) if col.csv]
    rows: list[list[Any]] = [[t.columns[i].csv_header for i in shown]]
    rows += [[row[i] for i in shown] for row in t.rows]
    return csv_bytes([[_plain(v) for v in row] for row in rows])


def _plain(value: Any) -> Any:
    """A table cell as its value: a figure's amount, a formula's value."""
    if isinstance(value, Figure):
        return value.amount
    if isinstance(value, Formula):
        return value.value
    return value
