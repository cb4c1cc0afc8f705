"""`behovxl demo`: the whole 2027 round on the bundled examples, from any directory."""

from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from behovxl.cli import main


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("d") / "demo"
    result = CliRunner().invoke(main, ["demo", str(folder)])
    assert result.exit_code == 0, result.output
    return folder, result.output


def test_demo_sends_forms_in_both_languages_and_next_years(demo):
    folder, _ = demo
    forms = sorted((folder / "1-skjema").glob("*.xlsx"))
    assert len(forms) == 7
    first_sheets = {load_workbook(f, read_only=True).sheetnames[0] for f in forms}
    assert first_sheets == {"Veiledning", "Rettleiing"}
    assert len(list((folder / "1-skjema" / "fra-i-fjor").glob("*.xlsx"))) == 4


def test_demo_shows_missing_late_a_word_file_and_mixed_rules(demo):
    folder, output = demo
    assert "7 nettverk i listen: 5 har levert, 1 for sent, 2 mangler: Kompetansenettverk Ofoten, " \
           "Kompetansenettverk Vefsnregionen." in output
    data = json.loads((folder / "4-regional.json").read_text(encoding="utf-8"))
    sources = {s["file"]: s["status"] for s in data["sources"]}
    assert sources["2027-01-30 Behovsmelding Vefsnregionen.docx"] == "rejected"
    assert "Kompetansenettverk Indre Helgeland    1 656 519 kr  Feil      2021-reglene" in output


def test_demo_writes_feedback_for_every_network_that_sent_something(demo):
    folder, _ = demo
    messages = sorted(p.name for p in (folder / "5-tilbakemelding").glob("*.txt"))
    assert len(messages) == 6
    lofoten = next((folder / "5-tilbakemelding").glob("*lofoten*.txt")).read_text(encoding="utf-8")
    assert lofoten.startswith("Hei!") and "behovsmeldinga frå Kompetansenettverk Lofoten" in lofoten


def test_demo_reads_back_the_innstilling_with_the_forums_change(demo):
    folder, output = demo
    allocation = json.loads((folder / "6-innstilling" / "fordeling.json").read_text(encoding="utf-8"))
    rana = next(n for n in allocation["networks"] if n["network"] == "Kompetansenettverk Indre Helgeland")
    coordinator = next(m for m in rana["measures"] if m["number"] == 5)
    assert (coordinator["owner"], coordinator["requested_owner"]) == (0, 100000)
    assert "Lest tilbake uten avvik: 7 570 519 kr anbefalt innenfor rammene på til sammen 8 300 000 kr." in output


def test_demo_default_folder_is_new_in_the_current_directory(tmp_path):
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        (tmp_path / "behovxl-demo").mkdir()
        result = CliRunner().invoke(main, ["demo"])
    finally:
        os.chdir(cwd)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "behovxl-demo-2" / "4-regional.xlsx").exists()
    assert not any((tmp_path / "behovxl-demo").iterdir())
