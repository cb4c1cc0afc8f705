"""Make click's own texts (usage, help, usage errors) speak Norwegian Bokmål.

behovxl's users never meet English, but click writes its own messages: "Usage:",
"Options:", "Error: Missing option '--output'.", "'abc' is not a valid integer."...
click marks them for gettext (``from gettext import gettext as _`` in each module
and ``_()`` at run time), so `install` replaces those module-level names with a
lookup in `BOKMAL`, without touching the process's gettext state or locale.

What gettext cannot reach is handled here too, each in one documented place:

* ``[OPTIONS]`` and ``COMMAND [ARGS]...`` in the usage line are constructor
  defaults: `NorwegianCommand` and `NorwegianGroup` say ``[VALG]`` and
  ``KOMMANDO [ARGUMENTER]...``.
* Metavars such as ``INTEGER`` and ``TEXT`` and the type word in "is not a valid
  integer" come from each type's ``name``: `install` renames click's types.
* "Missing option '--output'." is assembled from fixed pieces in English word
  order: `install` gives `click.exceptions.MissingParameter` a Bokmål
  ``format_message`` ("Valget «--output» mangler.").
* Values that click quotes with ``repr`` or ``'…'`` outside a message (option hints,
  suggestions, choices) get «guillemets» as the message is formatted.

Call `install` before the CLI's decorators run: ``click.Path()`` and
``click.version_option()`` translate their texts when they are created.
"""

from __future__ import annotations

import gettext
import importlib
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from types import ModuleType
from typing import Any, Self, TypeVar

import click
import click.exceptions
import click.types

_FC = TypeVar("_FC", bound=Callable[..., Any])

# ---------------------------------------------------------------- public API

#: Context settings for the top-level group: ``-h`` works as well as ``--help``.
#: Copy it (``{**HELP_OPTION, ...}``) before adding keys of your own.
HELP_OPTION: dict[str, Any] = {"help_option_names": ["-h", "--help"]}

#: The usage line's placeholder for options (click: ``[OPTIONS]``).
OPTIONS_METAVAR = "[VALG]"

#: What ``behovxl --version`` prints.
VERSION_MESSAGE = "behovxl, versjon %(version)s"


def install() -> None:
    """Make click speak Bokmål: idempotent; call once before the CLI runs (behovxl.cli does it at import)."""
    for module in _click_modules():
        if getattr(module, "_", None) in (gettext.gettext, _gettext):
            module._ = _gettext  # type: ignore[attr-defined]
        if getattr(module, "ngettext", None) in (gettext.ngettext, _ngettext):
            module.ngettext = _ngettext  # type: ignore[attr-defined]
    for class_name, word in _TYPE_NAMES.items():
        param_type = getattr(click.types, class_name, None)
        if param_type is not None:
            param_type.name = word
    # click builds this message from fixed English pieces ("Missing option" + hint + ".").
    setattr(click.exceptions.MissingParameter, "format_message", _missing_parameter_message)  # noqa: B010


