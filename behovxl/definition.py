"""The form definition: a TOML file in templates/, validated into a typed model.

A definition is data only: sheet names, every text a user reads (in Bokmål and
Nynorsk), choice lists, the scheme set with its policies, and the blocks of fields
on each sheet. A broken definition is refused with a message that names the file
and the TOML key, before anything is written or read through it.

`Form` (in form.py) binds a definition to one round; the layout, the writer, the
reader and the checks are all built from that.
"""

from __future__ import annotations

import string
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .errors import DefinitionError
from .models import path_exists
from .oserror import reason

LANGUAGES = ("nb", "nn")
LANGUAGE_NAMES = {"nb": "bokmål", "nn": "nynorsk"}
FIELD_TYPES = ("text", "long_text", "email", "amount", "integer", "choice", "yes_no")
PARTNER_KINDS = ("uh", "fagskole")
#: The lines of the workbook's check area, in order; each has a label in every definition.
CHECK_LINES = ("filled", "required", "text_numbers", "thousands", "coordinator", "cofunding",
               "count", "scheme", "coordinator_measure")

# ---------------------------------------------------------------- the model


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Strict):
    """A text in both written languages. `{Y}`, `{Y1}`… in it are filled per round."""

    nb: str = Field(min_length=1)
    nn: str = Field(min_length=1)

    def get(self, language: str) -> str:
        return self.nn if language == "nn" else self.nb

    @model_validator(mode="after")
    def _same_placeholders(self) -> Text:
        if _placeholders(self.nb) != _placeholders(self.nn):
            raise ValueError(f"bokmål og nynorsk har ulike plassholdere: {sorted(_placeholders(self.nb))} "
                             f"og {sorted(_placeholders(self.nn))}")
        return self


class Choice(_Strict):
    key: str = Field(pattern=r"^[a-z0-9_]+$")
    label: Text


class Cofunding(_Strict):
    """Owner co-funding (egenandel): at least `share` of the measure's `of`."""

    share: Decimal = Field(gt=0, le=1)
    of: Literal["total", "uh", "owner"] = "total"


class CoordinatorCap(_Strict):
    """Coordinator money at most `share` of the scheme's measures (owner + UH), or at most `amount`."""

    share: Decimal | None = Field(default=None, gt=0, le=1)
    amount: int | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _one(self) -> CoordinatorCap:
        if (self.share is None) == (self.amount is None):
            raise ValueError("oppgi enten «share» eller «amount», ikke begge og ikke ingen")
        return self


class Scheme(_Strict):
    key: str = Field(pattern=r"^[a-z0-9_]+$")
    label: Text
    short: Text
    partners: tuple[Literal["uh", "fagskole"], ...] = ("uh",)
    #: Keys of earlier schemes this one continues (next year's form maps their measures into it).
    replaces: tuple[str, ...] = ()
    cofunding: Cofunding | None = None
    coordinator_cap: CoordinatorCap | None = None


class Years(_Strict):
    first: int = Field(ge=2000, le=2100)
    last: int = Field(ge=2000, le=2100)

    @model_validator(mode="after")
    def _order(self) -> Years:
        if self.last < self.first:
            raise ValueError("«last» er før «first»")
        return self


class FormInfo(_Strict):
    id: str = Field(pattern=r"^[a-z0-9-]+$")
    version: str = Field(pattern=r"^[0-9]+(\.[0-9]+)*$")
    title: Text
    rules: Text
    years: Years
    default_measures: int = Field(ge=1, le=20)
    max_measures: int = Field(ge=1, le=20)
    max_amount: int = Field(gt=0)
    max_count: int = Field(gt=0)
    short_text_max: int = Field(gt=0, le=32767)
    long_text_max: int = Field(gt=0, le=32767)
    notes: str = ""


class Sheets(_Strict):
    guide: Text
    partnership: Text
    measure: Text
    summary: Text
    checks: Text
    lists: Text
    identity: Text
    feedback: Text


class Defaults(_Strict):
    deadline: Text
    authority: Text
    address: str
    contact: Text


class CoordinatorPolicy(_Strict):
    per_scheme: bool = True
    words: tuple[str, ...] = ("koordinator",)
    #: The purpose that pays salaries: a measure with it whose texts name the coordinator is the coordinator.
    salary_purpose: str = "salary"


class Thousands(_Strict):
    below: int = Field(default=1000, gt=0)
    factor: int = Field(default=100, gt=1)


class FieldSpec(_Strict):
    key: str = Field(pattern=r"^[a-z0-9_.]+$")
    label: Text
    short: Text | None = None
    type: Literal["text", "long_text", "email", "amount", "integer", "choice", "yes_no"]
    list: str | None = None
    required: bool = False
    help: Text
    max: int | None = Field(default=None, gt=0)


