"""Form definitions are data: validated key by key, and any scheme set runs the whole round.

A broken definition is refused with a message that names the file and the TOML key.
A Statsforvalteren's own definition, here one with five schemes, a 25 % co-funding
share on two of them and a coordinator cap, goes through generate, filling in,
LibreOffice's recalculation, check and consolidate like the shipped ones.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from helpers import NEW_FORM, OLD_FORM, REGISTRY
from libreoffice import recalc_many
from openpyxl import load_workbook

from behovxl.consolidate import consolidate
from behovxl.definition import load_definition
from behovxl.errors import DefinitionError, UsageError
from behovxl.form import Form
from behovxl.layout import build_layout
from behovxl.pipeline import read
from behovxl.registry import Registry, template_dir
from behovxl.writer import workbook_bytes

OLD_TOML = (template_dir() / "behovsmelding-1.toml").read_text(encoding="utf-8")


def _broken(tmp_path: Path, old: str, new: str, count: int = 1) -> Path:
    assert OLD_TOML.count(old) >= count, old
    path = tmp_path / "mitt-skjema.toml"
    path.write_text(OLD_TOML.replace(old, new, count), encoding="utf-8")
    return path


BROKEN = [
    # (id, replace this, with this, the key the message must name)
    ("missing-key", 'max_measures = 20\n', "", "form.max_measures"),
    ("missing-nynorsk", 'guide = { nb = "Veiledning", nn = "Rettleiing" }', 'guide = { nb = "Veiledning" }', "sheets.guide.nn"),
    ("unknown-list", 'list = "purposes"', 'list = "formaal"', "measure.blocks[0].fields[3].list"),
    ("wrong-type", "default_measures = 8", 'default_measures = "åtte"', "form.default_measures"),
    ("unknown-field", 'key = "target_group"', 'key = "maalgruppe"', "measure.blocks[0].fields[5].key"),
    ("unknown-key", "[thousands]\n", "[thousands]\nterskel = 5\n", "thousands.terskel"),
    ("unknown-block-kind", 'kind = "totals"', 'kind = "summer"', "measure.blocks[6].kind"),
    ("share-out-of-range", 'share = "0.30"', 'share = "1.30"', "schemes[1].cofunding.share"),
    ("placeholders-differ", 'total_label = { nb = "Sum eier", nn = "Sum eigar" }',
     'total_label = { nb = "Sum eier {Y}", nn = "Sum eigar" }', "measure.blocks[3].total_label"),
    ("duplicate-scheme", 'key = "dekom"', 'key = "rekom"', "schemes"),
    ("duplicate-field", 'key = "attachment"', 'key = "name"', "partnership/measure"),
    ("duplicate-toml-key", "default_measures = 8\n", "default_measures = 8\ndefault_measures = 9\n", "oppgitt to ganger"),
    ("missing-check-line", 'count = { nb = "Antall tiltak", nn = "Talet på tiltak" }' + "\n", "", "summary.checks"),
    ("unknown-message-code", "[summary]\n", '[messages]\nfinnes-ikke = { nb = "x", nn = "x" }\n\n[summary]\n', "messages.finnes-ikke"),
]


@pytest.mark.parametrize("old, new, key", [pytest.param(o, n, k, id=i) for i, o, n, k in BROKEN])
def test_a_broken_definition_names_the_file_and_the_key(tmp_path, old, new, key):
    path = _broken(tmp_path, old, new)
    with pytest.raises(DefinitionError) as err:
        load_definition(path)
    message = str(err.value)
    assert message.startswith(str(path)) and key in message, message
    assert "Error" not in message and "Traceback" not in message and "KeyError" not in message


def test_shipped_definitions_load_and_have_both_languages():
    ids = {(d.form_id, d.version) for d in REGISTRY.definitions}
    assert ids == {(OLD_FORM, "1"), (NEW_FORM, "1")}
    for d in REGISTRY.definitions:
        assert d.sheets.guide.nb and d.sheets.guide.nn


@pytest.mark.parametrize("year, expected", [(2026, OLD_FORM), (2027, NEW_FORM), (2030, NEW_FORM)])
def test_the_default_is_the_newest_definition_valid_for_the_year(year, expected):
    assert REGISTRY.pick(year).form_id == expected


def test_no_definition_for_the_year_is_a_clear_error():
    with pytest.raises(UsageError, match="Ingen skjemadefinisjon gjelder for 2019"):
        REGISTRY.pick(2019)


# ---------------------------------------------------------------- a Statsforvalteren's own: five schemes

FIVE = {
    "barnehage": ("Barnehage", "BHG", True, None),
    "grunnskole": ("Grunnskole", "GS", True, None),
    "pp": ("PP-tjenesten", "PPT", False, 100000),
    "kulturskole": ("Kulturskole", "KS", False, None),
    "sfo": ("SFO", "SFO", False, None),
}


def five_scheme_definition(folder: Path) -> Path:
    """The 2021-rules form with its three schemes replaced by five, two with 25 % co-funding, one with a cap."""
    schemes = ""
    for key, (label, short, cofunding, cap) in FIVE.items():
        schemes += (f'[[schemes]]\nkey = "{key}"\nlabel = {{ nb = "{label}", nn = "{label}" }}\n'
                    f'short = {{ nb = "{short}", nn = "{short}" }}\npartners = ["uh"]\n')
        if cofunding:
            schemes += 'cofunding = { share = "0.25", of = "total" }\n'
        if cap:
            schemes += f"coordinator_cap = {{ amount = {cap} }}\n"
        schemes += "\n"
    text = re.sub(r"\[\[schemes\]\].*?(?=\[coordinator\])", schemes, OLD_TOML, count=1, flags=re.S)
    text = text.replace('id = "behovsmelding-lokal-kompetanseutvikling"', 'id = "nordland-fem-ordninger"')
    path = folder / "nordland-fem.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def five(tmp_path_factory) -> tuple[Registry, Path]:
    folder = tmp_path_factory.mktemp("forms")
    five_scheme_definition(folder)
    return Registry.default().with_files([folder]), folder


def _five_typed(registry: Registry) -> tuple[Form, dict]:
    d = registry.lookup("nordland-fem-ordninger", "1")
    form = Form(d, 2026, 3, "nb", "Kompetansenettverk Fem")
    raw = {
        "partnership.network": "Kompetansenettverk Fem", "partnership.owners": "Bodø kommune", "partnership.uh": "Nord",
        "contacts.owner.name": "Kari", "contacts.owner.email": "kari@bodo.kommune.no", "contacts.uh.name": "Per",
        "contacts.uh.email": "per@nord.no", "declared_measures": 3,
        "measures.1.name": "Språk", "measures.1.scheme": "Barnehage", "measures.1.owner_lines.1.amount": 100000,
        "measures.1.uh_lines.1.amount": 100000, "measures.1.cofunding": 40000,
        "measures.2.name": "Lesing", "measures.2.scheme": "Grunnskole", "measures.2.owner_lines.1.amount": 200000,
        "measures.2.cofunding": 60000, "measures.2.needs_coordinator": "Nei",
        "measures.3.name": "Samhandling", "measures.3.scheme": "PP-tjenesten", "measures.3.owner_lines.1.amount": 300000,
        "measures.3.needs_coordinator": "Ja", "coordinator.pp.amount": 150000,
    }
    return form, raw


def test_five_schemes_give_five_flags_coordinator_rows_and_summary_rows(five):
    registry, _ = five
    form, _ = _five_typed(registry)
    layout = build_layout(form)
    assert [p for p in layout.inputs if p.startswith("partnership.schemes.")] == [f"partnership.schemes.{k}" for k in FIVE]
    assert [p for p in layout.inputs if p.startswith("coordinator.") and p.endswith(".amount")] == [
        f"coordinator.{k}.amount" for k in FIVE]
    assert {f"summary.schemes.{k}.total" for k in FIVE} <= set(layout.formulas)


@pytest.mark.libreoffice
def test_the_whole_round_on_a_five_scheme_definition(five, tmp_path):
    registry, folder = five
    form, raw = _five_typed(registry)
    layout = build_layout(form)
    book = load_workbook(io.BytesIO(workbook_bytes(form)))
    for path, value in raw.items():
        book[layout.inputs[path].sheet][layout.inputs[path].cell].value = value
    typed = tmp_path / "fem.xlsx"
    book.save(typed)
    (returned,) = recalc_many([typed], tmp_path / "lo")
    result = read(returned, registry=registry)
    found = {(f.code, f.sheet, f.cell) for f in result.findings if f.code != "required-missing"}
    cofunding = layout.inputs["measures.1.cofunding"]
    cap = layout.inputs["coordinator.pp.amount"]
    assert found == {
        ("cofunding-low", cofunding.sheet, cofunding.cell),   # 25 % of 200 000 is 50 000
        ("coordinator-cap", cap.sheet, cap.cell),            # PP-tjenesten allows at most 100 000
    }
    messages = {f.code: f.message for f in result.findings}
    assert messages["coordinator-cap"] == "Koordinatormidlene for PP-tjenesten er 150\u00a0000 kr, men kan være høyst 100\u00a0000 kr."
    cells = load_workbook(returned, data_only=True)
    check = layout.formulas["summary.checks.cofunding"]
    assert cells[check.sheet][check.cell].value.startswith("Tiltak 1: egenandelen er 40\u00a0000 kr, men Barnehage krever")
    c = consolidate([returned], forms=[folder], jobs=1)
    assert [n.name for n in c.counted] == ["Kompetansenettverk Fem"]
    assert c.registry.scheme_labels()["pp"] == "PP-tjenesten"


def test_forms_option_reads_a_folder_of_definitions(five, tmp_path):
    from click.testing import CliRunner

    from behovxl.cli import main

    _, folder = five
    out = CliRunner().invoke(main, ["forms", "--forms", str(folder)]).output
    assert "nordland-fem-ordninger  versjon 1  2022–2028  Barnehage, Grunnskole, PP-tjenesten, Kulturskole, SFO" in out
