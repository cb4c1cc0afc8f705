"""A network fills in a blank form in LibreOffice, with mistakes; check names each one at its cell."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import NEW_FORM, blank_form

from behovxl.layout import build_layout
from behovxl.pipeline import read
from behovxl.writer import workbook_bytes

pytestmark = pytest.mark.libreoffice

FILL = Path(__file__).resolve().parent / "lo_fill.py"
DEBIAN_PYTHON = "/usr/bin/python3"

# (path, value typed) ; strings are typed as text, numbers as numbers
TYPED = {
    "partnership.network": "Kompetansenettverk Prøve",
    "partnership.owners": "Prøve kommune, Testvik kommune",
    "partnership.uh": "Nord universitet",
    "contacts.owner.name": "Kari Nordmann",
    "contacts.owner.email": "kari@prove.kommune.no",
    "contacts.uh.name": "Per Hansen",
    "contacts.uh.email": "per.hansen(at)nord.no",
    "declared_measures": 2,
    "coordinator.rekom.amount": 50000,
    "measures.1.name": "Lesing i alle fag",
    "measures.1.priority": 1,
    "measures.1.scheme": "Desentralisert ordning",
    "measures.1.owner_lines.1.amount": 200000,
    "measures.1.uh_lines.1.amount": 300000,
    "measures.1.cofunding": 100000,
    "measures.2.name": "Språk i barnehagen",
    "measures.2.priority": 2,
    "measures.2.scheme": "Kompetanseløftet",
    "measures.2.owner_lines.1.amount": 150000,
    "measures.2.continuation.1.owner": 150,
    "measures.3.name": "Inkludering",
    "measures.3.priority": 2,
    "measures.3.scheme": "Kompetanseløftet",
    "measures.3.owner_lines.1.amount": "250.000",
}

EXPECTED = [
    ("invalid-email", "contacts.uh.email"),
    ("declared-count", "declared_measures"),
    ("coordinator-unused", "coordinator.rekom.amount"),
    ("cofunding-low", "measures.1.cofunding"),
    ("priority-duplicate", "measures.2.priority"),
    ("priority-duplicate", "measures.3.priority"),
    ("continuation-thousands", "measures.2.continuation.1.owner"),
    ("text-number", "measures.3.owner_lines.1.amount"),
]


def _has_uno() -> bool:
    if not shutil.which(DEBIAN_PYTHON):
        return False
    return subprocess.run([DEBIAN_PYTHON, "-c", "import uno"], capture_output=True).returncode == 0


def _type_into(tmp_path: Path, form, typed: dict) -> Path:
    if not _has_uno():
        pytest.fail("Debian's python3-uno is needed to type into LibreOffice (apt-get install python3-uno)")
    layout = build_layout(form)
    blank = tmp_path / "blank.xlsx"
    blank.write_bytes(workbook_bytes(form))
    edits = [{"sheet": layout.inputs[p].sheet, "cell": layout.inputs[p].cell, "value": v} for p, v in typed.items()]
    (tmp_path / "edits.json").write_text(json.dumps(edits, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "returned.xlsx"
    subprocess.run([DEBIAN_PYTHON, str(FILL), str(blank), str(tmp_path / "edits.json"), str(out)], check=True, timeout=180)
    return out


def test_form_filled_in_libreoffice_is_checked_cell_by_cell(tmp_path):
    form = blank_form(2026, 4, network="Kompetansenettverk Prøve")
    layout = build_layout(form)
    result = read(_type_into(tmp_path, form, TYPED))
    found = {(f.code, f.sheet, f.cell) for f in result.findings}
    for code, path in EXPECTED:
        assert (code, layout.inputs[path].sheet, layout.inputs[path].cell) in found, (code, path)
    # LibreOffice's rewritten formulas and protection are not tampering, and every cached value it
    # computed equals Python's recomputation from the same raw cells.
    assert not {f.code for f in result.findings} & {"formula-changed", "formula-replaced", "stale-value", "sheet-missing"}
    report = result.report
    assert report.measure(3).owner_amount == 250000
    assert report.measure(1).total == 500000
    assert report.partnership.network == "Kompetansenettverk Prøve"


NYNORSK = {
    "partnership.network": "Kompetansenettverk Sunnfjord", "partnership.owners": "Sunnfjord kommune, Askvoll kommune",
    "partnership.uh": "Høgskulen på Vestlandet", "partnership.uh_kind": "Universitet eller høgskule (UH)",
    "contacts.owner.name": "Ingrid Vik", "contacts.owner.email": "ingrid.vik@sunnfjord.kommune.no",
    "contacts.uh.name": "Olav Dale", "contacts.uh.email": "olav.dale@hvl.no", "declared_measures": 1,
    "measures.1.name": "Leseløftet", "measures.1.priority": 1, "measures.1.owner_lines.1.amount": "60 tusen",
    "measures.1.uh_lines.1.amount": 150,
}


def test_nynorsk_form_filled_in_libreoffice_gets_nynorsk_findings(tmp_path):
    form = blank_form(2027, 2, "nn", NEW_FORM, network="Kompetansenettverk Sunnfjord")
    layout = build_layout(form)
    result = read(_type_into(tmp_path, form, NYNORSK))
    assert result.language == "nn"
    by_code = {f.code: f for f in result.findings}
    line = layout.inputs["measures.1.owner_lines.1.amount"]
    assert (by_code["text-number"].sheet, by_code["text-number"].cell) == (line.sheet, line.cell)
    assert "er skrive som tekst og kjem ikkje med i summane" in by_code["text-number"].message
    assert "feltet må fyllast ut" in by_code["required-missing"].message
    assert "stale-value" not in by_code and "formula-changed" not in by_code