class FieldsBlock(_Strict):
    kind: Literal["fields"]
    heading: Text | None = None
    when: Literal["several_schemes"] | None = None
    fields: tuple[FieldSpec, ...] = Field(min_length=1)


class FlagsBlock(_Strict):
    """One Ja/Nei question per entry of a list: `{label}` in `label` is the entry's label."""

    kind: Literal["flags"]
    heading: Text | None = None
    when: Literal["several_schemes"] | None = None
    path: str = Field(pattern=r"^[a-z0-9_.]+$")
    list: str
    label: Text
    short: Text | None = None
    help: Text
    required: bool = False


class Column(_Strict):
    key: str = Field(pattern=r"^[a-z0-9_]+$")
    label: Text
    type: Literal["text", "long_text", "email", "amount", "integer", "choice", "yes_no"]
    list: str | None = None
    help: Text
    wide: bool = False


class TableBlock(_Strict):
    """Rows of inputs: `rows` numbered rows, `row_labels`, or one row per scheme (`rows_from = "schemes"`)."""

    kind: Literal["table"]
    heading: Text | None = None
    path: str = Field(pattern=r"^[a-z0-9_.]+$")
    rows: int | None = Field(default=None, ge=1, le=50)
    row_label: Text | None = None
    row_labels: tuple[Text, ...] = ()
    rows_from: Literal["schemes", "coordinator"] | None = None
    row_label_header: Text | None = None
    columns: tuple[Column, ...] = Field(min_length=1, max_length=6)

    @model_validator(mode="after")
    def _one_kind_of_rows(self) -> TableBlock:
        kinds = [self.rows is not None, bool(self.row_labels), self.rows_from is not None]
        if sum(kinds) != 1:
            raise ValueError("oppgi nøyaktig én av «rows», «row_labels» og «rows_from»")
        if self.rows is not None and self.row_label is None:
            raise ValueError("«rows» krever «row_label»")
        return self


class LinesBlock(_Strict):
    """Itemised budget lines: a description and an amount per line, and their sum."""

    kind: Literal["lines"]
    heading: Text
    path: str = Field(pattern=r"^[a-z_]+_lines$")
    rows: int = Field(ge=1, le=30)
    total: Literal["owner_amount", "uh_amount"]
    total_label: Text
    description_help: Text
    amount_help: Text


class TotalsBlock(_Strict):
    kind: Literal["totals"]
    heading: Text
    total_label: Text
    required_label: Text


class ReferenceBlock(_Strict):
    """Last round's continuation estimate for this year, shown (locked) beside the new amounts."""

    kind: Literal["reference"]
    heading: Text


Block = Annotated[
    FieldsBlock | FlagsBlock | TableBlock | LinesBlock | TotalsBlock | ReferenceBlock, Field(discriminator="kind")
]


class Guide(_Strict):
    title: Text
    paragraphs: tuple[Text, ...]
    sending: Text


class SheetSpec(_Strict):
    title: Text
    blocks: tuple[Block, ...]


class Summary(_Strict):
    title: Text
    measures_heading: Text
    measure_columns: tuple[Text, ...] = Field(min_length=8, max_length=8)
    schemes_heading: Text
    scheme_columns: tuple[Text, ...] = Field(min_length=6, max_length=6)
    sum_label: Text
    continuation_heading: Text
    continuation_columns: tuple[Text, ...] = Field(min_length=4, max_length=4)
    count_heading: Text
    count_declared: Text
    count_filled: Text
    checks_heading: Text
    checks_intro: Text
    ok: Text
    not_checked: Text
    more: Text
    checks: dict[str, Text]

    @field_validator("checks")
    @classmethod
    def _every_line(cls, value: dict[str, Text]) -> dict[str, Text]:
        missing = [k for k in CHECK_LINES if k not in value]
        unknown = [k for k in value if k not in CHECK_LINES]
        if missing or unknown:
            raise ValueError(f"kontrollinjene må være nøyaktig {', '.join(CHECK_LINES)}"
                             + (f"; mangler {', '.join(missing)}" if missing else "")
                             + (f"; ukjent {', '.join(unknown)}" if unknown else ""))
        return value


