"""Reading returned workbooks: a table of broken workbooks with their exact findings, round trips, the check command.

Each broken workbook is made the way it happens: values typed and recalculated (the
cached values are right for what was typed), or a file tampered with (a formula
overwritten, a cached value that no longer fits). Each row asserts the EXACT set of
(code, sheet, cell) the checker reports.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import (
    blank_form,
    edited,
    example_report,
    form_of,
    found,
    patch_sheet_xml,
    prefilled,
    sheet_index,
    typed,
)
from openpyxl import Workbook, load_workbook

from behovxl.checks import normalize_formula
from behovxl.cli import main
from behovxl.findings import Severity, codes, entry
from behovxl.layout import build_layout
from behovxl.pipeline import read

SALTEN = example_report("salten")
LAYOUT = build_layout(form_of(SALTEN))


def at(path: str, code: str) -> tuple[str, str, str]:
    spec = LAYOUT.inputs[path]
    return (code, spec.sheet, spec.cell)


def slot(key: str, code: str) -> tuple[str, str, str]:
    s = LAYOUT.formulas[key]
    return (code, s.sheet, s.cell)


@pytest.fixture(scope="module")
def good() -> bytes:
    return prefilled(SALTEN)


def read_bytes(tmp_path: Path, data: bytes, name: str = "innsendt.xlsx"):
    path = tmp_path / name
    path.write_bytes(data)
    return read(path)


# ---------------------------------------------------------------- typed mistakes (recalculated)

_MEASURE_4 = {
    "measures.4.name": "Koordinator", "measures.4.priority": 4, "measures.4.scheme": "Desentralisert ordning",
    "measures.4.purpose": "Lønnsmidler", "measures.4.target_group": "Alle", "measures.4.anchoring": "Styringsgruppen.",
    "measures.4.collective_processes": "Koordinering av arbeidet.", "measures.4.teacher_education": "Indirekte.",
    "measures.4.long_term_plan": "Kap. 7.", "measures.4.needs_coordinator": "Nei", "measures.4.duration.spring_y": "Ja",
    "measures.4.duration.autumn_y": "Ja", "measures.4.duration.spring_y1": "Ja",
    "measures.4.owner_lines.1.amount": 100000, "measures.4.owner_lines.1.description": "Lønn til koordinator",
    "measures.4.cofunding": 30000, "declared_measures": 4,
}
_NO_PARTNERS = {f"partners.{n}.{k}": None for n in (1, 2, 3) for k in ("name", "contact", "kind")}
_NO_MEASURES = {p: None for p in LAYOUT.inputs if p.startswith("measures.")}

TYPED = [
    # (id, edits, measure sheets, expected findings)
    ("declared-count", {"declared_measures": 4}, None, [at("declared_measures", "declared-count")]),
    ("declared-count-blank", {"declared_measures": None}, None, [at("declared_measures", "required-missing")]),
    ("declared-count-as-text", {"declared_measures": "3"}, None, [at("declared_measures", "text-number")]),
    ("text-number", {"measures.1.owner_lines.1.amount": "250.000"}, None,
     [at("measures.1.owner_lines.1.amount", "text-number")]),
    ("text-number-tusen", {"measures.1.owner_lines.1.amount": "60 tusen"}, None,
     [at("measures.1.owner_lines.1.amount", "text-number")]),
    ("text-in-amount", {"measures.1.owner_lines.1.amount": "se vedlegg"}, None,
     [at("measures.1.owner_lines.1.amount", "unparseable-number")]),
    ("fractional-amount", {"measures.2.uh_lines.1.amount": 1234.5}, None,
     [at("measures.2.uh_lines.1.amount", "fractional-amount")]),
    ("negative-amount", {"measures.2.uh_lines.1.amount": -5000}, None,
     [at("measures.2.uh_lines.1.amount", "negative-amount")]),
    ("absurd-amount", {"measures.2.uh_lines.1.amount": 10**20}, None,
     [at("measures.2.uh_lines.1.amount", "amount-too-large"), at("measures.2.cofunding", "cofunding-low")]),
    ("continuation-in-thousands", {"measures.1.continuation.1.owner": 200}, None,
     [at("measures.1.continuation.1.owner", "continuation-thousands")]),
    ("budget-line-in-thousands", {"measures.1.owner_lines.1.amount": 330}, None,
     [at("measures.1.owner_lines.1.amount", "amount-thousands")]),
    ("half-year-larger", {"measures.2.continuation.1.owner": 300000}, None,
     [at("measures.2.continuation.1.owner", "continuation-half-year")]),
    ("continuation-after-end", {"measures.1.duration.spring_y1": "Nei"}, None,
     [at("measures.1.continuation.1.owner", "continuation-without-duration")]),
    ("scheme-missing", {"measures.3.scheme": None}, None,
     [at("measures.3.scheme", "scheme-missing"), at("partnership.several_schemes", "flag-several-schemes"),
      at("partnership.schemes.rekom", "scheme-not-declared")]),
    ("name-missing", {"measures.3.name": None}, None, [at("measures.3.name", "required-for-money")]),
    ("named-without-money", {p: None for p in LAYOUT.inputs if p.startswith("measures.3.") and p.endswith(".amount")
                             and "_lines." in p}, None,
     [at("measures.3.name", "measure-without-money")]),
    ("coordinator-unused", {"coordinator.rekom.amount": 50000}, None, [at("coordinator.rekom.amount", "coordinator-unused")]),
    ("coordinator-missing", {"coordinator.dekom.amount": None}, None,
     [at("coordinator.dekom.amount", "coordinator-missing")]),
    ("cofunding-low", {"measures.1.cofunding": 1000}, None, [at("measures.1.cofunding", "cofunding-low")]),
    ("duplicate-priority", {"measures.2.priority": 1}, None,
     [at("measures.1.priority", "priority-duplicate"), at("measures.2.priority", "priority-duplicate")]),
    ("several-schemes-flag", {"partnership.several_schemes": "Nei"}, None,
     [at("partnership.several_schemes", "flag-several-schemes")]),
    ("several-uh-flag", {"partnership.several_uh": "Ja"}, None, [at("partnership.several_uh", "flag-several-uh")]),
    ("several-owners-flag", {"partnership.several_owners": "Nei"}, None,
     [at("partnership.several_owners", "flag-several-owners")]),
    ("owners-split-on-ampersand", {**_NO_PARTNERS, "partnership.owners": "Bodø & Fauske"}, None, []),
    ("one-owner-but-several", {**_NO_PARTNERS, "partnership.owners": "Bodø kommune"}, None,
     [at("partnership.several_owners", "flag-several-owners")]),
    ("scheme-tick", {"partnership.schemes.rekom": "Nei"}, None, [at("partnership.schemes.rekom", "scheme-not-declared")]),
    ("invalid-choice", {"measures.1.purpose": "Kurs"}, None, [at("measures.1.purpose", "invalid-choice")]),
    ("nynorsk-label-in-bokmal-form", {"measures.1.needs_coordinator": "JA"}, None, []),
    ("placeholder", {"partnership.uh": "Klikk eller trykk her for å skrive inn tekst."}, None,
     [at("partnership.uh", "placeholder"), at("partnership.uh", "required-missing")]),
    ("choice-placeholder", {"measures.1.needs_coordinator": "Velg et element."}, None,
     [at("measures.1.needs_coordinator", "placeholder"), at("measures.1.needs_coordinator", "required-missing")]),
    ("invalid-email", {"contacts.owner.email": "ola.bodo.kommune.no"}, None, [at("contacts.owner.email", "invalid-email")]),
    ("contact-missing", {"contacts.uh.name": None}, None, [at("contacts.uh.name", "required-missing")]),
    ("form-empty", _NO_MEASURES, None, [("form-empty", None, None)]),
    ("coordinator-double-counted", _MEASURE_4, 4, [("coordinator-double-counted", "Tiltak 4", "B5")]),
    ("coordinator-as-measure", {**_MEASURE_4, "coordinator.dekom.amount": None}, 4,
     [("coordinator-as-measure", "Tiltak 4", "B5"), at("coordinator.dekom.amount", "coordinator-missing")]),
    ("invisible-characters", {"partnership.network": "Kompetanse\u200bnettverk Salten"}, None,
     [at("partnership.network", "invisible-characters")]),
    ("text-too-long", {"measures.1.name": "x" * 300}, None, [at("measures.1.name", "text-too-long")]),
]


@pytest.mark.parametrize("edits, measures, expected", [pytest.param(e, m, x, id=i) for i, e, m, x in TYPED])
def test_typed_mistake_gives_exactly_its_findings(tmp_path, edits, measures, expected):
    result = read_bytes(tmp_path, typed(SALTEN, edits, measures))
    assert found(result) == set(expected)
    for f in result.findings:
        assert f.message and "{" not in f.message, f
        assert entry(f.code).severity == f.severity or f.code == "required-missing"


# ---------------------------------------------------------------- tampered files


def _tampered_formula(good: bytes, key: str, new: str) -> bytes:
    s = LAYOUT.formulas[key]
    return patch_sheet_xml(good, sheet_index(LAYOUT, s.sheet), rf'(<c r="{s.cell}"[^>]*>)<f>[^<]*</f>(<v>[^<]*</v>)?', new)


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


def _identity_inline(good: bytes, row: int, value: str) -> bytes:
    layout = LAYOUT
    index = sheet_index(layout, form_of(SALTEN).sheet("identity"))
    return patch_sheet_xml(good, index, rf'<c r="B{row}"([^>]*) t="s"><v>\d+</v></c>',
                           rf'<c r="B{row}"\1 t="inlineStr"><is><t>{value}</t></is></c>')


def _macro_enabled(good: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(good))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "[Content_Types].xml":
                body = body.replace(b"spreadsheetml.sheet.main+xml", b"ms-excel.sheet.macroEnabled.main+xml")
            dst.writestr(info, body)
    return out.getvalue()


def _with_book(data: bytes, change) -> bytes:
    book = load_workbook(io.BytesIO(data))
    change(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _add_sheet(book) -> None:
    book.create_sheet("Tiltak 9")["A1"] = 250000


TAMPERED = [
    ("formula-overwritten", lambda g: _tampered_formula(g, "measures.1.owner_amount", r"\1<v>123</v>"),
     [slot("measures.1.owner_amount", "formula-replaced")]),
    ("summary-total-typed", lambda g: _tampered_formula(g, "summary.schemes.dekom.uh", r"\1<v>925519</v>"),
     [slot("summary.schemes.dekom.uh", "formula-replaced")]),
    ("formula-changed", lambda g: _tampered_formula(g, "summary.schemes.sum.total", r"\1<f>SUM(1,2)</f>\2"),
     [slot("summary.schemes.sum.total", "formula-changed")]),
    ("stale-cached-value", lambda g: _tampered_formula(g, "measures.1.owner_amount", r"\1<f>SUM(A29:A36)</f><v>1</v>"),
     [slot("measures.1.owner_amount", "stale-value")]),
    ("formula-in-input", lambda g: patch_sheet_xml(g, 3, r'(<c r="A30"[^>]*)><v>([^<]*)</v>', r"\1><f>100000+50000</f><v>\2</v>"),
     [at("measures.1.owner_lines.2.amount", "formula-in-input")]),
    ("script-saved", lambda g: edited(g, {}), [("no-cached-values", None, None)]),
    ("sheet-removed", lambda g: _with_book(g, lambda b: b.remove(b["Tiltak 3"])),
     [("sheet-missing", "Tiltak 3", None), ("no-cached-values", None, None), at("declared_measures", "declared-count"),
      at("partnership.schemes.rekom", "scheme-not-declared"), at("partnership.several_schemes", "flag-several-schemes")]),
    ("extra-sheet-with-money", lambda g: _with_book(g, _add_sheet),
     [("extra-sheet", "Tiltak 9", None), ("no-cached-values", None, None)]),
    ("network-id-edited", lambda g: _identity_inline(g, 4, "Kompetansenettverk Lofoten"),
     [("identity-mismatch", None, None)]),
    ("macro-enabled", _macro_enabled, [("macro-enabled", None, None)]),
    ("year-out-of-range", lambda g: _identity_inline(g, 3, "1999"), [("identity-invalid", None, None)]),
    ("zero-measures", lambda g: _identity_inline(g, 5, "0"), [("identity-invalid", None, None)]),
    ("too-many-measures", lambda g: _identity_inline(g, 5, "21"), [("identity-invalid", None, None)]),
    ("unknown-version", lambda g: _identity_inline(g, 2, "99"), [("unknown-form-version", None, None)]),
    ("not-xlsx", lambda g: b"Dette er ikke en arbeidsbok.\n", [("not-xlsx", None, None)]),
    ("encrypted", lambda g: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64 + "EncryptionInfo".encode("utf-16-le") + b"\0" * 512,
     [("encrypted", None, None)]),
    ("truncated", lambda g: g[: len(g) * 2 // 3], [("corrupt", None, None)]),
    ("zip-without-workbook", lambda g: _corrupt_zip(), [("not-xlsx", None, None)]),
    ("another-workbook", lambda g: _other_form(), [("not-our-form", None, None)]),
]


@pytest.mark.parametrize("edit, expected", [pytest.param(e, x, id=i) for i, e, x in TAMPERED])
def test_tampered_file_gives_exactly_its_findings(tmp_path, good, edit, expected):
    result = read_bytes(tmp_path, edit(good))
    assert found(result) == set(expected)
    for f in result.findings:
        assert f.message and "{" not in f.message and "Error" not in f.message, f


def test_good_workbook_has_no_findings(tmp_path, good):
    assert read_bytes(tmp_path, good).findings == []


def test_every_cell_code_is_produced_by_a_table_row():
    """Every code a workbook's cells can give is produced by at least one row of the two tables."""
    made = {code for _, _, _, expected in TYPED for code, _, _ in expected}
    made |= {code for _, _, expected in TAMPERED for code, _, _ in expected}
    elsewhere = {"coordinator-cap", "over-frame", "above-request", "timeout", "out-of-memory", "internal-error",
                 "cannot-open", "not-regular-file", "empty-file", "too-large", "word-file", "pdf-file", "ods-file",
                 "xls-file", "email-file", "image-file", "zip-password", "xml-attack", "duplicate-entry",
                 "continuation-thousands", "frame-missing"}
    workbook_codes = {c for c in codes() if entry(c).scope.value in ("cell", "workbook")}
    assert workbook_codes - made - elsewhere == set()


