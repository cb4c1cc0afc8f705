"""Consolidation: every input accounted for, totals that add up, text that stays text."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
import xlsxwriter
from openpyxl import load_workbook

from behovxl import files as files_module
from behovxl import regional as regional_module
from behovxl.consolidate import (
    BatchCode,
    Consolidation,
    Status,
    consolidate,
    find_inputs,
    network_key,
    owner_key,
    owners_of,
)
from behovxl.findings import Code, Finding, Severity
from behovxl.generate import generate_from_report
from behovxl.models import BudgetLine, Contact, Measure, Partner, Report
from behovxl.reader import ReadResult
from behovxl.regional import TOTAL_CELL, TOTAL_NAME, regional_bytes, write_regional
from behovxl.tabular import CSV_NAMES, csv_safe

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "reports"
NAMES = ("indre-helgeland-rana", "lofoten", "salten", "ytre-helgeland")
SHEETS = ["Oversikt", "Tiltak", "Videreføring", "Enheter", "Kontakter", "Avvik", "Kilder"]


# ---------------------------------------------------------------- helpers


def raw_example(name: str) -> dict:
    return json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))


def example(name: str) -> Report:
    return Report.model_validate(raw_example(name))


def real_workbooks(folder: Path, names=NAMES) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [generate_from_report(folder / f"{name}.xlsx", example(name)) for name in names]


class FakeReader:
    """A `read` function serving ReadResults by file name; the files themselves exist (for mtime)."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.results, self.calls = folder, {}, []
        folder.mkdir(parents=True, exist_ok=True)

    def add(self, name: str, report: Report | None, *, sha: str | None = None, status: str | None = None,
            findings: list[Finding] | None = None, saved_at: datetime | None = None, mtime: int | None = None) -> Path:
        path = self.folder / name
        path.write_bytes(name.encode())
        if mtime is not None:
            os.utime(path, (mtime, mtime))
        findings = findings or []
        if status is None:
            status = "unreadable" if report is None else ("errors" if any(f.severity == Severity.ERROR for f in findings) else "ok")
        self.results[name] = (sha or f"sha-{name}", status, report, findings, saved_at)
        return path

    def __call__(self, path: Path) -> ReadResult:
        self.calls.append(path)
        sha, status, report, findings, saved_at = self.results[Path(path).name]
        return ReadResult(Path(path), sha, status, report, list(findings), saved_at)


def error(code: str = "corrupt", message: str = "Filen er skadet.") -> Finding:
    return Finding(code=code, severity=Severity.ERROR, message=message)


def sheet_rows(book, sheet: str, first_header: str) -> list[dict]:
    """Data rows of a regional sheet as dicts, found below the header row whose A cell is `first_header`."""
    ws = book[sheet]
    rows = list(ws.iter_rows(values_only=True))
    at = next(i for i, r in enumerate(rows) if r[0] == first_header)
    header = rows[at]
    out = []
    for r in rows[at + 1:]:
        if r[0] is None or str(r[0]).startswith("Sum"):
            break
        out.append(dict(zip(header, r)))
    return out


def read_xlsx(data: bytes, **kw):
    return load_workbook(io.BytesIO(data), **kw)


def requested_by_hand(reports: list[dict]) -> dict:
    """The figures recomputed straight from the report JSON, without behovxl's models."""
    out = {"owner": 0, "uh": 0, "coordinator": 0, "by_scheme": {}, "cofunding": 0, "continuation": [[0, 0], [0, 0], [0, 0]],
           "units": [0] * 5}
    for r in reports:
        for m in r["measures"]:
            owner = sum(line["amount"] or 0 for line in m["owner_lines"])
            uh = sum(line["amount"] or 0 for line in m["uh_lines"])
            out["owner"] += owner
            out["uh"] += uh
            out["by_scheme"][m["scheme"]] = out["by_scheme"].get(m["scheme"], 0) + owner + uh
            out["cofunding"] += m.get("cofunding") or 0
            for i, est in enumerate(m["continuation"]):
                out["continuation"][i][0] += est["owner"] or 0
                out["continuation"][i][1] += est["uh"] or 0
        for key, c in r["coordinator"].items():
            out["coordinator"] += c["amount"] or 0
            out["by_scheme"][key] = out["by_scheme"].get(key, 0) + (c["amount"] or 0)
        units = r["units"]
        for i, key in enumerate(("municipal_kindergartens", "private_kindergartens", "public_schools", "private_schools", "pp_services")):
            out["units"][i] += units[key] or 0
    out["total"] = out["owner"] + out["uh"] + out["coordinator"]
    return out


