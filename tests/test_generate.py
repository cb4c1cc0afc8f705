"""The generated workbook: structure, protection, validation, languages, determinism, roll-over, CLI."""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest
from click.testing import CliRunner
from helpers import NEW_FORM, OLD_FORM, REGISTRY, blank_form, example_report, form_of, prefilled
from openpyxl import load_workbook

from behovxl.cli import main
from behovxl.errors import UsageError
from behovxl.generate import Request, roll_over, safe_file_name
from behovxl.layout import build_layout
from behovxl.pipeline import read
from behovxl.writer import workbook_bytes


@pytest.fixture(scope="module")
def blank() -> bytes:
    return workbook_bytes(blank_form(2026, 8, network="Kompetansenettverk Test"))


@pytest.fixture(scope="module")
def book(blank):
    return load_workbook(io.BytesIO(blank))


def test_sheets_in_order(book):
    expected = ["Veiledning", "Partnerskap"] + [f"Tiltak {n}" for n in range(1, 9)] + [
        "Oppsummering", "Kontroll", "Lister", "Skjemainfo"]
    assert book.sheetnames == expected
    assert [ws.sheet_state for ws in book.worksheets][-3:] == ["hidden"] * 3


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
                if cell.has_style and not cell.protection.locked:
                    found.add((ws.title, cell.coordinate))
    return found


def test_unlocked_cells_are_exactly_the_named_inputs(book):
    named = set()
    for name, dn in book.defined_names.items():
        if name.startswith("F_"):
            for sheet, cells in dn.destinations:
                named.add((sheet, cells.replace("$", "")))
    layout = build_layout(blank_form(2026, 8))
    inputs = {(i.sheet, i.cell) for i in layout.inputs.values() if not i.locked}
    assert named == inputs
    assert _unlocked(book) == inputs


def test_no_input_cell_is_merged(book):
    layout = build_layout(blank_form(2026, 8))
    merged = {(ws.title, c) for ws in book.worksheets for rng in ws.merged_cells.ranges for c in
              [cell.coordinate for row in ws[rng.coord] for cell in row]}
    assert not merged & {(i.sheet, i.cell) for i in layout.inputs.values()}


def test_check_lines_have_k_names(book):
    names = {n for n in book.defined_names if n.startswith("K_")}
    assert names == {"K_utfylt", "K_pakrevd", "K_tall_som_tekst", "K_tusen", "K_koordinator", "K_egenandel",
                     "K_antall", "K_ordning", "K_koordinator_tiltak"}


def test_every_input_has_validation_and_help(book):
    layout = build_layout(blank_form(2026, 8))
    validated = {}
    for ws in book.worksheets:
        for dv in ws.data_validations.dataValidation:
            for cell_range in dv.sqref.ranges:
                validated[(ws.title, cell_range.coord)] = dv
    for field in layout.inputs.values():
        dv = validated[(field.sheet, field.cell)]
        assert dv.prompt and dv.error, field.path
        if field.type in ("amount", "integer"):
            assert (dv.type, dv.operator or "between", dv.formula1) == ("whole", "between", "0")
        elif field.type == "choice":
            assert dv.type == "list" and dv.formula1.startswith("Lister!$"), field.path
        elif field.type == "email":
            assert dv.type == "custom"
        else:
            assert dv.type == "textLength"


def test_long_answers_may_grow(blank):
    layout = build_layout(blank_form(2026, 8))
    xml = zipfile.ZipFile(io.BytesIO(blank)).read("xl/worksheets/sheet3.xml").decode()
    answer = layout.inputs["measures.1.anchoring"]
    row = re.search(rf'<row r="{answer.row + 1}"[^>]*>', xml).group(0)
    assert 'customHeight="1"' not in row and "ht=" in row


def test_period_labels_follow_the_year():
    layout = build_layout(blank_form(2030))
    labels = {s.text for s in layout.sheet("Tiltak 1").statics}
    assert {"Høst 2031", "2032", "2033"} <= labels
    assert layout.inputs["measures.1.duration.spring_y1"].label == "Varighet: vår 2031"