class Definition(_Strict):
    """One version of the form, validated. Built by `load_definition`."""

    form: FormInfo
    sheets: Sheets
    defaults: Defaults
    schemes: tuple[Scheme, ...] = Field(min_length=1, max_length=12)
    coordinator: CoordinatorPolicy = CoordinatorPolicy()
    thousands: Thousands = Thousands()
    lists: dict[str, tuple[Choice, ...]]
    texts: dict[str, Text]
    guide: Guide
    partnership: SheetSpec
    measure: SheetSpec
    summary: Summary
    messages: dict[str, Text] = {}
    source: str = ""

    # -- lookups

    @property
    def form_id(self) -> str:
        return self.form.id

    @property
    def version(self) -> str:
        return self.form.version

    @property
    def title(self) -> Text:
        return self.form.title

    def choices(self, list_name: str) -> tuple[Choice, ...]:
        if list_name == "schemes":
            return tuple(Choice(key=s.key, label=s.label) for s in self.schemes)
        return self.lists[list_name]

    def scheme(self, key: str | None) -> Scheme | None:
        return next((s for s in self.schemes if s.key == key), None)

    def text(self, key: str) -> Text:
        return self.texts[key]

    @property
    def several_schemes(self) -> bool:
        return len(self.schemes) > 1

    def coordinator_keys(self) -> tuple[str, ...]:
        """The rows of the coordinator table: one per scheme, or one shared row."""
        return tuple(s.key for s in self.schemes) if self.coordinator.per_scheme else (SHARED_COORDINATOR,)

    def valid_for(self, year: int) -> bool:
        return self.form.years.first <= year <= self.form.years.last

    def version_key(self) -> tuple[int, ...]:
        return tuple(int(p) for p in self.version.split("."))

    # -- validation across the model

    @model_validator(mode="after")
    def _consistent(self) -> Definition:
        _check_definition(self)
        return self


#: The coordinator row key when the coordinator is not entered per scheme.
SHARED_COORDINATOR = "felles"

#: Texts every definition must have, used by the writer, layout and checks.
REQUIRED_TEXTS = (
    "amount_header", "description_header", "line_label", "period_header", "yes", "no", "invalid_title",
    "invalid_amount", "invalid_count", "invalid_choice", "invalid_email", "invalid_length", "page_footer",
    "deadline_label", "authority_label", "contact_label", "network_label", "coordinator_row",
    "reference_owner", "reference_uh", "reference_none", "subtitle", "spring", "autumn", "owner", "uh",
    "total", "coordinator", "measure", "not_in_use",
)

# ---------------------------------------------------------------- loading


