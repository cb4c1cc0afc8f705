"""Consolidation: every file of the round accounted for, one submission per network, the roster checked.

`consolidate(inputs)` lists every file it is given and every entry of every folder
given (nothing is ignored: a Word file, a PDF, an unreadable subfolder all appear with
a status and a Bokmål reason), reads each workbook in isolation (a file that hangs or
crashes costs that file only), and picks one submission per network: the one saved
last supersedes the earlier ones, which stay listed. With a roster it says who has
returned, who returned late and who has not returned. It returns a `Consolidation`:
data only; regional.py writes it.

Received time: the file's modification time, unless the roster's `mottatt` column
gives it for the network, or the file name starts with a date (`2027-01-31 …` or
`20270131-…`), which is how e-mail exports often name attachments.
"""

from __future__ import annotations

import os
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from enum import Enum
from pathlib import Path
from typing import Any

from . import records
from .findings import Finding, Severity, count, finding, sort_findings
from .inputs import InputFile, discover, read_bytes
from .limits import DEFAULT_LIMITS, Limits
from .models import Report
from .owners import owner_key, owner_names
from .ownfiles import is_lock_file, own_output
from .pipeline import ReadResult, read_many, registry_for
from .registry import Registry
from .roster import RosterEntry, network_key, read_roster

# ---------------------------------------------------------------- public API


class Status(str, Enum):
    """What became of one input."""

    IMPORTED = "imported"
    IMPORTED_WITH_ERRORS = "imported-with-errors"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"
    SUPERSEDED = "superseded"
    SKIPPED = "skipped"

    @property
    def label(self) -> str:
        """Bokmål, as the regional workbook shows it."""
        return {"imported": "Importert", "imported-with-errors": "Importert med feil", "rejected": "Avvist",
                "duplicate": "Duplikat", "superseded": "Erstattet", "skipped": "Hoppet over"}[self.value]

    @property
    def counted(self) -> bool:
        return self in (Status.IMPORTED, Status.IMPORTED_WITH_ERRORS)


@dataclass
class Source:
    """One input (a file, or a folder that could not be read) and what became of it."""

    file: Path
    name: str                     # as shown: the file name, or its path inside a folder given
    sha256: str
    status: Status
    report: Report | None
    findings: list[Finding]
    saved_at: datetime | None     # when the network last saved the workbook (its own document properties)
    received: datetime | None     # when it arrived (see the module's note)
    network: str = ""             # the network as named in the file
    reason: str = ""              # why rejected or skipped, or what superseded it
    other: str = ""               # the file this one duplicates, supersedes or is superseded by
    language: str = "nb"
    sheets: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return network_key(self.network) if self.network else ""

    @property
    def errors(self) -> int:
        return count(self.findings, Severity.ERROR)

    @property
    def warnings(self) -> int:
        return count(self.findings, Severity.WARNING)


@dataclass(frozen=True)
class Network:
    """A network whose submission counts: the report and the file it came from."""

    key: str
    source: Source

    @property
    def report(self) -> Report:
        assert self.source.report is not None
        return self.source.report

    @property
    def name(self) -> str:
        return self.source.network

    @property
    def status(self) -> str:
        """OK, Advarsel or Feil: the worst finding on the counted file."""
        if self.source.errors:
            return Severity.ERROR.label
        if self.source.warnings:
            return Severity.WARNING.label
        return "OK"


class RosterStatus(str, Enum):
    RETURNED = "returned"
    LATE = "late"
    MISSING = "missing"

    @property
    def label(self) -> str:
        return {"returned": "Levert", "late": "Levert for sent", "missing": "Ikke levert"}[self.value]


@dataclass(frozen=True)
class RosterLine:
    network: str
    status: RosterStatus
    file: str = ""
    received: datetime | None = None
    row: int = 0