def test_the_deadline_falls_before_the_funded_period():
    guide = build_layout(blank_form(2027, form_id=NEW_FORM)).sheet("Veiledning")
    assert any("Frist for innsending: 1. februar 2027" == s.text for s in guide.statics)
    assert any("innen 1. februar 2027" in s.text and "sfnopost@statsforvalteren.no" in s.text for s in guide.statics)


def test_nynorsk_form_has_nynorsk_sheets_labels_and_messages():
    data = workbook_bytes(blank_form(2027, 3, "nn", NEW_FORM, network="Nett"))
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames[:3] == ["Rettleiing", "Partnarskap", "Tiltak 1"]
    texts = {c.value for row in book["Partnarskap"].iter_rows() for c in row if isinstance(c.value, str)}
    assert "Kontaktperson for eigaren" in texts
    values = load_workbook(io.BytesIO(data), data_only=True)["Oppsummering"]
    assert "Skjemaet er ikkje fylt ut: ingen tiltak har namn eller beløp." in {
        c.value for row in values.iter_rows() for c in row}


def test_one_scheme_asks_no_scheme_questions():
    layout = build_layout(blank_form(2027, 3, form_id=NEW_FORM))
    assert not any(p.startswith("partnership.schemes.") or p.endswith(".scheme") for p in layout.inputs)
    assert "partnership.several_schemes" not in layout.inputs
    assert "measures.1.target_groups.culture_school" in layout.inputs
    assert list(layout.form.definition.coordinator_keys()) == ["kollektiv"]


def test_same_input_gives_identical_bytes(blank):
    assert workbook_bytes(blank_form(2026, 8, network="Kompetansenettverk Test")) == blank
    report = example_report("indre-helgeland-rana")
    assert prefilled(report) == prefilled(report)


def test_text_is_never_a_formula():
    report = example_report("salten")
    report.measures[0].name = '=HYPERLINK("http://x","klikk")'
    report.partnership.owners = "@SUM(1,2)"
    layout = build_layout(form_of(report))
    book = load_workbook(io.BytesIO(prefilled(report)))
    cell = book["Tiltak 1"][layout.inputs["measures.1.name"].cell]
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")
    assert book["Partnerskap"][layout.inputs["partnership.owners"].cell].data_type == "s"


def test_cached_values_are_the_python_figures():
    report = example_report("indre-helgeland-rana")
    layout = build_layout(form_of(report))
    book = load_workbook(io.BytesIO(prefilled(report)), data_only=True)
    cell = layout.formulas["summary.schemes.kompetanseloftet.uh"]
    assert book[cell.sheet][cell.cell].value == 926519
    total = layout.formulas["summary.schemes.sum.total"]
    assert book[total.sheet][total.cell].value == 1556519


def test_prefilled_forms_have_no_empty_measure_sheets():
    report = example_report("indre-helgeland-rana")
    names = load_workbook(io.BytesIO(prefilled(report))).sheetnames
    assert [n for n in names if n.startswith("Tiltak")] == [f"Tiltak {n}" for n in range(1, 5)]


def test_safe_file_names():
    assert safe_file_name("Kompetansenettverk Ytre Helgeland (GOA)", 2026) == "behovsmelding-2026-kompetansenettverk-ytre-helgeland-goa.xlsx"
    assert safe_file_name("Bodø/Fauske & Sørfold", 2026) == "behovsmelding-2026-bodo-fauske-sorfold.xlsx"
    assert safe_file_name("../../etc", 2026) == "behovsmelding-2026-etc.xlsx"


# ---------------------------------------------------------------- next year's form


def test_roll_over_to_next_year_carries_the_partnership_and_continuing_measures():
    rana = example_report("indre-helgeland-rana")
    form, report = roll_over(rana, Request(REGISTRY, 2027))
    assert (form.definition.form_id, form.year, form.reference) == (NEW_FORM, 2027, True)
    assert report.contacts == rana.contacts and report.units == rana.units
    assert [m.name for m in report.measures] == [m.name for m in rana.measures]
    assert [m.scheme for m in report.measures] == ["kollektiv"] * 4
    assert [m.reference.owner for m in report.measures] == [165, 25000, 50000, 25000]
    assert all(m.owner_lines == [] and m.total == 0 for m in report.measures)
    assert report.continuation.measures == "1, 2, 3, 4"