class NorwegianCommand(click.Command):
    """A command whose usage line says ``[VALG]`` instead of click's ``[OPTIONS]``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.options_metavar == "[OPTIONS]":
            self.options_metavar = OPTIONS_METAVAR


class NorwegianGroup(click.Group):
    """A group with Bokmål usage placeholders; its subcommands and subgroups get them too.

    ``Bruk: behovxl [VALG] KOMMANDO [ARGUMENTER]...`` instead of
    ``Usage: behovxl [OPTIONS] COMMAND [ARGS]...``. Suggestions for a mistyped
    command ("Mente du «generate»?") are click's own, translated by `install`.
    """

    command_class = NorwegianCommand
    group_class = type  # subgroups are NorwegianGroup as well

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.options_metavar == "[OPTIONS]":
            self.options_metavar = OPTIONS_METAVAR
        self.subcommand_metavar = _SUBCOMMAND_METAVARS.get(self.subcommand_metavar, self.subcommand_metavar)


def version_option(*param_decls: str, **kw: Any) -> Callable[[_FC], _FC]:
    """``click.version_option`` with Bokmål help and the message ``behovxl, versjon X``."""
    kw.setdefault("package_name", "behovxl")
    kw.setdefault("message", VERSION_MESSAGE)
    kw.setdefault("help", BOKMAL["Show the version and exit."])
    version = kw.pop("version", None)
    return click.version_option(version, *param_decls, **kw)


# ---------------------------------------------------------------- public data

#: click's English msgid -> Bokmål, for every ``_()`` and both forms of every
#: ``ngettext()`` in click (8.5, plus the few msgids only older versions have).
#: Placeholders are kept; where click quotes a value with ``!r`` the Bokmål puts
#: it in «guillemets» instead.
BOKMAL: dict[str, str] = {
    # Help pages and the error line.
    "Usage:": "Bruk:",
    "Options": "Valg",
    "Commands": "Kommandoer",
    "Positional arguments": "Argumenter",
    "Show this message and exit.": "Vis denne hjelpen og avslutt.",
    "Show the version and exit.": "Vis versjonen og avslutt.",
    "%(prog)s, version %(version)s": "%(prog)s, versjon %(version)s",
    "Error: {message}": "Feil: {message}",
    "Try '{command} {option}' for help.": "Prøv «{command} {option}» for hjelp.",
    "Aborted!": "Avbrutt!",
    "required": "påkrevd",
    "default: {default}": "standard: {default}",
    "env var: {var}": "miljøvariabel: {var}",
    "(dynamic)": "(dynamisk)",
    "deprecated": "foreldet",
    "DeprecationWarning: The command {name!r} is deprecated.{extra_message}": (
        "Advarsel: Kommandoen «{name}» er foreldet.{extra_message}"
    ),
    "DeprecationWarning: The {param_type} {name!r} is deprecated.{extra_message}": (
        "Advarsel: {param_type} «{name}» er foreldet.{extra_message}"
    ),
    # Wrong commands, options and arguments.
    "Missing command.": "Kommando mangler.",
    "No such command {name!r}.": "Kommandoen «{name}» finnes ikke.",
    "No such option {name!r}.": "Valget «{name}» finnes ikke.",
    "Did you mean {possibility}?": "Mente du {possibility}?",
    "(Did you mean one of: {possibilities}?)": "(Mente du en av disse: {possibilities}?)",
    "Got unexpected extra argument ({args})": "Uventet argument: {args}",
    "Got unexpected extra arguments ({args})": "Uventede argumenter: {args}",
    "Missing argument": "Argument mangler",
    "Missing option": "Valg mangler",
    "Missing parameter": "Parameter mangler",
    "Missing {param_type}": "Mangler {param_type}",
    "Missing parameter: {param_name}": "Parameter mangler: {param_name}",
    "Invalid value: {message}": "Ugyldig verdi: {message}",
    "Invalid value for {param_hint}: {message}": "Ugyldig verdi for {param_hint}: {message}",
    "Option {name!r} does not take a value.": "Valget «{name}» tar ingen verdi.",
    "Option {name!r} requires an argument.": "Valget «{name}» trenger en verdi.",
    "Option {name!r} requires {nargs} arguments.": "Valget «{name}» trenger {nargs} verdier.",
    "Argument {name!r} takes {nargs} values.": "Argumentet «{name}» tar {nargs} verdier.",
    "Takes {nargs} values but 1 was given.": "Trenger {nargs} verdier, men fikk 1.",
    "Takes {nargs} values but {len} were given.": "Trenger {nargs} verdier, men fikk {len}.",
    "{len_type} values are required, but {len_value} was given.": "Trenger {len_type} verdier, men fikk {len_value}.",
    "{len_type} values are required, but {len_value} were given.": "Trenger {len_type} verdier, men fikk {len_value}.",
    "Value must be an iterable.": "Verdien må være en liste.",
    # Values of the wrong type.
    "{value!r} is not a valid {number_type}.": "«{value}» er ikke et gyldig {number_type}.",
    "{value} is not in the range {range}.": "{value} er utenfor området {range}.",
    "{value!r} is not {choice}.": "«{value}» er ikke et gyldig valg. Velg {choice}.",
    "{value!r} is not one of {choices}.": "«{value}» er ikke et gyldig valg. Velg en av {choices}.",
    "Choose from:\n\t{choices}": "Velg blant:\n\t{choices}",
    "{value!r} is not a valid boolean. Recognized values: {states}": (
        "«{value}» er ikke en gyldig sannhetsverdi. Gyldige verdier: {states}"
    ),
    "{value!r} is not a valid UUID.": "«{value}» er ikke en gyldig UUID.",
    "{value!r} does not match the format {format}.": "«{value}» passer ikke med formatet {format}.",
    "{value!r} does not match the formats {formats}.": "«{value}» passer ikke med noen av formatene {formats}.",
    # Files, folders and paths ({name} is put in the right form, see _PATH_WORDS).
    "file": "fil",
    "directory": "mappe",
    "path": "sti",
    "{name} {filename!r} does not exist.": "{name} «{filename}» finnes ikke.",
    "{name} {filename!r} is a file.": "«{filename}» er en fil, men her trengs {name}.",
    "{name} {filename!r} is a directory.": "«{filename}» er en mappe, men her trengs {name}.",
    "{name} {filename!r} is not readable.": "Du har ikke lesetilgang til {name} «{filename}».",
    "{name} {filename!r} is not writable.": "Du har ikke skrivetilgang til {name} «{filename}».",
    "{name} {filename!r} is not executable.": "{name} «{filename}» kan ikke kjøres.",
    "Could not open file {filename!r}: {message}": "Kan ikke åpne filen «{filename}»: {message}",
    "unknown error": "ukjent feil",
    # Prompts, progress bars, editor, terminal.
    "Do you want to continue?": "Vil du fortsette?",
    "Confirm the action without prompting.": "Bekreft handlingen uten å spørre.",
    "Repeat for confirmation": "Gjenta for å bekrefte",
    "Error: The two entered values do not match.": "Feil: De to verdiene er ikke like.",
    "Error: invalid input": "Feil: ugyldig svar",
    "Press any key to continue...": "Trykk en tast for å fortsette ...",
    "d": "d",  # days in a progress bar's time left: "1d 02:03:04"
    "{editor}: Editing failed": "{editor}: Redigeringen mislyktes",
    "{editor}: Editing failed: {e}": "{editor}: Redigeringen mislyktes: {e}",
    "Unknown color {colour!r}": "Ukjent farge «{colour}»",
    "Unknown standard stream '{name}'": "Ukjent standardstrøm «{name}»",
    "Windows error: {error}": "Windows-feil: {error}",
    "Couldn't detect Bash version, shell completion is not supported.": (
        "Fant ikke Bash-versjonen, så fullføring i skallet støttes ikke."
    ),
    "Shell completion is not supported for Bash versions older than 4.4.": (
        "Fullføring i skallet krever Bash 4.4 eller nyere."
    ),
    # Mistakes in a CLI's own definition (raised to the developer, not the user).
    "Choice({choices})": "Choice({choices})",  # repr() of click.Choice
    "Name '{name}' defined twice": "Navnet «{name}» er definert to ganger",
    "Boolean option {decl!r} cannot use the same flag for true/false.": (
        "Det boolske valget «{decl}» kan ikke bruke samme flagg for sann og usann."
    ),
    "Could not determine name for option with declarations {decls!r}": (
        "Fant ikke navnet på valget med deklarasjonene {decls!r}"
    ),
    "No options defined but a name was passed ({name}). Did you mean to declare an argument instead? "
    "Did you mean to pass '--{name}'?": (
        "Ingen valg er definert, men et navn ble oppgitt ({name}). Skulle det være et argument? "
        "Eller mente du «--{name}»?"
    ),
    "Arguments take exactly one parameter declaration, got {length}: {decls}.": (
        "Et argument tar nøyaktig én parameterdeklarasjon, men fikk {length}: {decls}."
    ),
    "Invalid start character for option ({option})": "Ugyldig første tegn i valget ({option})",
    # Only in click 8.1-8.3.
    "(Deprecated) {text}": "(Foreldet) {text}",
    "{text} {deprecated_message}": "{text} {deprecated_message}",
    "DeprecationWarning: The command {name!r} is deprecated.": "Advarsel: Kommandoen «{name}» er foreldet.",
    "No such option: {name}": "Valget «{name}» finnes ikke.",
    "(Possible options: {possibilities})": "(Mulige valg: {possibilities})",
    "Error: {e.message}": "Feil: {e.message}",
    "Error: The value you entered was invalid.": "Feil: Verdien du skrev inn er ugyldig.",
    "{value!r} is not a valid boolean.": "«{value}» er ikke en gyldig sannhetsverdi.",
}


# ---------------------------------------------------------------- private helpers


def _gettext(message: str) -> str:
    """click's ``_()``: the Bokmål for ``message``, or ``message`` itself if it has none."""
    text = BOKMAL.get(message)
    if text is None:
        return message
    fixes = _FIELD_FIXES.get(message)
    return _Template(text, fixes) if fixes else text


