"""The catalogue of findings: stable codes, each with a severity and a Bokmål message.

A finding is data: what is wrong, where (sheet, cell, data-dictionary path), what
was found and what the right value would be. Tests compare (code, sheet, cell),
never wording.
"""

from __future__ import annotations

import re
from enum import Enum
from typing import Any

from pydantic import BaseModel, ConfigDict


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


class Code(str, Enum):
    """Each member: value is the stable code; `severity` and `template` describe it."""

    # -- the file itself
    CANNOT_OPEN = "cannot-open"
    NOT_XLSX = "not-xlsx"
    ENCRYPTED = "encrypted"
    CORRUPT = "corrupt"
    NOT_OUR_FORM = "not-our-form"
    UNKNOWN_FORM_VERSION = "unknown-form-version"
    SHEET_MISSING = "sheet-missing"
    # -- reading cells
    TEXT_NUMBER = "text-number"
    PLACEHOLDER = "placeholder"
    UNPARSEABLE_NUMBER = "unparseable-number"
    FRACTIONAL_AMOUNT = "fractional-amount"
    NEGATIVE_AMOUNT = "negative-amount"
    INVALID_CHOICE = "invalid-choice"
    FORMULA_IN_INPUT = "formula-in-input"
    # -- tampering
    FORMULA_REPLACED = "formula-replaced"
    FORMULA_CHANGED = "formula-changed"
    STALE_VALUE = "stale-value"
    NO_CACHED_VALUES = "no-cached-values"
    # -- reconciliation
    DECLARED_COUNT = "declared-count"
    SCHEME_MISSING = "scheme-missing"
    COORDINATOR_UNUSED = "coordinator-unused"
    COORDINATOR_MISSING = "coordinator-missing"
    COFUNDING_LOW = "cofunding-low"
    CONTINUATION_THOUSANDS = "continuation-thousands"
    CONTINUATION_HALF_YEAR = "continuation-half-year"
    CONTINUATION_WITHOUT_DURATION = "continuation-without-duration"
    FLAG_SEVERAL_OWNERS = "flag-several-owners"
    FLAG_SEVERAL_UH = "flag-several-uh"
    FLAG_SEVERAL_SCHEMES = "flag-several-schemes"
    SCHEME_NOT_DECLARED = "scheme-not-declared"
    PRIORITY_DUPLICATE = "priority-duplicate"
    MEASURE_WITHOUT_MONEY = "measure-without-money"
    REQUIRED_MISSING = "required-missing"
    REQUIRED_FOR_MONEY = "required-for-money"
    INVALID_EMAIL = "invalid-email"

    @property
    def severity(self) -> Severity:
        return _CATALOGUE[self][0]

    @property
    def template(self) -> str:
        return _CATALOGUE[self][1]

    @property
    def title(self) -> str:
        return _CATALOGUE[self][2]


E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO

