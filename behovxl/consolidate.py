"""Consolidation: many returned workbooks become one regional picture.

`consolidate(inputs)` reads every workbook it is given (files, or folders searched
recursively) and accounts for each one: imported, imported with errors, rejected
with the reason, a duplicate of another file, or superseded by a later submission
from the same network. It picks one submission per network and returns a
`Consolidation`: data only, no file is written. `regional.write_regional` turns it
into the regional workbook, and optionally JSON and CSV.

Batch-level problems (the same file twice, two submissions from one network, an
owner in two networks) are findings like the reader's, with codes from the small
`BatchCode` catalogue below, attached to the file they concern.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Any, Protocol

from . import definition as definitions
from .findings import Finding, Severity, count, sort_findings
from .models import Report
from .reader import ReadResult, read_workbook

__all__ = [
    "BatchCode", "Consolidation", "Network", "Progress", "Source", "SourceFinding", "Status",
    "consolidate", "find_inputs", "network_key", "owner_key", "owners_of", "scheme_labels", "schemes_of",
]

# ---------------------------------------------------------------- public API


class Status(str, Enum):
    """What became of one input file."""

    IMPORTED = "imported"
    IMPORTED_WITH_ERRORS = "imported-with-errors"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"
    SUPERSEDED = "superseded"

    @property
    def label(self) -> str:
        """Bokmål, as the regional workbook shows it."""
        return _STATUS_LABELS[self]

    @property
    def counted(self) -> bool:
        """True if the file's figures are in the totals."""
        return self in (Status.IMPORTED, Status.IMPORTED_WITH_ERRORS)


_STATUS_LABELS = {
    Status.IMPORTED: "Importert",
    Status.IMPORTED_WITH_ERRORS: "Importert med feil",
    Status.REJECTED: "Avvist",
    Status.DUPLICATE: "Duplikat",
    Status.SUPERSEDED: "Erstattet",
}

SEVERITY_LABELS = {Severity.ERROR: "Feil", Severity.WARNING: "Advarsel", Severity.INFO: "Info"}


class BatchCode(str, Enum):
    """Findings about the batch rather than one workbook's cells."""

    READ_FAILED = "read-failed"
    NETWORK_MISSING = "network-missing"
    OTHER_YEAR = "other-year"
    DUPLICATE_FILE = "duplicate-file"
    SUPERSEDED = "superseded"
    SEVERAL_SUBMISSIONS = "several-submissions"
    OWNER_IN_TWO_NETWORKS = "owner-in-two-networks"

    @property
    def severity(self) -> Severity:
        return _BATCH_CATALOGUE[self][0]

    @property
    def template(self) -> str:
        return _BATCH_CATALOGUE[self][1]

    @property
    def title(self) -> str:
        return _BATCH_TITLES[self]

    def finding(self, **values: Any) -> Finding:
        return Finding(code=self.value, severity=self.severity, message=self.template.format(**values),
                       found=values.get("found"), expected=values.get("expected"))


E, W = Severity.ERROR, Severity.WARNING

_BATCH_CATALOGUE: dict[BatchCode, tuple[Severity, str]] = {
    BatchCode.READ_FAILED: (E, "Filen kunne ikke leses ({detail}). Den er ikke tatt med."),
    BatchCode.NETWORK_MISSING: (E, "Skjemaet sier ikke hvilket kompetansenettverk det gjelder (navnet er tomt). "
                                   "Filen er ikke tatt med; be nettverket fylle ut navnet og sende skjemaet på nytt."),
    BatchCode.OTHER_YEAR: (E, "Skjemaet gjelder {found}, men samlingen gjelder {expected}. Filen er ikke tatt med."),
    BatchCode.DUPLICATE_FILE: (W, "Filen er helt lik «{other}» (samme SHA-256) og er bare telt med én gang."),
    BatchCode.SUPERSEDED: (E, "Nettverket «{network}» har levert flere behovsmeldinger for {year}. Denne er erstattet "
                              "av «{other}», som er lagret senere, og er ikke telt med."),
    BatchCode.SEVERAL_SUBMISSIONS: (E, "Nettverket «{network}» har levert {count} ulike behovsmeldinger for {year}. "
                                       "Denne er lagret sist og er telt med; {others} er ikke telt med. "
                                       "Bekreft med nettverket hvilken som gjelder."),
    BatchCode.OWNER_IN_TWO_NETWORKS: (W, "Eieren «{owner}» er med i flere nettverk i {scheme}: {networks}. "
                                         "Sjekk at eieren ikke får midler to ganger."),
}

