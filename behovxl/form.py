"""A form definition bound to one round: year, number of measure sheets, language, network.

Everything a workbook shows is a definition text filled for this round: `t()` picks
the written language and replaces `{Y}` (the form's year), `{Y1}`…`{Y3}` (the years
after) and `{Yp}` (the year before).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .definition import LANGUAGES, Definition, Text
from .errors import UsageError

# ---------------------------------------------------------------- public API


@dataclass(frozen=True)
class Form:
    definition: Definition
    year: int
    measures: int
    language: str = "nb"
    network: str = ""
    deadline: str = ""
    #: Next year's form for continuing measures: last round's estimates shown beside the new amounts.
    reference: bool = False

    def __post_init__(self) -> None:
        limit = self.definition.form.max_measures
        if not 1 <= self.measures <= limit:
            raise UsageError(f"Antall tiltaksark må være mellom 1 og {limit}, ikke {self.measures}.")
        if not 2000 <= self.year <= 2100:
            raise UsageError(f"Året må være mellom 2000 og 2100, ikke {self.year}.")
        if self.language not in LANGUAGES:
            raise UsageError(f"Målformen må være bokmål (nb) eller nynorsk (nn), ikke «{self.language}».")

    def t(self, text: Text | str, **extra: Any) -> str:
        """A definition text in this form's language, with the year placeholders and `extra` filled."""
        template = text if isinstance(text, str) else text.get(self.language)
        y = self.year
        return template.format(Y=y, Y1=y + 1, Y2=y + 2, Y3=y + 3, Yp=y - 1, **extra)

    def text(self, key: str, **extra: Any) -> str:
        """One of the definition's named texts (`[texts]`), filled."""
        return self.t(self.definition.texts[key], **extra)

    def sheet(self, key: str, n: int | None = None) -> str:
        return self.t(getattr(self.definition.sheets, key), n=n)

    def measure_sheets(self) -> list[str]:
        return [self.sheet("measure", n) for n in range(1, self.measures + 1)]

    @property
    def deadline_text(self) -> str:
        return self.deadline or self.t(self.definition.defaults.deadline)

    @property
    def title(self) -> str:
        return self.t(self.definition.form.title)

    def scheme_label(self, key: str | None) -> str:
        scheme = self.definition.scheme(key)
        return self.t(scheme.label) if scheme else (key or "")

    def choice_labels(self, list_name: str) -> tuple[str, ...]:
        return tuple(self.t(c.label) for c in self.definition.choices(list_name))