def test_unreadable_file_has_one_finding_and_no_report(tmp_path):
    result = read_bytes(tmp_path, b"PK\x03\x04garbage", "x.xlsx")
    assert result.status == "unreadable" and result.report is None and len(result.findings) == 1


def test_text_that_looks_like_a_formula_reads_back_as_text(tmp_path):
    report = SALTEN.model_copy(deep=True)
    report.measures[0].name = '=HYPERLINK("http://x","klikk")'
    report.partnership.owners = "@SUM(1,2)"
    report.measures[1].owner_lines[0].description = "-1+2"
    result = read_bytes(tmp_path, prefilled(report))
    assert result.report.model_dump() == report.model_dump()


def test_seed_thousands_words_are_read_and_reported(tmp_path):
    result = read_bytes(tmp_path, typed(SALTEN, {"measures.1.owner_lines.1.amount": "60 tusen"}))
    assert result.report.measure(1).owner_lines[0].amount == 60000
    (f,) = result.findings
    assert "«60 tusen»" in f.message and "lest som 60\u00a0000" in f.message


def test_returned_file_is_never_modified(tmp_path, good):
    path = tmp_path / "innsendt.xlsx"
    path.write_bytes(good)
    before = (path.stat().st_mtime_ns, path.read_bytes())
    read(path)
    assert (path.stat().st_mtime_ns, path.read_bytes()) == before