@dataclass
class Consolidation:
    """The round as read: every input file with its fate, and the counted submission per network.

    `files`, `counted` and `roster` are the objects; `sources()`, `networks()`, `measures()`
    and `findings()` are the same as plain records (lists of dicts with stable English keys)
    for pandas or polars: `pandas.DataFrame(c.measures())`.
    """

    year: int | None
    files: list[Source]                # every input, in the order found
    counted: list[Network]             # counted submissions, sorted by network
    roster: list[RosterLine] = field(default_factory=list)
    deadline: datetime | None = None
    registry: Registry = field(default_factory=Registry.default)
    problem: str = ""                  # set when there was nothing to consolidate (exit code 2)
    frame: dict[str, int] = field(default_factory=dict)  # the frame per scheme key, when one was given

    def sources(self) -> list[dict[str, Any]]:
        """One record per input file: its status, network, form, times and counts of findings."""
        return records.source_records(self)

    def networks(self) -> list[dict[str, Any]]:
        """One record per counted network, and per roster network that has not returned."""
        return records.network_records(self)

    def measures(self) -> list[dict[str, Any]]:
        """One record per measure of every counted network."""
        return records.measure_records(self)

    def findings(self) -> list[dict[str, Any]]:
        """One record per finding in every file, counted or not, with its Bokmål message."""
        return records.finding_records(self)

    @property
    def exit_code(self) -> int:
        """0: all imported without errors; 1: any error, rejected file or missing network; 2: nothing given."""
        if not self.files and not self.roster:
            return 2
        bad = any(s.errors or s.status == Status.REJECTED for s in self.files)
        missing = any(line.status == RosterStatus.MISSING for line in self.roster)
        return 1 if bad or missing else 0

    def counts(self) -> dict[Status, int]:
        found = Counter(s.status for s in self.files)
        return {status: found.get(status, 0) for status in Status}

    def summary(self) -> str:
        """The run in Bokmål, for the terminal: files, networks, and the roster."""
        if self.problem:
            return self.problem
        parts = [f"{n} {status.label.lower()}" for status, n in self.counts().items() if n]
        year = f" for {self.year}" if self.year else ""
        files = "1 fil" if len(self.files) == 1 else f"{len(self.files)} filer"
        lines = [f"{files} lest, {len(self.counted)} nettverk{year}: {', '.join(parts)}."]
        if self.roster:
            lines.append(roster_summary(self.roster))
        return "\n".join(lines)


def roster_summary(lines: Sequence[RosterLine]) -> str:
    by = Counter(line.status for line in lines)
    missing = [line.network for line in lines if line.status == RosterStatus.MISSING]
    text = (f"{len(lines)} nettverk i listen: {by[RosterStatus.RETURNED] + by[RosterStatus.LATE]} har levert, "
            f"{by[RosterStatus.LATE]} for sent, {len(missing)} mangler")
    return text + (f": {', '.join(missing)}." if missing else ".")


Progress = Callable[[], None]


def consolidate(
    inputs: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    roster: str | os.PathLike[str] | None = None,
    deadline: date | None = None,
    year: int | None = None,
    forms: Sequence[Path] = (),
    jobs: int | None = None,
    limits: Limits = DEFAULT_LIMITS,
    progress: Callable[[int], Progress] | None = None,
    skip: Iterable[Path] = (),
) -> Consolidation:
    """Read every file in `inputs` (files, or folders searched recursively) and consolidate them.

    `inputs` may be one path (a `str` or `Path`) or several. `skip` names this run's own
    outputs, left out without a word; outputs of earlier runs are recognised by content.
    Never raises for a bad file: each becomes a source with a status and a reason.
    """
    given = [inputs] if isinstance(inputs, (str, os.PathLike)) else list(inputs)  # a str is one path, never its letters
    registry = registry_for(tuple(Path(f) for f in forms))
    entries = [e for e in discover(given) if _real(e.path) not in {_real(Path(p)) for p in skip}]
    roster_entries = read_roster(Path(roster), limits) if roster else []
    sources = _Sources(entries, roster_entries, tuple(Path(f) for f in forms), jobs, limits, progress).build()
    batch = _Batch(sources, year, registry)
    result = batch.build()
    if roster_entries:
        result.deadline = _deadline_end(deadline) if deadline else None
        result.roster = _Roster(result, roster_entries, result.deadline).lines()
    if not result.files and not result.roster:
        shown = ", ".join(os.fspath(p) for p in given) or "(ingen)"
        result.problem = f"Fant ingen filer å samle i {shown}."
    return result


# ---------------------------------------------------------------- reading every entry