def _ngettext(singular: str, plural: str, n: int) -> str:
    """click's ``ngettext()``: Bokmål counts like English (one, else many)."""
    return _gettext(singular if n == 1 else plural)


class _Template(str):
    """A translated message whose ``format()`` first puts some values into Bokmål.

    click formats its messages right after translating them
    (``_("...").format(name=...)``), so this is where values that click renders in
    English (a path's kind, a number type) or quotes with ``repr`` get fixed.
    """

    _fixes: Mapping[str, Callable[[Any], Any]]

    def __new__(cls, text: str, fixes: Mapping[str, Callable[[Any], Any]]) -> Self:
        self = super().__new__(cls, text)
        self._fixes = fixes
        return self

    def format(self, *args: object, **kwargs: Any) -> str:
        for field, fix in self._fixes.items():
            if field in kwargs:
                kwargs[field] = fix(kwargs[field])
        return str(self).format(*args, **kwargs)


def _missing_parameter_message(self: click.exceptions.MissingParameter) -> str:
    """``MissingParameter.format_message`` in Bokmål word order: "Valget «--output» mangler."."""
    param = self.param
    hint: Sequence[str] | str | None = self.param_hint
    if hint is None and param is not None:
        hint = param.get_error_hint(self.ctx)
    param_type = self.param_type or (param.param_type_name if param is not None else None)
    head = _missing_head(param_type, _join_hints(hint))
    details = self.message
    extra = param.type.get_missing_message(param=param, ctx=self.ctx) if param is not None else None
    if extra:
        details = f"{details}. {extra}" if details else extra
    return f"{head} {details}" if details else head