def test_formula_normalisation_ignores_libreoffice_rewrites():
    ours = 'IF(SUM($J$5:$J$12)=0,"OK",SUM(J5:J12)&" tiltak har beløp")'
    theirs = '=if(sum(J5:J12) = 0, "OK", SUM(J5:J12) & " tiltak har beløp")'
    assert normalize_formula(ours) == normalize_formula(theirs)
    assert normalize_formula('ROUND((B5="x")*0.30*B9,0)') == normalize_formula('ROUND((B5="x")*0.3*B9,0)')
    assert normalize_formula('IF(A1="ok","a","b")') != normalize_formula('IF(A1="OK","a","b")')


def test_nynorsk_workbook_reads_with_nynorsk_findings(tmp_path):
    data = typed(SALTEN, {"declared_measures": 4}, language="nn")
    result = read_bytes(tmp_path, data)
    (f,) = result.findings
    assert result.language == "nn" and f.code == "declared-count"
    assert f.message == "Oppgitt tal på tiltak (4) stemmer ikkje med talet på utfylte tiltak (3)."
    assert f.text_nb == "Oppgitt antall tiltak (4) stemmer ikke med antall utfylte tiltak (3)."
    expected = SALTEN.model_copy(update={"declared_measures": 4, "language": "nn"}).model_dump()
    assert result.report.model_dump() == expected