_BATCH_TITLES = {
    BatchCode.READ_FAILED: "consolidate: a file the reader could not process.",
    BatchCode.NETWORK_MISSING: "consolidate: a workbook that names no network.",
    BatchCode.OTHER_YEAR: "consolidate: a workbook for another round's year.",
    BatchCode.DUPLICATE_FILE: "consolidate: the same file (same SHA-256) given twice.",
    BatchCode.SUPERSEDED: "consolidate: an older submission from a network that sent a newer one.",
    BatchCode.SEVERAL_SUBMISSIONS: "consolidate: the counted submission of a network that sent several.",
    BatchCode.OWNER_IN_TWO_NETWORKS: "consolidate: an owner in two networks for the same scheme.",
}


@dataclass
class Source:
    """One input file and what became of it."""

    file: Path                    # the path as found
    name: str                     # as shown: the file name, or its path inside a folder given
    sha256: str
    status: Status
    report: Report | None         # None when unreadable
    findings: list[Finding]       # the reader's and the batch's, sorted
    saved_at: datetime | None
    mtime_ns: int
    network: str = ""             # the network as named in the file
    reason: str = ""              # why rejected / duplicate of / superseded by
    other: str = ""               # the file this one duplicates or is superseded by

    @property
    def network_key(self) -> str:
        return network_key(self.report) if self.report else ""

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
        return _network_name(self.report)

    @property
    def status(self) -> str:
        """OK, Advarsel or Feil: the worst finding on the counted file."""
        if self.source.errors:
            return SEVERITY_LABELS[Severity.ERROR]
        if self.source.warnings:
            return SEVERITY_LABELS[Severity.WARNING]
        return "OK"


@dataclass(frozen=True)
class SourceFinding:
    """A finding together with the file and network it belongs to."""

    file: str
    network: str
    finding: Finding


@dataclass
class Consolidation:
    year: int | None
    sources: list[Source]              # every input, sorted by name then sha256
    networks: list[Network]            # counted submissions, sorted by network name (normalized)
    problem: str = ""                  # set when there was nothing to consolidate (exit code 2)

    @property
    def findings(self) -> list[SourceFinding]:
        """Every finding from every file, file by file; a duplicate only says that it is one."""
        return [SourceFinding(s.name, s.network, f) for s in self.sources for f in s.findings]

    @property
    def exit_code(self) -> int:
        """0: all imported without errors; 1: any error or rejected file; 2: nothing to consolidate."""
        if not self.sources:
            return 2
        if any(s.errors or s.status in (Status.REJECTED, Status.IMPORTED_WITH_ERRORS, Status.SUPERSEDED)
               for s in self.sources):
            return 1
        return 0

    def counts(self) -> dict[Status, int]:
        found = Counter(s.status for s in self.sources)
        return {status: found.get(status, 0) for status in Status}

    def summary(self) -> str:
        """One line for the terminal, in Bokmål."""
        if self.problem:
            return self.problem
        parts = [f"{n} {status.label.lower()}" for status, n in self.counts().items() if n]
        year = f" for {self.year}" if self.year else ""
        files = "1 fil" if len(self.sources) == 1 else f"{len(self.sources)} filer"
        return f"{files} lest, {len(self.networks)} nettverk{year}: {', '.join(parts)}."


class Progress(Protocol):
    def update(self, n_steps: int) -> Any: ...


#: ``progress(total)`` returns a context manager whose value has ``update(n)``:
#: ``click.progressbar(length=total, ...)`` fits as it is.
ProgressFactory = Callable[[int], AbstractContextManager[Progress]]
Reader = Callable[[Path], ReadResult]


def consolidate(
    inputs: Sequence[Path | str],
    *,
    read: Reader = read_workbook,
    year: int | None = None,
    progress: ProgressFactory | None = None,
    skip: Iterable[Path | str] = (),
) -> Consolidation:
    """Read every workbook in `inputs` (files or folders) and consolidate them.

    `year` fixes the round; by default it is the year most submissions are for.
    `skip` names files to leave out, such as this run's own output lying in an
    input folder. Never raises for a bad file: each becomes a source with a status
    and a reason.
    """
    skipped = {_resolved(p) for p in skip}
    found = [(path, name) for path, name in find_inputs(inputs) if _resolved(path) not in skipped]
    if not found:
        shown = ", ".join(str(p) for p in inputs) or "(ingen)"
        return Consolidation(None, [], [], f"Fant ingen .xlsx-filer å samle i {shown}.")
    with (progress(len(found)) if progress else nullcontext()) as bar:
        results = []
        for path, name in found:
            results.append((name, _read_safely(read, path)))
            if bar is not None:
                bar.update(1)
    return _Batch(results, year).build()


