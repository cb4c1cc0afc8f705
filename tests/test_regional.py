"""The regional workbook: flagged figures marked, the forum's views, the roster, mixed rounds, print and locks.

The returned workbooks are made by code from the example reports: Rana's measure 1 has its
continuation estimates written in thousands (165/330/330), Lofoten's has an owner amount
typed as text («120 000,-») and the summary's DEKOM UH formula overwritten with 690 000.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import pytest
from helpers import NEW_FORM, example_report, form_of, prefilled, sheet_index, typed
from openpyxl import load_workbook

from behovxl.consolidate import Consolidation, Network, Source, Status, consolidate
from behovxl.errors import BehovxlError
from behovxl.findings import finding
from behovxl.flags import targets
from behovxl.frame import FrameError
from behovxl.layout import build_layout
from behovxl.models import BudgetLine, ContinuationEstimate, CoordinatorRequest, Measure, Partnership, Report
from behovxl.ownfiles import CSV_HEADS, REGIONAL_MARKER, own_output
from behovxl.records import duration_text
from behovxl.regional import TOTAL_CELL, TOTAL_NAME, consolidate_to_files, regional_bytes, write_regional
from behovxl.tabular import NetworkMoney, Round

WARN_FILL, ERROR_FILL = "FFFFEB9C", "FFFFC7CE"
LOFOTEN, RANA = "Kompetansenettverk Lofoten", "Kompetansenettverk Indre Helgeland"
SALTEN, YTRE = "Kompetansenettverk Salten", "Kompetansenettverk Ytre Helgeland"
VESTERALEN = "Kompetansenettverk Vesterålen"


# ---------------------------------------------------------------- inputs, made by code


def lofoten_with_mistakes() -> bytes:
    """Lofoten's workbook with an amount typed as text and a summary formula overwritten by a number."""
    report = example_report("lofoten")
    data = typed(report, {"measures.1.owner_lines.2.amount": "120 000,-"})
    layout = build_layout(form_of(report))
    slot = layout.formulas["summary.schemes.dekom.uh"]
    index = sheet_index(layout, slot.sheet)
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == f"xl/worksheets/sheet{index}.xml":
                body, n = re.subn(rf'<c r="{slot.cell}"([^>]*)><f>[^<]*</f><v>[^<]*</v></c>'.encode(),
                                  rf'<c r="{slot.cell}"\1><v>690000</v></c>'.encode(), body)
                assert n == 1
            dst.writestr(info, body)
    return out.getvalue()


def write_examples(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "indre-helgeland.xlsx").write_bytes(prefilled(example_report("indre-helgeland-rana")))
    (folder / "lofoten.xlsx").write_bytes(lofoten_with_mistakes())
    (folder / "salten.xlsx").write_bytes(prefilled(example_report("salten")))
    (folder / "ytre-helgeland.xlsx").write_bytes(prefilled(example_report("ytre-helgeland")))
    return folder


def vesteralen_2027() -> Report:
    """A network on the 2027 form (one scheme, «kollektiv»)."""
    lines = {1: (200_000, 300_000), 2: (150_000, 120_000)}
    measures = [Measure(number=n, name=f"Tiltak {n} i Vesterålen", priority=n, scheme="kollektiv",
                        owner_lines=[BudgetLine(description="Eier", amount=o)], uh_lines=[BudgetLine(description="UH", amount=u)],
                        continuation=[ContinuationEstimate(owner=100_000, uh=150_000) if n == 1 else ContinuationEstimate(),
                                      ContinuationEstimate(), ContinuationEstimate()])
                for n, (o, u) in lines.items()]
    return Report(form_id=NEW_FORM, form_version="1", year=2027, network_id=VESTERALEN,
                  partnership=Partnership(network=VESTERALEN, owners="Sortland kommune og Hadsel kommune",
                                          uh="Nord universitet", schemes={"kollektiv": True}),
                  coordinator={"kollektiv": CoordinatorRequest(amount=90_000)}, measures=measures)


