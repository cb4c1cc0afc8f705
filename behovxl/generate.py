"""Workbooks to send: a blank form, one per roster network, a report's own, or next year's.

`--year` is never ignored: a report generated for a later year is rolled over into
next year's form (the partnership, contacts and units carried over; the measures that
continue keep their names and texts, and last year's estimate for the new year is
shown beside the new amounts, which are left for the network).
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from pydantic import ValidationError

from .definition import Definition
from .errors import UsageError
from .files import Output, write_outputs
from .form import Form
from .models import Codetermination, ContinuationEstimate, Measure, Partnership, PreviousRound, Reference, Report
from .oserror import reason as os_reason
from .registry import Registry
from .roster import RosterEntry, read_roster
from .writer import workbook_bytes

MONTHS = {
    "nb": ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober",
           "november", "desember"),
    "nn": ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober",
           "november", "desember"),
}

# ---------------------------------------------------------------- public API


@dataclass(frozen=True)
class Request:
    """What `generate` was asked for, shared by every way of generating."""

    registry: Registry
    year: int
    measures: int | None = None
    deadline: str = ""
    language: str = "nb"
    form: str | None = None  # a definition id (or id:version) to use instead of the newest for the year


def make_form(req: Request, network: str = "", language: str | None = None, deadline: str = "",
              reference: bool = False, definition: Definition | None = None, measures: int | None = None) -> Form:
    d = definition or req.registry.pick(req.year, req.form)
    count = measures or req.measures or d.form.default_measures
    return Form(d, req.year, count, language or req.language, network, deadline or req.deadline, reference)


def generate_blank(path: Path, req: Request, network: str = "") -> Path:
    form = make_form(req, network)
    write_outputs([Output(Path(path), workbook_bytes(form))])
    return Path(path)


def generate_from_report(path: Path, report: Report, req: Request) -> Path:
    """A workbook pre-filled from a report: the same round, or rolled over to `req.year`."""
    form, filled = form_for_report(report, req)
    write_outputs([Output(Path(path), workbook_bytes(form, filled))])
    return Path(path)


def form_for_report(report: Report, req: Request) -> tuple[Form, Report]:
    """The form and report that `generate --from` writes."""
    if req.year == report.year and not req.form:
        d = req.registry.lookup(report.form_id, report.form_version)
        needed = max([m.number for m in report.measures] + [req.measures or 0, 1])
        language = report.language if req.language == "nb" else req.language
        return Form(d, report.year, needed, language, report.network_id or "", req.deadline), report
    return roll_over(report, req)


def roll_over(report: Report, req: Request) -> tuple[Form, Report]:
    """Next year's form for a report: continuing measures carried over, new amounts left open."""
    if req.year != report.year + 1:
        raise UsageError(f"Rapporten gjelder {report.year}. Den kan brukes som grunnlag for skjemaet for "
                         f"{report.year + 1}, ikke for {req.year}. Bruk --year {report.year + 1}, eller --year "
                         f"{report.year} for den samme runden.")
    target = req.registry.pick(req.year, req.form)
    measures = [m for m in sorted(report.measures, key=lambda m: m.number) if _continues(m)]
    new = [_carried(m, n, target) for n, m in enumerate(measures, 1)]
    count = max(len(new), req.measures or 0, target.form.default_measures if not new else 0, 1)
    form = Form(target, req.year, min(count, target.form.max_measures), report.language if req.language == "nb"
                else req.language, report.network_id or "", req.deadline, reference=True)
    rolled = Report(
        form_id=target.form_id, form_version=target.version, year=req.year, language=form.language,  # type: ignore[arg-type]
        network_id=report.network_id,
        partnership=Partnership(network=report.partnership.network, owners=report.partnership.owners,
                                uh=report.partnership.uh, uh_kind=report.partnership.uh_kind),
        contacts=report.contacts, partners=report.partners, units=report.units, background=report.background,
        continuation=PreviousRound(continues=bool(new) or None,
                                   measures=", ".join(str(m.number) for m in measures) or None),
        codetermination=Codetermination(),
        measures=new,
    )
    return form, rolled


def generate_roster(roster: Path, out_dir: Path, req: Request) -> list[Path]:
    """One pre-filled workbook per roster row; every row is checked before any file is written."""
    entries = read_roster(Path(roster))
    names = _file_names(entries, req.year, Path(roster))
    outputs = []
    for entry, name in zip(entries, names, strict=True):
        deadline = deadline_text(entry.deadline, entry.language) if entry.deadline else ""
        form = make_form(req, entry.network, entry.language, deadline)
        outputs.append(Output(Path(out_dir) / name, workbook_bytes(form, roster_report(form, entry))))
    write_outputs(outputs, folder=Path(out_dir))
    return [o.path for o in outputs]