# ---------------------------------------------------------------- totals, recalculated by LibreOffice


@pytest.mark.libreoffice
def test_totals_recalculated_by_libreoffice_equal_the_inputs(tmp_path, lo_recalc):
    files = real_workbooks(tmp_path / "inn")
    c = consolidate(files)
    assert [s.status for s in c.sources] == [Status.IMPORTED, Status.IMPORTED_WITH_ERRORS, Status.IMPORTED, Status.IMPORTED]
    out = tmp_path / "regional.xlsx"
    write_regional(c, out)
    recalculated = lo_recalc(out, tmp_path / "lo")
    book = load_workbook(recalculated, data_only=True)
    expected = requested_by_hand([raw_example(n) for n in NAMES])

    # the named grand total, where the report says it is
    name = book.defined_names[TOTAL_NAME]
    sheet, cell = next(iter(name.destinations))
    assert f"{sheet}!{cell}" == TOTAL_CELL
    assert book[sheet][cell.replace("$", "")].value == expected["total"] == 8_040_519

    # Oversikt: totals row per scheme and for everything
    ws = book["Oversikt"]
    rows = list(ws.iter_rows(values_only=True))
    groups, header = rows[3], rows[4]
    total_row = next(r for r in rows if r[0] == "Sum alle nettverk")
    scheme = None
    per_scheme = {}
    for i, h in enumerate(header):
        scheme = groups[i] or scheme
        if h == "Totalt":
            per_scheme[scheme] = total_row[i]
    assert per_scheme == {"Regional ordning": expected["by_scheme"]["rekom"],
                          "Desentralisert ordning": expected["by_scheme"]["dekom"],
                          "Kompetanseløftet": expected["by_scheme"]["kompetanseloftet"]}
    assert total_row[header.index("Totalt omsøkt")] == expected["total"]
    assert sum(total_row[i] for i, h in enumerate(header) if h == "Eier") == expected["owner"]
    assert sum(total_row[i] for i, h in enumerate(header) if h == "UH") == expected["uh"]
    assert sum(total_row[i] for i, h in enumerate(header) if h == "Koordinator") == expected["coordinator"]

    # Tiltak: the (filter-aware) sums
    tiltak = list(book["Tiltak"].iter_rows(values_only=True))
    head = next(r for r in tiltak if r[0] == "Nettverk")
    sums = next(r for r in tiltak if r[0] == "Sum (viste rader)")
    assert sums[head.index("Eier")] == expected["owner"]
    assert sums[head.index("UH")] == expected["uh"]
    assert sums[head.index("Totalt")] == expected["owner"] + expected["uh"]
    assert sums[head.index("Egenandel")] == expected["cofunding"]
    assert sums[head.index("Høst 2027 eier")] == expected["continuation"][0][0]

    # Videreføring and Enheter
    vid = list(book["Videreføring"].iter_rows(values_only=True))
    vsum = next(r for r in vid if r[0] == "Sum alle nettverk")
    assert vsum[-1] == sum(o + u for o, u in expected["continuation"])
    enh = list(book["Enheter"].iter_rows(values_only=True))
    esum = next(r for r in enh if r[0] == "Sum alle nettverk")
    assert list(esum[1:6]) == expected["units"]


@pytest.mark.libreoffice
def test_every_cached_formula_value_matches_libreoffice(tmp_path, lo_recalc):
    c = consolidate(real_workbooks(tmp_path / "inn"))
    out = tmp_path / "regional.xlsx"
    write_regional(c, out)
    ours_formulas = load_workbook(out)
    ours_values = load_workbook(out, data_only=True)
    theirs = load_workbook(lo_recalc(out, tmp_path / "lo"), data_only=True)
    checked = 0
    for name in SHEETS:
        for row in ours_formulas[name].iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    assert ours_values[name][cell.coordinate].value == theirs[name][cell.coordinate].value, (name, cell.coordinate)
                    checked += 1
    assert checked > 50


# ---------------------------------------------------------------- every file accounted for


