"""Reading returned workbooks: round trips, a table of broken workbooks, the check command."""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest
from click.testing import CliRunner
from helpers import blank_layout, edited, example_report, prefilled
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from behovxl.checks import normalize_formula
from behovxl.cli import main
from behovxl.findings import Code, Severity
from behovxl.models import (
    BudgetLine,
    Codetermination,
    Contact,
    Contacts,
    ContinuationEstimate,
    CoordinatorRequest,
    Duration,
    Measure,
    Participant,
    Partner,
    Partnership,
    PreviousRound,
    Report,
    Units,
)
from behovxl.reader import read_workbook

LAYOUT = blank_layout()


def inp(path: str) -> tuple[str, str]:
    f = LAYOUT.inputs[path]
    return f.sheet, f.cell


def slot(key: str) -> tuple[str, str]:
    f = LAYOUT.formulas[key]
    return f.sheet, f.cell


@pytest.fixture(scope="module")
def good() -> bytes:
    return prefilled(example_report("salten"))


def read_bytes(tmp_path, data: bytes, name: str = "innsendt.xlsx"):
    path = tmp_path / name
    path.write_bytes(data)
    return read_workbook(path)


# ---------------------------------------------------------------- broken workbooks


def _patch_cached(data: bytes, sheet_no: int, cell: str, value: str) -> bytes:
    """Change the cached value of one formula cell in the sheet XML (as a stale file would have)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == f"xl/worksheets/sheet{sheet_no}.xml":
                pattern = rf'(<c r="{cell}"[^>]*>(?:<f>[^<]*</f>)<v>)[^<]*(</v>)'
                body, n = re.subn(pattern.encode(), rb"\g<1>" + value.encode() + rb"\g<2>", body)
                assert n == 1
            dst.writestr(info, body)
    return out.getvalue()


def _with_book(data: bytes, change) -> bytes:
    """A copy of a workbook after `change(book)`, saved by openpyxl."""
    book = load_workbook(io.BytesIO(data))
    change(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _drop_sheet(data: bytes, title: str) -> bytes:
    return _with_book(data, lambda book: book.remove(book[title]))


def _set_identity(data: bytes, version: str) -> bytes:
    return edited(data, {("Skjemainfo", "B2"): version})


def _other_form() -> bytes:
    book = Workbook()
    book.active["A1"] = "Budsjett"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _corrupt_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("[Content_Types].xml", "<not-xml")
    return out.getvalue()


BROKEN = [
    # (id, edit: good bytes -> broken bytes, [(code, sheet, cell)])
    ("formula-overwritten", lambda g: edited(g, {slot("measures.1.owner_amount"): 123}),
     [("formula-replaced", *slot("measures.1.owner_amount"))]),
    ("summary-total-typed", lambda g: edited(g, {slot("summary.schemes.dekom.uh"): 925519}),
     [("formula-replaced", *slot("summary.schemes.dekom.uh"))]),
    ("formula-changed", lambda g: edited(g, {slot("summary.economy.total"): "=SUM(1,2)"}),
     [("formula-changed", *slot("summary.economy.total"))]),
    ("stale-cached-value", lambda g: _patch_cached(g, 3, slot("measures.1.owner_amount")[1], "1"),
     [("stale-value", *slot("measures.1.owner_amount"))]),
    ("text-number", lambda g: edited(g, {inp("measures.1.owner_lines.1.amount"): "250.000"}),
     [("text-number", *inp("measures.1.owner_lines.1.amount"))]),
    ("text-number-with-remark", lambda g: edited(g, {inp("measures.1.owner_lines.1.amount"): "250 000,- (ca.)"}),
     [("text-number", *inp("measures.1.owner_lines.1.amount"))]),
    ("text-in-amount", lambda g: edited(g, {inp("measures.1.owner_lines.1.amount"): "se vedlegg"}),
     [("unparseable-number", *inp("measures.1.owner_lines.1.amount"))]),
    ("fractional-amount", lambda g: edited(g, {inp("measures.2.uh_lines.1.amount"): 1234.5}),
     [("fractional-amount", *inp("measures.2.uh_lines.1.amount"))]),
    ("negative-amount", lambda g: edited(g, {inp("measures.2.uh_lines.1.amount"): -5000}),
     [("negative-amount", *inp("measures.2.uh_lines.1.amount"))]),
    ("continuation-in-thousands", lambda g: edited(g, {inp("measures.1.continuation.1.owner"): 200}),
     [("continuation-thousands", *inp("measures.1.continuation.1.owner"))]),
    ("half-year-larger", lambda g: edited(g, {inp("measures.2.continuation.1.owner"): 300000}),
     [("continuation-half-year", *inp("measures.2.continuation.1.owner"))]),
    ("continuation-after-end", lambda g: edited(g, {inp("measures.1.duration.spring_y1"): "Nei"}),
     [("continuation-without-duration", *inp("measures.1.continuation.1.owner"))]),
    ("declared-count", lambda g: edited(g, {inp("declared_measures"): 4}),
     [("declared-count", *inp("declared_measures"))]),
    ("scheme-missing", lambda g: edited(g, {inp("measures.3.scheme"): None}),
     [("scheme-missing", *inp("measures.3.scheme"))]),
    ("name-missing", lambda g: edited(g, {inp("measures.3.name"): None}),
     [("required-for-money", *inp("measures.3.name"))]),
    ("coordinator-unused", lambda g: edited(g, {inp("coordinator.rekom.amount"): 50000}),
     [("coordinator-unused", *inp("coordinator.rekom.amount"))]),
    ("coordinator-missing", lambda g: edited(g, {inp("coordinator.dekom.amount"): None}),
     [("coordinator-missing", *inp("coordinator.dekom.amount"))]),
    ("cofunding-low", lambda g: edited(g, {inp("measures.1.cofunding"): 1000}),
     [("cofunding-low", *inp("measures.1.cofunding"))]),
    ("duplicate-priority", lambda g: edited(g, {inp("measures.2.priority"): 1}),
     [("priority-duplicate", *inp("measures.1.priority")), ("priority-duplicate", *inp("measures.2.priority"))]),
    ("several-schemes-flag", lambda g: edited(g, {inp("partnership.several_schemes"): "Nei"}),
     [("flag-several-schemes", *inp("partnership.several_schemes"))]),
    ("several-uh-flag", lambda g: edited(g, {inp("partnership.several_uh"): "Ja"}),
     [("flag-several-uh", *inp("partnership.several_uh"))]),
    ("scheme-tick", lambda g: edited(g, {inp("partnership.schemes.rekom"): "Nei"}),
     [("scheme-not-declared", *inp("partnership.schemes.rekom"))]),
    ("invalid-choice", lambda g: edited(g, {inp("measures.1.purpose"): "Kurs"}),
     [("invalid-choice", *inp("measures.1.purpose"))]),
    ("placeholder", lambda g: edited(g, {inp("partnership.uh"): "Klikk eller trykk her for å skrive inn tekst."}),
     [("placeholder", *inp("partnership.uh")), ("required-missing", *inp("partnership.uh"))]),
    ("choice-placeholder", lambda g: edited(g, {inp("measures.1.needs_coordinator"): "Velg et element."}),
     [("placeholder", *inp("measures.1.needs_coordinator"))]),
    ("invalid-email", lambda g: edited(g, {inp("contacts.owner.email"): "ola.bodo.kommune.no"}),
     [("invalid-email", *inp("contacts.owner.email"))]),
    ("contact-missing", lambda g: edited(g, {inp("contacts.uh.name"): None}),
     [("required-missing", *inp("contacts.uh.name"))]),
    ("formula-in-input", lambda g: edited(g, {inp("measures.1.owner_lines.2.amount"): "=100000+50000"}),
     [("formula-in-input", *inp("measures.1.owner_lines.2.amount"))]),
    ("sheet-removed", lambda g: _drop_sheet(g, "Tiltak 8"), [("sheet-missing", "Tiltak 8", None)]),
    ("sheet-renamed", lambda g: _rename(g, "Oppsummering", "Sammendrag"), [("sheet-missing", "Oppsummering", None)]),
    ("script-saved", lambda g: edited(g, {}), [("no-cached-values", None, None)]),
    ("unknown-version", lambda g: _set_identity(g, "99"), [("unknown-form-version", None, None)]),
    ("not-xlsx", lambda g: b"Dette er ikke en arbeidsbok.\n", [("not-xlsx", None, None)]),
    ("encrypted-or-xls", lambda g: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, [("encrypted", None, None)]),
    ("corrupt", lambda g: _corrupt_zip(), [("corrupt", None, None)]),
    ("another-template", lambda g: _other_form(), [("not-our-form", "Skjemainfo", None)]),
]


def _rename(data: bytes, old: str, new: str) -> bytes:
    return _with_book(data, lambda book: setattr(book[old], "title", new))


@pytest.mark.parametrize("edit, expected", [pytest.param(e, x, id=i) for i, e, x in BROKEN])
def test_broken_workbook_gives_the_exact_finding(tmp_path, good, edit, expected):
    result = read_bytes(tmp_path, edit(good))
    found = {(f.code, f.sheet, f.cell) for f in result.findings}
    for item in expected:
        assert item in found, (item, sorted(found, key=str))
    for f in result.findings:
        assert f.message and "{" not in f.message, f
        assert Code(f.code).severity == f.severity or f.code == "required-missing"


def test_good_workbook_has_no_findings(tmp_path, good):
    assert read_bytes(tmp_path, good).findings == []


def test_unreadable_file_has_one_finding_and_no_report(tmp_path):
    result = read_bytes(tmp_path, b"PK\x03\x04garbage", "x.xlsx")
    assert result.status == "unreadable" and result.report is None and len(result.findings) == 1


def test_text_that_looks_like_a_formula_reads_back_as_text(tmp_path):
    report = example_report("salten")
    report.measures[0].name = '=HYPERLINK("http://x","klikk")'
    report.partnership.owners = "@SUM(1,2)"
    report.measures[1].owner_lines[0].description = "-1+2"
    result = read_bytes(tmp_path, prefilled(report))
    assert result.findings == []
    assert result.report.model_dump() == report.model_dump()


def test_text_number_is_kept(tmp_path, good):
    result = read_bytes(tmp_path, edited(good, {inp("measures.1.owner_lines.1.amount"): "406 644,-"}))
    assert result.report.measure(1).owner_lines[0].amount == 406644


def test_returned_file_is_never_modified(tmp_path, good):
    path = tmp_path / "innsendt.xlsx"
    path.write_bytes(good)
    before = (path.stat().st_mtime_ns, path.read_bytes())
    read_workbook(path)
    assert (path.stat().st_mtime_ns, path.read_bytes()) == before


def test_formula_normalisation_ignores_libreoffice_rewrites():
    ours = "IF(SUM($J$5:$J$12)=0,\"OK\",SUM(J5:J12)&\" tiltak har beløp\")"
    theirs = "=if(sum(J5:J12) = 0, \"OK\", SUM(J5:J12) & \" tiltak har beløp\")"
    assert normalize_formula(ours) == normalize_formula(theirs)
    assert normalize_formula("ROUND((B5=\"x\")*0.30*B9,0)") == normalize_formula("ROUND((B5=\"x\")*0.3*B9,0)")
    assert normalize_formula('IF(A1="ok","a","b")') != normalize_formula('IF(A1="OK","a","b")')


# ---------------------------------------------------------------- round trip


_plain_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp", "Co")), min_size=1, max_size=40).map(str.strip).filter(bool)
# Text that looks like a formula must come back as the same text.
_text = _plain_text | _plain_text.map(lambda t: "=" + t) | st.sampled_from(["=HYPERLINK(\"http://x\")", "@SUM(1,2)", "+47 12 34 56 78", "-1+2"])
_opt_text = st.none() | _text
_amount = st.none() | st.integers(0, 5_000_000)
_yes_no = st.none() | st.booleans()


@st.composite
def reports(draw) -> Report:
    numbers = draw(st.lists(st.integers(1, 8), unique=True, max_size=4))
    measures = [
        Measure(
            number=n, name=draw(_text), priority=draw(st.none() | st.integers(1, 20)),
            scheme=draw(st.sampled_from(["rekom", "dekom", "kompetanseloftet", None])),
            purpose=draw(st.sampled_from(["planning", "implementation", "salary", None])),
            target_group=draw(_opt_text), anchoring=draw(_opt_text),
            owner_lines=[BudgetLine(description=draw(_opt_text), amount=draw(st.integers(0, 900_000))) for _ in range(draw(st.integers(0, 8)))],
            uh_lines=[BudgetLine(description=draw(_text), amount=draw(_amount)) for _ in range(draw(st.integers(0, 8)))],
            cofunding=draw(_amount), needs_coordinator=draw(_yes_no),
            duration=Duration(spring_y=draw(_yes_no), autumn_y=draw(_yes_no), spring_y1=draw(_yes_no)),
            continuation=[ContinuationEstimate(owner=draw(_amount), owner_reason=draw(_opt_text), uh=draw(_amount)) for _ in range(3)],
        )
        for n in sorted(numbers)
    ]
    return Report(
        form_id="behovsmelding-lokal-kompetanseutvikling", form_version="1", year=draw(st.integers(2024, 2030)),
        network_id=draw(_opt_text), declared_measures=draw(st.none() | st.integers(0, 20)), background=draw(_opt_text),
        partnership=Partnership(network=draw(_opt_text), owners=draw(_opt_text), uh=draw(_opt_text),
                                schemes={k: draw(_yes_no) for k in ("rekom", "dekom", "kompetanseloftet")},
                                several_owners=draw(_yes_no), several_uh=draw(_yes_no), several_schemes=draw(_yes_no)),
        contacts=Contacts(owner=Contact(name=draw(_opt_text), role=draw(_opt_text), email=draw(_opt_text), invoice_marking=draw(_opt_text)),
                          uh=Contact(name=draw(_opt_text), email=draw(_opt_text))),
        continuation=PreviousRound(continues=draw(_yes_no), measures=draw(_opt_text), progress=draw(_opt_text)),
        codetermination=Codetermination(discussed=draw(_yes_no), participants=[Participant(role=draw(_opt_text), name=draw(_text)) for _ in range(draw(st.integers(0, 3)))]),
        units=Units(municipal_kindergartens=draw(st.none() | st.integers(0, 99)), pp_services=draw(st.none() | st.integers(0, 9)), note=draw(_opt_text)),
        partners=[Partner(name=draw(_text), contact=draw(_opt_text), kind=draw(st.sampled_from(["owner", "uh", None]))) for _ in range(draw(st.integers(0, 9)))],
        coordinator={k: CoordinatorRequest(amount=draw(_amount), duties=draw(_opt_text)) for k in ("rekom", "dekom", "kompetanseloftet")},
        measures=measures,
    )


def _normal(report: Report) -> dict:
    """What a workbook can carry: empty coordinator rows and budget lines are not kept."""
    data = report.model_dump(mode="json")
    data["coordinator"] = {k: v for k, v in data["coordinator"].items() if v["amount"] is not None or v["duties"] is not None}
    data["partnership"]["schemes"] = {k: v for k, v in data["partnership"]["schemes"].items() if v is not None}
    return data


@settings(max_examples=30, deadline=None, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(report=reports())
def test_random_report_round_trips(tmp_path, report):
    from behovxl.generate import generate_from_report

    path = tmp_path / "r.xlsx"
    generate_from_report(path, report)
    back = read_workbook(path)
    assert back.status != "unreadable"
    assert _normal(back.report) == _normal(report)
    assert not [f for f in back.findings if f.code in ("formula-replaced", "formula-changed", "stale-value")]


# ---------------------------------------------------------------- the check command


def test_check_json_lists_every_file_and_exit_code_2_wins(tmp_path, good):
    ok = tmp_path / "ok.xlsx"
    ok.write_bytes(good)
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(edited(good, {inp("declared_measures"): 9}))
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"nei")
    result = CliRunner().invoke(main, ["check", str(ok), str(bad), str(junk), "--format", "json"])
    assert result.exit_code == 2
    files = json.loads(result.output)["files"]
    assert [(f["file"].rsplit("/", 1)[-1], f["status"]) for f in files] == [("ok.xlsx", "ok"), ("bad.xlsx", "errors"), ("junk.xlsx", "unreadable")]
    finding = files[1]["findings"][0]
    assert set(finding) == {"code", "severity", "message", "sheet", "cell", "path", "found", "expected"}
    assert (finding["code"], finding["cell"], finding["found"], finding["expected"]) == ("declared-count", inp("declared_measures")[1], 9, 3)


@pytest.mark.parametrize("files, code", [(["ok"], 0), (["ok", "bad"], 1), (["bad", "junk"], 2)])
def test_check_exit_codes(tmp_path, good, files, code):
    data = {"ok": good, "bad": edited(good, {inp("declared_measures"): 9}), "junk": b"nei"}
    paths = []
    for name in files:
        (tmp_path / f"{name}.xlsx").write_bytes(data[name])
        paths.append(str(tmp_path / f"{name}.xlsx"))
    result = CliRunner().invoke(main, ["check", *paths])
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output


def test_check_text_output_is_grouped_most_severe_first(tmp_path, good):
    path = tmp_path / "x.xlsx"
    path.write_bytes(edited(good, {inp("declared_measures"): 9, inp("measures.1.owner_lines.1.amount"): "250.000"}))
    out = CliRunner().invoke(main, ["check", str(path)]).output
    assert out.index("FEIL") < out.index("ADVARSEL") < out.index("INFO")
    assert "Oppgitt antall tiltak (9) stemmer ikke med antall utfylte tiltak (3)." in out


def test_import_writes_a_list_even_for_one_file(tmp_path, good):
    path = tmp_path / "x.xlsx"
    path.write_bytes(good)
    out = tmp_path / "r.json"
    result = CliRunner().invoke(main, ["import", str(path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert isinstance(data, list) and len(data) == 1
    assert Report.model_validate(data[0]).model_dump() == example_report("salten").model_dump()


def test_checks_catalogue_lists_every_code():
    out = CliRunner().invoke(main, ["checks", "--format", "json"]).output
    from behovxl.consolidate import BatchCode

    assert {c["code"] for c in json.loads(out)} == {c.value for c in Code} | {c.value for c in BatchCode}
    assert all(c.severity in Severity for c in Code)
