"""Which form definitions exist: the shipped ones, plus a Statsforvalteren's own.

A `Registry` is passed explicitly to whatever needs to pick or identify a form
(generate, read, consolidate); nothing reaches for a global "current" form.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from .definition import Definition, load_definition
from .errors import DefinitionError, UnknownFormError, UsageError

# ---------------------------------------------------------------- public API


@dataclass(frozen=True)
class Registry:
    definitions: tuple[Definition, ...]

    @classmethod
    def default(cls) -> Registry:
        """The definitions shipped with behovxl."""
        return _shipped()

    def with_files(self, paths: Iterable[Path]) -> Registry:
        """This registry plus the definitions in `paths` (files, or folders of *.toml)."""
        extra: list[Definition] = []
        for path in paths:
            path = Path(path)
            if path.is_dir():
                files = sorted(path.glob("*.toml"))
                if not files:
                    raise DefinitionError(f"{path}: mappen har ingen skjemadefinisjoner (*.toml).")
                extra += [load_definition(f) for f in files]
            else:
                extra.append(load_definition(path))
        return Registry(_merged(self.definitions, tuple(extra)))

    def lookup(self, form_id: str, version: str) -> Definition:
        found = next((d for d in self.definitions if (d.form_id, d.version) == (form_id, version)), None)
        if found is None:
            raise UnknownFormError(f"Skjemaet «{form_id}» versjon «{version}» er ukjent. Kjente skjema: {self.known()}.")
        return found

    def pick(self, year: int, form: str | None = None) -> Definition:
        """The definition for `--form` (an id, or id:version), else the newest one valid for `year`."""
        if form:
            form_id, _, version = form.partition(":")
            same = [d for d in self.definitions if d.form_id == form_id and (not version or d.version == version)]
            if not same:
                raise UsageError(f"Skjemaet «{form}» finnes ikke. Kjente skjema: {self.known()}.")
            chosen = max(same, key=Definition.version_key)
            if not chosen.valid_for(year):
                years = chosen.form.years
                raise UsageError(f"Skjemaet «{chosen.form_id}» gjelder årene {years.first}–{years.last}, ikke {year}.")
            return chosen
        valid = [d for d in self.definitions if d.valid_for(year)]
        if not valid:
            raise UsageError(f"Ingen skjemadefinisjon gjelder for {year}. Kjente skjema: {self.known()}.")
        return max(valid, key=lambda d: (d.form.years.first, d.version_key(), d.form_id))

    def known(self) -> str:
        return ", ".join(f"{d.form_id} v{d.version} ({d.form.years.first}–{d.form.years.last})" for d in self.definitions)

    def scheme_labels(self) -> dict[str, str]:
        """Scheme key -> Bokmål label over every definition (the first definition to name a key wins)."""
        labels: dict[str, str] = {}
        for d in self.definitions:
            for s in d.schemes:
                labels.setdefault(s.key, s.label.nb)
        return labels


def template_dir() -> Path:
    """Where the shipped definitions live: installed with the package, or the source tree."""
    installed = resources.files("behovxl") / "templates"
    if installed.is_dir():
        return Path(str(installed))
    return Path(__file__).resolve().parent.parent / "templates"


# ---------------------------------------------------------------- helpers


@cache
def _shipped() -> Registry:
    return Registry(tuple(load_definition(p) for p in sorted(template_dir().glob("*.toml"))))


def _merged(base: tuple[Definition, ...], extra: tuple[Definition, ...]) -> tuple[Definition, ...]:
    """Extra definitions replace shipped ones with the same id and version; order stays deterministic."""
    keys = {(d.form_id, d.version) for d in extra}
    return tuple(sorted([d for d in base if (d.form_id, d.version) not in keys] + list(extra),
                        key=lambda d: (d.form_id, d.version_key())))