def write_mixed(folder: Path) -> Path:
    """2027: Salten on the 2021-rules form, Vesterålen on the 2027 form."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "salten.xlsx").write_bytes(prefilled(example_report("salten").model_copy(update={"year": 2027})))
    (folder / "vesteralen.xlsx").write_bytes(prefilled(vesteralen_2027()))
    return folder


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_examples(tmp_path_factory.mktemp("returned"))


@pytest.fixture(scope="module")
def batch(examples: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The examples with a roster that also names a network that has not returned."""
    base = tmp_path_factory.mktemp("regional")
    roster = base / "nettverk.csv"
    roster.write_text("nettverk\n" + "\n".join([RANA, LOFOTEN, SALTEN, YTRE, "Kompetansenettverk Vefsn"]) + "\n",
                      encoding="utf-8")
    c = consolidate([examples], roster=roster, jobs=1)
    out = base / "ut"
    out.mkdir()
    write_regional(c, out / "regional.xlsx", out / "regional.json", out / "csv")
    return {"c": c, "xlsx": out / "regional.xlsx", "json": json.loads((out / "regional.json").read_text("utf-8")),
            "csv": out / "csv", "book": load_workbook(out / "regional.xlsx")}


def rows_of(ws: Any, header: str) -> tuple[int, dict[str, int]]:
    """The header row whose A cell is `header`, and its column letters' indexes by header text (first wins)."""
    for row in ws.iter_rows(min_col=1, max_col=1):
        if row[0].value == header:
            heads: dict[str, int] = {}
            for cell in ws[row[0].row]:
                if cell.value is not None:
                    heads.setdefault(str(cell.value), cell.column)
            return row[0].row, heads
    raise AssertionError(f"no header {header!r} in {ws.title}")


def find_row(ws: Any, first: int, *values: str) -> int:
    for r in range(first + 1, ws.max_row + 1):
        if [ws.cell(r, c + 1).value for c in range(len(values))] == list(values):
            return r
    raise AssertionError(f"no row {values} in {ws.title}")


def nb(amount: str) -> str:
    """An amount as behovxl's messages write it: digit groups with a no-break space."""
    return amount.replace(" ", "\u00a0")


def mark_of(cell: Any) -> tuple[str | None, str]:
    return cell.fill.fgColor.rgb if cell.fill and cell.fill.fill_type else None, cell.comment.text if cell.comment else ""


# ---------------------------------------------------------------- which figures rest on flagged cells


@pytest.mark.parametrize(("path", "expected"), [
    ("measures.2.owner_lines.3.amount", ["m2.owner"]),
    ("measures.2.uh_lines.1.amount", ["m2.uh"]),
    ("measures.1.owner_amount", ["m1.owner"]),
    ("summary.measures.4.uh", ["m4.uh"]),
    ("measures.3.total", ["m3.owner", "m3.uh"]),
    ("measures.1.cofunding", ["m1.cofunding"]),
    ("measures.1.scheme", ["m1.scheme"]),
    ("measures.1.continuation.2.owner", ["m1.c2.owner"]),
    ("coordinator.dekom.amount", ["coord.dekom"]),
    ("summary.schemes.dekom.uh", ["scheme.dekom.uh"]),
    ("summary.schemes.dekom.owner_incl", ["scheme.dekom.owner", "scheme.dekom.coordinator"]),
    ("summary.schemes.sum.total", ["all.owner", "all.coordinator", "all.uh"]),
    ("declared_measures", []),
    ("contacts.owner.email", []),
    ("measures.1.name", []),
])
def test_targets_of_a_cell_path(path: str, expected: list[str]) -> None:
    assert targets(path) == expected


def _network(report: Report, *findings: Any) -> Network:
    source = Source(file=Path("x.xlsx"), name="x.xlsx", sha256="0", status=Status.IMPORTED, report=report,
                    findings=list(findings), saved_at=None, received=None, network=report.network_name)
    return Network(report.network_name.casefold(), source)