def test_rolled_form_says_2027_everywhere(tmp_path):
    out = tmp_path / "neste.xlsx"
    src = tmp_path / "rana.json"
    src.write_text(example_report("indre-helgeland-rana").model_dump_json(), encoding="utf-8")
    result = CliRunner().invoke(main, ["generate", "--from", str(src), "--year", "2027", "-o", str(out)])
    assert result.exit_code == 0, result.output
    book = load_workbook(out)
    identity = {book["Skjemainfo"].cell(r, 1).value: book["Skjemainfo"].cell(r, 2).value for r in range(1, 9)}
    assert (identity["year"], identity["form_id"], identity["reference"]) == ("2027", NEW_FORM, "1")
    texts = " ".join(str(c.value) for ws in book.worksheets if ws.sheet_state == "visible"
                     for row in ws.iter_rows() for c in row if isinstance(c.value, str))
    assert "2027" in texts and "2026–2027" not in texts and "Vår 2026" not in texts
    back = read(out)
    assert back.report.year == 2027 and back.report.measure(1).reference.owner == 165


def test_continuing_grant_keeps_the_old_rules(tmp_path):
    form, report = roll_over(example_report("indre-helgeland-rana"), Request(REGISTRY, 2027, form=OLD_FORM))
    assert form.definition.form_id == OLD_FORM and [m.scheme for m in report.measures] == ["kompetanseloftet"] * 4


@pytest.mark.parametrize("year", [2025, 2026 + 2, 2031])
def test_a_year_that_cannot_be_rolled_to_is_an_error(year):
    with pytest.raises(UsageError) as err:
        roll_over(example_report("salten"), Request(REGISTRY, year))
    assert "kan brukes som grunnlag for skjemaet for 2027" in str(err.value)


