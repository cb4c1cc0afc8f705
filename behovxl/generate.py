"""Blank and pre-filled workbooks: one network, a roster of networks, or a report."""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from . import definition as definitions
from .definition import Form
from .errors import RosterError, UsageError
from .files import write_atomic
from .models import Contact, Contacts, Partnership, Report, is_email
from .writer import workbook_bytes

ROSTER_COLUMNS = (
    "network", "owners", "uh",
    "owner_contact", "owner_role", "owner_email",
    "uh_contact", "uh_role", "uh_email",
)

# ---------------------------------------------------------------- public API


@dataclass(frozen=True)
class RosterEntry:
    row: int
    network: str
    owners: str
    uh: str
    owner: Contact
    uh_contact: Contact


def make_form(year: int, measures: int | None = None, network: str = "", deadline: str = "") -> Form:
    definition = definitions.current()
    count = measures or definition.data["form"]["default_measures"]
    return Form(definition, year, count, network, deadline)


def generate_blank(path: Path, form: Form) -> Path:
    write_atomic(path, workbook_bytes(form))
    return path


def generate_from_report(path: Path, report: Report, measures: int | None = None, deadline: str = "") -> Path:
    """A workbook pre-filled from a report, in the report's own form version."""
    definition = definitions.lookup(report.form_id, report.form_version)
    needed = max([m.number for m in report.measures] + [measures or definition.data["form"]["default_measures"]])
    # The recorded network is the report's own; the header falls back to the typed name.
    form = Form(definition, report.year, needed, report.network_id or "", deadline)
    write_atomic(path, workbook_bytes(form, report))
    return path


def load_report_file(path: Path) -> Report:
    """A report from JSON: one report object, or a list holding exactly one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"{path}: kan ikke lese JSON ({exc}).") from None
    if isinstance(data, list):
        if len(data) != 1:
            raise UsageError(f"{path}: filen inneholder {len(data)} rapporter; --from tar én rapport (eller en liste med én).")
        data = data[0]
    try:
        return Report.model_validate(data)
    except ValidationError as exc:
        raise UsageError(f"{path}: rapporten er ikke gyldig:\n{exc}") from None


def generate_roster(roster: Path, out_dir: Path, year: int, measures: int | None = None, deadline: str = "") -> list[Path]:
    """One pre-filled workbook per roster row; every row is checked before any file is written."""
    entries = read_roster(roster)
    names = _file_names(entries, year, roster)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for entry, name in zip(entries, names):
        form = make_form(year, measures, entry.network, deadline)
        report = _roster_report(form, entry)
        path = out_dir / name
        write_atomic(path, workbook_bytes(form, report))
        written.append(path)
    return written


def read_roster(path: Path) -> list[RosterEntry]:
    rows = _roster_rows(path)
    if not rows:
        raise RosterError(f"{path}: listen over nettverk er tom.")
    header = [h.strip().lower() for h in rows[0]]
    if "network" not in header:
        raise RosterError(
            f"{path}, rad 1: overskriftsraden mangler kolonnen «network». Forventede kolonner: {', '.join(ROSTER_COLUMNS)}."
        )
    unknown = [h for h in header if h and h not in ROSTER_COLUMNS]
    if unknown:
        raise RosterError(f"{path}, rad 1: ukjente kolonner {', '.join(unknown)}. Tillatte kolonner: {', '.join(ROSTER_COLUMNS)}.")
    entries = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(str(c).strip() for c in row):
            continue
        record = {h: (str(row[i]).strip() if i < len(row) and row[i] is not None else "") for i, h in enumerate(header)}
        entries.append(_entry(path, number, record))
    if not entries:
        raise RosterError(f"{path}: listen har ingen nettverk under overskriftsraden.")
    return entries


def safe_file_name(network: str, year: int) -> str:
    ascii_name = unicodedata.normalize("NFKD", network.translate(_NORDIC)).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:80].strip("-")
    return f"behovsmelding-{year}-{slug or 'nettverk'}.xlsx"


# ---------------------------------------------------------------- helpers

_NORDIC = str.maketrans({"æ": "ae", "Æ": "Ae", "ø": "o", "Ø": "O", "å": "a", "Å": "A"})


def _roster_rows(path: Path) -> list[list[str]]:
    try:
        if path.suffix.lower() == ".xlsx":
            return _xlsx_rows(path)
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise RosterError(f"{path}: kan ikke lese filen ({exc.strerror}).") from None
    except UnicodeDecodeError:
        raise RosterError(f"{path}: filen er ikke UTF-8. Lagre den som CSV UTF-8.") from None
    dialect = csv.excel
    try:
        dialect = csv.Sniffer().sniff(text.splitlines()[0], delimiters=",;\t")
    except (csv.Error, IndexError):
        pass
    return [row for row in csv.reader(io.StringIO(text), dialect)]


def _xlsx_rows(path: Path) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a bad file
        raise RosterError(f"{path}: kan ikke åpne arbeidsboken ({type(exc).__name__}).") from None
    try:
        sheet = book.worksheets[0]
        return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def _entry(path: Path, number: int, record: dict[str, str]) -> RosterEntry:
    where = f"{path}, rad {number}"
    if not record.get("network"):
        raise RosterError(f"{where}: kolonnen «network» er tom. Hver rad trenger nettverkets navn.")
    for key in ("owner_email", "uh_email"):
        value = record.get(key, "")
        if value and not is_email(value):
            raise RosterError(f"{where}: «{value}» i kolonnen «{key}» er ikke en gyldig e-postadresse (for eksempel navn@kommune.no).")
    for key, value in record.items():
        if len(value) > 255:
            raise RosterError(f"{where}: kolonnen «{key}» er lengre enn 255 tegn.")
    return RosterEntry(
        row=number, network=record["network"], owners=record.get("owners", ""), uh=record.get("uh", ""),
        owner=Contact(name=record.get("owner_contact") or None, role=record.get("owner_role") or None, email=record.get("owner_email") or None),
        uh_contact=Contact(name=record.get("uh_contact") or None, role=record.get("uh_role") or None, email=record.get("uh_email") or None),
    )


def _file_names(entries: list[RosterEntry], year: int, roster: Path) -> list[str]:
    seen: dict[str, int] = {}
    names = []
    for entry in entries:
        name = safe_file_name(entry.network, year)
        if name in seen:
            raise RosterError(
                f"{roster}, rad {entry.row}: nettverket «{entry.network}» gir samme filnavn som rad {seen[name]} ({name}). "
                "Hvert nettverk må ha et eget navn."
            )
        seen[name] = entry.row
        names.append(name)
    return names


def _roster_report(form: Form, entry: RosterEntry) -> Report:
    d = form.definition
    return Report(
        form_id=d.form_id, form_version=d.version, year=form.year, network_id=entry.network,
        partnership=Partnership(network=entry.network, owners=entry.owners or None, uh=entry.uh or None),
        contacts=Contacts(owner=entry.owner, uh=entry.uh_contact),
    )