def load_report_file(path: Path, registry: Registry) -> Report:
    """A report from JSON (one report, or a list holding exactly one), or from a returned workbook."""
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from .pipeline import read

        result = read(path, registry=registry)
        if result.report is None:
            raise UsageError(f"{path}: {result.findings[0].message}")
        return result.report
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        why = os_reason(exc) if isinstance(exc, OSError) else "filen er ikke gyldig JSON i UTF-8"
        raise UsageError(f"{path}: kan ikke lese rapporten ({why}).") from None
    if isinstance(data, list):
        if len(data) != 1:
            raise UsageError(f"{path}: filen inneholder {len(data)} rapporter; --from tar én rapport (eller en liste med én).")
        data = data[0]
    try:
        return Report.model_validate(data)
    except ValidationError as exc:
        problem = exc.errors()[0]
        where = ".".join(str(p) for p in problem["loc"])
        raise UsageError(f"{path}: rapporten er ikke gyldig: feltet «{where}» {_pydantic_nb(problem['type'])}.") from None


def safe_file_name(network: str, year: int) -> str:
    ascii_name = unicodedata.normalize("NFKD", network.translate(_NORDIC)).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()[:200]).strip("-")[:80].strip("-")
    return f"behovsmelding-{year}-{slug or 'nettverk'}.xlsx"


def deadline_text(when: date, language: str) -> str:
    return f"{when.day}. {MONTHS[language][when.month - 1]} {when.year}"


def roster_report(form: Form, entry: RosterEntry) -> Report:
    d = form.definition
    return Report(
        form_id=d.form_id, form_version=d.version, year=form.year, language=form.language,  # type: ignore[arg-type]
        network_id=entry.network,
        partnership=Partnership(network=entry.network, owners=entry.owners or None, uh=entry.uh or None),
        contacts={"owner": entry.owner, "uh": entry.uh_contact},  # type: ignore[arg-type]
    )


# ---------------------------------------------------------------- helpers

_NORDIC = str.maketrans({"æ": "ae", "Æ": "Ae", "ø": "o", "Ø": "O", "å": "a", "Å": "A"})


def _continues(m: Measure) -> bool:
    """A measure continues when it gives an estimate for the autumn after or the year after."""
    return any(getattr(e, party) for e in m.continuation[:2] for party in ("owner", "uh"))


def _carried(m: Measure, number: int, target: Definition) -> Measure:
    first = m.continuation[0]
    return replace_measure(m, number=number, scheme=_scheme_in(target, m.scheme),
                           reference=Reference(owner=first.owner, uh=first.uh))


def replace_measure(m: Measure, number: int, scheme: str | None, reference: Reference) -> Measure:
    return Measure(
        number=number, name=m.name, priority=m.priority, scheme=scheme, purpose=m.purpose,
        attachment=m.attachment, target_group=m.target_group, target_groups=m.target_groups,
        anchoring=m.anchoring, collective_processes=m.collective_processes, teacher_education=m.teacher_education,
        long_term_plan=m.long_term_plan, owner_plan=m.owner_plan, uh_plan=m.uh_plan,
        needs_coordinator=m.needs_coordinator, coordinator_reason=m.coordinator_reason,
        reference=reference, continuation=[ContinuationEstimate() for _ in range(3)],
    )


def _scheme_in(target: Definition, key: str | None) -> str | None:
    """The scheme of the target form that a measure's old scheme continues in, if one can tell."""
    if key is None:
        return None
    if target.scheme(key) is not None:
        return key
    successors = [s.key for s in target.schemes if key in s.replaces]
    if len(successors) == 1:
        return successors[0]
    return target.schemes[0].key if len(target.schemes) == 1 else None


def _file_names(entries: list[RosterEntry], year: int, roster: Path) -> list[str]:
    seen: dict[str, int] = {}
    names = []
    for entry in entries:
        name = safe_file_name(entry.network, year)
        if name in seen:
            raise UsageError(
                f"{roster}, rad {entry.row}: nettverket «{entry.network}» gir samme filnavn som rad {seen[name]} ({name}). "
                "Hvert nettverk må ha et eget navn."
            )
        seen[name] = entry.row
        names.append(name)
    return names


def _pydantic_nb(kind: str) -> str:
    return {"missing": "mangler", "extra_forbidden": "er ukjent", "int_parsing": "skal være et helt tall",
            "int_type": "skal være et helt tall", "string_type": "skal være tekst"}.get(kind, "er ugyldig")


__all__ = ["Request", "deadline_text", "form_for_report", "generate_blank", "generate_from_report", "generate_roster",
           "load_report_file", "make_form", "roll_over", "roster_report", "safe_file_name", "replace"]