@pytest.mark.parametrize(("made", "scheme", "flagged"), [
    # Salten: measures 1 (dekom 400 000 + 500 000), 2 (dekom 250 000 + 350 000), 3 (rekom 200 000 + 300 000),
    # coordinator dekom 120 000.
    ([], None, 0),
    ([("text-number", "measures.1.owner_lines.1.amount", "warning")], None, 400_000),
    ([("text-number", "measures.1.owner_lines.1.amount", "warning")], "rekom", 0),
    ([("formula-replaced", "summary.schemes.dekom.uh", "error")], "dekom", 850_000),
    ([("formula-replaced", "measures.2.total", "error")], None, 600_000),
    ([("coordinator-cap", "coordinator.dekom.amount", "error")], "dekom", 120_000),
    ([("formula-replaced", "summary.schemes.sum.total", "error")], None, 2_120_000),
    ([("formula-replaced", "summary.schemes.sum.total", "error")], "dekom", 0),
    ([("stale-value", "measures.1.owner_amount", "info")], None, 0),  # info marks nothing
    ([("continuation-thousands", "measures.1.continuation.1.owner", "warning")], None, 0),  # not the request
])
def test_kroner_resting_on_flagged_cells(made: list[tuple[str, str, str]], scheme: str | None, flagged: int) -> None:
    from behovxl.findings import Severity

    findings = [finding(code, path=path, severity=Severity(sev), found=1, expected=2) for code, path, sev in made]
    money = NetworkMoney(_network(example_report("salten"), *findings), ["rekom", "dekom", "kompetanseloftet"])
    assert money.flagged(scheme) == flagged


def test_continuation_in_thousands_is_marked_in_videreforing_never_corrected(batch: dict[str, Any]) -> None:
    ws = batch["book"]["Videreføring"]
    head, _ = rows_of(ws, "Ordning")
    row = find_row(ws, head, "Kompetanseløftet", RANA)
    # Rana's measure 1 wrote 165 / 330 / 330; measures 2-4 add 100 000 / 200 000 / 200 000 in kroner.
    for col, written, meant in ((4, 100_165, "165 000"), (6, 200_330, "330 000"), (8, 200_330, "330 000")):
        cell = ws.cell(row, col)
        fill, note = mark_of(cell)
        assert (cell.value, fill) == (written, WARN_FILL)
        assert f"Mente dere {nb(meant)} kr?" in note
    assert mark_of(ws.cell(row, 5)) == (None, "")  # UH: nothing flagged
    codes = {r["Flagget"] for r in _csv_rows(batch["csv"] / "videreforing.csv") if r["Nettverk"] == RANA}
    assert codes == {"continuation-thousands"}
    rana = next(n for n in batch["json"]["overview"] if n["network"] == RANA)
    first = rana["continuation"]["kompetanseloftet"][0]["owner"]
    assert first == {"amount": 100_165, "flagged": ["continuation-thousands"]}


def test_text_number_and_replaced_formula_are_marked_in_tiltak_and_oversikt(batch: dict[str, Any]) -> None:
    book = batch["book"]
    ws = book["Tiltak"]
    head, cols = rows_of(ws, "Nettverk")
    row = find_row(ws, head, LOFOTEN, 1)
    owner = ws.cell(row, cols["Eier"])
    fill, note = mark_of(owner)
    assert (owner.value, fill) == (300_000, WARN_FILL)  # as the network wrote it: 120 000 counted once
    assert "«120 000,-» er skrevet som tekst" in note
    assert mark_of(ws.cell(row, cols["UH"])) == (None, "")
    ws = book["Oversikt"]
    head, cols = rows_of(ws, "Nettverk")
    row = find_row(ws, head, LOFOTEN)
    dekom = ws.cell(row, cols["DEKOM"])
    fill, note = mark_of(dekom)
    assert (dekom.value, fill) == (1_200_000, ERROR_FILL)
    assert f"formelen er overskrevet med {nb('690 000')}" in note and "«120 000,-»" in note
    for name in (SALTEN, YTRE):
        r = find_row(ws, head, name)
        assert mark_of(ws.cell(r, cols["DEKOM"])) == (None, "")
        assert ws.cell(r, cols["Herav flagget"]).value == 0


def test_json_and_csv_carry_the_marks(batch: dict[str, Any]) -> None:
    lofoten = next(n for n in batch["json"]["overview"] if n["network"] == LOFOTEN)
    assert {"text-number", "formula-replaced"} <= set(lofoten["schemes"]["dekom"]["flagged"])
    assert "text-number" in lofoten["measures"][0]["flagged"]["owner"]
    assert lofoten["measures"][0]["owner"] == 300_000
    rows = _csv_rows(batch["csv"] / "tiltak.csv")
    first = next(r for r in rows if r["Nettverk"] == LOFOTEN and r["Nr."] == "1")
    assert "text-number" in first["Flagget"].split(", ")
    assert next(r for r in rows if r["Nettverk"] == SALTEN)["Flagget"] == ""


