"""The forum's innstilling: the sheet's formulas, reading it back, its checks, and `behovxl innstilling`.

A regional workbook is made from the four example reports; the innstilling is typed into
it through LibreOffice (tests/lo_fill.py, as a person would type) or patched in its XML
(a formula overwritten or changed), and then read back.
"""

from __future__ import annotations

import functools
import io
import json
import re
import subprocess
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import pytest
from helpers import example_report, prefilled
from hypothesis import given, settings
from hypothesis import strategies as st

from behovxl.consolidate import consolidate
from behovxl.expr import XlError
from behovxl.innstilling import SETUP_SHEET, SHEET, Layout, allocation_from_cells, read_innstilling, run_innstilling
from behovxl.ownfiles import CSV_HEADS, own_output
from behovxl.package import Cell, open_package
from behovxl.regional import consolidate_to_files, regional_bytes
from behovxl.tabular import Round

SALTEN, YTRE = "Kompetansenettverk Salten", "Kompetansenettverk Ytre Helgeland"


@pytest.fixture(scope="module")
def returned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("returned")
    for name in ("indre-helgeland-rana", "lofoten", "salten", "ytre-helgeland"):
        (folder / f"{name}.xlsx").write_bytes(prefilled(example_report(name)))
    return folder


@pytest.fixture(scope="module")
def regional(returned: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    c = consolidate([returned], jobs=1)
    path = tmp_path_factory.mktemp("regional") / "regional.xlsx"
    path.write_bytes(regional_bytes(c))
    return {"c": c, "path": path, "round": Round(c)}


def cell(r: Round, key: str) -> str:
    return r.layout.cell(key)


def line(r: Round, network: str, number: int) -> int:
    """The index of a measure's line (number 0: the network's coordinator line)."""
    key = next(n.key for n in r.c.counted if n.name == network)
    return next(i for i, ln in enumerate(r.spec.lines) if ln.network == key and ln.number == number)


def found(findings: list[Any]) -> set[tuple[str, str | None, str | None]]:
    return {(f.code, f.sheet, f.cell) for f in findings}


# ---------------------------------------------------------------- the sheet as written


def test_an_untouched_innstilling_reads_back_as_the_request(regional: dict[str, Any]) -> None:
    allocation = read_innstilling(regional["path"].read_bytes(), "regional.xlsx")
    r = regional["round"]
    assert found(allocation.findings) == {("frame-missing", SHEET, cell(r, f"frame.{k}"))
                                          for k in ("rekom", "dekom", "kompetanseloftet")}
    assert allocation.exit_code == 0
    data = json.loads(allocation.json_bytes())
    assert list(data) == ["behovxl", "year", "file", "frame", "schemes", "networks", "findings"]
    assert (data["behovxl"], data["year"], data["frame"]) == ("innstilling", 2026,
                                                              {"rekom": None, "dekom": None, "kompetanseloftet": None})
    salten = next(n for n in data["networks"] if n["network"] == SALTEN)
    assert salten["schemes"]["dekom"] == {"owner": 650_000, "coordinator": 120_000, "uh": 850_000, "total": 1_620_000,
                                          "requested": 1_620_000, "estimate_next_round": {"owner": 325_000, "uh": 0}}
    assert salten["measures"][0] == {"number": 1, "scheme": "dekom", "name": "Lesing og skriving i alle fag",
                                     "owner": 400_000, "uh": 500_000, "requested_owner": 400_000,
                                     "requested_uh": 500_000, "comment": None}
    assert sum(s["recommended"] for s in data["schemes"]) == 8_040_519


def test_every_cached_value_is_the_python_value_of_the_same_expression(regional: dict[str, Any]) -> None:
    r = regional["round"]
    package = open_package(regional["path"].read_bytes())
    cells = package.cells(SHEET)
    results = r.layout.evaluate(_initial(r))
    texts = r.layout.texts()
    for key, value in results.items():
        stored = cells[r.layout.pos[key]]
        assert stored.formula is not None and stored.formula.lstrip("=") == texts[key], key
        assert _same(stored.value, value), (key, stored.value, value)


def _initial(r: Round) -> dict[str, Any]:
    from behovxl.innstilling import initial_values

    return initial_values(r.layout, r.views, r.frame)


def test_the_check_cells_say_ok_for_the_request_and_name_what_is_missing(regional: dict[str, Any]) -> None:
    r = regional["round"]
    results = r.layout.evaluate(_initial(r))
    assert {k: results[f"chk.{k}"] for k in ("over", "above", "negative", "text")} == dict.fromkeys(
        ("over", "above", "negative", "text"), "OK")
    assert results["chk.frame"] == "Rammen mangler for: REKOM. DEKOM. Kompetanseløftet. "


# ---------------------------------------------------------------- the checks, cell by cell


def _cells_with(r: Round, edits: dict[str, Any]) -> dict[tuple[int, int], Cell]:
    """The sheet's cells as written, with input values replaced: what a spreadsheet would save."""
    values = {**_initial(r), **edits}
    results = r.layout.evaluate(values)
    texts = r.layout.texts()
    cells = {r.layout.pos[k]: Cell(v, None) for k, v in values.items() if k in r.layout.pos}
    cells.update({r.layout.pos[k]: Cell(None if isinstance(v, XlError) else v, texts[k]) for k, v in results.items()})
    return cells


@pytest.mark.parametrize(("edits", "expected"), [
    ({"frame.dekom": 3_000_000}, {("over-frame", "fr.dekom.recommended")}),
    ({"frame.dekom": 3_699_000}, set()),
    ({"rec.{salten1}.owner": 400_001}, {("above-request", "rec.{salten1}.owner")}),
    ({"rec.{salten1}.uh": 499_999}, set()),
    ({"rec.{salten1}.owner": -1}, {("negative-amount", "rec.{salten1}.owner")}),
    ({"rec.{salten1}.owner": "350 000"}, {("text-number", "rec.{salten1}.owner")}),
    ({"rec.{salten1}.owner": "mye"}, {("unparseable-number", "rec.{salten1}.owner")}),
    ({"rec.{salten1}.owner": 1000.5}, {("fractional-amount", "rec.{salten1}.owner")}),
    ({"frame.dekom": "mye"}, {("unparseable-number", "frame.dekom")}),
    ({"rec.{coordinator}.owner": 150_000}, {("above-request", "rec.{coordinator}.owner")}),
    ({"rec.{coordinator}.uh": 5}, {("above-request", "rec.{coordinator}.uh")}),  # a locked cell, unlocked and typed in
])
def test_each_problem_is_found_at_its_cell(regional: dict[str, Any], edits: dict[str, Any],
                                           expected: set[tuple[str, str]]) -> None:
    r = regional["round"]
    names = {"salten1": line(r, SALTEN, 1), "coordinator": line(r, SALTEN, 0)}
    edits = {k.format(**names): v for k, v in edits.items()}
    frames = {f"frame.{k}": 10_000_000 for k in ("rekom", "dekom", "kompetanseloftet")}
    allocation = allocation_from_cells("r.xlsx", r.layout, _cells_with(r, {**frames, **edits}))
    assert found(allocation.findings) == {(code, SHEET, cell(r, key.format(**names))) for code, key in expected}
    assert allocation.exit_code == (1 if expected else 0)


amount = st.one_of(st.integers(-1_000, 2_000_000), st.sampled_from(["100 000", "tekst", None]))


@functools.cache
def _example_round() -> Round:
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("indre-helgeland-rana", "lofoten", "salten", "ytre-helgeland"):
            (Path(tmp) / f"{name}.xlsx").write_bytes(prefilled(example_report(name)))
        return Round(consolidate([Path(tmp)], jobs=1))


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_the_live_check_cells_and_the_python_checks_agree(data: st.DataObject) -> None:
    r = _example_round()
    keys = [k for k in r.layout.inputs if k.startswith(("rec.", "frame."))]
    edits = {k: data.draw(amount, label=k) for k in data.draw(st.lists(st.sampled_from(keys), max_size=6, unique=True))}
    cells = _cells_with(r, edits)
    allocation = allocation_from_cells("r.xlsx", r.layout, cells)
    codes = {f.code for f in allocation.findings}
    results = allocation.results
    assert (results["chk.over"] != "OK") == ("over-frame" in codes)
    assert (results["chk.above"] != "OK") == ("above-request" in codes)
    assert (results["chk.negative"] != "OK") == ("negative-amount" in codes)
    assert (results["chk.text"] != "OK") == bool(codes & {"text-number", "unparseable-number"})
    counted = sum(v for k, v in {**_initial(r), **edits}.items()
                  if k.startswith("rec.") and isinstance(v, int) and not isinstance(v, bool))
    assert results["net.all.rec_total"] == counted == sum(n["schemes"][s]["total"] for n in allocation.networks()
                                                         for s in n["schemes"])


# ---------------------------------------------------------------- formulas overwritten or changed


def _patched(data: bytes, cell_ref: str, replacement: str) -> bytes:
    """The regional workbook with one Innstilling cell's XML replaced (the sheet is the second part)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet2.xml":
                body, n = re.subn(rf'<c r="{cell_ref}"([^>]*)><f>[^<]*</f><v>[^<]*</v></c>'.encode(),
                                  replacement.replace("ATTRS", r"\1").encode(), body)
                assert n == 1
            dst.writestr(info, body)
    return out.getvalue()


def test_a_formula_overwritten_or_changed_is_found(regional: dict[str, Any]) -> None:
    r = regional["round"]
    data = regional["path"].read_bytes()
    where = cell(r, "fr.dekom.recommended")
    replaced = read_innstilling(_patched(data, where, f'<c r="{where}"ATTRS><v>1</v></c>'), "r.xlsx")
    assert ("formula-replaced", SHEET, where) in found(replaced.findings)
    total = cell(r, "net.all.rec_total")
    changed = read_innstilling(_patched(data, total, f'<c r="{total}"ATTRS><f>SUM(1,2)</f><v>3</v></c>'), "r.xlsx")
    assert ("formula-changed", SHEET, total) in found(changed.findings)
    assert changed.exit_code == replaced.exit_code == 1


# ---------------------------------------------------------------- not an innstilling


def test_a_file_without_an_innstilling_is_unreadable_in_bokmal(tmp_path: Path, returned: Path) -> None:
    form = returned / "salten.xlsx"
    outcome = run_innstilling(form)
    assert outcome.exit_code == 2 and "er ikke en regional arbeidsbok fra behovxl" in outcome.text
    text = tmp_path / "notat.xlsx"
    text.write_text("ikke en arbeidsbok", encoding="utf-8")
    outcome = run_innstilling(text)
    assert outcome.exit_code == 2 and "Excel" in outcome.text and "Traceback" not in outcome.text
    outcome = run_innstilling(tmp_path / "finnes-ikke.xlsx")
    assert outcome.exit_code == 2 and "finnes ikke" in outcome.text


def test_a_changed_setup_sheet_is_refused(regional: dict[str, Any]) -> None:
    from openpyxl import load_workbook

    book = load_workbook(regional["path"])
    ws = book[SETUP_SHEET]
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "line")
    ws.cell(row, 2).value = "ukjent"
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(Exception, match="Det skjulte arket «Oppsett» er endret"):
        read_innstilling(out.getvalue(), "r.xlsx")


# ---------------------------------------------------------------- the command


def test_run_innstilling_writes_json_and_csv(regional: dict[str, Any], tmp_path: Path) -> None:
    outcome = run_innstilling(regional["path"], json_path=tmp_path / "fordeling.json", csv_dir=tmp_path / "csv")
    assert outcome.exit_code == 0
    assert "Per ordning:" in outcome.text and "Kompetansenettverk Salten" in outcome.text
    data = json.loads((tmp_path / "fordeling.json").read_text("utf-8"))
    assert own_output("fordeling.json", (tmp_path / "fordeling.json").read_bytes()) == "JSON-fil"
    assert data["behovxl"] == "innstilling"
    for path in (tmp_path / "csv").iterdir():
        raw = path.read_bytes()
        assert raw[3:].decode().startswith(CSV_HEADS[path.stem]) and own_output(path.name, raw) == "CSV-fil"


def test_last_year_from_an_innstilling_compares_the_allocation(regional: dict[str, Any], tmp_path: Path) -> None:
    run_innstilling(regional["path"], json_path=tmp_path / "fjor.json")
    inn = tmp_path / "inn"
    inn.mkdir()
    (inn / "salten.xlsx").write_bytes(prefilled(example_report("salten").model_copy(update={"year": 2027})))
    consolidate_to_files([inn], tmp_path / "r.xlsx", json_path=tmp_path / "r.json", last_year=tmp_path / "fjor.json",
                         jobs=1)
    rows = {(c["scheme"], c["network"]): c for c in json.loads((tmp_path / "r.json").read_text("utf-8"))["comparison"]}
    dekom = rows[("dekom", SALTEN)]
    assert (dekom["allocated_last_year"], dekom["requested"], dekom["change_from_allocation"]) == (1_620_000, 1_620_000, 0)
    assert (dekom["estimate_owner"], dekom["estimate_uh"]) == (325_000, 0)
    assert rows[("kompetanseloftet", YTRE)]["allocated_last_year"] == 746_000


# ---------------------------------------------------------------- typed in LibreOffice


@pytest.mark.libreoffice
def test_an_innstilling_typed_in_libreoffice_reads_back_with_pythons_sums(regional: dict[str, Any],
                                                                           tmp_path: Path) -> None:
    r = regional["round"]
    salten3, ytre1, lofoten1, lofoten2 = (line(r, SALTEN, 3), line(r, YTRE, 1), line(r, "Kompetansenettverk Lofoten", 1),
                                          line(r, "Kompetansenettverk Lofoten", 2))
    typed = {
        "frame.rekom": 1_000_000, "frame.dekom": 4_000_000,
        f"rec.{salten3}.owner": 250_000,            # above the 200 000 asked for
        f"rec.{ytre1}.uh": 500_000,                  # above the 409 000 asked for
        f"rec.{lofoten1}.owner": "300 000",          # text: not in the sums
        f"rec.{lofoten2}.uh": -5,                    # negative
        f"comment.{salten3}": "Eier får mer: flere barnehager deltar",
    }
    edits = [{"sheet": SHEET, "cell": cell(r, k), "value": v} for k, v in typed.items()]
    (tmp_path / "edits.json").write_text(json.dumps(edits), encoding="utf-8")
    out = tmp_path / "typed.xlsx"
    subprocess.run(["/usr/bin/python3", str(Path(__file__).parent / "lo_fill.py"), str(regional["path"]),
                    str(tmp_path / "edits.json"), str(out)], check=True, timeout=300)
    allocation = read_innstilling(out.read_bytes(), "typed.xlsx")
    assert found(allocation.findings) == {
        ("over-frame", SHEET, cell(r, "fr.rekom.recommended")),
        ("above-request", SHEET, cell(r, f"rec.{salten3}.owner")),
        ("above-request", SHEET, cell(r, f"rec.{ytre1}.uh")),
        ("text-number", SHEET, cell(r, f"rec.{lofoten1}.owner")),
        ("negative-amount", SHEET, cell(r, f"rec.{lofoten2}.uh")),
        ("frame-missing", SHEET, cell(r, "frame.kompetanseloftet")),
    }
    saved = open_package(out.read_bytes()).cells(SHEET)
    for key, value in allocation.results.items():
        assert _same(saved[r.layout.pos[key]].value, value), (key, saved[r.layout.pos[key]].value, value)
    assert allocation.results["fr.rekom.recommended"] == 1_400_000  # 1 259 000 + 50 000 + 91 000
    assert allocation.results["chk.over"] == "REKOM: 400\u00a0000 kr over rammen. "
    salten = next(n for n in allocation.networks() if n["network"] == SALTEN)
    assert salten["schemes"]["rekom"]["owner"] == 250_000
    assert next(m for m in salten["measures"] if m["number"] == 3)["comment"] == typed[f"comment.{salten3}"]


def _same(a: Any, b: Any) -> bool:
    if isinstance(b, XlError):
        return a == b.code
    if isinstance(a, (int, float)) and not isinstance(a, bool) or isinstance(b, (int, float)) and not isinstance(b, bool):
        return abs(float(a or 0) - float(b or 0)) < 1e-9
    return (a or "") == (b or "")


def test_layout_is_rebuilt_the_same_from_the_setup_sheet(regional: dict[str, Any]) -> None:
    from behovxl.innstilling import parse_setup, setup_rows

    r = regional["round"]
    again = Layout(parse_setup([list(row) for row in setup_rows(r.spec)]))
    assert again.pos == r.layout.pos and again.texts() == r.layout.texts()
