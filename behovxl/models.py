"""The report as typed data: what a network's returned workbook says.

Field names are English; each description carries the Norwegian term of the form.
Amounts are whole kroner. A field left empty in the workbook is None. Lists
(partners, participants, budget lines) hold the filled rows in form order.
"""

from __future__ import annotations

import re
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, computed_field, model_validator

_EMAIL = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]{2,}$")


def is_email(value: str) -> bool:
    """An address a mail program can use: one @, a domain with a dot, no spaces or lists, at most 254 characters."""
    return len(value) <= 254 and bool(_EMAIL.match(value))


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


Text = str | None


def _f(norwegian: str, **kw: Any) -> Any:
    return Field(default=None, description=norwegian, **kw)


class Contact(_Model):
    name: Text = _f("Navn")
    role: Text = _f("Funksjon")
    email: Text = _f("E-post")
    invoice_marking: Text = _f("Ev. merkes (merking på faktura)")


class Contacts(_Model):
    owner: Contact = Field(default_factory=Contact, description="Kontaktperson eier")
    uh: Contact = Field(default_factory=Contact, description="Kontaktperson UH")


class Partnership(_Model):
    network: Text = _f("Navn på kompetansenettverket")
    owners: Text = _f("Eier(e): kommuner og andre barnehage- og skoleeiere")
    uh: Text = _f("Universitet/høgskole (UH) eller fagskole")
    uh_kind: str | None = _f("Partnerens art: 'uh' (universitet/høgskole) eller 'fagskole'")
    schemes: dict[str, bool | None] = Field(
        default_factory=dict, description="Behovsmeldingen gjelder (ordninger), per ordning Ja/Nei"
    )
    several_owners: bool | None = _f("Består partnerskapet av flere eiere?")
    several_uh: bool | None = _f("Består partnerskapet av flere UH?")
    several_schemes: bool | None = _f("Leverer partnerskapet behovsmelding i flere ordninger?")


class Partner(_Model):
    name: Text = _f("Navn på eier/UH")
    contact: Text = _f("Kontaktperson")
    kind: str | None = _f("Eier/UH: 'owner' (Eier), 'uh' (UH) eller 'fagskole'")


class Participant(_Model):
    role: Text = _f("Rolle")
    name: Text = _f("Navn")


class Codetermination(_Model):
    discussed: bool | None = _f("Drøftet i medbestemmelse?")
    participants: list[Participant] = Field(default_factory=list, description="Hvem som har deltatt")


class Units(_Model):
    municipal_kindergartens: int | None = _f("Kommunale barnehager")
    private_kindergartens: int | None = _f("Private barnehager")
    public_schools: int | None = _f("Offentlige skoler")
    private_schools: int | None = _f("Private skoler")
    pp_services: int | None = _f("PP-tjenester")
    note: Text = _f("Merknad om enhetene")


class PreviousRound(_Model):
    continues: bool | None = _f("Ønsker partnerskapet å videreføre behovsmeldingen fra i fjor?")
    measures: Text = _f("Tiltak som videreføres")
    progress: Text = _f("Redegjørelse for fremdrift")


class CoordinatorRequest(_Model):
    amount: int | None = _f("Koordinatormidler (kr)")
    duties: Text = _f("Koordinatorens oppgaver")


class BudgetLine(_Model):
    description: Text = _f("Beskrivelse")
    amount: int | None = _f("Beløp (kr)")


class Duration(_Model):
    spring_y: bool | None = _f("Varighet: vår år Y")
    autumn_y: bool | None = _f("Varighet: høst år Y")
    spring_y1: bool | None = _f("Varighet: vår år Y+1")


class Reference(_Model):
    """Last round's estimate for this round, carried into next year's form (read-only there)."""

    owner: int | None = _f("Fjorårets anslag for eier (kr)")
    uh: int | None = _f("Fjorårets anslag for UH (kr)")


class ContinuationEstimate(_Model):
    owner: int | None = _f("Anslag eier (kr)")
    owner_reason: Text = _f("Begrunnelse eier")
    uh: int | None = _f("Anslag UH (kr)")
    uh_reason: Text = _f("Begrunnelse UH")


def _three_estimates() -> list[ContinuationEstimate]:
    return [ContinuationEstimate() for _ in range(3)]


_COMPUTED = ("owner_amount", "uh_amount", "total")