def test_generate_from_a_returned_workbook(tmp_path):
    returned = tmp_path / "salten.xlsx"
    returned.write_bytes(prefilled(example_report("salten")))
    out = tmp_path / "neste.xlsx"
    result = CliRunner().invoke(main, ["generate", "--from", str(returned), "--year", "2027", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert read(out).report.partnership.network == "Kompetansenettverk Salten"


# ---------------------------------------------------------------- CLI


def test_cli_generate_blank(tmp_path):
    out = tmp_path / "skjema.xlsx"
    result = CliRunner().invoke(main, ["generate", "-o", str(out), "--year", "2026", "--measures", "3", "--network", "Nett"])
    assert result.exit_code == 0, result.output
    assert load_workbook(out).sheetnames[2:5] == ["Tiltak 1", "Tiltak 2", "Tiltak 3"]


def test_cli_generate_nynorsk(tmp_path):
    out = tmp_path / "skjema.xlsx"
    result = CliRunner().invoke(main, ["generate", "-o", str(out), "--year", "2027", "--målform", "nynorsk"])
    assert result.exit_code == 0, result.output
    assert load_workbook(out).sheetnames[0] == "Rettleiing"


def test_cli_generate_roster_with_norwegian_columns_and_malform(tmp_path):
    roster = tmp_path / "liste.csv"
    roster.write_bytes("Nettverk;Eiere;E-post eier;Målform\r\nNett A;Bodø;ola@bodo.kommune.no;bokmål\r\n"
                       "Nett Bø;Fauske;;nynorsk\r\n".encode("cp1252"))
    result = CliRunner().invoke(main, ["generate", "--roster", str(roster), "-o", str(tmp_path / "ut"), "--year", "2027"])
    assert result.exit_code == 0, result.output
    files = sorted(p.name for p in (tmp_path / "ut").iterdir())
    assert files == ["behovsmelding-2027-nett-a.xlsx", "behovsmelding-2027-nett-bo.xlsx"]
    languages = {load_workbook(tmp_path / "ut" / f).sheetnames[0] for f in files}
    assert languages == {"Veiledning", "Rettleiing"}
    assert "2 arbeidsbøker skrevet til" in result.output


@pytest.mark.parametrize(
    "content, message",
    [
        ("Nettverk;Eiere\nNett A;x\n;y\n", "rad 3"),
        ("Nettverk;E-post eier\nNett A;ikke-epost\n", "ikke-epost"),
        ("Nettverk;Fylke\nNett A;x\n", "Fylke"),
        ("Navn\nNett A\n", "«nettverk»"),
    ],
)
def test_cli_bad_roster_row_names_the_row(tmp_path, content, message):
    roster = tmp_path / "liste.csv"
    roster.write_text(content, encoding="utf-8")
    result = CliRunner().invoke(main, ["generate", "--roster", str(roster), "-o", str(tmp_path / "ut")])
    assert result.exit_code == 1, result.output
    assert message in result.output and "Feil:" in result.output
    assert "Traceback" not in result.output and "Error" not in result.output
    assert not (tmp_path / "ut").exists() or not list((tmp_path / "ut").iterdir())


def test_cli_generate_from_report_accepts_a_list_of_one(tmp_path):
    src = tmp_path / "r.json"
    src.write_text(json.dumps([example_report("salten").model_dump(mode="json")]), encoding="utf-8")
    result = CliRunner().invoke(main, ["generate", "--from", str(src), "-o", str(tmp_path / "s.xlsx")])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("args, message", [
    (["--measures", "0"], "«--measures»"),
    (["--measures", "21"], "«--measures»"),
    (["-o", "skjema.xls"], "slutter ikke på .xlsx"),
    (["--year", "abc"], "«abc» er ikke et gyldig heltall"),
    (["--form", "finnes-ikke"], "Skjemaet «finnes-ikke» finnes ikke"),
    (["--year", "2020", "--form", NEW_FORM], "gjelder årene 2027–2035"),
])
def test_cli_generate_usage_errors_are_norwegian(tmp_path, args, message):
    base = ["generate", "-o", str(tmp_path / "s.xlsx")]
    result = CliRunner().invoke(main, base + args if "-o" not in args else ["generate", *args])
    assert result.exit_code in (1, 2), result.output
    assert message in result.output and "Error" not in result.output and "Traceback" not in result.output


def test_cli_fields_json_has_exactly_the_keys():
    result = CliRunner().invoke(main, ["fields", "--json", "--year", "2026"])
    rows = json.loads(result.output)
    assert all(set(r) == {"path", "sheet", "cell", "name", "label", "type", "choices", "required"} for r in rows)
    by_path = {r["path"]: r for r in rows}
    assert by_path["measures.3.owner_lines.2.amount"]["type"] == "amount"
    assert by_path["coordinator.dekom.amount"]["sheet"] == "Partnerskap"
    assert by_path["measures.1.needs_coordinator"]["choices"] == ["Ja", "Nei"]
    assert {r["type"] for r in rows} == {"text", "long_text", "amount", "integer", "choice", "email"}


def test_cli_fields_table_has_norwegian_headers():
    out = CliRunner().invoke(main, ["fields", "--year", "2027"]).output
    assert out.splitlines()[0].split() == ["Sti", "Ark", "Celle", "Definert", "navn", "Type", "Valg", "Påkrevd"]


def test_cli_fields_of_a_workbook_describes_its_sheets(tmp_path):
    out = tmp_path / "s.xlsx"
    CliRunner().invoke(main, ["generate", "-o", str(out), "--measures", "2", "--year", "2026"])
    rows = json.loads(CliRunner().invoke(main, ["fields", str(out), "--json"]).output)
    assert max(int(r["path"].split(".")[1]) for r in rows if r["path"].startswith("measures.")) == 2


def test_cli_schema_is_json_schema():
    schema = json.loads(CliRunner().invoke(main, ["schema"]).output)
    assert schema["title"] == "Report" and "measures" in schema["properties"]


def test_cli_forms_lists_both_definitions():
    out = CliRunner().invoke(main, ["forms"]).output
    assert f"{OLD_FORM}  versjon 1  2022–2028  Regional ordning, Desentralisert ordning, Kompetanseløftet" in out
    assert f"{NEW_FORM}  versjon 1  2027–2035  Kollektiv kompetanseutvikling" in out


def test_every_command_has_norwegian_help_with_an_example():
    for name, command in main.commands.items():
        assert command.help and "Eksempel:" in command.help, name
        out = CliRunner().invoke(main, [name, "-h"]).output
        assert out.startswith("Bruk: ") and "Valg:" in out and "Show this" not in out, name