# ---------------------------------------------------------------- the forum's views


def test_oversikt_names_owners_uh_codetermination_and_every_roster_network(batch: dict[str, Any]) -> None:
    ws = batch["book"]["Oversikt"]
    head, cols = rows_of(ws, "Nettverk")
    salten = find_row(ws, head, SALTEN)
    assert ws.cell(salten, cols["Eiere"]).value == "Bodø kommune, Fauske kommune, Saltdal kommune, Sørfold kommune"
    assert ws.cell(salten, cols["UH"]).value == "Nord universitet"
    assert ws.cell(salten, cols["Medbest."]).value == "Ja"
    assert ws.cell(salten, cols["Levert"]).value == "Levert"
    vefsn = find_row(ws, head, "Kompetansenettverk Vefsn")
    assert ws.cell(vefsn, cols["Levert"]).value == "Ikke levert"
    assert ws.cell(vefsn, cols["Totalt omsøkt"]).value is None
    roster = {r["network"]: (r["status"], r["file"]) for r in batch["json"]["roster"]}
    assert roster["Kompetansenettverk Vefsn"] == ("missing", None)
    assert roster[SALTEN] == ("returned", "salten.xlsx")


def test_kilder_lists_every_source_with_status_and_received_time(batch: dict[str, Any]) -> None:
    ws = batch["book"]["Kilder"]
    head, cols = rows_of(ws, "Fil")
    seen = {ws.cell(r, 1).value: (ws.cell(r, cols["Status"]).value, ws.cell(r, cols["Mottatt"]).value)
            for r in range(head + 1, head + 5)}
    assert set(seen) == {"indre-helgeland.xlsx", "lofoten.xlsx", "salten.xlsx", "ytre-helgeland.xlsx"}
    assert seen["lofoten.xlsx"][0] == "Importert med feil" and seen["salten.xlsx"][0] == "Importert"
    assert all(received is not None for _, received in seen.values())


def test_tiltak_shows_duration_owners_and_uh(batch: dict[str, Any]) -> None:
    ws = batch["book"]["Tiltak"]
    head, cols = rows_of(ws, "Nettverk")
    row = find_row(ws, head, RANA, 1)
    assert ws.cell(row, cols["Varighet"]).value == "vår 2026 – vår 2027, anslag til 2029"
    assert ws.cell(row, cols["Eiere"]).value == "Rana kommune"
    assert ws.cell(row, cols["UH-institusjon"]).value == "Nord universitet"


@pytest.mark.parametrize(("on", "estimates", "expected"), [
    ((True, True, True), {}, "vår 2026 – vår 2027"),
    ((True, False, True), {}, "vår 2026, vår 2027"),
    ((False, True, False), {}, "høst 2026"),
    ((False, False, False), {}, ""),
    ((True, True, False), {0: 1}, "vår 2026 – høst 2026, anslag til høst 2027"),
    ((True, True, True), {2: 5}, "vår 2026 – vår 2027, anslag til 2029"),
])
def test_duration_text(on: tuple[bool, bool, bool], estimates: dict[int, int], expected: str) -> None:
    from behovxl.models import Duration

    continuation = [ContinuationEstimate(uh=estimates.get(i)) for i in range(3)]
    m = Measure(number=1, duration=Duration(spring_y=on[0], autumn_y=on[1], spring_y1=on[2]), continuation=continuation)
    assert duration_text(m, 2026) == expected


