"""`behovxl demo`: the whole round on the bundled examples, from any directory."""

from __future__ import annotations

import os

from click.testing import CliRunner
from openpyxl import load_workbook

from behovxl.cli import main


def test_demo_runs_the_round(tmp_path):
    folder = tmp_path / "demo"
    result = CliRunner().invoke(main, ["demo", str(folder)])
    assert result.exit_code == 0, result.output
    assert len(list((folder / "1-skjema").glob("*.xlsx"))) == 7
    assert len(list((folder / "2-innsendt").glob("*.xlsx"))) == 4
    assert "cofunding-low" in (folder / "3-kontroll.json").read_text(encoding="utf-8")
    assert (folder / "4-regional.json").exists() and any((folder / "4-csv").iterdir())
    assert "Kompetansenettverk Indre Helgeland" in result.output
    assert "1 556 519 kr" in result.output  # Rana: 530 000 + 100 000 + 926 519


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


def test_demo_regional_workbook_has_rana_with_the_corrected_uh_sum(tmp_path):
    CliRunner().invoke(main, ["demo", str(tmp_path / "d")])
    book = load_workbook(tmp_path / "d" / "4-regional.xlsx", data_only=True)
    rows = [[c for c in row] for row in book["Oversikt"].iter_rows(values_only=True)]
    rana = next(r for r in rows if r and r[0] == "Kompetansenettverk Indre Helgeland")
    assert 926519 in rana and 1556519 in rana