# ---------------------------------------------------------------- the check command


def test_check_json_lists_every_file_and_exit_code_2_wins(tmp_path, good):
    ok, bad, junk = tmp_path / "ok.xlsx", tmp_path / "bad.xlsx", tmp_path / "junk.xlsx"
    ok.write_bytes(good)
    bad.write_bytes(typed(SALTEN, {"declared_measures": 9}))
    junk.write_bytes(b"nei")
    result = CliRunner().invoke(main, ["check", str(ok), str(bad), str(junk), "--format", "json", "--jobs", "1"])
    assert result.exit_code == 2
    files = json.loads(result.output)["files"]
    assert [(Path(f["file"]).name, f["status"]) for f in files] == [("ok.xlsx", "ok"), ("bad.xlsx", "errors"),
                                                                     ("junk.xlsx", "unreadable")]
    finding = files[1]["findings"][0]
    assert set(finding) == {"code", "severity", "scope", "message", "sheet", "cell", "path", "found", "expected"}
    assert (finding["code"], finding["cell"], finding["found"], finding["expected"]) == ("declared-count", "B71", 9, 3)


@pytest.mark.parametrize("files, code", [(["ok"], 0), (["ok", "bad"], 1), (["bad", "junk"], 2)])
def test_check_exit_codes(tmp_path, good, files, code):
    data = {"ok": good, "bad": typed(SALTEN, {"declared_measures": 9}), "junk": b"nei"}
    paths = []
    for name in files:
        (tmp_path / f"{name}.xlsx").write_bytes(data[name])
        paths.append(str(tmp_path / f"{name}.xlsx"))
    result = CliRunner().invoke(main, ["check", *paths])
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output