def find_inputs(inputs: Iterable[Path | str]) -> list[tuple[Path, str]]:
    """(path, shown name) for every file given and every *.xlsx below every folder given.

    Folders are searched recursively in sorted order, skipping Office lock files
    (``~$*.xlsx``); a file given by name is always read, whatever its type, so that
    it is accounted for. Names are relative to the folder given, so the output does
    not depend on where the inputs are.
    """
    out: list[tuple[Path, str]] = []
    for item in inputs:
        path = Path(item)
        if not path.is_dir():
            out.append((path, path.name or str(path)))
            continue
        for dirpath, dirnames, filenames in os.walk(path):
            dirnames.sort()
            for filename in sorted(filenames):
                if filename.lower().endswith(".xlsx") and not filename.startswith("~$"):
                    full = Path(dirpath) / filename
                    out.append((full, full.relative_to(path).as_posix()))
    return out


def network_key(report: Report) -> str:
    """How networks are told apart: the recorded network, else the typed name; case and spacing ignored."""
    return " ".join(_network_name(report).casefold().split())


def owners_of(report: Report) -> list[str]:
    """The owners named in a report: the owner list split on commas and «og», plus partners of kind owner."""
    names = [part for part in _OWNER_SPLIT.split(report.partnership.owners or "")]
    names += [p.name or "" for p in report.partners if p.kind == "owner"]
    return [" ".join(n.split()) for n in names if n and n.strip() and owner_key(n)]


def owner_key(name: str) -> str:
    """An owner compared without case, spacing or the words «kommune»/«kommuner»."""
    return " ".join(w for w in name.casefold().split() if w not in ("kommune", "kommuner"))


def schemes_of(report: Report) -> list[str]:
    """The scheme keys a report takes part in: ticked, used by a measure with money, or with coordinator money."""
    keys = {k for k, v in report.partnership.schemes.items() if v}
    keys |= {m.scheme for m in report.measures if m.scheme and m.total}
    keys |= {k for k, c in report.coordinator.items() if c.amount}
    return sorted(keys)


# ---------------------------------------------------------------- the batch

_OWNER_SPLIT = re.compile(r"\s*(?:[,;\n]|\bog\b|&)\s*", re.IGNORECASE)


def _network_name(report: Report) -> str:
    return (report.network_id or report.partnership.network or "").strip()


def _resolved(path: Path | str) -> Path:
    try:
        return Path(path).resolve()
    except OSError:
        return Path(path).absolute()


def _read_safely(read: Reader, path: Path) -> ReadResult:
    """The reader promises not to raise; if it does anyway, the file is rejected, not the run."""
    try:
        return read(path)
    except Exception as exc:  # noqa: BLE001 - one bad file never stops the run
        detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        return ReadResult(path, _sha256(path), "unreadable", None, [BatchCode.READ_FAILED.finding(detail=detail)])