def _corrupt_xlsx(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<not really")
    return path


def _other_form(path: Path) -> Path:
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet("Ark1").write_string(0, 0, "Budsjett 2026")
    book.close()
    return path


def test_batch_with_bad_duplicate_and_superseded_files_accounts_for_every_file(tmp_path):
    inn = tmp_path / "inn"
    real_workbooks(inn)
    _corrupt_xlsx(inn / "skadet.xlsx")
    _other_form(inn / "annet-skjema.xlsx")
    (inn / "kopi").mkdir()
    shutil.copy2(inn / "salten.xlsx", inn / "kopi" / "salten.xlsx")
    (inn / "~$salten.xlsx").write_bytes(b"lock")  # Office lock file: ignored
    (inn / "notat.txt").write_text("ikke et skjema")  # not .xlsx: ignored in a folder
    newer = example("lofoten")
    newer.measures[0].owner_lines.append(BudgetLine(description="Ekstra samling", amount=50_000))
    generate_from_report(inn / "lofoten-ny.xlsx", newer)
    old = (inn / "lofoten.xlsx").stat().st_mtime
    os.utime(inn / "lofoten-ny.xlsx", (old + 3600, old + 3600))

    c = consolidate([inn])

    status = {s.name: s.status for s in c.sources}
    assert status == {
        "annet-skjema.xlsx": Status.REJECTED,
        "indre-helgeland-rana.xlsx": Status.IMPORTED,
        "kopi/salten.xlsx": Status.DUPLICATE,
        "lofoten-ny.xlsx": Status.IMPORTED_WITH_ERRORS,
        "lofoten.xlsx": Status.SUPERSEDED,
        "salten.xlsx": Status.IMPORTED,
        "skadet.xlsx": Status.REJECTED,
        "ytre-helgeland.xlsx": Status.IMPORTED,
    }
    assert c.exit_code == 1
    by_name = {s.name: s for s in c.sources}
    assert by_name["lofoten.xlsx"].other == "lofoten-ny.xlsx"
    assert by_name["kopi/salten.xlsx"].other == "salten.xlsx"
    assert [f.code for f in by_name["skadet.xlsx"].findings] == [Code.CORRUPT.value]
    assert [f.code for f in by_name["annet-skjema.xlsx"].findings] == [Code.NOT_OUR_FORM.value]
    assert BatchCode.SEVERAL_SUBMISSIONS.value in [f.code for f in by_name["lofoten-ny.xlsx"].findings]
    assert [n.source.name for n in c.networks] == [
        "indre-helgeland-rana.xlsx", "lofoten-ny.xlsx", "salten.xlsx", "ytre-helgeland.xlsx"]

    book = read_xlsx(regional_bytes(c))
    kilder = {r["Fil"]: r for r in sheet_rows(book, "Kilder", "Fil")}
    assert {name: r["Status"] for name, r in kilder.items()} == {name: s.label for name, s in status.items()}
    assert kilder["lofoten.xlsx"]["Erstattet av / årsak"] == "Erstattet av «lofoten-ny.xlsx»."
    assert kilder["kopi/salten.xlsx"]["Erstattet av / årsak"] == "Samme fil som «salten.xlsx»."
    assert "skadet" in kilder["skadet.xlsx"]["Erstattet av / årsak"]
    assert kilder["skadet.xlsx"]["Feil"] == 1
    avvik = sheet_rows(book, "Avvik", "Fil")
    assert {r["Fil"] for r in avvik} >= {"skadet.xlsx", "annet-skjema.xlsx", "kopi/salten.xlsx", "lofoten.xlsx"}
    assert {"Feil", "Advarsel"} <= {r["Alvorlighet"] for r in avvik}
    # the totals count the newer Lofoten once, and nothing from the old one, the copy or the rejected files
    expected = requested_by_hand([raw_example(n) for n in NAMES])["total"] + 50_000
    assert book["Oversikt"]["B3"].value == f"=SUM({_grand_range(book)})"
    assert read_xlsx(regional_bytes(c), data_only=True)["Oversikt"]["B3"].value == expected


def _grand_range(book) -> str:
    ws = book["Oversikt"]
    return ws["B3"].value[5:-1]


def _batch(tmp_path: Path) -> tuple[FakeReader, list[Path]]:
    fake = FakeReader(tmp_path / "inn")
    salten, lofoten = example("salten"), example("lofoten")
    lofoten_old = example("lofoten")
    lofoten_old.measures[0].owner_lines[0].amount = 1
    paths = [
        fake.add("a-salten.xlsx", salten, sha="s1"),
        fake.add("b-skadet.xlsx", None, findings=[error()]),
        fake.add("c-annet.xlsx", None, findings=[error("not-our-form", "Ikke vårt skjema.")]),
        fake.add("d-salten-kopi.xlsx", salten, sha="s1"),
        fake.add("e-lofoten-gammel.xlsx", lofoten_old, saved_at=datetime(2027, 1, 10, 9, 0)),
        fake.add("f-lofoten.xlsx", lofoten, saved_at=datetime(2027, 1, 20, 9, 0)),
    ]
    return fake, paths


def test_fake_batch_statuses_reasons_and_exit_code(tmp_path):
    fake, paths = _batch(tmp_path)
    c = consolidate(paths, read=fake)
    assert [(s.name, s.status) for s in c.sources] == [
        ("a-salten.xlsx", Status.IMPORTED),
        ("b-skadet.xlsx", Status.REJECTED),
        ("c-annet.xlsx", Status.REJECTED),
        ("d-salten-kopi.xlsx", Status.DUPLICATE),
        ("e-lofoten-gammel.xlsx", Status.SUPERSEDED),
        ("f-lofoten.xlsx", Status.IMPORTED_WITH_ERRORS),
    ]
    assert [s.reason for s in c.sources[1:3]] == ["Filen er skadet.", "Ikke vårt skjema."]
    assert c.exit_code == 1
    assert [n.name for n in c.networks] == ["Kompetansenettverk Lofoten", "Kompetansenettverk Salten"]
    assert c.networks[0].report.measures[0].owner_lines[0].amount != 1  # the newer one counts
    codes = [(sf.file, sf.finding.code) for sf in c.findings]
    assert ("d-salten-kopi.xlsx", "duplicate-file") in codes
    assert ("e-lofoten-gammel.xlsx", "superseded") in codes
    assert ("f-lofoten.xlsx", "several-submissions") in codes
    assert c.counts() == {Status.IMPORTED: 1, Status.IMPORTED_WITH_ERRORS: 1, Status.REJECTED: 2,
                          Status.DUPLICATE: 1, Status.SUPERSEDED: 1}


@pytest.mark.parametrize(
    ("saved", "mtimes", "winner"),
    [
        ((datetime(2027, 1, 2), datetime(2027, 1, 1)), (100, 200), "a.xlsx"),  # saved_at decides
        ((datetime(2027, 1, 1), datetime(2027, 1, 1)), (300, 200), "a.xlsx"),  # then the file's mtime
        ((datetime(2027, 1, 1), datetime(2027, 1, 1)), (200, 200), "b.xlsx"),  # then the name
        ((None, datetime(2027, 1, 1)), (300, 200), "b.xlsx"),                   # a saved time beats none
    ],
)
def test_the_submission_saved_last_counts(tmp_path, saved, mtimes, winner):
    fake = FakeReader(tmp_path)
    a = fake.add("a.xlsx", example("salten"), saved_at=saved[0], mtime=mtimes[0])
    b = fake.add("b.xlsx", example("salten"), saved_at=saved[1], mtime=mtimes[1])
    for order in ([a, b], [b, a]):
        c = consolidate(order, read=fake)
        assert [n.source.name for n in c.networks] == [winner]
        loser = next(s for s in c.sources if s.name != winner)
        assert (loser.status, loser.other) == (Status.SUPERSEDED, winner)


def test_network_is_told_apart_by_recorded_id_then_typed_name_ignoring_case_and_spacing(tmp_path):
    r1 = example("salten")
    r2 = example("salten")
    r2.network_id = None
    r2.partnership.network = "  kompetansenettverk   SALTEN "
    assert network_key(r1) == network_key(r2) == "kompetansenettverk salten"
    fake = FakeReader(tmp_path)
    c = consolidate([fake.add("1.xlsx", r1, mtime=1), fake.add("2.xlsx", r2, mtime=2)], read=fake)
    assert [s.status for s in c.sources] == [Status.SUPERSEDED, Status.IMPORTED_WITH_ERRORS]


def test_same_path_twice_is_counted_once(tmp_path):
    fake = FakeReader(tmp_path)
    path = fake.add("salten.xlsx", example("salten"))
    c = consolidate([path, path], read=fake)
    assert [s.status for s in c.sources] == [Status.IMPORTED, Status.DUPLICATE]
    assert len(c.networks) == 1
    assert c.exit_code == 0  # a duplicate is a warning: nothing is wrong with the figures


def test_other_year_and_missing_network_are_rejected(tmp_path):
    fake = FakeReader(tmp_path)
    old = example("salten")
    old.year = 2025
    nameless = example("lofoten")
    nameless.network_id, nameless.partnership.network = None, " "
    paths = [fake.add("a.xlsx", example("ytre-helgeland")), fake.add("b.xlsx", example("indre-helgeland-rana")),
             fake.add("c.xlsx", old), fake.add("d.xlsx", nameless)]
    c = consolidate(paths, read=fake)
    assert c.year == 2026
    assert [s.status for s in c.sources] == [Status.IMPORTED, Status.IMPORTED, Status.REJECTED, Status.REJECTED]
    assert [f.code for f in c.sources[2].findings] == ["other-year"]
    assert [f.code for f in c.sources[3].findings] == ["network-missing"]
    assert consolidate(paths, read=fake, year=2025).networks[0].name == "Kompetansenettverk Salten"


def test_a_reader_that_raises_rejects_the_file_not_the_run(tmp_path):
    fake = FakeReader(tmp_path)
    good = fake.add("good.xlsx", example("salten"))
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"boom")

    def read(path):
        if path.name == "bad.xlsx":
            raise RuntimeError("unexpected")
        return fake(path)

    c = consolidate([bad, good], read=read)
    assert [(s.name, s.status) for s in c.sources] == [("bad.xlsx", Status.REJECTED), ("good.xlsx", Status.IMPORTED)]
    assert c.sources[0].findings[0].code == "read-failed"
    assert c.sources[0].sha256  # hashed by consolidate itself
    assert c.exit_code == 1