class _Sources:
    def __init__(self, entries: list[InputFile], roster: list[RosterEntry], forms: tuple[Path, ...],
                 jobs: int | None, limits: Limits, progress: Callable[[int], Progress] | None) -> None:
        self.entries, self.roster, self.forms = entries, roster, forms
        self.jobs, self.limits, self.progress = jobs, limits, progress

    def build(self) -> list[Source]:
        out: list[Source | None] = [None] * len(self.entries)
        to_read: list[int] = []
        for i, e in enumerate(self.entries):
            early = self._early(e)
            if early is None:
                to_read.append(i)
            else:
                out[i] = early
        tick = self.progress(len(to_read)) if self.progress and to_read else None
        results = read_many([self.entries[i].path for i in to_read], forms=self.forms, jobs=self.jobs,
                            limits=self.limits, progress=tick)
        for i, result in zip(to_read, results, strict=True):
            out[i] = self._source(self.entries[i], result)
        return [s for s in out if s is not None]

    def _early(self, e: InputFile) -> Source | None:
        """Entries decided without reading a workbook: problems, lock files, our own outputs."""
        if e.problem == "repeated-folder":
            return _plain_source(e, Status.SKIPPED, finding("repeated-folder"))
        if e.problem == "empty-folder":
            return _plain_source(e, Status.SKIPPED, finding("empty-folder"))
        if e.problem is not None:
            problem = finding("not-regular-file") if e.problem == "not-regular-file" else \
                finding("cannot-open", detail=(e.detail or e.problem).rstrip("."))
            return _plain_source(e, Status.REJECTED, problem)
        if is_lock_file(e.name):
            return _plain_source(e, Status.SKIPPED, finding("skipped-lock-file"))
        if e.name.rsplit("/", 1)[-1].startswith(".behovxl-tmp-"):
            return _plain_source(e, Status.SKIPPED, finding("skipped-own-output", detail="midlertidig fil"))
        kind = self._own_kind(e)
        if kind:
            return _plain_source(e, Status.SKIPPED, finding("skipped-own-output", detail=kind))
        return None

    def _own_kind(self, e: InputFile) -> str:
        if e.name.lower().endswith((".xlsx", ".json", ".csv")):
            try:
                return own_output(e.name, read_bytes(e.path, self.limits))
            except Exception:  # noqa: BLE001 - the reader will give the file its proper diagnosis
                return ""
        return ""

    def _source(self, e: InputFile, r: ReadResult) -> Source:
        readable = r.status != "unreadable" and r.report is not None
        reason = ""
        if not readable:
            first = next((f for f in r.findings if f.severity == Severity.ERROR), None)
            reason = first.text_nb if first else "Filen kunne ikke leses."
        network = _network_name(r.report) if r.report else ""
        return Source(file=e.path, name=e.name, sha256=r.sha256, status=Status.IMPORTED if readable else Status.REJECTED,
                      report=r.report if readable else None, findings=list(r.findings), saved_at=_aware(r.saved_at),
                      received=self._received(e, network), network=network, reason=reason, language=r.language,
                      sheets=r.sheets)

    def _received(self, e: InputFile, network: str) -> datetime | None:
        key = network_key(network) if network else ""
        for entry in self.roster:
            if key and network_key(entry.network) == key and entry.received:
                return _aware(entry.received)
        from_name = _date_in_name(e.name)
        if from_name:
            return from_name
        try:
            return datetime.fromtimestamp(e.path.stat().st_mtime, timezone.utc)
        except (OSError, ValueError, OverflowError):
            return None


def _plain_source(e: InputFile, status: Status, problem: Finding) -> Source:
    return Source(file=e.path, name=e.name, sha256="", status=status, report=None, findings=[problem], saved_at=None,
                  received=None, reason=problem.text_nb)


def _network_name(report: Report) -> str:
    return " ".join((report.network_id or report.partnership.network or "").split())


_NAME_DATE = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})(?:[ T_-]?(\d{2})[.:-]?(\d{2}))?(?!\d)")


def _date_in_name(name: str) -> datetime | None:
    m = _NAME_DATE.match(name.rsplit("/", 1)[-1][:40])
    if not m:
        return None
    try:
        y, mo, d = int(m[1]), int(m[2]), int(m[3])
        h, mi = (int(m[4]), int(m[5])) if m[4] else (12, 0)
        return datetime(y, mo, d, h, mi, tzinfo=_OSLO)
    except ValueError:
        return None


def _local_zone() -> Any:
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo("Europe/Oslo")
    except Exception:  # noqa: BLE001 - no time zone database (Windows without tzdata): Norway's winter time
        return timezone(timedelta(hours=1), "CET")