def _sha256(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def _mtime_ns(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0


class _Batch:
    def __init__(self, results: list[tuple[str, ReadResult]], year: int | None) -> None:
        self.sources = sorted((self._source(name, r) for name, r in results), key=lambda s: (s.name, s.sha256))
        self.year = year
        self.extra: dict[int, list[Finding]] = defaultdict(list)  # id(source) -> batch findings

    def build(self) -> Consolidation:
        originals = self._mark_duplicates()
        self.year = self.year or _main_year(originals)
        candidates = [s for s in originals if self._accept(s)]
        winners = self._pick_per_network(candidates)
        self._owner_overlaps(winners)
        for s in self.sources:
            s.findings = sort_findings(self.extra.get(id(s), []) + s.findings)
            if s.status == Status.IMPORTED and s.errors:
                s.status = Status.IMPORTED_WITH_ERRORS
        networks = sorted((Network(network_key(s.report), s) for s in winners), key=lambda n: n.key)
        return Consolidation(self.year, self.sources, networks)

    @staticmethod
    def _source(name: str, r: ReadResult) -> Source:
        readable = r.status != "unreadable" and r.report is not None
        status = Status.IMPORTED if readable else Status.REJECTED
        reason = ""
        if not readable:
            first = next((f for f in r.findings if f.severity == Severity.ERROR), None)
            reason = first.message if first else "Filen kunne ikke leses."
        return Source(
            file=Path(r.file), name=name, sha256=r.sha256, status=status, report=r.report if readable else None,
            findings=list(r.findings), saved_at=r.saved_at, mtime_ns=_mtime_ns(Path(r.file)),
            network=_network_name(r.report) if r.report else "", reason=reason,
        )

    def _add(self, source: Source, f: Finding) -> None:
        self.extra[id(source)].append(f)

    def _mark_duplicates(self) -> list[Source]:
        """Of files with the same content the one nearest the top (then first by name) counts; the others are duplicates."""
        first: dict[str, Source] = {}
        originals = []
        for s in sorted(self.sources, key=lambda s: (s.name.count("/"), s.name, s.sha256)):
            original = first.get(s.sha256) if s.sha256 else None
            if original is None:
                if s.sha256:
                    first[s.sha256] = s
                originals.append(s)
                continue
            s.status, s.other = Status.DUPLICATE, original.name
            s.reason = f"Samme fil som «{original.name}»."
            s.findings = []  # the original lists them; a copy would only repeat them
            self._add(s, BatchCode.DUPLICATE_FILE.finding(other=original.name))
        return originals

    def _accept(self, s: Source) -> bool:
        if s.status != Status.IMPORTED:
            return False
        assert s.report is not None
        problem = None
        if s.report.year != self.year:
            problem = BatchCode.OTHER_YEAR.finding(found=s.report.year, expected=self.year)
        elif not network_key(s.report):
            problem = BatchCode.NETWORK_MISSING.finding()
        if problem is None:
            return True
        s.status, s.reason = Status.REJECTED, problem.message
        self._add(s, problem)
        return False

    def _pick_per_network(self, candidates: list[Source]) -> list[Source]:
        """One submission per network: the one saved last (saved_at, then mtime, then name)."""
        groups: dict[str, list[Source]] = defaultdict(list)
        for s in candidates:
            groups[network_key(s.report)].append(s)
        winners = []
        for group in groups.values():
            group.sort(key=lambda s: (s.saved_at or datetime.min, s.mtime_ns, s.name, s.sha256))
            winner, losers = group[-1], group[:-1]
            winners.append(winner)
            if not losers:
                continue
            network, year = winner.network, self.year
            for s in losers:
                s.status, s.other = Status.SUPERSEDED, winner.name
                s.reason = f"Erstattet av «{winner.name}»."
                self._add(s, BatchCode.SUPERSEDED.finding(network=network, year=year, other=winner.name))
            others = ", ".join(f"«{s.name}»" for s in losers)
            self._add(winner, BatchCode.SEVERAL_SUBMISSIONS.finding(
                network=network, year=year, count=len(group), others=others))
        return winners

    def _owner_overlaps(self, winners: list[Source]) -> None:
        ordered = sorted(winners, key=lambda s: network_key(s.report))
        seen: dict[tuple[str, str], list[Source]] = defaultdict(list)
        spellings: dict[str, set[str]] = defaultdict(set)
        for s in ordered:
            for scheme in schemes_of(s.report):
                for owner in dict.fromkeys(owner_key(n) for n in owners_of(s.report)):
                    seen[(scheme, owner)].append(s)
            for n in owners_of(s.report):
                spellings[owner_key(n)].add(n)
        # the fullest spelling names the owner ("Fauske kommune" rather than "FAUSKE")
        shown = {key: max(names, key=lambda n: (len(n), n)) for key, names in spellings.items()}
        labels = scheme_labels()
        for (scheme, owner), sources in sorted(seen.items()):
            if len(sources) < 2:
                continue
            networks = ", ".join(f"«{s.network}»" for s in sources)
            for s in sources:
                self._add(s, BatchCode.OWNER_IN_TWO_NETWORKS.finding(
                    owner=shown[owner], scheme=labels.get(scheme, scheme), networks=networks))


def _main_year(sources: list[Source]) -> int | None:
    years = Counter(s.report.year for s in sources if s.report is not None and s.status == Status.IMPORTED)
    if not years:
        return None
    return max(years, key=lambda y: (years[y], y))


def scheme_labels() -> dict[str, str]:
    """Scheme key -> Bokmål label, over every known form version (the newest wins)."""
    labels: dict[str, str] = {}
    for d in [definitions.current(), *definitions.definitions().values()]:
        for c in d.schemes:
            labels.setdefault(c.key, c.label)
    return labels