class Measure(_Model):
    number: int = Field(description="Tiltak nr. (arket «Tiltak n»)", ge=1)
    name: Text = _f("Navn på tiltak")
    priority: int | None = _f("Prioritet")
    scheme: str | None = _f("Ordning: nøkkelen fra skjemadefinisjonen, for eksempel dekom")
    purpose: str | None = _f("Hva skal tilskuddet brukes til?")
    attachment: Text = _f("Vedlegg")
    target_group: Text = _f("Målgruppe")
    target_groups: dict[str, bool | None] = Field(default_factory=dict, description="Målgrupper (Ja/Nei per gruppe)")
    anchoring: Text = _f("Forankring i barnehage/skole og dialog med UH")
    collective_processes: Text = _f("Kollektive prosesser for profesjonsutvikling")
    teacher_education: Text = _f("Styrking av lærerutdanningen")
    long_term_plan: Text = _f("Forankring i langsiktig plan")
    owner_plan: Text = _f("Eiers tilskudd skal brukes på følgende måte")
    owner_lines: list[BudgetLine] = Field(default_factory=list, description="Eiers midler linje for linje")
    uh_plan: Text = _f("UH sitt tilskudd skal brukes på følgende måte")
    uh_lines: list[BudgetLine] = Field(default_factory=list, description="UHs midler linje for linje")
    cofunding: int | None = _f("Eiers egenandel (kr)")
    needs_coordinator: bool | None = _f("Behov for koordinatormidler for tiltaket?")
    coordinator_reason: Text = _f("Begrunnelse for koordinator")
    duration: Duration = Field(default_factory=Duration, description="Tiltakets varighet")
    reference: Reference | None = Field(default=None, description="Fjorårets anslag for dette året (videreført tiltak)")
    continuation: list[ContinuationEstimate] = Field(
        default_factory=_three_estimates,
        min_length=3,
        max_length=3,
        description="Anslag ved videreføring: høst Y+1, år Y+2, år Y+3",
    )

    @model_validator(mode="before")
    @classmethod
    def _drop_computed(cls, data: Any) -> Any:
        # The JSON we emit carries the computed sums; they are derived, never read back.
        if isinstance(data, dict):
            data = {k: v for k, v in data.items() if k not in _COMPUTED}
        return data

    @computed_field(description="Eier (sum av eiers linjer)")  # type: ignore[prop-decorator]
    @property
    def owner_amount(self) -> int:
        return sum(line.amount or 0 for line in self.owner_lines)

    @computed_field(description="UH (sum av UHs linjer)")  # type: ignore[prop-decorator]
    @property
    def uh_amount(self) -> int:
        return sum(line.amount or 0 for line in self.uh_lines)

    @computed_field(description="Sum totalt (eier + UH)")  # type: ignore[prop-decorator]
    @property
    def total(self) -> int:
        return self.owner_amount + self.uh_amount


class Report(_Model):
    """One behovsmelding: everything one network's workbook says."""

    form_id: str = Field(description="Skjema-ID")
    form_version: str = Field(description="Skjemaversjon")
    year: int = Field(description="År (Y) for behovsmeldingen")
    language: Literal["nb", "nn"] = Field(default="nb", description="Målform: nb (bokmål) eller nn (nynorsk)")
    network_id: Text = _f("Nettverket skjemaet ble laget for (fra Statsforvalteren)")
    partnership: Partnership = Field(default_factory=Partnership, description="Partnerskapet")
    contacts: Contacts = Field(default_factory=Contacts, description="Kontaktpersoner")
    partners: list[Partner] = Field(default_factory=list, description="Andre eiere og UH i partnerskapet")
    declared_measures: int | None = _f("Totalt antall tiltak det er behov for tilskudd til")
    continuation: PreviousRound = Field(default_factory=PreviousRound, description="Ved videreføring av tiltak")
    coordinator: dict[str, CoordinatorRequest] = Field(
        default_factory=dict, description="Koordinator, per ordning"
    )
    codetermination: Codetermination = Field(default_factory=Codetermination, description="Medbestemmelse")
    units: Units = Field(default_factory=Units, description="Enheter i behovsmeldingen")
    background: Text = _f("Bakgrunnsinformasjon: helhet og sammenheng")
    measures: list[Measure] = Field(default_factory=list, description="Tiltak")

    def measure(self, number: int) -> Measure | None:
        return next((m for m in self.measures if m.number == number), None)

    @property
    def network_name(self) -> str:
        """The network as the Statsforvalteren knows it: recorded at generation, else typed."""
        return self.network_id or self.partnership.network or ""


# ---------------------------------------------------------------- paths


def path_exists(path: str) -> bool:
    """True if a dotted input path (numbers count from 1) names a field of `Report`."""
    node: Any = Report
    for seg in path.split("."):
        origin = get_origin(node)
        if origin in (list, tuple):
            if not seg.isdigit() or int(seg) < 1:
                return False
            node = get_args(node)[0]
            continue
        if origin is dict:
            node = get_args(node)[1]
            continue
        node = _model_of(node)
        if node is None or seg not in node.model_fields or seg in ("number", "form_id", "form_version", "year"):
            return False
        node = node.model_fields[seg].annotation
    return _model_of(node) is None and get_origin(node) not in (list, dict, tuple)


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The model class inside `X`, `X | None`."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
    return None