def test_eiere_og_uh_sums_what_each_uh_is_paid_across_networks(batch: dict[str, Any]) -> None:
    ws = batch["book"]["Eiere og UH"]
    head, cols = rows_of(ws, "Eier/UH")
    nord = [r for r in range(head + 1, ws.max_row + 1)
            if ws.cell(r, 1).value == "Nord universitet" and ws.cell(r, cols["Type"]).value == "UH"]
    # Indre Helgeland 926 519, Lofoten (shared with UiT) 700 000 + 430 000, Salten 300 000 + 850 000.
    assert sorted(ws.cell(r, cols["Omsøkt"]).value for r in nord) == [300_000, 430_000, 700_000, 850_000, 926_519]
    total = find_row(ws, head, "Sum Nord universitet")
    assert ws.cell(total, cols["Omsøkt"]).value.startswith("=SUM(")
    institution = next(i for i in batch["json"]["institutions"] if i["name"] == "Nord universitet" and i["kind"] == "uh")
    assert institution["total"] == 3_206_519
    lofoten = next(r for r in nord if ws.cell(r, cols["Nettverk"]).value == LOFOTEN
                   and ws.cell(r, cols["Ordning"]).value == "Desentralisert ordning")
    assert ws.cell(lofoten, cols["Delt med"]).value == "UiT Norges arktiske universitet"
    r = Round(batch["c"])
    expected = r.recommended(next(n.key for n in batch["c"].counted if n.name == LOFOTEN), "dekom", "uh")
    assert expected is not None and ws.cell(lofoten, cols["Anbefalt"]).value == "=" + expected.text
    assert expected.text.startswith("SUM(Innstilling!")


# ---------------------------------------------------------------- mixed rounds and last year


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory, batch: dict[str, Any]) -> dict[str, Any]:
    base = tmp_path_factory.mktemp("mixed")
    inputs = write_mixed(base / "inn")
    last = base / "fjor.json"
    last.write_text(json.dumps(batch["json"]), encoding="utf-8")
    (base / "ut").mkdir()
    outcome = consolidate_to_files([inputs], base / "ut" / "regional.xlsx", json_path=base / "ut" / "r.json",
                                   csv_dir=base / "ut" / "csv", last_year=last, jobs=1)
    return {"outcome": outcome, "xlsx": base / "ut" / "regional.xlsx", "csv": base / "ut" / "csv",
            "json": json.loads((base / "ut" / "r.json").read_text("utf-8")),
            "book": load_workbook(base / "ut" / "regional.xlsx")}


def test_a_mixed_round_shows_each_scheme_and_totals_per_definition(mixed: dict[str, Any]) -> None:
    ws = mixed["book"]["Oversikt"]
    head, _ = rows_of(ws, "Nettverk")
    headers = [c.value for c in ws[head]]
    groups = [c.value for c in ws[head - 1] if c.value]
    assert groups == ["REKOM, DEKOM og Kompetanseløftet", "Kollektiv"]
    assert headers[headers.index("REKOM"):] == ["REKOM", "DEKOM", "Kompetanseløftet", "Sum", "Kollektiv", "Sum",
                                                "Totalt omsøkt", "Herav flagget"]
    rekom = headers.index("REKOM") + 1
    for name, values in ((SALTEN, [500_000, 1_620_000, 0, 2_120_000, 0, 0, 2_120_000]),
                         (VESTERALEN, [0, 0, 0, 0, 860_000, 860_000, 860_000])):
        row = find_row(ws, head, name)
        cells = [ws.cell(row, rekom + i).value for i in range(7)]
        assert cells[:3] + [cells[4]] == values[:3] + [values[4]]
        assert all(str(cells[i]).startswith("=") for i in (3, 5, 6))
    figures = mixed["json"]["overview"]
    assert {n["network"]: n["total"] for n in figures} == {SALTEN: 2_120_000, VESTERALEN: 860_000}
    assert {s["key"]: s["definition"].split(":")[0] for s in mixed["json"]["schemes"]} == {
        "rekom": "behovsmelding-lokal-kompetanseutvikling", "dekom": "behovsmelding-lokal-kompetanseutvikling",
        "kompetanseloftet": "behovsmelding-lokal-kompetanseutvikling", "kollektiv": NEW_FORM}
    ws = mixed["book"]["Ordninger"]
    head, cols = rows_of(ws, "Ordning")
    sums = {ws.cell(r, 1).value: ws.cell(r, cols["Totalt"]).value for r in range(head + 1, ws.max_row + 1)
            if str(ws.cell(r, 1).value).startswith("Sum")}
    assert set(sums) == {"Sum Regional ordning", "Sum Desentralisert ordning", "Sum Kollektiv kompetanseutvikling",
                         "Sum REKOM, DEKOM og Kompetanseløftet", "Sum Kollektiv", "Sum alle ordninger"}
    values = load_workbook(mixed["xlsx"], data_only=True)["Ordninger"]
    cached = {ws.cell(r, 1).value: values.cell(r, cols["Totalt"]).value for r in range(head + 1, ws.max_row + 1)
              if str(ws.cell(r, 1).value).startswith("Sum")}
    assert cached == {"Sum Regional ordning": 500_000, "Sum Desentralisert ordning": 1_620_000,
                      "Sum Kollektiv kompetanseutvikling": 860_000, "Sum REKOM, DEKOM og Kompetanseløftet": 2_120_000,
                      "Sum Kollektiv": 860_000, "Sum alle ordninger": 2_980_000}
    ws = mixed["book"]["Innstilling"]
    labels = [ws.cell(r, 1).value for r in range(1, 16)]
    assert "Sum REKOM, DEKOM og Kompetanseløftet" in labels and "Sum Kollektiv" in labels