def load_definition(path: Path) -> Definition:
    """Read and validate one definition file; DefinitionError names the file and the key."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DefinitionError(f"{path}: kan ikke lese skjemadefinisjonen ({reason(exc)}).") from None
    except UnicodeDecodeError:
        raise DefinitionError(f"{path}: skjemadefinisjonen er ikke UTF-8.") from None
    except tomllib.TOMLDecodeError as exc:
        raise DefinitionError(f"{path}: ugyldig TOML: {_toml_problem(exc)}") from None
    try:
        return Definition.model_validate({**raw, "source": str(path)})
    except ValidationError as exc:
        raise DefinitionError(f"{path}: " + _first_problem(exc)) from None


# ---------------------------------------------------------------- helpers


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _check_definition(d: Definition) -> None:
    """Cross-references the field types cannot express; ValueError names the key."""
    if d.form.default_measures > d.form.max_measures:
        raise ValueError("form.default_measures: er større enn form.max_measures")
    _unique([s.key for s in d.schemes], "schemes", "key")
    missing = [k for k in REQUIRED_TEXTS if k not in d.texts]
    if missing:
        raise ValueError(f"texts: mangler {', '.join(missing)}")
    for name in ("purposes", "yes_no", "partner_kinds"):
        if name not in d.lists:
            raise ValueError(f"lists.{name}: listen mangler")
    for name, choices in d.lists.items():
        _unique([c.key for c in choices], f"lists.{name}", "key")
    if [c.key for c in d.lists["yes_no"]] != ["true", "false"]:
        raise ValueError("lists.yes_no: nøklene må være «true» og «false», i den rekkefølgen")
    kinds = {c.key for c in d.lists["partner_kinds"]}
    for i, s in enumerate(d.schemes):
        for p in s.partners:
            if p not in kinds:
                raise ValueError(f"schemes[{i}].partners: «{p}» finnes ikke i lists.partner_kinds")
    if d.coordinator.salary_purpose not in {c.key for c in d.lists["purposes"]}:
        raise ValueError(f"coordinator.salary_purpose: «{d.coordinator.salary_purpose}» finnes ikke i lists.purposes")
    from .findings import codes  # here, not at the top: the catalogue needs no definition

    for code in d.messages:
        if code not in codes():
            raise ValueError(f"messages.{code}: ukjent kode")
    paths: list[str] = []
    for sheet, spec, prefix in (("partnership", d.partnership, ""), ("measure", d.measure, "measures.1.")):
        for b, block in enumerate(spec.blocks):
            paths += _block_paths(d, block, f"{sheet}.blocks[{b}]", prefix)
    _unique(paths, "partnership/measure", "key")


def _block_paths(d: Definition, block: Any, where: str, prefix: str) -> list[str]:
    lists = set(d.lists) | {"schemes"}
    if isinstance(block, FieldsBlock):
        out = []
        for f, spec in enumerate(block.fields):
            _field_list(spec.type, spec.list, lists, f"{where}.fields[{f}]")
            out.append(_known(prefix + spec.key, f"{where}.fields[{f}].key"))
        return out
    if isinstance(block, FlagsBlock):
        if block.list not in lists:
            raise ValueError(f"{where}.list: ukjent liste «{block.list}»")
        return [_known(f"{prefix}{block.path}.{c.key}", f"{where}.path") for c in d.choices(block.list)]
    if isinstance(block, TableBlock):
        out = []
        for c, col in enumerate(block.columns):
            _field_list(col.type, col.list, lists, f"{where}.columns[{c}]")
            out.append(_known(f"{prefix}{block.path}.1.{col.key}", f"{where}.columns[{c}].key"))
        return out
    if isinstance(block, LinesBlock):
        return [_known(f"{prefix}{block.path}.1.amount", f"{where}.path")]
    return []


def _field_list(kind: str, list_name: str | None, lists: set[str], where: str) -> None:
    if kind == "choice" and list_name is None:
        raise ValueError(f"{where}.list: et valgfelt må ha «list»")
    if list_name is not None and list_name not in lists:
        raise ValueError(f"{where}.list: ukjent liste «{list_name}»")


def _known(path: str, where: str) -> str:
    if not path_exists(path):
        raise ValueError(f"{where}: «{path}» er ikke et felt i behovsmeldingen")
    return path


def _unique(values: list[str], where: str, what: str) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"{where}: {what} «{value}» finnes to ganger")
        seen.add(value)


_PYDANTIC_NB = {
    "missing": "nøkkelen mangler",
    "extra_forbidden": "ukjent nøkkel",
    "string_type": "skal være tekst",
    "int_type": "skal være et heltall",
    "int_parsing": "skal være et heltall",
    "bool_type": "skal være true eller false",
    "bool_parsing": "skal være true eller false",
    "list_type": "skal være en liste",
    "tuple_type": "skal være en liste",
    "dict_type": "skal være en tabell",
    "model_type": "skal være en tabell",
    "literal_error": "har en verdi som ikke er tillatt",
    "union_tag_invalid": "har en ukjent «kind»",
    "union_tag_not_found": "mangler «kind»",
    "string_pattern_mismatch": "har tegn som ikke er tillatt",
    "string_too_short": "er tom",
    "too_short": "har for få elementer",
    "too_long": "har for mange elementer",
    "greater_than": "er for lav",
    "greater_than_equal": "er for lav",
    "less_than_equal": "er for høy",
    "decimal_parsing": "skal være et tall",
    "decimal_type": "skal være et tall (skriv det i anførselstegn, for eksempel \"0.30\")",
}


def _first_problem(exc: ValidationError) -> str:
    error = exc.errors()[0]
    key = _key(error["loc"])
    if error["type"] == "value_error":
        text = str(error.get("ctx", {}).get("error", error["msg"]))
        return text if not key else f"{key}: {text}"
    what = _PYDANTIC_NB.get(error["type"], "er ugyldig")
    if error["type"] in ("union_tag_invalid", "union_tag_not_found"):
        key += ".kind"
    extra = ""
    if error["type"] == "literal_error":
        extra = f" (tillatt: {error.get('ctx', {}).get('expected', '')})"
    elif error["type"] in ("missing", "extra_forbidden"):
        extra = ""
    return f"{key or 'definisjonen'}: {what}{extra}."


def _key(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif str(part) in ("FieldsBlock", "FlagsBlock", "TableBlock", "LinesBlock", "TotalsBlock", "ReferenceBlock"):
            continue
        elif part in ("fields", "flags", "table", "lines", "totals", "reference") and out.endswith("]"):
            continue  # the discriminator value pydantic puts in the location
        else:
            out += ("." if out else "") + str(part)
    return out


def _toml_problem(exc: tomllib.TOMLDecodeError) -> str:
    text = str(exc)
    if text.startswith("Cannot overwrite a value") or "Cannot declare" in text or "overwrite" in text:
        return "en nøkkel er oppgitt to ganger " + text[text.find("(") :]
    return text
