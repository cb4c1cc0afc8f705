"""Tests for behovxl.clitext: click's own texts in Bokmål, never in English."""

from __future__ import annotations

import ast
import importlib
import importlib.metadata
import re
import string
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from behovxl import clitext
from behovxl.clitext import BOKMAL, HELP_OPTION, NorwegianCommand, NorwegianGroup

clitext.install()  # before the decorators below: click.Path() names its kind when created

# Words and phrases of click's English that must never reach a user.
ENGLISH = (
    "Error", "Usage", "Options", "Commands", "Missing", "does not exist", "is not", "Invalid value",
    "Try", "Show this message", "Show the version", "No such", "Got unexpected", "Did you mean",
    "Choose from", "Aborted", "required", "default:", "env var", "DEPRECATED", "[OPTIONS]", "COMMAND",
    "ARGS", "INTEGER", "FLOAT", "TEXT", "BOOLEAN", "PATH", "FILE", "DIRECTORY", "'",
)  # fmt: skip

# Translations allowed to equal their msgid: no words in them, or a Python repr.
SAME_IN_BOKMAL = {"d", "Choice({choices})", "{text} {deprecated_message}"}

# click calls _() on a variable here; the msgids it can hold.
DYNAMIC_MSGIDS = {"extra['required']": ("required",)}


# ---------------------------------------------------------------- the test CLI


@click.group(cls=NorwegianGroup, context_settings={**HELP_OPTION, "terminal_width": 100})
@clitext.version_option()
@click.option("--stille", is_flag=True, help="Skriv mindre.")
def cli(stille: bool) -> None:
    """Prøveprogram for clitext."""


