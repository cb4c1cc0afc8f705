"""The public API (`import behovxl`): what an analyst calls, with str or Path, and plain records."""

from __future__ import annotations

import ast
import json
from datetime import date
from pathlib import Path

import pytest

import behovxl
from behovxl.tabular import consolidation_json

ROOT = Path(__file__).resolve().parents[1]
RETURNED = ROOT / "examples" / "returned"
ROSTER = ROOT / "examples" / "roster.csv"
FRAME = ROOT / "examples" / "ramme.csv"

MEASURE_KEYS = {"year", "network", "file", "number", "name", "scheme", "purpose", "priority", "duration", "owner",
                "uh", "total", "cofunding", "needs_coordinator", "flagged"}
NETWORK_KEYS = {"network", "status", "roster_status", "file", "form_id", "form_version", "year", "language", "owners",
                "uh_partners", "measures", "owner", "coordinator", "uh", "total", "codetermination", "errors",
                "warnings", "saved_at", "received"}
SOURCE_KEYS = {"file", "sha256", "status", "network", "form_id", "form_version", "year", "saved_at", "received",
               "errors", "warnings", "reason", "other"}
FINDING_KEYS = {"file", "network", "severity", "code", "sheet", "cell", "path", "message"}


@pytest.fixture(scope="module")
def round_2027() -> behovxl.Consolidation:
    return behovxl.consolidate(str(RETURNED / "2027"), roster=str(ROSTER), frame=str(FRAME),
                               deadline=date(2027, 2, 1), jobs=1)


def test_every_public_name_is_exported() -> None:
    for name in behovxl.__all__:
        assert hasattr(behovxl, name), name
    assert (Path(behovxl.__file__).parent / "py.typed").is_file()


def test_a_folder_given_as_a_string_is_one_folder(round_2027: behovxl.Consolidation) -> None:
    names = sorted(s["file"] for s in round_2027.sources())
    assert names == sorted(p.name for p in (RETURNED / "2027").iterdir())
    assert [n.name for n in round_2027.counted] == [
        "Kompetansenettverk Indre Helgeland", "Kompetansenettverk Lofoten", "Kompetansenettverk Salten",
        "Kompetansenettverk Vesterålen", "Kompetansenettverk Ytre Helgeland"]


def test_strings_paths_and_generators_give_the_same_round() -> None:
    files = sorted((RETURNED / "2026").glob("*.xlsx"))
    by_list = behovxl.consolidate([str(p) for p in files], jobs=1)
    by_generator = behovxl.consolidate((p for p in files), jobs=1)
    by_path = behovxl.consolidate(RETURNED / "2026", jobs=1)
    assert by_list.measures() == by_generator.measures() == by_path.measures()
    assert len(by_path.counted) == 4


def test_records_have_the_same_keys_every_year(round_2027: behovxl.Consolidation) -> None:
    round_2026 = behovxl.consolidate(RETURNED / "2026", jobs=1)
    for c in (round_2026, round_2027):
        assert {frozenset(r) for r in c.measures()} == {frozenset(MEASURE_KEYS)}
        assert {frozenset(r) for r in c.networks()} == {frozenset(NETWORK_KEYS)}
        assert {frozenset(r) for r in c.sources()} == {frozenset(SOURCE_KEYS)}
        assert {frozenset(r) for r in c.findings()} <= {frozenset(FINDING_KEYS)}
    assert {r["scheme"] for r in round_2026.measures()} == {"rekom", "dekom", "kompetanseloftet"}
    assert "kollektiv" in {r["scheme"] for r in round_2027.measures()}


def test_records_are_the_regional_figures(round_2027: behovxl.Consolidation) -> None:
    data = json.loads(consolidation_json(round_2027))
    overview = {n["network"]: n for n in data["overview"]}
    networks = [n for n in round_2027.networks() if n["status"] is not None]
    assert {n["network"]: n["total"] for n in networks} == {k: v["total"] for k, v in overview.items()}
    for n in networks:
        mine = [m for m in round_2027.measures() if m["network"] == n["network"]]
        assert n["owner"] + n["uh"] == sum(m["total"] for m in mine)
        assert [(m["number"], m["total"]) for m in mine] == [(m["number"], m["total"])
                                                             for m in overview[n["network"]]["measures"]]
    assert sum(len(s.findings) for s in round_2027.files) == len(round_2027.findings())


def test_the_roster_shows_who_has_not_returned(round_2027: behovxl.Consolidation) -> None:
    missing = [n for n in round_2027.networks() if n["roster_status"] == "missing"]
    # Vefsnregionen sent a Word document: received, but not a form that counts
    assert [n["network"] for n in missing] == ["Kompetansenettverk Ofoten", "Kompetansenettverk Vefsnregionen"]
    assert missing[0]["total"] is None and missing[0]["owners"] == []
    late = {n["network"] for n in round_2027.networks() if n["roster_status"] == "late"}
    assert late == {"Kompetansenettverk Vesterålen"}