def test_exit_codes(tmp_path):
    fake = FakeReader(tmp_path / "inn")
    ok = fake.add("ok.xlsx", example("salten"))
    assert consolidate([ok], read=fake).exit_code == 0
    warn = fake.add("warn.xlsx", example("ytre-helgeland"),
                    findings=[Finding(code="placeholder", severity=Severity.WARNING, message="x")])
    assert consolidate([ok, warn], read=fake).exit_code == 0
    bad = fake.add("bad.xlsx", example("lofoten"), findings=[error("declared-count", "x")])
    assert consolidate([ok, bad], read=fake).exit_code == 1
    empty = tmp_path / "tom"
    empty.mkdir()
    nothing = consolidate([empty], read=fake)
    assert (nothing.exit_code, nothing.sources) == (2, [])
    assert "Fant ingen .xlsx-filer" in nothing.summary()
    assert consolidate([], read=fake).exit_code == 2


def test_missing_input_file_is_rejected_by_the_reader(tmp_path):
    c = consolidate([tmp_path / "finnes-ikke.xlsx"])
    assert [(s.name, s.status) for s in c.sources] == [("finnes-ikke.xlsx", Status.REJECTED)]
    assert c.sources[0].findings[0].code == Code.CANNOT_OPEN.value


def test_find_inputs_recurses_sorted_and_skips_lock_files(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "x").mkdir(parents=True)
    for rel in ("b/2.xlsx", "b/1.XLSX", "a/x/3.xlsx", "a/~$3.xlsx", "a/notes.txt", "0.xlsx"):
        (tmp_path / rel).write_bytes(b"")
    explicit = tmp_path / "a" / "notes.txt"
    assert [name for _, name in find_inputs([tmp_path, explicit])] == [
        "0.xlsx", "a/x/3.xlsx", "b/1.XLSX", "b/2.xlsx", "notes.txt"]


