"""Wrong usage of the command line: exit 1 or 2, a Bokmål message, never a traceback, never click's English.

Also the adviser on a Windows PC: paths with backslashes, file names with æøå.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import EXAMPLES, example_report, prefilled

from behovxl.cli import main

ENGLISH = ("Error:", "Usage:", "Options:", "Missing", "does not exist", "is not a valid", "Invalid value", "Try '",
           "No such", "Got unexpected", "Traceback", "Exception", "ValueError", "KeyError", "OSError", "is a directory",
           "Permission denied", "[Errno", "Aborted!")
NORWEGIAN = ("Feil:", "Bruk:", "finnes ikke", "ikke", "mangler", "Kan ikke")


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, str]:
    d = tmp_path_factory.mktemp("usage")
    (d / "svar.xlsx").write_bytes(prefilled(example_report("salten")))
    (d / "mappe").mkdir()
    (d / "tom.csv").write_text("", encoding="utf-8")
    (d / "liste-uten-nettverk.csv").write_text("Eiere;E-post eier\nBodø;ola@bodo.kommune.no\n", encoding="utf-8")
    (d / "ramme-feil.csv").write_text("ordning;ramme\nUkjent ordning;100\n", encoding="utf-8")
    (d / "rapport.json").write_text("{ikke json", encoding="utf-8")
    (d / "rapport-feil.json").write_text('{"form_id": "x"}', encoding="utf-8")
    (d / "readonly").mkdir()
    (d / "mappe.xlsx").mkdir()
    names = {k: str(d / v) for k, v in {"svar": "svar.xlsx", "mappe": "mappe", "tom": "tom.csv",
                                        "liste": "liste-uten-nettverk.csv", "ramme": "ramme-feil.csv",
                                        "json": "rapport.json", "badjson": "rapport-feil.json"}.items()}
    return {**names, "dir": str(d) + os.sep}


CASES = [
    # (id, args (with {names} from the fixture), expected exit code, a fragment of the Bokmål message)
    ("no-command", [], 2, "Kommandoer:"),
    ("unknown-command", ["generer"], 2, "Kommandoen «generer» finnes ikke"),
    ("misspelled-command", ["generat"], 2, "Mente du «generate»?"),
    ("unknown-option", ["check", "{svar}", "--fromat", "json"], 2, "Valget «--fromat» finnes ikke"),
    ("generate-without-output", ["generate"], 2, "Valget «-o» / «--output» mangler"),
    ("generate-bad-year", ["generate", "-o", "{dir}x.xlsx", "--year", "abc"], 2, "«abc» er ikke et gyldig heltall"),
    ("generate-year-out-of-range", ["generate", "-o", "{dir}x.xlsx", "--year", "1999"], 2, "«--year»"),
    ("generate-measures-zero", ["generate", "-o", "{dir}x.xlsx", "--measures", "0"], 2, "«--measures»"),
    ("generate-measures-21", ["generate", "-o", "{dir}x.xlsx", "--measures", "21"], 2, "«--measures»"),
    ("generate-xls-name", ["generate", "-o", "{dir}x.xls"], 1, "slutter ikke på .xlsx"),
    ("generate-onto-a-folder", ["generate", "-o", "{mappe}"], 1, "slutter ikke på .xlsx"),
    ("generate-onto-a-folder-named-xlsx", ["generate", "-o", "{dir}mappe.xlsx"], 1, "mappe med det navnet"),
    ("generate-into-missing-folder", ["generate", "-o", "{dir}finnes/ikke/x.xlsx"], 1, "finnes ikke"),
    ("generate-into-proc", ["generate", "-o", "/proc/x.xlsx"], 1, "Kan ikke skrive"),
    ("generate-bad-malform", ["generate", "-o", "{dir}x.xlsx", "--målform", "engelsk"], 2, "«engelsk» er ikke et gyldig valg"),
    ("generate-unknown-form", ["generate", "-o", "{dir}x.xlsx", "--form", "skjema-x"], 1, "finnes ikke"),
    ("generate-form-toml-missing", ["generate", "-o", "{dir}x.xlsx", "--form", "{dir}mangler.toml"], 1, "kan ikke lese skjemadefinisjonen"),
    ("generate-roster-and-from", ["generate", "-o", "{dir}ut", "--roster", "{liste}", "--from", "{json}"], 1, "enten --roster eller --from"),
    ("generate-roster-missing", ["generate", "-o", "{dir}ut", "--roster", "{dir}mangler.csv"], 1, "mangler.csv"),
    ("generate-roster-empty", ["generate", "-o", "{dir}ut", "--roster", "{tom}"], 1, "tom"),
    ("generate-roster-no-network-column", ["generate", "-o", "{dir}ut", "--roster", "{liste}"], 1, "«nettverk»"),
    ("generate-roster-is-a-folder", ["generate", "-o", "{dir}ut", "--roster", "{mappe}"], 2, "er en mappe"),
    ("generate-from-bad-json", ["generate", "-o", "{dir}x.xlsx", "--from", "{json}"], 1, "kan ikke lese rapporten"),
    ("generate-from-invalid-report", ["generate", "-o", "{dir}x.xlsx", "--from", "{badjson}"], 1, "rapporten er ikke gyldig"),
    ("generate-from-missing", ["generate", "-o", "{dir}x.xlsx", "--from", "{dir}mangler.json"], 1, "kan ikke lese rapporten"),
    ("generate-from-not-a-workbook", ["generate", "-o", "{dir}x.xlsx", "--from", "{dir}rapport.xlsx"], 1, "rapport.xlsx"),
    ("check-without-files", ["check"], 2, "Argumentet «ARBEIDSBØKER...» mangler"),
    ("check-bad-format", ["check", "{svar}", "--format", "xml"], 2, "«xml» er ikke et gyldig valg"),
    ("check-bad-jobs", ["check", "{svar}", "--jobs", "0"], 2, "«--jobs»"),
    ("check-missing-file", ["check", "{dir}mangler.xlsx"], 2, "finnes ikke"),
    ("import-without-output", ["import", "{svar}"], 2, "Valget «-o» / «--output» mangler"),
    ("import-over-its-input", ["import", "{svar}", "-o", "{svar}"], 1, "aldri skrevet over"),
    ("import-into-proc", ["import", "{svar}", "-o", "/proc/x.json"], 1, "Kan ikke skrive"),
    ("import-onto-a-folder", ["import", "{svar}", "-o", "{mappe}"], 1, "mappe med det navnet"),
    ("consolidate-without-inputs", ["consolidate", "-o", "{dir}r.xlsx"], 2, "mangler"),
    ("consolidate-over-its-input", ["consolidate", "{svar}", "-o", "{svar}"], 1, "aldri skrevet over"),
    ("consolidate-json-over-input", ["consolidate", "{svar}", "-o", "{dir}r.xlsx", "--json", "{svar}"], 1, "aldri skrevet over"),
    ("consolidate-output-in-input-folder", ["consolidate", "{dir}", "-o", "{dir}r.xlsx"], 1, "ligger i mappen"),
    ("consolidate-xls-output", ["consolidate", "{svar}", "-o", "{dir}r.xls"], 1, "slutter ikke på .xlsx"),
    ("consolidate-bad-deadline", ["consolidate", "{svar}", "-o", "{dir}r.xlsx", "--deadline", "1. februar"], 2, "«--deadline»"),
    ("consolidate-bad-year", ["consolidate", "{svar}", "-o", "{dir}r.xlsx", "--year", "tjue"], 2, "«tjue» er ikke et gyldig heltall"),
    ("consolidate-roster-missing", ["consolidate", "{svar}", "-o", "{dir}r.xlsx", "--roster", "{dir}mangler.csv"], 1, "mangler.csv"),
    ("consolidate-bad-frame", ["consolidate", "{svar}", "-o", "{dir}r.xlsx", "--frame", "{ramme}"], 1, "Ukjent ordning"),
    ("consolidate-csv-onto-a-file", ["consolidate", "{svar}", "-o", "{dir}r.xlsx", "--csv", "{tom}"], 1, "fil med det navnet"),
    ("consolidate-into-proc", ["consolidate", "{svar}", "-o", "/proc/r.xlsx"], 1, "Kan ikke skrive"),
    ("innstilling-missing-file", ["innstilling", "{dir}mangler.xlsx"], 2, "finnes ikke"),
    ("innstilling-not-regional", ["innstilling", "{svar}"], 2, "regional"),
    ("feedback-without-output", ["feedback", "{svar}"], 2, "Valget «-o» / «--output» mangler"),
    ("feedback-into-input-folder", ["feedback", "{dir}", "-o", "{mappe}"], 1, "ligger i mappen"),
    ("fields-bad-year", ["fields", "--year", "nitten"], 2, "«nitten» er ikke et gyldig heltall"),
    ("fields-of-a-non-workbook", ["fields", "{tom}"], 1, "tom.csv"),
    ("checks-bad-format", ["checks", "--format", "pdf"], 2, "«pdf» er ikke et gyldig valg"),
    ("demo-onto-a-file", ["demo", "{svar}"], 1, "fil med det navnet"),
]


@pytest.mark.parametrize("args, code, fragment", [pytest.param(a, c, f, id=i) for i, a, c, f in CASES])
def test_wrong_usage_is_norwegian(files, args, code, fragment):
    argv = [a.format(**files) for a in args]
    result = CliRunner().invoke(main, argv, catch_exceptions=False)
    output = result.output
    assert result.exit_code == code, output
    assert fragment in output, output
    for english in ENGLISH:
        assert english not in output, (english, output)
    if code:
        assert any(word in output for word in NORWEGIAN), output


def test_there_are_at_least_forty_wrong_usages():
    assert sum(1 for _, _, code, _ in CASES if code) >= 40


def test_read_only_folder_is_a_message_not_a_traceback(tmp_path):
    folder = tmp_path / "skrivebeskyttet"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        if os.access(folder, os.W_OK):
            pytest.skip("running as a user that may write anywhere (root)")
        result = CliRunner().invoke(main, ["generate", "-o", str(folder / "x.xlsx")])
        assert result.exit_code == 1 and "ingen skrivetilgang" in result.output
    finally:
        folder.chmod(0o755)


# ---------------------------------------------------------------- Windows habits


def test_paths_with_backslashes_are_accounted_for(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "innkommet").mkdir()
    (tmp_path / "innkommet" / "svar.xlsx").write_bytes(prefilled(example_report("salten")))
    given = "innkommet\\svar.xlsx" if sys.platform == "win32" else "innkommet/svar.xlsx"
    result = CliRunner().invoke(main, ["check", given, "--jobs", "1"])
    assert result.exit_code == 0, result.output
    odd = CliRunner().invoke(main, ["check", "innkommet\\finnes-ikke.xlsx", "--jobs", "1"])
    assert odd.exit_code == 2 and "finnes ikke" in odd.output and "Traceback" not in odd.output


def test_file_names_with_nordic_letters(tmp_path):
    inbox = tmp_path / "Innkommet Bodø"
    inbox.mkdir()
    (inbox / "Behovsmelding Øksnes og Åsane – endelig.xlsx").write_bytes(prefilled(example_report("salten")))
    out = tmp_path / "Regional oversikt Nordland 2026 – Bodø.xlsx"
    result = CliRunner().invoke(main, ["consolidate", str(inbox), "-o", str(out), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert out.exists() and "1 filer lest" not in result.output and "1 fil lest" in result.output


def test_crlf_roster_in_windows_1252(tmp_path):
    roster = tmp_path / "liste.csv"
    roster.write_bytes("Nettverk;Eiere\r\nKompetansenettverk Bodø – «sør»;Bodø\r\n".encode("cp1252"))
    result = CliRunner().invoke(main, ["generate", "--roster", str(roster), "-o", str(tmp_path / "ut"), "--year", "2027"])
    assert result.exit_code == 0, result.output
    assert [p.name for p in (tmp_path / "ut").iterdir()] == ["behovsmelding-2027-kompetansenettverk-bodo-sor.xlsx"]


def test_examples_are_shipped_with_the_package():
    assert (EXAMPLES / "roster.csv").exists()
    assert Path(__file__).exists()
