"""The roster: the networks that get a form, with their contacts, målform and deadline.

An adviser keeps the roster in Excel and saves it as XLSX or CSV, with Norwegian column
names («Nettverk», «Eiere», «E-post eier», «Målform», «Frist» …); the English names of
earlier versions (`network`, `owner_email` …) still work. Only the network's name is
required. Every problem names the file and the row and says what would be right, and
all rows are checked before anything is reported, so one run lists every mistake.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TypeVar

from .errors import RosterError
from .limits import DEFAULT_LIMITS, Limits
from .models import Contact, is_email
from .tablefile import TableFile, TableFileError, TableRow, join_problems, read_table, shorten

__all__ = [
    "ROSTER_COLUMNS", "RosterEntry", "RosterError", "network_key", "parse_date", "parse_datetime",
    "parse_language", "read_roster",
]

ROSTER_COLUMNS: dict[str, tuple[str, ...]] = {
    "network": ("nettverk", "kompetansenettverk", "nettverk navn", "nettverksnavn", "navn på kompetansenettverket", "network"),
    "owners": ("eiere", "eier", "eier(e)", "owners"),
    "uh": ("uh", "universitet/høgskole", "universitet eller høgskole", "uh-partner",
           "universitet/høyskole", "universitet eller høyskole"),
    "owner_contact": ("kontaktperson eier", "kontakt eier", "owner_contact"),
    "owner_role": ("funksjon eier", "rolle eier", "owner_role"),
    "owner_email": ("e-post eier", "epost eier", "owner_email", "owner e-mail"),
    "owner_marking": ("merking eier", "ev. merkes eier", "fakturamerking eier", "owner_marking"),
    "uh_contact": ("kontaktperson uh", "kontakt uh", "uh_contact"),
    "uh_role": ("funksjon uh", "rolle uh", "uh_role"),
    "uh_email": ("e-post uh", "epost uh", "uh_email", "uh e-mail"),
    "uh_marking": ("merking uh", "ev. merkes uh", "fakturamerking uh", "uh_marking"),
    "language": ("målform", "malform", "maalform", "språk", "sprak", "language"),
    "deadline": ("frist", "svarfrist", "deadline"),
    "received": ("mottatt", "mottatt dato", "received"),
    "file": ("fil", "filnavn", "file"),
}

# ---------------------------------------------------------------- public API


@dataclass(frozen=True)
class RosterEntry:
    """One network of the roster, as the form and the consolidation need it."""

    row: int  # the row number in the roster, as the adviser sees it
    network: str
    owners: str
    uh: str
    owner: Contact
    uh_contact: Contact
    language: str  # "nb" | "nn"
    deadline: date | None
    received: datetime | None
    file: str  # the network's returned file, when the adviser has noted it


def read_roster(path: Path, limits: Limits = DEFAULT_LIMITS) -> list[RosterEntry]:
    """Every network of the roster in file order; RosterError listing every problem, each with file and row."""
    path = Path(path)
    try:
        table = read_table(path, ROSTER_COLUMNS, required={"network"}, what="listen over nettverk", limits=limits)
    except TableFileError as exc:
        raise RosterError(str(exc)) from None
    if not table.rows:
        raise RosterError(f"{path}: listen over nettverk har ingen nettverk under overskriftsraden. Skriv ett nettverk per rad.")
    entries: list[RosterEntry] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for row in table.rows:
        entry, row_problems = _entry(table, row)
        problems += row_problems
        name = row.values.get("network", "")
        key = network_key(name)
        if key in seen:
            problems.append(
                f"{path}, rad {row.number}: nettverket «{shorten(name)}» står allerede på rad {seen[key]}. "
                "Hvert nettverk skal stå bare én gang (store og små bokstaver, mellomrom og usynlige tegn teller ikke)."
            )
        elif key:
            seen[key] = row.number
        if entry is not None:
            entries.append(entry)
    if problems:
        raise RosterError(join_problems(problems))
    return entries


def network_key(name: str) -> str:
    """How network names are compared: NFKC, case folded, invisible characters dropped, spaces collapsed."""
    text = unicodedata.normalize("NFKC", name)
    # Whitespace first (tab and newline are control characters too, but they separate words).
    kept = "".join(" " if ch.isspace() else ch for ch in text if ch.isspace() or unicodedata.category(ch) not in _INVISIBLE)
    # Case folding can leave text that NFKC would still change ("ǰ"): normalise once more.
    return " ".join(unicodedata.normalize("NFKC", kept.casefold()).split())


def parse_language(text: str) -> str:
    """Målform as "nb" or "nn"; empty is "nb". ValueError with a Bokmål message otherwise."""
    folded = " ".join(text.casefold().split())
    if folded in _LANGUAGES:
        return _LANGUAGES[folded]
    raise ValueError(f"«{shorten(text)}» er ikke en målform. Skriv «bokmål» eller «nynorsk» (eller «nb» eller «nn»).")


def parse_date(text: str) -> date | None:
    """A date written as 2027-02-01, 01.02.2027, 1.2.2027 or «1. februar 2027»; None if empty.

    ValueError with a Bokmål message if the text is not one of these or not a real date.
    """
    flat = " ".join(text.split())
    if not flat:
        return None
    match = _DATE.fullmatch(flat.casefold()) if len(flat) <= _MAX_DATE_CHARS else None
    if match is None:
        raise ValueError(f"«{shorten(text)}» er ikke en dato. {_DATE_HELP}")
    return _date_of(match, text)


def parse_datetime(text: str) -> datetime | None:
    """A date as `parse_date` reads it, optionally followed by a time HH:MM or HH:MM:SS; None if empty."""
    flat = " ".join(text.split())
    if not flat:
        return None
    match = _DATETIME.fullmatch(flat.casefold()) if len(flat) <= _MAX_DATE_CHARS else None
    if match is None:
        raise ValueError(
            f"«{shorten(text)}» er ikke en dato eller et tidspunkt. {_DATE_HELP} Klokkeslett kan stå etter, som 14:30."
        )
    day = _date_of(match, text)
    hour, minute, second = (int(match[g] or 0) for g in ("hour", "minute", "second"))
    try:
        return datetime(day.year, day.month, day.day, hour, minute, second)
    except ValueError:
        raise ValueError(f"«{shorten(text)}» har et klokkeslett som ikke finnes. Skriv for eksempel 14:30.") from None


# ---------------------------------------------------------------- one row

# A longer value does not fit the form's header fields.
_MAX_VALUE_CHARS = 255

_EMAIL_KEYS = ("owner_email", "uh_email")

_T = TypeVar("_T")


def _entry(table: TableFile, row: TableRow) -> tuple[RosterEntry | None, list[str]]:
    """The row as an entry, or None and what is wrong with it."""
    where = f"{table.path}, rad {row.number}"
    values = row.values
    problems: list[str] = []

    def header(key: str) -> str:
        return table.columns.get(key, ROSTER_COLUMNS[key][0])

    def parsed(key: str, parse: Callable[[str], _T]) -> _T | None:
        try:
            return parse(values.get(key, ""))
        except ValueError as exc:
            problems.append(f"{where}, kolonnen «{header(key)}»: {exc}")
            return None

    for key, value in values.items():
        if len(value) > _MAX_VALUE_CHARS:
            problems.append(
                f"{where}: verdien i kolonnen «{header(key)}» har {len(value)} tegn; høyst {_MAX_VALUE_CHARS} tegn er tillatt."
            )
    if not network_key(values.get("network", "")):
        problems.append(f"{where}: kolonnen «{header('network')}» er tom. Hver rad trenger nettverkets navn.")
    for key in _EMAIL_KEYS:
        value = values.get(key, "")
        if value and not is_email(value):
            problems.append(
                f"{where}: «{shorten(value)}» i kolonnen «{header(key)}» er ikke en gyldig e-postadresse. "
                "Skriv én adresse, for eksempel navn@kommune.no."
            )
    language = parsed("language", parse_language)
    deadline = parsed("deadline", parse_date)
    received = parsed("received", parse_datetime)
    if problems or language is None:
        return None, problems
    return RosterEntry(
        row=row.number, network=values["network"], owners=values.get("owners", ""), uh=values.get("uh", ""),
        owner=_contact(values, "owner"), uh_contact=_contact(values, "uh"), language=language,
        deadline=deadline, received=received, file=values.get("file", ""),
    ), []


def _contact(values: dict[str, str], side: str) -> Contact:
    return Contact(
        name=values.get(f"{side}_contact") or None,
        role=values.get(f"{side}_role") or None,
        email=values.get(f"{side}_email") or None,
        invoice_marking=values.get(f"{side}_marking") or None,
    )


# ---------------------------------------------------------------- names, målform, dates

# Format (zero-width space, joiners, BOM, soft hyphen, direction marks) and controls:
# invisible in Excel, so two names differing only by them are the same name.
_INVISIBLE = frozenset({"Cc", "Cf"})

_LANGUAGES = {
    "": "nb", "bokmål": "nb", "bokmal": "nb", "nb": "nb", "b": "nb",
    "nynorsk": "nn", "nn": "nn", "n": "nn",
}

# Bokmål and Nynorsk spell the months alike; the usual abbreviations are accepted too.
_MONTHS = {
    "januar": 1, "jan": 1, "februar": 2, "feb": 2, "mars": 3, "mar": 3, "april": 4, "apr": 4,
    "mai": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9, "oktober": 10, "okt": 10, "november": 11, "nov": 11,
    "desember": 12, "des": 12,
}

# No date is longer; a longer text is refused before any pattern sees it.
_MAX_DATE_CHARS = 40

_DATE_HELP = "Skriv datoen som 2027-02-01, 01.02.2027 eller 1. februar 2027."

_DATE_PATTERN = r"""
    (?: (?P<iso_y>[0-9]{4})-(?P<iso_m>[0-9]{1,2})-(?P<iso_d>[0-9]{1,2})       # 2027-02-01
      | (?P<dot_d>[0-9]{1,2})\.(?P<dot_m>[0-9]{1,2})\.(?P<dot_y>[0-9]{4})      # 01.02.2027, 1.2.2027
      | (?P<name_d>[0-9]{1,2})\.?\ ?(?P<name_m>[a-zæøå]+)\.?\ (?P<name_y>[0-9]{4})  # 1. februar 2027, 1. feb. 2027
    )
"""
_TIME_PATTERN = r"""
    (?: (?:\ |t|,?\ ?kl\.?\ ?)                                              # "2027-02-01T14:30", "… kl. 14.30"
        (?P<hour>[0-9]{1,2})[:.](?P<minute>[0-9]{2})(?:[:.](?P<second>[0-9]{2}))?
    )?
"""
_DATE = re.compile(_DATE_PATTERN, re.VERBOSE)
_DATETIME = re.compile(_DATE_PATTERN + _TIME_PATTERN, re.VERBOSE)


def _date_of(match: re.Match[str], text: str) -> date:
    if match["iso_y"]:
        year, month, day = match["iso_y"], match["iso_m"], match["iso_d"]
    elif match["dot_y"]:
        year, month, day = match["dot_y"], match["dot_m"], match["dot_d"]
    else:
        number = _MONTHS.get(match["name_m"])
        if number is None:
            raise ValueError(f"«{shorten(text)}» har en måned vi ikke kjenner («{match['name_m']}»). {_DATE_HELP}")
        year, month, day = match["name_y"], str(number), match["name_d"]
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        raise ValueError(f"«{shorten(text)}» er ikke en dato som finnes. {_DATE_HELP}") from None