_OSLO = _local_zone()


def _aware(when: datetime | None) -> datetime | None:
    """A time with its zone: a time without one is read as Norwegian time."""
    if when is None:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=_OSLO)


def _deadline_end(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59), tzinfo=_OSLO)


def local(when: datetime | None) -> datetime | None:
    """A time as shown to a Norwegian adviser (Norwegian time, no zone attached)."""
    return when.astimezone(_OSLO).replace(tzinfo=None) if when is not None else None


def _real(path: Path) -> Path:
    import os

    try:
        return Path(os.path.realpath(path))
    except (OSError, ValueError):
        return Path(path)


# ---------------------------------------------------------------- the batch rules


class _Batch:
    def __init__(self, sources: list[Source], year: int | None, registry: Registry) -> None:
        self.sources, self.year, self.registry = sources, year, registry
        self.extra: dict[int, list[Finding]] = defaultdict(list)  # id(source) -> batch findings

    def add(self, source: Source, f: Finding) -> None:
        self.extra[id(source)].append(f)

    def build(self) -> Consolidation:
        originals = self._mark_duplicates()
        self.year = self.year or _main_year(originals)
        candidates = [s for s in originals if self._accept(s)]
        winners = self._pick_per_network(candidates)
        self._owner_overlaps(winners)
        for s in self.sources:
            s.findings = sort_findings(self.extra.get(id(s), []) + s.findings, s.sheets)
            if s.status == Status.IMPORTED and s.errors:
                s.status = Status.IMPORTED_WITH_ERRORS
        networks = sorted((Network(s.key, s) for s in winners), key=lambda n: (n.key, n.source.name))
        return Consolidation(self.year, self.sources, networks, registry=self.registry)

    def _mark_duplicates(self) -> list[Source]:
        """Of files with the same content the first found counts; the others are duplicates."""
        first: dict[str, Source] = {}
        originals = []
        for s in self.sources:
            if s.status != Status.IMPORTED:
                continue
            original = first.get(s.sha256)
            if original is None:
                first[s.sha256] = s
                originals.append(s)
                continue
            s.status, s.other = Status.DUPLICATE, original.name
            s.reason = f"Samme fil som «{original.name}»."
            s.findings = []  # the original lists them; a copy would only repeat them
            self.add(s, finding("duplicate-file", other=original.name))
        return originals

    def _accept(self, s: Source) -> bool:
        assert s.report is not None
        problem = None
        if s.report.year != self.year:
            problem = finding("other-year", found=str(s.report.year), expected=str(self.year))
        elif not s.key:
            problem = finding("network-missing")
        if problem is None:
            return True
        s.status, s.reason = Status.REJECTED, problem.text_nb
        self.add(s, problem)
        return False

    def _pick_per_network(self, candidates: list[Source]) -> list[Source]:
        """One submission per network: the one saved last; the earlier ones are superseded."""
        groups: dict[str, list[Source]] = defaultdict(list)
        for s in candidates:
            groups[s.key].append(s)
        winners = []
        for group in groups.values():
            group.sort(key=lambda s: (_order_time(s), s.name, s.sha256))
            winner = group[-1]
            winners.append(winner)
            self._supersede(winner, group[:-1])
        self._mismatched_resends(candidates)
        return winners

    def _supersede(self, winner: Source, losers: list[Source]) -> None:
        tied = [s for s in losers if _order_time(s) == _order_time(winner)]
        if tied:
            others = ", ".join(f"«{s.name}»" for s in tied)
            self.add(winner, finding("order-unknown", network=winner.network, year=str(self.year),
                                     when=_when(_order_time(winner)), others=others))
        for s in losers:
            if s in tied:
                s.status, s.other, s.reason = Status.SUPERSEDED, winner.name, "Samme tidspunkt som en annen innsending."
                self.add(s, finding("order-unknown", network=s.network, year=str(self.year),
                                    when=_when(_order_time(s)), others=f"«{winner.name}»"))
                continue
            s.status, s.other = Status.SUPERSEDED, winner.name
            s.reason = f"Erstattet av «{winner.name}»."
            self.add(s, finding("superseded", other=winner.name, when=_when(_order_time(winner))))
            self.add(winner, finding("supersedes", other=s.name, when=_when(_order_time(s))))

    def _mismatched_resends(self, candidates: list[Source]) -> None:
        """A later file with the name of an earlier one, for another network or year: not a resubmission."""
        by_name: dict[str, list[Source]] = defaultdict(list)
        for s in self.sources:
            if s.report is not None:
                by_name[s.name.rsplit("/", 1)[-1].casefold()].append(s)
        for same in by_name.values():
            if len(same) < 2:
                continue
            same.sort(key=lambda s: (_order_time(s), s.name))
            first = same[0]
            for later in same[1:]:
                assert later.report is not None and first.report is not None
                if later.key != first.key or later.report.year != first.report.year:
                    found = f"{later.network} {later.report.year}"
                    expected = f"{first.network} {first.report.year}"
                    self.add(later, finding("resubmission-mismatch", other=first.name, found=found, expected=expected))

    def _owner_overlaps(self, winners: list[Source]) -> None:
        seen: dict[tuple[str, str], list[Source]] = defaultdict(list)
        spellings: dict[str, set[str]] = defaultdict(set)
        for s in sorted(winners, key=lambda s: s.key):
            assert s.report is not None
            names = owner_names(s.report)
            for scheme in schemes_of(s.report):
                for key in dict.fromkeys(owner_key(n) for n in names):
                    seen[(scheme, key)].append(s)
            for n in names:
                spellings[owner_key(n)].add(n)
        shown = {key: max(names, key=lambda n: (len(n), n)) for key, names in spellings.items()}
        labels = self.registry.scheme_labels()
        for (scheme, key), sources in sorted(seen.items()):
            if len(sources) < 2:
                continue
            networks = ", ".join(f"«{s.network}»" for s in sources)
            for s in sources:
                self.add(s, finding("owner-in-two-networks", owner=shown[key], scheme=labels.get(scheme, scheme),
                                    networks=networks))