def _missing_head(param_type: str | None, hint: str | None) -> str:
    spaced = f" {hint}" if hint else ""
    template = _MISSING_HEADS.get(param_type or "parameter")
    if template is not None:
        return template.format(hint=spaced)
    return f"{_gettext('Missing {param_type}').format(param_type=param_type)}{spaced}."


def _join_hints(hint: Sequence[str] | str | None) -> str | None:
    """click's ``_join_param_hints`` with «guillemets» instead of ``repr`` quotes."""
    if hint is None:
        return None
    if isinstance(hint, str):
        return str(_bokmal_hint(hint))
    return " / ".join(f"«{item}»" for item in hint)


def _guillemets(value: Any) -> Any:
    """``'a', 'b'`` (click's ``repr`` quoting of names and choices) -> ``«a», «b»``."""
    if not isinstance(value, str):
        return value
    return _QUOTED.sub(lambda m: f"«{m.group(1) if m.group(1) is not None else m.group(2)}»", value)


def _bokmal_hint(value: Any) -> Any:
    """A parameter hint such as ``'--year' (env var: 'YEAR')`` in Bokmål."""
    value = _guillemets(value)
    return value.replace(" (env var: ", " (miljøvariabel: ") if isinstance(value, str) else value


def _path_word(form: int) -> Callable[[Any], Any]:
    """A fix for ``{name}`` in path messages: the path kind in form 0, 1 or 2 of `_PATH_WORDS`."""

    def fix(value: Any) -> Any:
        words = _PATH_WORDS.get(str(value).lower())
        return words[form] if words else value

    return fix


def _word(table: Mapping[str, str]) -> Callable[[Any], Any]:
    """A fix that looks a value up in ``table`` and keeps it when it is not there."""
    return lambda value: table.get(value, value) if isinstance(value, str) else value


def _click_modules() -> list[ModuleType]:
    """The click modules that bind gettext's ``_``/``ngettext`` at import."""
    names = list(_CLICK_MODULES)
    if sys.platform == "win32":
        names.append("_winconsole")
    return [importlib.import_module(f"click.{name}") for name in names]


