"""The form definition: the TOML files in templates/, loaded and given a year.

A definition is data only. `Form` binds it to one round (year, number of measure
sheets, network) and is what the layout, the writer and the reader are built from.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import UnknownFormError, UsageError

# ---------------------------------------------------------------- public API


@dataclass(frozen=True)
class Choice:
    key: str
    label: str


@dataclass(frozen=True)
class Definition:
    """One version of the form, as read from its TOML file."""

    data: dict[str, Any] = field(repr=False)
    source: str

    @property
    def form_id(self) -> str:
        return self.data["form"]["id"]

    @property
    def version(self) -> str:
        return self.data["form"]["version"]

    def choices(self, list_name: str) -> tuple[Choice, ...]:
        return tuple(Choice(str(c["key"]), c["label"]) for c in self.data["lists"][list_name])

    @property
    def schemes(self) -> tuple[Choice, ...]:
        return self.choices("schemes")

    def cofunding_share(self, scheme_key: str | None) -> Decimal:
        for rule in self.data["policy"].get("cofunding", []):
            if rule["scheme"] == scheme_key:
                return Decimal(rule["share"])
        return Decimal(0)


@dataclass(frozen=True)
class Form:
    """A definition bound to one round: the year and the number of measure sheets."""

    definition: Definition
    year: int
    measures: int
    network: str = ""
    deadline: str = ""

    def __post_init__(self) -> None:
        limit = self.definition.data["form"]["max_measures"]
        if not 1 <= self.measures <= limit:
            raise UsageError(f"The number of measure sheets must be between 1 and {limit}, not {self.measures}.")
        if not 2000 <= self.year <= 2100:
            raise UsageError(f"The year must be between 2000 and 2100, not {self.year}.")

    @property
    def data(self) -> dict[str, Any]:
        return self.definition.data

    def text(self, template: str, **extra: Any) -> str:
        """Fill a text from the definition with the year placeholders and `extra`."""
        y = self.year
        values = {"Y": y, "Y1": y + 1, "Y2": y + 2, "Y3": y + 3, "Yp": y - 1, **extra}
        return template.format(**values)

    def sheet(self, key: str, n: int | None = None) -> str:
        return self.data["sheets"][key].format(n=n)

    def measure_sheets(self) -> list[str]:
        return [self.sheet("measure", n) for n in range(1, self.measures + 1)]

    @property
    def deadline_text(self) -> str:
        return self.deadline or self.text(self.data["defaults"]["deadline"])


def template_dir() -> Path:
    """Where the form definitions live: installed with the package, or the source tree."""
    installed = resources.files("behovxl") / "templates"
    if installed.is_dir():
        return Path(str(installed))
    return Path(__file__).resolve().parent.parent / "templates"


@cache
def definitions() -> dict[tuple[str, str], Definition]:
    """Every form version we can read, keyed by (form id, version)."""
    found: dict[tuple[str, str], Definition] = {}
    for path in sorted(template_dir().glob("*.toml")):
        with path.open("rb") as fh:
            data = tomllib.load(fh)
        definition = Definition(data, path.name)
        found[(definition.form_id, definition.version)] = definition
    return found


def current() -> Definition:
    """The newest version of the form: the one `generate` writes."""
    return max(definitions().values(), key=lambda d: _version_key(d.version))


def lookup(form_id: str, version: str) -> Definition:
    try:
        return definitions()[(form_id, version)]
    except KeyError:
        known = ", ".join(f"{i} v{v}" for i, v in sorted(definitions()))
        raise UnknownFormError(
            f"Skjemaet «{form_id}» versjon «{version}» er ukjent. Kjente skjema: {known}."
        ) from None


# ---------------------------------------------------------------- helpers


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split(".") if p.isdigit())