# code: (severity, message template, short description for the catalogue)
_CATALOGUE: dict[Code, tuple[Severity, str, str]] = {
    Code.CANNOT_OPEN: (E, "Filen finnes ikke eller kan ikke leses ({detail}).", "The file does not exist or cannot be read."),
    Code.NOT_XLSX: (E, "Filen er ikke en Excel-arbeidsbok (.xlsx). Send skjemaet som .xlsx-fil.", "The file is not an xlsx workbook."),
    Code.ENCRYPTED: (E, "Filen er kryptert eller passordbeskyttet og kan ikke leses. Send en kopi uten passord.", "The workbook is encrypted."),
    Code.CORRUPT: (E, "Filen er skadet og kan ikke åpnes ({detail}). Be nettverket sende den på nytt.", "The xlsx file is damaged."),
    Code.NOT_OUR_FORM: (E, "Arbeidsboken er ikke et behovsmeldingsskjema fra Statsforvalteren (arket «{sheet}» med skjemainformasjon mangler).", "A workbook that is not one of our forms."),
    Code.UNKNOWN_FORM_VERSION: (E, "Skjemaet «{found}» er ukjent for dette verktøyet. Kjente skjema: {expected}.", "A form id or version we have no definition for."),
    Code.SHEET_MISSING: (E, "Arket «{sheet}» mangler eller har fått nytt navn. Feltene på arket er ikke lest.", "A sheet of the form is missing or renamed."),
    Code.TEXT_NUMBER: (W, "{label}: tallet er skrevet som tekst («{found}») og er lest som {expected}. Skjemaets egne summer tar ikke med tekst; skriv beløpet som et tall.{remark}", "A number typed as text; parsed and kept."),
    Code.PLACEHOLDER: (W, "{label}: feltet inneholder hjelpeteksten «{found}» og er lest som tomt.", "A Word placeholder counted as empty."),
    Code.UNPARSEABLE_NUMBER: (E, "{label}: «{found}» er ikke et tall. Skriv et helt tall{unit}, uten tekst.", "Text in a number cell that cannot be read as a number."),
    Code.FRACTIONAL_AMOUNT: (E, "{label}: «{found}» er ikke et helt tall. Skriv hele {unit_plain}.", "A number with decimals where whole numbers are required."),
    Code.NEGATIVE_AMOUNT: (E, "{label}: {found} er negativt. Beløp og antall kan ikke være under 0.", "A negative amount or count."),
    Code.INVALID_CHOICE: (E, "{label}: «{found}» er ikke et gyldig valg. Velg ett av: {expected}.", "A value that is not one of the field's choices."),
    Code.FORMULA_IN_INPUT: (W, "{label}: feltet inneholder en formel ({found}). Verdien {expected} er brukt.", "A formula typed into an input cell."),
    Code.FORMULA_REPLACED: (E, "{label}: formelen er overskrevet med {found}. Riktig tall er {expected}.", "A formula cell overwritten with a constant."),
    Code.FORMULA_CHANGED: (E, "{label}: formelen er endret til ={found}. Skjemaets formel er ={expected}.", "A formula that differs from the template's."),
    Code.STALE_VALUE: (W, "{label}: arbeidsboken viser {found}, men riktig tall er {expected}.", "A cached formula value that differs from the recomputed one."),
    Code.NO_CACHED_VALUES: (I, "Arbeidsboken er lagret uten utregnede verdier. Alle summer er regnet ut på nytt.", "A workbook saved without cached formula values."),
    Code.DECLARED_COUNT: (E, "Oppgitt antall tiltak ({found}) stemmer ikke med antall utfylte tiltak ({expected}).", "Declared number of measures differs from the measures filled."),
    Code.SCHEME_MISSING: (E, "{label}: tiltaket har beløp ({found}), men ingen ordning. Velg ordning.", "A measure with money but no scheme."),
    Code.COORDINATOR_UNUSED: (E, "Det er ført opp {found} til koordinator for {scheme_label}, men ingen tiltak i ordningen sier at de trenger koordinator.", "Coordinator money that no measure asks for."),
    Code.COORDINATOR_MISSING: (W, "Tiltak {expected} i {scheme_label} trenger koordinator, men det er ikke ført opp koordinatormidler for ordningen.", "Measures need a coordinator but none is requested."),
    Code.COFUNDING_LOW: (E, "{label}: egenandelen er {found}, men {scheme_label} krever minst {expected} ({share} av {total}).", "Owner co-funding below the scheme's rule."),
    Code.CONTINUATION_THOUSANDS: (W, "{label}: {found} ser ut til å være i tusen kroner (tiltakets beløp er {total}). Mente dere {expected}?", "A continuation estimate that looks like thousands."),
    Code.CONTINUATION_HALF_YEAR: (W, "{label}: anslaget for et halvår ({found}) er større enn for hele året etter ({expected}).", "A half-year estimate larger than the following full year."),
    Code.CONTINUATION_WITHOUT_DURATION: (W, "{label}: tiltaket har anslag for videreføring, men varer ikke til {period}.", "Continuation estimates for a measure that ends before Vår Y+1."),
    Code.FLAG_SEVERAL_OWNERS: (W, "Partnerskapet sier «{found}» til flere eiere, men listen over andre eiere og UH har {expected} eier(e).", "The several-owners flag disagrees with the partner list."),
    Code.FLAG_SEVERAL_UH: (W, "Partnerskapet sier «{found}» til flere UH, men listen over andre eiere og UH har {expected} UH.", "The several-UH flag disagrees with the partner list."),
    Code.FLAG_SEVERAL_SCHEMES: (W, "Partnerskapet sier «{found}» til flere ordninger, men tiltakene gjelder {expected} ordning(er).", "The several-schemes flag disagrees with the measures."),
    Code.SCHEME_NOT_DECLARED: (W, "{label}: svaret er «{found}», men {expected} tiltak gjelder denne ordningen.", "A scheme ticked or not against the measures that use it."),
    Code.PRIORITY_DUPLICATE: (E, "{label}: prioritet {found} er brukt på flere tiltak ({expected}). Hvert tiltak skal ha sin egen prioritet.", "Two measures with the same priority."),
    Code.MEASURE_WITHOUT_MONEY: (W, "{label}: tiltaket har navn, men ingen beløp.", "A named measure with no money."),
    Code.REQUIRED_MISSING: (W, "{label}: feltet må fylles ut.", "A required field left empty."),
    Code.REQUIRED_FOR_MONEY: (E, "{label}: feltet må fylles ut når tiltaket har beløp.", "A measure with money lacks its name or scheme."),
    Code.INVALID_EMAIL: (E, "{label}: «{found}» er ikke en gyldig e-postadresse (for eksempel navn@kommune.no).", "An e-mail address that is not valid."),
}