def test_progress_is_reported_once_per_file(tmp_path):
    fake, paths = _batch(tmp_path)
    events = []

    class Bar:
        def __init__(self, total):
            events.append(("start", total))

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            events.append(("end",))

        def update(self, n):
            events.append(("step", n))

    consolidate(paths, read=fake, progress=Bar)
    assert events == [("start", 6)] + [("step", 1)] * 6 + [("end",)]


def test_owner_in_two_networks_for_the_same_scheme_is_a_warning(tmp_path):
    salten = example("salten")  # Bodø, Fauske, Saltdal, Sørfold; rekom and dekom
    other = example("lofoten")  # dekom and kompetanseløftet
    other.partnership.owners = "Vågan kommune og  FAUSKE"
    other.partners.append(Partner(name="Sørfold kommune", kind="uh"))  # a UH row does not count as owner
    assert owners_of(other)[:2] == ["Vågan kommune", "FAUSKE"]
    assert owner_key("Fauske  Kommune") == owner_key("fauske") == "fauske"
    fake = FakeReader(tmp_path)
    c = consolidate([fake.add("s.xlsx", salten), fake.add("l.xlsx", other)], read=fake)
    overlaps = [(sf.file, sf.finding) for sf in c.findings if sf.finding.code == "owner-in-two-networks"]
    assert [(file, f.severity) for file, f in overlaps] == [("l.xlsx", Severity.WARNING), ("s.xlsx", Severity.WARNING)]
    assert "«Fauske kommune»" in overlaps[0][1].message and "Desentralisert ordning" in overlaps[0][1].message