_CLICK_MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "shell_completion", "termui", "_termui_impl", "types", "utils")

_QUOTED = re.compile(r"'([^'\n]*)'|\"([^\"\n]*)\"")

# Path kind (click's English name, or the Bokmål one from BOKMAL, any case) ->
# (definite, definite lower case, indefinite with article).
_PATH_WORDS: dict[str, tuple[str, str, str]] = {
    "fil": ("Filen", "filen", "en fil"),
    "mappe": ("Mappen", "mappen", "en mappe"),
    "sti": ("Stien", "stien", "en sti"),
    "file": ("Filen", "filen", "en fil"),
    "directory": ("Mappen", "mappen", "en mappe"),
    "path": ("Stien", "stien", "en sti"),
}

# Number types in "is not a valid {number_type}"; the ranges say the same, as the
# range itself is shown in the help and in "is not in the range".
_NUMBER_TYPES = {"integer": "heltall", "integer range": "heltall", "float": "desimaltall", "float range": "desimaltall"}

_PARAM_TYPES = {"option": "Valget", "argument": "Argumentet", "parameter": "Parameteren"}

# msgid -> {field: fix applied to that value before formatting}.
_FIELD_FIXES: dict[str, dict[str, Callable[[Any], Any]]] = {
    "Invalid value for {param_hint}: {message}": {"param_hint": _bokmal_hint},
    "Did you mean {possibility}?": {"possibility": _guillemets},
    "(Did you mean one of: {possibilities}?)": {"possibilities": _guillemets},
    "(Possible options: {possibilities})": {"possibilities": _guillemets},
    "{value!r} is not {choice}.": {"choice": _guillemets},
    "{value!r} is not one of {choices}.": {"choices": _guillemets},
    "{value!r} does not match the format {format}.": {"format": _guillemets},
    "{value!r} does not match the formats {formats}.": {"formats": _guillemets},
    "{value!r} is not a valid {number_type}.": {"number_type": _word(_NUMBER_TYPES)},
    "DeprecationWarning: The {param_type} {name!r} is deprecated.{extra_message}": {"param_type": _word(_PARAM_TYPES)},
    "{name} {filename!r} does not exist.": {"name": _path_word(0)},
    "{name} {filename!r} is not executable.": {"name": _path_word(0)},
    "{name} {filename!r} is not readable.": {"name": _path_word(1)},
    "{name} {filename!r} is not writable.": {"name": _path_word(1)},
    "{name} {filename!r} is a file.": {"name": _path_word(2)},
    "{name} {filename!r} is a directory.": {"name": _path_word(2)},
}

# "Missing option '--output'." -> "Valget «--output» mangler."
_MISSING_HEADS = {
    "option": "Valget{hint} mangler.",
    "argument": "Argumentet{hint} mangler.",
    "parameter": "Parameteren{hint} mangler.",
}

# click's English defaults for Group.subcommand_metavar -> Bokmål.
_SUBCOMMAND_METAVARS = {
    "COMMAND [ARGS]...": "KOMMANDO [ARGUMENTER]...",
    "[COMMAND] [ARGS]...": "[KOMMANDO] [ARGUMENTER]...",
    "COMMAND1 [ARGS]... [COMMAND2 [ARGS]...]...": "KOMMANDO1 [ARGUMENTER]... [KOMMANDO2 [ARGUMENTER]...]...",
    "[COMMAND1] [ARGS]... [COMMAND2 [ARGS]...]...": "[KOMMANDO1] [ARGUMENTER]... [KOMMANDO2 [ARGUMENTER]...]...",
}

# click type class -> Bokmål ``name``: the metavar (``HELTALL``) and the word in
# "«abc» er ikke et gyldig heltall". Path names its kind through BOKMAL instead.
_TYPE_NAMES = {
    "StringParamType": "tekst",
    "UnprocessedParamType": "tekst",
    "IntParamType": "heltall",
    "IntRange": "heltall",
    "FloatParamType": "desimaltall",
    "FloatRange": "desimaltall",
    "BoolParamType": "sannhetsverdi",
    "Choice": "valg",
    "DateTime": "tidspunkt",
    "File": "filnavn",
}