def test_flagged_measures_name_their_codes(round_2027: behovxl.Consolidation) -> None:
    rana = [m for m in round_2027.measures() if m["network"] == "Kompetansenettverk Indre Helgeland"]
    assert [m["flagged"] for m in rana] == [["text-number", "continuation-thousands"], [], [], [],
                                            ["coordinator-double-counted"]]
    salten = [m for m in round_2027.measures() if m["network"] == "Kompetansenettverk Salten"]
    assert all(m["flagged"] == [] for m in salten)


def test_the_frame_is_read_and_reaches_the_workbook(round_2027: behovxl.Consolidation, tmp_path: Path) -> None:
    assert round_2027.frame == {"kollektiv": 6_500_000, "kompetanseloftet": 1_800_000}
    written = behovxl.write_regional(round_2027, tmp_path / "regional.xlsx", json=tmp_path / "regional.json")
    assert written == [tmp_path / "regional.xlsx", tmp_path / "regional.json"]
    allocation = behovxl.innstilling(tmp_path / "regional.xlsx")
    assert allocation.frame()["kollektiv"] == 6_500_000
    as_dict = behovxl.consolidate(RETURNED / "2027", frame={"kollektiv": 1}, jobs=1)
    assert as_dict.frame == {"kollektiv": 1}


def test_a_frame_that_cannot_be_read_says_why(tmp_path: Path) -> None:
    bad = tmp_path / "ramme.csv"
    bad.write_text("ordning;ramme\nUkjent ordning;100\n", encoding="utf-8")
    with pytest.raises(behovxl.BehovxlError) as caught:
        behovxl.consolidate(RETURNED / "2027", frame=bad, jobs=1)
    assert "Ukjent ordning" in str(caught.value)


def test_check_and_read(tmp_path: Path) -> None:
    results = behovxl.check(str(RETURNED / "2027"), jobs=1)
    assert len(results) == 6
    by_name = {r.file.name: r for r in results}
    assert by_name["2027-01-30 Behovsmelding Vefsnregionen.docx"].status == "unreadable"
    salten = behovxl.read(str(RETURNED / "2027" / "2027-01-29 behovsmelding-2027-kompetansenettverk-salten.xlsx"))
    assert salten.status == "ok" and salten.findings == [] and salten.report is not None
    assert salten.report.partnership.network == "Kompetansenettverk Salten"


def test_generate_blank_roster_and_next_year(tmp_path: Path) -> None:
    [blank] = behovxl.generate(tmp_path / "tomt.xlsx", year=2027, network="Kompetansenettverk Salten")
    assert behovxl.read(blank).report is not None
    paths = behovxl.generate(tmp_path / "skjema", year=2027, roster=ROSTER)
    assert len(paths) == 7 and all(p.parent == tmp_path / "skjema" for p in paths)
    last_year = behovxl.read(RETURNED / "2026" / "behovsmelding-2026-kompetansenettverk-salten.xlsx").report
    assert last_year is not None
    [rolled] = behovxl.generate(tmp_path / "neste.xlsx", year=2027, report=last_year)
    report = behovxl.read(rolled).report
    assert report is not None and report.year == 2027 and report.partnership.network == "Kompetansenettverk Salten"
    with pytest.raises(behovxl.BehovxlError, match="slutter ikke på .xlsx"):
        behovxl.generate(tmp_path / "skjema.xls", year=2027)


def test_the_import_graph_has_no_cycle() -> None:
    """Every import of a behovxl module, at the top or inside a function (but not for type checking only)."""
    package = Path(behovxl.__file__).parent
    modules = {p.stem for p in package.glob("*.py")}
    graph = {p.stem: _imports(p, modules) for p in package.glob("*.py") if p.stem != "__init__"}
    done: set[str] = set()

    def visit(node: str, path: list[str]) -> None:
        if node in path:
            raise AssertionError("import cycle: " + " -> ".join(path[path.index(node):] + [node]))
        if node in done:
            return
        for dep in sorted(graph.get(node, ())):
            visit(dep, path + [node])
        done.add(node)

    for module in sorted(graph):
        visit(module, [])


def _imports(path: Path, modules: set[str]) -> set[str]:
    found: set[str] = set()

    def walk(nodes: list[ast.stmt]) -> None:
        for node in nodes:
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                walk(node.orelse)
                continue
            for child in ast.walk(node):
                if isinstance(child, ast.ImportFrom) and (child.level == 1 or (child.module or "").startswith("behovxl")):
                    name = (child.module or "").removeprefix("behovxl").lstrip(".").split(".")[0]
                    found.update([name] if name else [a.name for a in child.names])
    walk(ast.parse(path.read_text(encoding="utf-8")).body)
    return found & modules - {"__init__"}