# ---------------------------------------------------------------- text stays text

EVIL = ['=HYPERLINK("http://evil.example","klikk")', "@SUM(1+1)", "+47 99 99 99 99", "-1+2"]


def _evil_report() -> Report:
    r = example("salten")
    r.network_id = EVIL[0]
    r.partnership.network = EVIL[0]
    r.contacts.owner = Contact(name=EVIL[1], role=EVIL[2], email="=1+1", invoice_marking=EVIL[3])
    m = r.measures[0]
    r.measures[0] = Measure.model_validate({**m.model_dump(exclude={"owner_amount", "uh_amount", "total"}),
                                            "name": EVIL[0], "target_group": EVIL[1]})
    r.units.note = EVIL[3]
    return r


def test_formula_like_text_is_text_in_xlsx_and_csv(tmp_path):
    fake = FakeReader(tmp_path / "inn")
    c = consolidate([fake.add("ond.xlsx", _evil_report())], read=fake)
    write_regional(c, tmp_path / "r.xlsx", tmp_path / "r.json", tmp_path / "csv")
    book = load_workbook(tmp_path / "r.xlsx")
    seen = set()
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value in EVIL + ["=1+1"]:
                    assert cell.data_type == "s", (ws.title, cell.coordinate)
                    seen.add(cell.value)
    assert seen == set(EVIL) | {"=1+1"}
    assert not any(cell.data_type == "f" and "HYPERLINK" in str(cell.value)
                   for ws in book.worksheets for row in ws.iter_rows() for cell in row)
    # xml: the strings are in sharedStrings, never in a <f> element
    with zipfile.ZipFile(tmp_path / "r.xlsx") as zf:
        sheets = "".join(zf.read(n).decode() for n in zf.namelist() if n.startswith("xl/worksheets/sheet"))
        assert "HYPERLINK" not in sheets and "HYPERLINK" in zf.read("xl/sharedStrings.xml").decode()

    raw = (tmp_path / "csv" / "kontakter.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Nettverk", "Rolle", "Navn", "Funksjon", "E-post", "Merking"]
    assert rows[1] == ["'" + EVIL[0], "Eier", "'" + EVIL[1], "'" + EVIL[2], "'=1+1", "'" + EVIL[3]]
    tiltak = list(csv.reader(io.StringIO((tmp_path / "csv" / "tiltak.csv").read_text("utf-8-sig")), delimiter=";"))
    assert tiltak[1][3] == "'" + EVIL[0] and tiltak[1][11] == "'" + EVIL[1]
    assert tiltak[1][6] == "400000"  # numbers are plain, never prefixed
    data = json.loads((tmp_path / "r.json").read_text("utf-8"))
    assert data["networks"][0]["measures"][0]["name"] == EVIL[0]  # JSON keeps the text as it was