@cli.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True, help="Arbeidsboken som skrives.")
@click.option("--year", type=int, help="Året.")
@click.option("--measures", type=click.IntRange(1, 20), default=8, show_default=True, help="Antall tiltak.")
@click.option("--rate", type=float, envvar="BEHOVXL_RATE", show_envvar=True, help="Andel.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="Format.")
@click.option("--roster", type=click.Path(exists=True, dir_okay=False), help="Nettverkslisten.")
@click.option("--folder", type=click.Path(exists=True, file_okay=False), help="Mappen.")
@click.option("--pair", nargs=2, type=int, help="To tall.")
@click.option("--strict", type=bool, help="Streng kontroll.")
@click.option("--date", type=click.DateTime(["%Y-%m-%d"]), help="Fristen.")
@click.option("--json", "as_json", is_flag=True, help="Skriv JSON.")
@click.argument("workbooks", nargs=-1, type=click.Path(exists=True), metavar="ARBEIDSBØKER...")
def generate(**_: object) -> None:
    """Lag skjemaer."""


@cli.command()
@click.argument("fmt", type=click.Choice(["text", "json"]))
def checks(fmt: str) -> None:
    """Vis kontrollene."""


@cli.command()
@click.option("--legacy", is_flag=True, deprecated=True, help="Gammelt valg.")
def schema(legacy: bool) -> None:
    """Skriv JSON-skjemaet."""


@cli.command(deprecated=True)
def old() -> None:
    """Gammel kommando."""


@cli.command()
def stop() -> None:
    """Avbryt."""
    raise click.Abort()


@cli.group()
def admin() -> None:
    """Administrasjon."""


@admin.command()
def reset() -> None:
    """Nullstill."""


TRY = "Prøv «behovxl generate --help» for hjelp."

# (id, args, exit code, texts the output must contain). {file}, {dir} and {missing}
# stand for an existing file, an existing folder and a path that does not exist.
CASES = [
    ("group-no-args", [], 2, ["Bruk: behovxl [VALG] KOMMANDO [ARGUMENTER]...", "Valg:", "Kommandoer:", "Prøveprogram for clitext."]),
    ("group-h", ["-h"], 0, ["Bruk: behovxl [VALG] KOMMANDO [ARGUMENTER]...", "Vis denne hjelpen og avslutt.", "Vis versjonen og avslutt.", "Kommandoer:"]),
    ("group-help", ["--help"], 0, ["Bruk: behovxl [VALG] KOMMANDO [ARGUMENTER]...", "Gammel kommando. (FORELDET)"]),
    ("command-h", ["generate", "-h"], 0, ["Bruk: behovxl generate [VALG] ARBEIDSBØKER...", "Lag skjemaer.", "-o, --output FIL", "[påkrevd]", "--year HELTALL", "[miljøvariabel: BEHOVXL_RATE]", "--measures HELTALL", "[standard: 8; 1<=x<=20]", "--rate DESIMALTALL", "--roster FIL", "--folder MAPPE", "--strict SANNHETSVERDI", "--pair HELTALL..."]),
    ("argument-h", ["checks", "--help"], 0, ["Bruk: behovxl checks [VALG] {text|json}", "Valg:"]),
    ("subgroup-no-args", ["admin"], 2, ["Bruk: behovxl admin [VALG] KOMMANDO [ARGUMENTER]...", "Kommandoer:", "reset"]),
    ("missing-option", ["generate"], 2, ["Bruk: behovxl generate [VALG] ARBEIDSBØKER...", TRY, "Feil: Valget «-o» / «--output» mangler."]),
    ("missing-command", ["--stille"], 2, ["Prøv «behovxl --help» for hjelp.", "Feil: Kommando mangler."]),
    ("missing-argument", ["checks"], 2, ["Feil: Argumentet «{text|json}» mangler. Velg blant:\n\ttext,\n\tjson"]),
    ("option-without-value", ["generate", "-o"], 2, ["Feil: Valget «-o» trenger en verdi."]),
    ("choice-without-value", ["generate", "-o", "x", "--format"], 2, ["Feil: Valget «--format» trenger en verdi."]),
    ("nargs-too-few", ["generate", "-o", "x", "--pair", "1"], 2, ["Feil: Valget «--pair» trenger 2 verdier."]),
    ("flag-with-value", ["generate", "-o", "x", "--json=1"], 2, ["Feil: Valget «--json» tar ingen verdi."]),
    ("bad-int", ["generate", "-o", "x", "--year", "abc"], 2, [TRY, "Feil: Ugyldig verdi for «--year»: «abc» er ikke et gyldig heltall."]),
    ("bad-float", ["generate", "-o", "x", "--rate", "x"], 2, ["Feil: Ugyldig verdi for «--rate» (miljøvariabel: «BEHOVXL_RATE»): «x» er ikke et gyldig desimaltall."]),
    ("range-not-int", ["generate", "-o", "x", "--measures", "mange"], 2, ["Feil: Ugyldig verdi for «--measures»: «mange» er ikke et gyldig heltall."]),
    ("range-too-big", ["generate", "-o", "x", "--measures", "50"], 2, ["Feil: Ugyldig verdi for «--measures»: 50 er utenfor området 1<=x<=20."]),
    ("bad-choice", ["generate", "-o", "x", "--format", "xml"], 2, ["Feil: Ugyldig verdi for «--format»: «xml» er ikke et gyldig valg. Velg en av «text», «json»."]),
    ("bad-choice-argument", ["checks", "xml"], 2, ["Feil: Ugyldig verdi for «{text|json}»: «xml» er ikke et gyldig valg. Velg en av «text», «json»."]),
    ("bad-bool", ["generate", "-o", "x", "--strict", "kanskje"], 2, ["Feil: Ugyldig verdi for «--strict»: «kanskje» er ikke en gyldig sannhetsverdi. Gyldige verdier: "]),
    ("bad-date", ["generate", "-o", "x", "--date", "31.12.2026"], 2, ["Feil: Ugyldig verdi for «--date»: «31.12.2026» passer ikke med formatet «%Y-%m-%d»."]),
    ("missing-file", ["generate", "-o", "x", "--roster", "{missing}"], 2, ["Feil: Ugyldig verdi for «--roster»: Filen «{missing}» finnes ikke."]),
    ("folder-for-file", ["generate", "-o", "x", "--roster", "{dir}"], 2, ["Feil: Ugyldig verdi for «--roster»: «{dir}» er en mappe, men her trengs en fil."]),
    ("folder-for-output", ["generate", "-o", "{dir}"], 2, ["Feil: Ugyldig verdi for «-o» / «--output»: «{dir}» er en mappe, men her trengs en fil."]),
    ("file-for-folder", ["generate", "-o", "x", "--folder", "{file}"], 2, ["Feil: Ugyldig verdi for «--folder»: «{file}» er en fil, men her trengs en mappe."]),
    ("missing-folder", ["generate", "-o", "x", "--folder", "{missing}"], 2, ["Feil: Ugyldig verdi for «--folder»: Mappen «{missing}» finnes ikke."]),
    ("missing-path-argument", ["generate", "-o", "x", "{missing}"], 2, ["Feil: Ugyldig verdi for «ARBEIDSBØKER...»: Stien «{missing}» finnes ikke."]),
    ("unknown-option", ["generate", "--zzz"], 2, [TRY, "Feil: Valget «--zzz» finnes ikke.\n"]),
    ("unknown-short-option", ["generate", "-x"], 2, ["Feil: Valget «-x» finnes ikke.\n"]),
    ("misspelled-option", ["generate", "-o", "x", "--outptu", "y"], 2, ["Feil: Valget «--outptu» finnes ikke. Mente du «--output»?"]),
    ("unknown-command", ["frobnicate"], 2, ["Prøv «behovxl --help» for hjelp.", "Feil: Kommandoen «frobnicate» finnes ikke.\n"]),
    ("misspelled-command", ["generat"], 2, ["Feil: Kommandoen «generat» finnes ikke. Mente du «generate»?"]),
    ("extra-argument", ["schema", "ekstra"], 2, ["Prøv «behovxl schema --help» for hjelp.", "Feil: Uventet argument: ekstra"]),
    ("extra-arguments", ["schema", "a", "b"], 2, ["Feil: Uventede argumenter: a b"]),
    ("aborted", ["stop"], 1, ["Avbrutt!"]),
    ("deprecated-command", ["old"], 0, ["Advarsel: Kommandoen «old» er foreldet."]),
    ("deprecated-option", ["schema", "--legacy"], 0, ["Advarsel: Valget «legacy» er foreldet."]),
]  # fmt: skip


@pytest.fixture()
def places(tmp_path: Path) -> dict[str, str]:
    existing = tmp_path / "liste.csv"
    existing.write_text("network\n", encoding="utf-8")
    return {"file": str(existing), "dir": str(tmp_path), "missing": str(tmp_path / "finnes-ikke.xlsx")}


def _run(args: list[str], env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, args, prog_name="behovxl", env=env)
    return result.exit_code, result.output


def _fill(text: str, places: dict[str, str]) -> str:
    for key, value in places.items():
        text = text.replace(f"{{{key}}}", value)
    return text


def _assert_no_english(output: str) -> None:
    found = [phrase for phrase in ENGLISH if phrase in output]
    assert not found, f"English in the output: {found}\n{output}"


# ---------------------------------------------------------------- wrong usages, end to end


@pytest.mark.parametrize(("args", "code", "expected"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_wrong_usage_is_told_in_bokmal(args: list[str], code: int, expected: list[str], places: dict[str, str]) -> None:
    exit_code, output = _run([_fill(arg, places) for arg in args])
    assert exit_code == code, output
    for text in expected:
        assert _fill(text, places) in output
    _assert_no_english(output)


def test_bad_value_from_the_environment_names_the_variable() -> None:
    exit_code, output = _run(["generate", "-o", "x"], env={"BEHOVXL_RATE": "mye"})
    assert exit_code == 2
    assert "Feil: Ugyldig verdi for «--rate» (miljøvariabel: «BEHOVXL_RATE»): «mye» er ikke et gyldig desimaltall." in output
    _assert_no_english(output)


def test_version_option_prints_behovxl_and_its_version() -> None:
    exit_code, output = _run(["--version"])
    assert (exit_code, output) == (0, f"behovxl, versjon {importlib.metadata.version('behovxl')}\n")


def test_version_option_takes_an_explicit_version() -> None:
    @click.command(cls=NorwegianCommand)
    @clitext.version_option(version="9.9.9")
    def tool() -> None:
        """Verktøy."""

    result = CliRunner().invoke(tool, ["--version"], prog_name="verktøy")
    assert (result.exit_code, result.output) == (0, "behovxl, versjon 9.9.9\n")


def test_usage_errors_print_usage_hint_and_error_in_that_order() -> None:
    exit_code, output = _run(["generate", "--year", "abc", "-o", "x"])
    assert exit_code == 2
    assert output == f"Bruk: behovxl generate [VALG] ARBEIDSBØKER...\n{TRY}\n\nFeil: Ugyldig verdi for «--year»: «abc» er ikke et gyldig heltall.\n"


# ---------------------------------------------------------------- the pieces, through click's public API


@pytest.mark.parametrize(
    ("exc", "message"),
    [
        (click.MissingParameter(param_hint=["--a", "-b"], param_type="option"), "Valget «--a» / «-b» mangler."),
        (click.MissingParameter(param_hint="'FIL'", param_type="argument"), "Argumentet «FIL» mangler."),
        (click.MissingParameter(param_hint="--year", param_type="option"), "Valget --year mangler."),
        (click.MissingParameter("Skriv et år", param_hint="'--year'", param_type="option"), "Valget «--year» mangler. Skriv et år"),
        (click.MissingParameter(), "Parameteren mangler."),
        (click.MissingParameter(param_hint="'nøkkel'", param_type="parameter"), "Parameteren «nøkkel» mangler."),
        (click.MissingParameter(param_hint="'x.json'", param_type="fil"), "Mangler fil «x.json»."),
        (click.BadParameter("feil år", param_hint=["--year", "-y"]), "Ugyldig verdi for «--year» / «-y»: feil år"),
        (click.BadParameter("feil år", param_hint="'--year'"), "Ugyldig verdi for «--year»: feil år"),
        (click.BadParameter("feil år"), "Ugyldig verdi: feil år"),
        (click.NoSuchOption("--yaer", possibilities=["--year", "--years"]), "Valget «--yaer» finnes ikke. (Mente du en av disse: «--year», «--years»?)"),
        (click.FileError("rapport.json"), "Kan ikke åpne filen «rapport.json»: ukjent feil"),
    ],
)  # fmt: skip
def test_exception_messages(exc: click.ClickException, message: str) -> None:
    assert exc.format_message() == message


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        ("fil", "nei.csv", "Filen «nei.csv» finnes ikke."),
        ("mappe", "nei", "Mappen «nei» finnes ikke."),
        ("sti", "nei", "Stien «nei» finnes ikke."),
        # a Path created before install() still has click's English name
        ("file", "nei.csv", "Filen «nei.csv» finnes ikke."),
        ("directory", "nei", "Mappen «nei» finnes ikke."),
        ("path", "nei", "Stien «nei» finnes ikke."),
        # a kind we do not know is left as it is
        ("bilde", "nei.png", "Bilde «nei.png» finnes ikke."),
    ],
)
def test_path_messages_name_the_kind_of_path(kind: str, value: str, message: str, tmp_path: Path) -> None:
    path_type = click.Path(exists=True)
    path_type.name = kind
    with pytest.raises(click.BadParameter) as raised:
        path_type.convert(str(tmp_path / value), None, None)
    assert raised.value.message == message.replace(value, str(tmp_path / value))


@pytest.mark.parametrize(
    ("param_type", "name"),
    [(click.INT, "heltall"), (click.IntRange(0, 5), "heltall"), (click.FLOAT, "desimaltall"), (click.FloatRange(0, 1), "desimaltall"),
     (click.STRING, "tekst"), (click.BOOL, "sannhetsverdi"), (click.Path(), "sti"), (click.Path(dir_okay=False), "fil"),
     (click.Path(file_okay=False), "mappe"), (click.File(), "filnavn"), (click.DateTime(), "tidspunkt"), (click.Choice(["a"]), "valg")],
)  # fmt: skip
def test_types_have_bokmal_names(param_type: click.ParamType[Any], name: str) -> None:
    assert param_type.name == name


@pytest.mark.parametrize(
    ("chain", "without_command", "metavar"),
    [
        (False, False, "KOMMANDO [ARGUMENTER]..."),
        (False, True, "[KOMMANDO] [ARGUMENTER]..."),
        (True, False, "KOMMANDO1 [ARGUMENTER]... [KOMMANDO2 [ARGUMENTER]...]..."),
        (True, True, "[KOMMANDO1] [ARGUMENTER]... [KOMMANDO2 [ARGUMENTER]...]..."),
    ],
)
def test_group_usage_placeholders(chain: bool, without_command: bool, metavar: str) -> None:
    group = NorwegianGroup("g", chain=chain, invoke_without_command=without_command)
    assert (group.options_metavar, group.subcommand_metavar) == ("[VALG]", metavar)


def test_placeholders_given_explicitly_are_kept() -> None:
    assert NorwegianGroup("g", subcommand_metavar="SKJEMA", options_metavar="[X]").collect_usage_pieces(
        click.Context(click.Command("c"))
    ) == ["[X]", "SKJEMA"]
    assert NorwegianCommand("c", options_metavar=None).options_metavar is None


def test_subcommands_and_subgroups_are_norwegian() -> None:
    assert isinstance(cli.commands["generate"], NorwegianCommand)
    assert isinstance(cli.commands["admin"], NorwegianGroup)
    assert isinstance(admin.commands["reset"], NorwegianCommand)


@given(st.lists(st.text(alphabet="abcxyzæøåABCÆØÅ0129-_./ ", min_size=1, max_size=12), min_size=1, max_size=5))
def test_quoted_names_get_guillemets(names: list[str]) -> None:
    message = click.BadParameter("feil", param_hint=names).format_message()
    assert message == f"Ugyldig verdi for {' / '.join(f'«{name}»' for name in names)}: feil"


@given(st.lists(st.text(alphabet="abcxyzæøå019-_.", min_size=1, max_size=8), min_size=1, max_size=6, unique=True))
def test_invalid_choice_lists_the_choices(choices: list[str]) -> None:
    bad = "@"  # not in the alphabet, so never a choice
    with pytest.raises(click.BadParameter) as raised:
        click.Choice(choices).convert(bad, None, None)
    listed = ", ".join(f"«{choice}»" for choice in choices)
    hint = f"Velg {listed}." if len(choices) == 1 else f"Velg en av {listed}."
    assert raised.value.message == f"«@» er ikke et gyldig valg. {hint}"


# ---------------------------------------------------------------- coverage of click's source


def _click_sources() -> list[Path]:
    return sorted(Path(click.__file__).parent.glob("*.py"))


def _gettext_calls() -> tuple[set[str], set[str]]:
    """(literal msgids, source of non-literal arguments) of every _()/ngettext() in click."""
    literal: set[str] = set()
    dynamic: set[str] = set()
    for path in _click_sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in {"_", "ngettext"}:
                for arg in node.args[: 2 if node.func.id == "ngettext" else 1]:
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        literal.add(arg.value)
                    else:
                        dynamic.add(ast.unparse(arg))
    return literal, dynamic


def test_every_msgid_in_click_has_a_translation() -> None:
    literal, dynamic = _gettext_calls()
    assert len(literal) > 60  # the scan found click's messages
    assert sorted(literal - BOKMAL.keys()) == []
    assert dynamic == DYNAMIC_MSGIDS.keys()
    assert all(msgid in BOKMAL for msgids in DYNAMIC_MSGIDS.values() for msgid in msgids)


def test_every_click_module_that_imports_gettext_is_patched() -> None:
    clitext.install()  # a second time: nothing changes
    patched = 0
    for path in _click_sources():
        if path.stem == "_winconsole" and sys.platform != "win32":
            continue
        module = importlib.import_module(f"click.{path.stem}")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "gettext":
                for alias in node.names:
                    assert getattr(module, alias.asname or alias.name) in (clitext._gettext, clitext._ngettext), path.stem
                    patched += 1
    assert patched >= 10


def _placeholders(text: str) -> Counter[str]:
    names = Counter(field for _, field, _, _ in string.Formatter().parse(text) if field is not None)
    names.update(f"%{name}" for name in re.findall(r"%\((\w+)\)[sdr]", text))
    return names


@pytest.mark.parametrize("msgid", sorted(BOKMAL))
def test_translation_keeps_the_placeholders(msgid: str) -> None:
    assert _placeholders(BOKMAL[msgid]) == _placeholders(msgid)


def test_every_translation_is_translated() -> None:
    same = {msgid for msgid, text in BOKMAL.items() if text == msgid}
    assert same == SAME_IN_BOKMAL


@pytest.mark.parametrize("msgid", sorted(BOKMAL))
def test_translation_has_no_english_words(msgid: str) -> None:
    words = re.sub(r"\{[^}]*\}|%\(\w+\)s", " ", BOKMAL[msgid])
    english = re.findall(r"\b(?:Error|Usage|Options?|Missing|Invalid|Try|Show|such|Got|Did|Choose|Aborted|required|default|"
                         r"the|is|not|was|were|does|of|you|file|directory|path|values?|version|command)\b", words)  # fmt: skip
    assert english == []
