"""The generated workbook: structure, protection, validation, determinism, CLI."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from click.testing import CliRunner
from helpers import blank_layout, example_report, prefilled
from openpyxl import load_workbook
from openpyxl.cell.cell import MergedCell

from behovxl.cli import main
from behovxl.generate import make_form, safe_file_name
from behovxl.writer import workbook_bytes


@pytest.fixture(scope="module")
def blank() -> bytes:
    return workbook_bytes(make_form(2026, 8, "Kompetansenettverk Test"))


@pytest.fixture(scope="module")
def book(blank):
    return load_workbook(io.BytesIO(blank))


def test_sheets_in_order(book):
    expected = ["Veiledning", "Partnerskap"] + [f"Tiltak {n}" for n in range(1, 9)] + ["Oppsummering", "Lister", "Skjemainfo"]
    assert book.sheetnames == expected
    assert [ws.sheet_state for ws in book.worksheets][-2:] == ["hidden", "hidden"]


def test_every_sheet_and_the_structure_protected(book, blank):
    assert all(ws.protection.sheet for ws in book.worksheets)
    assert book.security.lockStructure
    xml = zipfile.ZipFile(io.BytesIO(blank)).read("xl/workbook.xml").decode()
    assert xml.index("<workbookProtection") < xml.index("<bookViews")


def _unlocked(book) -> set[tuple[str, str]]:
    found = set()
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if not isinstance(cell, MergedCell) and cell.has_style and not cell.protection.locked:
                    found.add((ws.title, cell.coordinate))
    return found


def test_unlocked_cells_are_exactly_the_named_inputs(book):
    named = set()
    for name, dn in book.defined_names.items():
        for sheet, cells in dn.destinations:
            named.add((sheet, cells.replace("$", "")))
    layout = blank_layout()
    assert named == {(i.sheet, i.cell) for i in layout.inputs.values()}
    assert _unlocked(book) == named


def test_every_input_has_validation_and_help(book):
    layout = blank_layout()
    validated = {}
    for ws in book.worksheets:
        for dv in ws.data_validations.dataValidation:
            for cell_range in dv.sqref.ranges:
                validated[(ws.title, cell_range.coord)] = dv
    for field in layout.inputs.values():
        dv = validated[(field.sheet, field.cell)]
        assert dv.prompt, field.path
        if field.type in ("amount", "integer"):
            assert (dv.type, dv.operator or "between", dv.formula1) == ("whole", "between", "0")
        elif field.type == "choice":
            assert dv.type == "list" and dv.formula1.startswith("Lister!$"), field.path
        elif field.type == "email":
            assert dv.type == "custom"
        else:
            assert dv.type == "textLength"


def test_period_labels_follow_the_year():
    layout = blank_layout(year=2030)
    labels = [s.text for s in layout.sheet("Tiltak 1").statics]
    assert {"Høst 2031", "2032", "2033"} <= set(labels)
    assert layout.inputs["measures.1.duration.spring_y1"].label == "Varighet: Vår 2031"


def test_same_input_gives_identical_bytes(blank):
    assert workbook_bytes(make_form(2026, 8, "Kompetansenettverk Test")) == blank
    report = example_report("indre-helgeland-rana")
    assert prefilled(report) == prefilled(report)


def test_text_is_never_a_formula():
    report = example_report("salten")
    report.measures[0].name = "=HYPERLINK(\"http://x\",\"klikk\")"
    report.partnership.owners = "@SUM(1,2)"
    book = load_workbook(io.BytesIO(prefilled(report)))
    ws = book["Tiltak 1"]
    layout = blank_layout()
    cell = ws[layout.inputs["measures.1.name"].cell]
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")
    assert book["Partnerskap"][layout.inputs["partnership.owners"].cell].data_type == "s"


def test_cached_values_are_the_python_figures():
    report = example_report("indre-helgeland-rana")
    book = load_workbook(io.BytesIO(prefilled(report)), data_only=True)
    layout = blank_layout()
    cell = layout.formulas["summary.schemes.kompetanseloftet.uh"]
    assert book[cell.sheet][cell.cell].value == 926519
    total = layout.formulas["summary.economy.total"]
    assert book[total.sheet][total.cell].value == 1556519


def test_safe_file_names():
    assert safe_file_name("Kompetansenettverk Ytre Helgeland (GOA)", 2026) == "behovsmelding-2026-kompetansenettverk-ytre-helgeland-goa.xlsx"
    assert safe_file_name("Bodø/Fauske & Sørfold", 2026) == "behovsmelding-2026-bodo-fauske-sorfold.xlsx"
    assert safe_file_name("../../etc", 2026) == "behovsmelding-2026-etc.xlsx"


# ---------------------------------------------------------------- CLI


def test_cli_generate_blank(tmp_path):
    out = tmp_path / "skjema.xlsx"
    result = CliRunner().invoke(main, ["generate", "-o", str(out), "--year", "2026", "--measures", "3", "--network", "Nett"])
    assert result.exit_code == 0, result.output
    assert load_workbook(out).sheetnames[2:5] == ["Tiltak 1", "Tiltak 2", "Tiltak 3"]


def test_cli_generate_roster(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("network,owners,uh,owner_contact,owner_email\nNett A,Bodø,Nord,Ola,ola@bodo.kommune.no\nNett B,Fauske,Nord,,\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["generate", "--roster", str(roster), "-o", str(tmp_path / "ut"), "--year", "2026"])
    assert result.exit_code == 0, result.output
    files = sorted(p.name for p in (tmp_path / "ut").iterdir())
    assert files == ["behovsmelding-2026-nett-a.xlsx", "behovsmelding-2026-nett-b.xlsx"]
    ws = load_workbook(tmp_path / "ut" / files[0])["Partnerskap"]
    layout = blank_layout()
    assert ws[layout.inputs["partnership.network"].cell].value == "Nett A"
    assert ws[layout.inputs["contacts.owner.email"].cell].value == "ola@bodo.kommune.no"


@pytest.mark.parametrize(
    "content, message",
    [
        ("network,owners\nNett A,x\n,y\n", "rad 3: kolonnen «network» er tom"),
        ("network,owner_email\nNett A,ikke-epost\n", "rad 2: «ikke-epost» i kolonnen «owner_email» er ikke en gyldig e-postadresse"),
        ("network,fylke\nNett A,x\n", "rad 1: ukjente kolonner fylke"),
        ("network\nNett A\nnett a\n", "rad 3: nettverket «nett a» gir samme filnavn som rad 2"),
        ("navn\nNett A\n", "rad 1: overskriftsraden mangler kolonnen «network»"),
    ],
)
def test_cli_bad_roster_row_names_the_row(tmp_path, content, message):
    roster = tmp_path / "roster.csv"
    roster.write_text(content, encoding="utf-8")
    result = CliRunner().invoke(main, ["generate", "--roster", str(roster), "-o", str(tmp_path / "ut")])
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "ut").exists() or not list((tmp_path / "ut").iterdir())


def test_cli_generate_from_report_accepts_a_list_of_one(tmp_path):
    src = tmp_path / "r.json"
    src.write_text(json.dumps([example_report("salten").model_dump(mode="json")]), encoding="utf-8")
    result = CliRunner().invoke(main, ["generate", "--from", str(src), "-o", str(tmp_path / "s.xlsx")])
    assert result.exit_code == 0, result.output


def test_cli_fields_json_has_exactly_the_keys():
    result = CliRunner().invoke(main, ["fields", "--json", "--year", "2026"])
    rows = json.loads(result.output)
    assert all(set(r) == {"path", "sheet", "cell", "name", "type", "choices", "required"} for r in rows)
    by_path = {r["path"]: r for r in rows}
    assert by_path["measures.3.owner_lines.2.amount"]["type"] == "amount"
    assert by_path["measures.3.uh_lines.2.amount"]["sheet"] == "Tiltak 3"
    assert by_path["coordinator.dekom.amount"]["sheet"] == "Partnerskap"
    assert by_path["measures.1.needs_coordinator"]["choices"] == ["Ja", "Nei"]
    assert {r["type"] for r in rows} == {"text", "long_text", "amount", "integer", "choice", "email"}


def test_cli_fields_of_a_workbook_describes_its_sheets(tmp_path):
    out = tmp_path / "s.xlsx"
    CliRunner().invoke(main, ["generate", "-o", str(out), "--measures", "2", "--year", "2026"])
    rows = json.loads(CliRunner().invoke(main, ["fields", str(out), "--json"]).output)
    assert max(int(r["path"].split(".")[1]) for r in rows if r["path"].startswith("measures.")) == 2


def test_cli_schema_is_json_schema():
    schema = json.loads(CliRunner().invoke(main, ["schema"]).output)
    assert schema["title"] == "Report"
    assert "measures" in schema["properties"]


def test_every_command_has_help_with_an_example():
    for name, command in main.commands.items():
        assert command.help and "Example" in command.help, name


def test_cli_generate_roster_from_xlsx(tmp_path):
    import xlsxwriter

    roster = tmp_path / "roster.xlsx"
    book = xlsxwriter.Workbook(str(roster))
    ws = book.add_worksheet()
    for r, row in enumerate([["network", "owners", "uh_email"], ["Nett Æ", "Bodø", "uh@nord.no"], ["Nett B", "Fauske", "feil"]]):
        for c, value in enumerate(row):
            ws.write_string(r, c, value)
    book.close()
    result = CliRunner().invoke(main, ["generate", "--roster", str(roster), "-o", str(tmp_path / "ut")])
    assert result.exit_code == 1
    assert "rad 3: «feil» i kolonnen «uh_email»" in result.output