@pytest.mark.parametrize(("text", "safe"), [
    ("=1+1", "'=1+1"), ("+4799", "'+4799"), ("-x", "'-x"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
    ("\rx", "'\rx"), ("Bodø = by", "Bodø = by"), ("", ""), ("'=x", "'=x"),
])
def test_csv_safe(text, safe):
    assert csv_safe(text) == safe


# ---------------------------------------------------------------- determinism


def test_input_order_and_location_do_not_change_the_output(tmp_path):
    files = real_workbooks(tmp_path / "inn")
    extra = tmp_path / "inn" / "skadet.xlsx"
    extra.write_bytes(b"not a zip")
    shutil.copy2(files[2], tmp_path / "inn" / "salten-kopi.xlsx")
    a = consolidate([tmp_path / "inn"])
    b = consolidate(sorted((tmp_path / "inn").iterdir(), reverse=True))
    moved = tmp_path / "et" / "annet" / "sted"
    shutil.copytree(tmp_path / "inn", moved)
    d = consolidate([moved])
    first = regional_bytes(a)
    assert regional_bytes(b) == first
    assert regional_bytes(d) == first
    assert regional_bytes(consolidate([tmp_path / "inn"])) == first
    for x in (b, d):
        for kind in ("json", "csv"):
            out_a, out_x = tmp_path / f"{kind}-a", tmp_path / f"{kind}-x"
            write_regional(a, out_a / "r.xlsx", out_a / "r.json", out_a / "csv")
            write_regional(x, out_x / "r.xlsx", out_x / "r.json", out_x / "csv")
            for name in ["r.xlsx", "r.json"] + [f"csv/{n}.csv" for n in CSV_NAMES]:
                assert (out_a / name).read_bytes() == (out_x / name).read_bytes(), name
    assert str(tmp_path) not in first.decode("latin-1")


# ---------------------------------------------------------------- atomic output


def test_a_failed_write_leaves_the_existing_regional_workbook_intact(tmp_path, monkeypatch):
    fake = FakeReader(tmp_path / "inn")
    c = consolidate([fake.add("s.xlsx", example("salten"))], read=fake)
    target = tmp_path / "ut" / "regional.xlsx"
    write_regional(c, target)
    before = target.read_bytes()

    def broken(*_):
        raise RuntimeError("disk full")

    monkeypatch.setattr(files_module.os, "replace", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        write_regional(consolidate([fake.add("l.xlsx", example("lofoten"))], read=fake), target)
    assert target.read_bytes() == before
    assert sorted(p.name for p in target.parent.iterdir()) == ["regional.xlsx"]  # no temporary file left


def test_a_failing_writer_writes_nothing(tmp_path, monkeypatch):
    fake = FakeReader(tmp_path / "inn")
    c = consolidate([fake.add("s.xlsx", example("salten"))], read=fake)
    target = tmp_path / "regional.xlsx"
    target.write_bytes(b"old")

    def broken(_):
        raise RuntimeError("writer bug")

    monkeypatch.setattr(regional_module, "csv_files", broken)
    with pytest.raises(RuntimeError):
        write_regional(c, target, tmp_path / "all.json", tmp_path / "csv")
    assert target.read_bytes() == b"old"
    assert not (tmp_path / "all.json").exists() and not (tmp_path / "csv").exists()


# ---------------------------------------------------------------- the workbook itself


def test_regional_workbook_sheets_names_and_layout(tmp_path):
    fake = FakeReader(tmp_path / "inn")
    findings = {"indre-helgeland-rana": [Finding(code="placeholder", severity=Severity.WARNING, message="x")],
                "lofoten": [error("declared-count", "x")]}
    c = consolidate([fake.add(f"{n}.xlsx", example(n), findings=findings.get(n)) for n in NAMES], read=fake)
    book = read_xlsx(regional_bytes(c))
    assert book.sheetnames == SHEETS
    assert book.defined_names[TOTAL_NAME].attr_text == TOTAL_CELL
    ws = book["Oversikt"]
    assert ws.freeze_panes == "B6"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert "&A" in ws.oddHeader.right.text and "&P" in ws.oddFooter.right.text
    assert len(ws._charts) == 1
    assert [r["Status"] for r in sheet_rows(book, "Oversikt", "Nettverk")] == ["Advarsel", "Feil", "OK", "OK"]
    assert ws.cell(6, 3).number_format == '#,##0 "kr"'
    tiltak = book["Tiltak"]
    assert list(tiltak.tables) == ["Tiltaktabell"]
    assert tiltak.tables["Tiltaktabell"].autoFilter is not None
    assert tiltak.freeze_panes == "B5"
    assert len(sheet_rows(book, "Tiltak", "Nettverk")) == sum(len(example(n).measures) for n in NAMES)
    contacts = sheet_rows(book, "Kontakter", "Nettverk")
    assert [(r["Nettverk"], r["Rolle"]) for r in contacts][:2] == [
        ("Kompetansenettverk Indre Helgeland", "Eier"), ("Kompetansenettverk Indre Helgeland", "UH")]
    kilder = sheet_rows(book, "Kilder", "Fil")
    assert all("/" not in r["Fil"] for r in kilder)


def test_money_without_a_scheme_gets_its_own_column_and_is_not_dropped(tmp_path):
    r = example("salten")
    r.measures[2].scheme = None
    fake = FakeReader(tmp_path)
    c = consolidate([fake.add("s.xlsx", r)], read=fake)
    book = read_xlsx(regional_bytes(c), data_only=True)
    groups = [v for v in next(book["Oversikt"].iter_rows(min_row=4, max_row=4, values_only=True)) if v]
    assert groups == ["Regional ordning", "Desentralisert ordning", "Kompetanseløftet", "Uten ordning", "Alle ordninger"]
    assert book["Oversikt"]["B3"].value == requested_by_hand([raw_example("salten")])["total"]


def test_empty_consolidation_still_writes_a_workbook(tmp_path):
    c = Consolidation(None, [], [])
    book = read_xlsx(regional_bytes(c), data_only=True)
    assert book.sheetnames == SHEETS
    assert book["Oversikt"]["B3"].value == 0


def test_json_has_year_networks_sources_and_findings(tmp_path):
    fake, paths = _batch(tmp_path)
    c = consolidate(paths, read=fake)
    write_regional(c, tmp_path / "r.xlsx", tmp_path / "r.json")
    data = json.loads((tmp_path / "r.json").read_text("utf-8"))
    assert list(data) == ["year", "networks", "sources", "findings"]
    assert data["year"] == 2026
    assert [n["network_id"] for n in data["networks"]] == ["Kompetansenettverk Lofoten", "Kompetansenettverk Salten"]
    assert Report.model_validate(data["networks"][1]) == example("salten")
    assert [s["status"] for s in data["sources"]] == [s.status.value for s in c.sources]
    assert {"file", "network", "code", "severity", "message", "sheet", "cell"} <= set(data["findings"][0])


def test_skip_leaves_out_this_runs_own_output(tmp_path):
    inn = tmp_path / "inn"
    real_workbooks(inn, ["salten"])
    write_regional(consolidate([inn]), inn / "regional.xlsx")
    assert [s.status for s in consolidate([inn]).sources] == [Status.REJECTED, Status.IMPORTED]
    again = consolidate([inn], skip=[inn / "regional.xlsx"])
    assert [(s.name, s.status) for s in again.sources] == [("salten.xlsx", Status.IMPORTED)]
    assert again.exit_code == 0


def test_an_unwritable_output_is_a_behovxl_error(tmp_path):
    from behovxl.errors import BehovxlError

    blocker = tmp_path / "fil"
    blocker.write_text("x")
    with pytest.raises(BehovxlError, match="Kan ikke skrive"):
        write_regional(Consolidation(None, [], []), blocker / "regional.xlsx")


# ---------------------------------------------------------------- the command (once cli.py has it)


def _cli():
    from behovxl.cli import main

    if "consolidate" not in main.commands:
        pytest.skip("behovxl consolidate is not in cli.py yet")
    return main


def test_cli_consolidate_writes_outputs_and_returns_the_exit_code(tmp_path):
    from click.testing import CliRunner

    main = _cli()
    inn = tmp_path / "inn"
    real_workbooks(inn, ["salten", "ytre-helgeland"])
    out = tmp_path / "ut"
    result = CliRunner().invoke(main, ["consolidate", str(inn), "-o", str(out / "r.xlsx"), "--json", str(out / "a.json"),
                                       "--csv", str(out / "csv")])
    assert result.exit_code == 0, result.output
    assert (out / "r.xlsx").exists() and (out / "a.json").exists()
    assert sorted(p.name for p in (out / "csv").iterdir()) == sorted(f"{n}.csv" for n in CSV_NAMES)
    assert "2 filer lest" in result.output
    (inn / "skadet.xlsx").write_bytes(b"x")
    assert CliRunner().invoke(main, ["consolidate", str(inn), "-o", str(out / "r.xlsx")]).exit_code == 1


def test_cli_consolidate_without_workbooks_is_a_usage_error(tmp_path):
    from click.testing import CliRunner

    main = _cli()
    result = CliRunner().invoke(main, ["consolidate", str(tmp_path), "-o", str(tmp_path / "r.xlsx")])
    assert result.exit_code == 2
    assert "Fant ingen .xlsx-filer" in result.output
    assert not (tmp_path / "r.xlsx").exists()