def test_check_text_leads_with_the_message_most_severe_first(tmp_path):
    path = tmp_path / "x.xlsx"
    path.write_bytes(typed(SALTEN, {"declared_measures": 9, "measures.1.owner_lines.1.amount": "250.000"}))
    out = CliRunner().invoke(main, ["check", str(path), "--jobs", "1"]).output
    assert out.index("FEIL") < out.index("ADVARSEL")
    assert "  FEIL      Oppgitt antall tiltak (9) stemmer ikke med antall utfylte tiltak (3).\n" in out
    assert "Partnerskap!B71 · declared-count" in out


def test_import_writes_a_list_even_for_one_file(tmp_path, good):
    path = tmp_path / "x.xlsx"
    path.write_bytes(good)
    out = tmp_path / "ut" / "r.json"
    out.parent.mkdir()
    result = CliRunner().invoke(main, ["import", str(path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert isinstance(data, list) and len(data) == 1
    assert data[0]["partnership"]["network"] == "Kompetansenettverk Salten"


def test_import_never_writes_over_an_input(tmp_path, good):
    path = tmp_path / "x.xlsx"
    path.write_bytes(good)
    result = CliRunner().invoke(main, ["import", str(path), "-o", str(path)])
    assert result.exit_code == 1 and "aldri skrevet over" in result.output
    assert path.read_bytes() == good


def test_severities_come_from_the_catalogue():
    for code in codes():
        assert entry(code).severity in Severity


def test_blank_form_reads_as_not_filled_in(tmp_path):
    from behovxl.writer import workbook_bytes

    result = read_bytes(tmp_path, workbook_bytes(blank_form(network="Nett")))
    assert found(result) == {("form-empty", None, None)} and result.status == "errors"