def test_last_year_comparison_per_network_and_scheme(mixed: dict[str, Any]) -> None:
    rows = {(r["scheme"], r["network"]): r for r in mixed["json"]["comparison"]}
    salten = rows[("dekom", SALTEN)]
    # 2026: Salten's DEKOM measures estimated 150 000 + 175 000 for the owner, nothing for UH.
    assert (salten["estimate_owner"], salten["estimate_uh"], salten["estimate"]) == (325_000, 0, 325_000)
    assert (salten["requested_measures"], salten["change_from_estimate"]) == (1_500_000, 1_175_000)
    assert salten["allocated_last_year"] is None  # a consolidation carries no innstilling
    gone = rows[("kompetanseloftet", RANA)]
    assert (gone["estimate"], gone["requested"]) == (100_165, None)
    ws = mixed["book"]["Sammenligning"]
    assert ws["A1"].value == "Sammenligning 2027 med 2026"
    head, _ = rows_of(ws, "Ordning")
    assert ws.cell(find_row(ws, head, "Desentralisert ordning", SALTEN), 9).value == "=H{0}-E{0}".format(
        find_row(ws, head, "Desentralisert ordning", SALTEN))


def test_last_year_of_the_same_round_or_not_ours_is_refused(tmp_path: Path, examples: Path) -> None:
    bad = tmp_path / "fjor.json"
    bad.write_text('{"files": []}', encoding="utf-8")
    with pytest.raises(BehovxlError, match="ikke en JSON-fil fra «behovxl consolidate»"):
        consolidate_to_files([examples], tmp_path / "r.xlsx", last_year=bad, jobs=1)
    same = tmp_path / "same.json"
    same.write_text(json.dumps({"behovxl": "innstilling", "year": 2026, "networks": []}), encoding="utf-8")
    with pytest.raises(BehovxlError, match="gjelder 2026, men runden gjelder 2026"):
        consolidate_to_files([examples], tmp_path / "r.xlsx", last_year=same, jobs=1)
    assert not (tmp_path / "r.xlsx").exists()


# ---------------------------------------------------------------- the frame