# Contact fields whose absence is an error, not a warning: the Statsforvalteren must reach someone.
CONTACT_REQUIRED = ("contacts.owner.name", "contacts.owner.email", "contacts.uh.name", "contacts.uh.email")


class Finding(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str
    severity: Severity
    message: str
    sheet: str | None = None
    cell: str | None = None
    path: str | None = None
    found: Any = None
    expected: Any = None

    @property
    def rank(self) -> tuple:
        return (_RANK[self.severity], _sheet_key(self.sheet), _cell_key(self.cell), self.code)


def finding(code: Code, *, sheet=None, cell=None, path=None, found=None, expected=None,
            severity: Severity | None = None, **extra: Any) -> Finding:
    """Make a finding from the catalogue, filling its Bokmål message."""
    values = {"sheet": sheet, "cell": cell, "found": kr(found), "expected": kr(expected), "label": "", **extra}
    text = code.template.format(**{k: ("" if v is None else v) for k, v in values.items()})
    return Finding(code=code.value, severity=severity or code.severity, message=text, sheet=sheet, cell=cell,
                   path=path, found=found, expected=expected)


def kr(value: Any) -> Any:
    """Whole numbers as Norwegians write them: 1 556 519."""
    if isinstance(value, bool) or not isinstance(value, int):
        return value
    return f"{value:,}".replace(",", "\u00a0")


def count(findings: list[Finding], severity: Severity) -> int:
    return sum(f.severity == severity for f in findings)


def sort_findings(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: f.rank)


def _sheet_key(sheet: str | None) -> tuple:
    """Sheets in workbook order: file-level first, then the form's sheets as the definition orders them."""
    if not sheet:
        return (0, 0, "")
    from .definition import current

    names = current().data["sheets"]
    order = [names[k].split("{")[0] for k in ("guide", "partnership", "measure", "summary")]
    match = re.fullmatch(r"(.*?)(\d+)", sheet)
    stem, number = (match.group(1), int(match.group(2))) if match else (sheet, 0)
    rank = order.index(stem) + 1 if stem in order else len(order) + 1
    return (rank, number, sheet)


def _cell_key(cell: str | None) -> tuple:
    if not cell:
        return (0, 0)
    letters = "".join(c for c in cell if c.isalpha())
    digits = "".join(c for c in cell if c.isdigit()) or "0"
    return (int(digits), len(letters), letters)