def schemes_of(report: Report) -> list[str]:
    """The scheme keys a report takes part in: ticked, used by a measure with money, or with coordinator money."""
    keys = {k for k, v in report.partnership.schemes.items() if v}
    keys |= {m.scheme for m in report.measures if m.scheme and m.total}
    keys |= {k for k, c in report.coordinator.items() if c.amount}
    return sorted(keys)


def _order_time(s: Source) -> datetime:
    """What orders two submissions of a network: when it was saved, else when it arrived."""
    return s.saved_at or s.received or datetime.min.replace(tzinfo=timezone.utc)


def _when(moment: datetime) -> str:
    shown = local(moment)
    return shown.strftime("%d.%m.%Y kl. %H.%M") if shown and shown.year > 1 else "ukjent tidspunkt"


def _main_year(sources: list[Source]) -> int | None:
    years = Counter(s.report.year for s in sources if s.report is not None)
    if not years:
        return None
    return max(years, key=lambda y: (years[y], y))


# ---------------------------------------------------------------- the roster


class _Roster:
    def __init__(self, c: Consolidation, entries: list[RosterEntry], deadline: datetime | None) -> None:
        self.c, self.entries, self.deadline = c, entries, deadline

    def lines(self) -> list[RosterLine]:
        counted = {n.key: n for n in self.c.counted}
        on_roster = {network_key(e.network) for e in self.entries}
        out = []
        for e in self.entries:
            n = counted.get(network_key(e.network))
            if n is None:
                out.append(RosterLine(e.network, RosterStatus.MISSING, row=e.row))
                continue
            received = n.source.received
            deadline = _deadline_end(e.deadline) if e.deadline else self.deadline
            late = bool(deadline and received and received > deadline)
            if late and deadline is not None and received is not None:
                self.c_add(n.source, finding("returned-late", when=_when(received), deadline=_when(deadline)))
            out.append(RosterLine(e.network, RosterStatus.LATE if late else RosterStatus.RETURNED, n.source.name,
                                  received, e.row))
        for n in self.c.counted:
            if n.key not in on_roster:
                self.c_add(n.source, finding("not-on-roster", network=n.name))
        return out

    def c_add(self, source: Source, f: Finding) -> None:
        source.findings = sort_findings([f, *source.findings], source.sheets)


__all__ = ["Consolidation", "Network", "RosterLine", "RosterStatus", "Source", "Status",
           "consolidate", "local", "roster_summary", "schemes_of"]