@pytest.mark.parametrize(("rows", "message"), [
    (["FOO;1 000 000"], "rad 2: ukjent ordning «FOO»"),
    (["DEKOM;1 000 000", "Desentralisert ordning;2 000 000"], "ordningen «Desentralisert ordning» står både på rad 2 og rad 3"),
    (["DEKOM;-5"], "rad 2: rammen kan ikke være negativ"),
    (["DEKOM;mye"], "rad 2: rammen «mye» er ikke et beløp"),
    (["Kollektiv;1 000 000"], "rad 2: ukjent ordning «Kollektiv»"),  # not a scheme of this batch's forms
])
def test_a_bad_frame_row_stops_the_run_and_nothing_is_written(tmp_path: Path, examples: Path, rows: list[str],
                                                             message: str) -> None:
    frame = tmp_path / "ramme.csv"
    frame.write_text("Ordning;Ramme\n" + "\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "ut"
    out.mkdir()
    with pytest.raises(FrameError, match=re.escape(message)):
        consolidate_to_files([examples], out / "r.xlsx", json_path=out / "r.json", csv_dir=out / "csv", frame=frame,
                             jobs=1)
    assert list(out.iterdir()) == []


def test_a_frame_fills_locked_frame_cells_and_the_rest_stay_input(tmp_path: Path, examples: Path) -> None:
    frame = tmp_path / "ramme.csv"
    frame.write_text("Ordning;Ramme\nDEKOM;3 500 000\nREKOM;kr 1 000 000,-\n", encoding="utf-8")
    consolidate_to_files([examples], tmp_path / "r.xlsx", frame=frame, jobs=1)
    ws = load_workbook(tmp_path / "r.xlsx")["Innstilling"]
    head, cols = rows_of(ws, "Ordning")
    cells = {ws.cell(r, 1).value: ws.cell(r, cols["Ramme"]) for r in range(head + 1, head + 4)}
    assert {k: (c.value, c.protection.locked) for k, c in cells.items()} == {
        "Regional ordning (REKOM)": (1_000_000, True), "Desentralisert ordning (DEKOM)": (3_500_000, True),
        "Kompetanseløftet": (None, False)}


# ---------------------------------------------------------------- the workbook as a whole


def test_every_sheet_is_locked_without_password_but_the_innstilling_inputs(batch: dict[str, Any]) -> None:
    r = Round(batch["c"])
    inputs = {r.layout.cell(k) for k in r.layout.inputs}
    book = batch["book"]
    assert book.sheetnames[:2] == ["Oversikt", "Innstilling"] and book.sheetnames[-1] == "Oppsett"
    assert book["Oppsett"].sheet_state == "hidden"
    for ws in book.worksheets:
        assert ws.protection.sheet and not ws.protection.password, ws.title
        unlocked = {c.coordinate for row in ws.iter_rows() for c in row if c.protection.locked is False}
        assert unlocked == (inputs if ws.title == "Innstilling" else set()), ws.title
    assert len(inputs) == 3 + 2 * 14 + 4 + 18  # 3 frames, owner and UH of 14 measures, 4 coordinators, 18 comments


def test_defined_name_and_marker(batch: dict[str, Any]) -> None:
    book = batch["book"]
    assert book.defined_names[TOTAL_NAME].attr_text == TOTAL_CELL
    assert own_output("r.xlsx", batch["xlsx"].read_bytes()) == "regional arbeidsbok"
    assert REGIONAL_MARKER in zipfile.ZipFile(batch["xlsx"]).read("docProps/core.xml").decode()
    values = load_workbook(batch["xlsx"], data_only=True)
    assert values["Oversikt"]["B3"].value == 8_040_519


def test_every_csv_file_starts_with_its_registered_head(batch: dict[str, Any], mixed: dict[str, Any]) -> None:
    for folder in (batch["csv"], mixed["csv"]):
        for path in folder.iterdir():
            data = path.read_bytes()
            assert data.startswith(b"\xef\xbb\xbf") and own_output(path.name, data) == "CSV-fil", path.name
            assert data[3:].decode().startswith(CSV_HEADS[path.stem]), path.name


def test_the_same_inputs_in_any_order_give_the_same_bytes(examples: Path) -> None:
    files = sorted(examples.iterdir())
    first = regional_bytes(consolidate([examples], jobs=1))
    assert regional_bytes(consolidate(list(reversed(files)), jobs=1)) == first


def test_formula_like_text_stays_text_in_xlsx_and_csv(tmp_path: Path) -> None:
    name = '=HYPERLINK("http://x","klikk")'
    report = example_report("salten").model_copy(update={"network_id": name})
    report.partnership.network = name
    report.measures[0].name = "+47 tiltak"
    (tmp_path / "inn").mkdir()
    (tmp_path / "inn" / "s.xlsx").write_bytes(prefilled(report))
    write_regional(consolidate([tmp_path / "inn"], jobs=1), tmp_path / "r.xlsx", csv_dir=tmp_path / "csv")
    book = load_workbook(tmp_path / "r.xlsx")
    for sheet in ("Oversikt", "Tiltak", "Innstilling", "Eiere og UH"):
        ws = book[sheet]
        cells = [c for row in ws.iter_rows() for c in row if c.value == name]
        assert cells and all(c.data_type == "s" for c in cells), sheet
    assert "'=HYPERLINK" in (tmp_path / "csv" / "tiltak.csv").read_text("utf-8-sig")
    assert "'+47 tiltak" in (tmp_path / "csv" / "tiltak.csv").read_text("utf-8-sig")


def test_an_empty_consolidation_still_gives_a_workbook() -> None:
    book = load_workbook(io.BytesIO(regional_bytes(Consolidation(None, [], []))))
    assert "Innstilling" in book.sheetnames


# ---------------------------------------------------------------- through LibreOffice


def _convert(files: list[Path], out: Path, target: str) -> None:
    """Convert several files in one soffice call (CI has two cores; each start costs seconds)."""
    from libreoffice import PROFILE_XCU, soffice_path

    with tempfile.TemporaryDirectory(prefix="behovxl-lo-") as tmp:
        profile = Path(tmp) / "user"
        profile.mkdir()
        (profile / "registrymodifications.xcu").write_text(PROFILE_XCU, encoding="utf-8")
        subprocess.run([str(soffice_path()), f"-env:UserInstallation={Path(tmp).as_uri()}", "--headless",
                        "--norestore", "--convert-to", target, "--outdir", str(out), *map(str, files)],
                       check=True, capture_output=True, timeout=300)


def _calibration(path: Path) -> None:
    """A page of 8 pt Arial at 100 %: how tall pdftotext's boxes are for 8 pt text with this LibreOffice."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("S")
    fmt = book.add_format({"font_name": "Arial", "font_size": 8})
    for r in range(10):
        ws.write_string(r, 0, "Kompetansenettverk Salten 1 556 519", fmt)
    ws.set_paper(9)
    ws.set_landscape()
    book.close()


def _word_heights(pdf: Path) -> list[list[float]]:
    """Per page: the height of every word box of the body (the page header and footer left out)."""
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    pages = []
    for page in html.split("<page ")[1:]:
        height = float(re.search(r'height="([\d.]+)"', page).group(1))  # type: ignore[union-attr]
        boxes = re.findall(r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)"', page)
        pages.append([float(b) - float(a) for a, b in boxes if 60 < float(a) < height - 60])
    return pages


@pytest.mark.libreoffice
def test_every_page_prints_body_text_at_8_pt_or_more(tmp_path: Path, batch: dict[str, Any],
                                                    mixed: dict[str, Any]) -> None:
    calibration = tmp_path / "kalibrering.xlsx"
    _calibration(calibration)
    (tmp_path / "mixed.xlsx").write_bytes(mixed["xlsx"].read_bytes())
    _convert([batch["xlsx"], tmp_path / "mixed.xlsx", calibration], tmp_path, "pdf")
    eight = min(_word_heights(tmp_path / "kalibrering.pdf")[0])
    for name in ("regional", "mixed"):
        pages = _word_heights(tmp_path / f"{name}.pdf")
        assert len(pages) >= 12
        smallest = [(n, min(h)) for n, h in enumerate(pages, 1) if h]
        assert all(size >= eight * 0.98 for _, size in smallest), (name, eight, smallest)


@pytest.mark.libreoffice
def test_every_cached_value_is_what_libreoffice_computes(tmp_path: Path, batch: dict[str, Any],
                                                         mixed: dict[str, Any]) -> None:
    (tmp_path / "mixed.xlsx").write_bytes(mixed["xlsx"].read_bytes())
    out = tmp_path / "lo"
    _convert([batch["xlsx"], tmp_path / "mixed.xlsx"], out, "xlsx:Calc MS Excel 2007 XML")
    for ours, theirs in ((batch["xlsx"], out / "regional.xlsx"), (tmp_path / "mixed.xlsx", out / "mixed.xlsx")):
        formulas, cached, computed = load_workbook(ours), load_workbook(ours, data_only=True), load_workbook(theirs,
                                                                                                          data_only=True)
        checked = 0
        for ws in formulas.worksheets:
            for row in ws.iter_rows():
                for c in row:
                    if isinstance(c.value, str) and c.value.startswith("="):
                        mine, lo = cached[ws.title][c.coordinate].value, computed[ws.title][c.coordinate].value
                        assert _same(mine, lo), (ours.name, ws.title, c.coordinate, c.value, mine, lo)
                        checked += 1
        assert checked > 250


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (int, float)) or isinstance(b, (int, float)):
        return abs(float(a or 0) - float(b or 0)) < 1e-6
    return (a or "") == (b or "")


def _csv_rows(path: Path) -> list[dict[str, str]]:
    import csv

    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh, delimiter=";"))
