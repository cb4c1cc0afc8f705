"""behovxl.package: the streaming, hardened reader of the xlsx package.

Values and formulas are checked against openpyxl (read-only, the way behovxl used to read),
on the real returns, on LibreOffice's saves of them and on a hand-made workbook holding every
cell type; every hostile file of `hostile_corpus` must give its exact code; random damage
must never give anything but a PackageError, and never hang.
"""

from __future__ import annotations

import io
import pickle
import signal
import tracemalloc
import zipfile
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

import openpyxl  # type: ignore[import-untyped]
import pytest
from hostile_corpus import (
    MAIN_NS,
    Case,
    corpus,
    deflated,
    sheet_xml,
    xlsx,
    xlsx_entries,
    zip_bytes,
)
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula  # type: ignore[import-untyped]

from behovxl.limits import Limits
from behovxl.package import PACKAGE_CODES, Cell, PackageError, open_package, sniff

RETURNED = sorted((Path(__file__).resolve().parent.parent / "examples" / "returned").glob("*/*.xlsx"))
CASES = corpus()


# ---------------------------------------------------------------- helpers


def openpyxl_cells(data: bytes) -> dict[str, dict[tuple[int, int], Cell]]:
    """Every stored cell as openpyxl (read-only) gives it: cached values and formulas."""
    values = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    formulas = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    sheets: dict[str, dict[tuple[int, int], Cell]] = {}
    for ws in values.worksheets:
        found: dict[tuple[int, int], list[object]] = {}
        for cell in _stored(ws):
            if cell.value is not None:
                found[(cell.row - 1, cell.column - 1)] = [cell.value, None]
        for cell in _stored(formulas[ws.title]):
            if cell.data_type == "f":
                found.setdefault((cell.row - 1, cell.column - 1), [None, None])[1] = _formula_text(cell.value)
        sheets[ws.title] = {key: Cell(value, formula) for key, (value, formula) in found.items()}  # type: ignore[arg-type]
    return sheets


def _stored(ws: Any) -> Iterator[Any]:
    ws.reset_dimensions()  # the whole sheet, not the dimension it claims
    for row in ws.iter_rows():
        for cell in row:
            if hasattr(cell, "row"):
                yield cell


def _formula_text(value: object) -> str:
    if isinstance(value, ArrayFormula):
        value = value.text
    elif isinstance(value, DataTableFormula):
        return ""
    assert isinstance(value, str) and value.startswith("=")
    return value[1:]


def all_cells(data: bytes, limits: Limits | None = None) -> dict[str, dict[tuple[int, int], Cell]]:
    package = open_package(data) if limits is None else open_package(data, limits)
    return {name: package.cells(name) for name in package.sheet_names}


def outcome(case: Case) -> str | None:
    try:
        all_cells(case.data, case.limits)
    except PackageError as exc:
        assert exc.code in PACKAGE_CODES
        return exc.code
    return None


def assert_same_as_openpyxl(data: bytes) -> None:
    expected = openpyxl_cells(data)
    package = open_package(data)
    assert package.sheet_names == list(expected)
    for name in package.sheet_names:
        assert package.cells(name) == expected[name], name


# ---------------------------------------------------------------- against openpyxl


@pytest.mark.parametrize("path", RETURNED, ids=lambda p: p.stem)
def test_returned_workbooks_read_as_openpyxl_reads_them(path: Path) -> None:
    data = path.read_bytes()
    assert_same_as_openpyxl(data)
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    package = open_package(data)
    assert package.sheet_states == {ws.title: ws.sheet_state for ws in book.worksheets}
    assert package.defined_names == {name: dn.attr_text for name, dn in book.defined_names.items()}
    assert package.subject == book.properties.subject
    assert package.modified == book.properties.modified.replace(tzinfo=UTC)
    assert not package.has_macros


def test_returned_workbooks_exist() -> None:
    assert len(RETURNED) >= 4


@pytest.fixture(scope="module")
def libreoffice_saves(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    from libreoffice import recalc

    out = tmp_path_factory.mktemp("lo")
    # Two returns are enough: LibreOffice writes every one the same way, and each save takes seconds.
    return [recalc(path, out) for path in RETURNED[:2]]


@pytest.mark.libreoffice
def test_libreoffice_saves_read_as_openpyxl_reads_them(libreoffice_saves: list[Path]) -> None:
    for path in libreoffice_saves:
        assert_same_as_openpyxl(path.read_bytes())


STYLES = (
    f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{MAIN_NS}">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="dd.mm.yyyy"/>'
    '<numFmt numFmtId="165" formatCode="[h]:mm:ss"/></numFmts>'
    '<cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs>'
    '<cellXfs count="6"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="20"/><xf numFmtId="164"/>'
    '<xf numFmtId="165"/><xf numFmtId="10"/></cellXfs></styleSheet>'
)


def OUT_OF_RANGE(test: Callable[[], None]) -> Callable[[], None]:
    """openpyxl warns on purpose here: E4 is a date serial out of range, the styles are minimal."""
    test = pytest.mark.filterwarnings("ignore:Cell E4 is marked as a date")(test)
    return pytest.mark.filterwarnings("ignore:Workbook contains no default style")(test)
STRINGS = [
    "<t>plain</t>",
    "<r><t>rich </t></r><r><rPr><b/></rPr><t>text</t></r>",
    '<t>ruby</t><rPh sb="0" eb="1"><t>RUBY</t></rPh>',
    '<t xml:space="preserve">  spaced  </t>',
    "<t>a_x000D_b_x005F_x000D_c</t>",
    "<t/>",
    "<t>line&#10;break &amp; more</t>",
]
EVERY_TYPE = (
    '<row r="1"><c r="A1"><v>42</v></c><c r="B1"><v>3.5</v></c><c r="C1"><v>1E3</v></c>'
    '<c r="D1" t="n"><v>-7</v></c><c r="E1" s="5"><v>0.25</v></c></row>'
    '<row r="2">' + "".join(f'<c r="{c}2" t="s"><v>{i}</v></c>' for i, c in enumerate("ABCDEFG")) + "</row>"
    '<row r="3"><c r="A3" t="b"><v>1</v></c><c r="B3" t="b"><v>0</v></c>'
    '<c r="C3" t="e"><f>NA()</f><v>#N/A</v></c><c r="D3" t="e"><v>#DIV/0!</v></c></row>'
    '<row r="4"><c r="A4" s="1"><v>45000</v></c><c r="B4" s="2"><v>0.5</v></c><c r="C4" s="3"><v>45000.25</v></c>'
    '<c r="D4" s="4"><v>1.5</v></c><c r="E4" s="1"><v>1E10</v></c><c r="F4" s="1"/></row>'
    '<row r="5"><c r="A5" t="inlineStr"><is><t>inline</t></is></c>'
    '<c r="B5" t="inlineStr"><is><r><t>ab</t></r><r><rPr><b/></rPr><t>cd</t></r></is></c>'
    '<c r="C5" t="inlineStr"><is><t xml:space="preserve">  padded  </t></is></c>'
    '<c r="D5" t="inlineStr"><is/></c><c r="E5" t="inlineStr"/><c r="F5" t="inlineStr"><v>ignored</v></c></row>'
    '<row r="6"><c r="A6" t="str"><f>"x"&amp;"y"</f><v>xy</v></c><c r="B6" t="str"><f>A1&amp;""</f><v></v></c>'
    '<c r="C6"><f>A1+1</f></c><c r="D6"><v>7</v><f>3+4</f></c><c r="E6"><f/><v>1</v></c></row>'
    '<row r="7"><c r="A7" t="d"><v>2026-01-20T10:00:00</v></c><c r="B7" t="d"><v>2026-01-20</v></c>'
    '<c r="C7" t="d"><v>10:30:00</v></c></row>'
    '<row r="9"><c r="A9"><v>1</v></c><c r="B9"><f t="shared" ref="B9:B11" si="0">A9*2</f><v>2</v></c>'
    '<c r="C9"><f t="shared" ref="C9:C11" si="1">$A$9+A9+SUM(A$9:A9)</f><v>3</v></c></row>'
    '<row r="10"><c r="A10"><v>2</v></c><c r="B10"><f t="shared" si="0"/><v>4</v></c>'
    '<c r="C10"><f t="shared" si="1"/><v>6</v></c></row>'
    '<row r="11"><c r="A11"><v>3</v></c><c r="B11"><f t="shared" si="0"/><v>6</v></c>'
    '<c r="C11"><f t="shared" si="1"/><v>10</v></c></row>'
    '<row r="12"><c r="A12"><f t="array" ref="A12:A13">SUM(B9:B11*2)</f><v>24</v></c></row>'
    '<row r="13"><c r="A13"><v>0</v></c></row>'
    '<row r="14"><c><v>1</v></c><c><v>2</v></c><c r="E14"><v>5</v></c><c><v>6</v></c></row>'
    "<row><c><v>7</v></c><c/><c><v>8</v></c></row>"
    '<row r="16"><c r="A16"><v>1</v></c><c r="A16"><v>2</v></c><c r="B16"><v>1</v></c><c r="B16"/></row>'
    '<row r="17"><c r="b17"><v>9</v></c></row>'
    '<row r="18">\n  <c r="A18" t="str">\n    <v>  padded  </v>\n  </c>\n  <c r="B18"><v> 12 </v></c></row>'
    '<row r="20"><c r="A20" t="e"><f>1/0</f><v>#DIV/0!</v></c><c r="B20" t="x"><v>raw</v></c></row>'
)


def every_type_workbook(**options: object) -> bytes:
    return xlsx({"Typer": sheet_xml(EVERY_TYPE)}, strings=STRINGS, styles=STYLES, **options)


@OUT_OF_RANGE
def test_every_cell_type_reads_as_openpyxl_reads_it() -> None:
    assert_same_as_openpyxl(every_type_workbook())


@OUT_OF_RANGE
def test_every_cell_type_reads_as_openpyxl_reads_it_in_1904_workbooks() -> None:
    data = every_type_workbook(workbook_pr='<workbookPr date1904="1"/>')
    assert_same_as_openpyxl(data)
    assert open_package(data).cells("Typer", [(3, 0)])[(3, 0)].value == datetime(2027, 3, 16)  # 1904 has no 1900 leap-day bug


EXPECTED_TYPES = {
    "A1": Cell(42, None),
    "C1": Cell(1000.0, None),
    "E1": Cell(0.25, None),
    "B2": Cell("rich text", None),
    "C2": Cell("ruby", None),
    "D2": Cell("  spaced  ", None),
    "E2": Cell("a_x000D_b_x000D_c", None),
    "F2": Cell("", None),
    "G2": Cell("line\nbreak & more", None),
    "A3": Cell(True, None),
    "C3": Cell("#N/A", "NA()"),
    "A4": Cell(datetime(2023, 3, 15), None),
    "B4": Cell(time(12, 0), None),
    "C4": Cell(datetime(2023, 3, 15, 6, 0), None),
    "D4": Cell(timedelta(days=1, hours=12), None),
    "E4": Cell("#VALUE!", None),
    "B5": Cell("abcd", None),
    "D5": Cell("", None),
    "A6": Cell("xy", '"x"&"y"'),
    "B6": Cell(None, 'A1&""'),
    "C6": Cell(None, "A1+1"),
    "D6": Cell(7, "3+4"),
    "E6": Cell(1, ""),
    "A7": Cell(datetime(2026, 1, 20, 10, 0), None),
    "B7": Cell(date(2026, 1, 20), None),
    "C7": Cell(time(10, 30), None),
    "B10": Cell(4, "A10*2"),
    "C11": Cell(10, "$A$9+A11+SUM(A$9:A11)"),
    "A12": Cell(24, "SUM(B9:B11*2)"),
    "B14": Cell(2, None),
    "F14": Cell(6, None),
    "A15": Cell(7, None),
    "C15": Cell(8, None),
    "A16": Cell(2, None),
    "B17": Cell(9, None),
    "A18": Cell("  padded  ", None),
    "B18": Cell(12, None),
    "B20": Cell("raw", None),
}
ABSENT = ["F4", "E5", "F5", "B15", "B16", "A8"]


def _key(ref: str) -> tuple[int, int]:
    letters = ref.rstrip("0123456789")
    return int(ref[len(letters) :]) - 1, openpyxl.utils.column_index_from_string(letters) - 1


@pytest.mark.parametrize("ref", list(EXPECTED_TYPES))
def test_every_cell_type_value(ref: str) -> None:
    cells = open_package(every_type_workbook()).cells("Typer")
    assert cells[_key(ref)] == EXPECTED_TYPES[ref]


def test_cells_without_value_or_formula_are_left_out() -> None:
    cells = open_package(every_type_workbook()).cells("Typer")
    assert not {_key(ref) for ref in ABSENT} & set(cells)


def test_wanted_keeps_only_those_cells_and_still_expands_shared_formulas() -> None:
    package = open_package(every_type_workbook())
    everything = package.cells("Typer")
    wanted = {_key("B11"), _key("C10"), _key("A1"), (500, 500)}
    assert package.cells("Typer", wanted) == {k: v for k, v in everything.items() if k in wanted}
    assert package.cells("Typer", []) == {}


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        # A row repeated later: its cells override (openpyxl's read-only mode keeps the first).
        ('<row r="2"><c r="A2"><v>1</v></c></row><row r="2"><c r="A2"><v>5</v></c></row>', {(1, 0): Cell(5, None)}),
        # Rows out of order are all read.
        ('<row r="3"><c r="A3"><v>3</v></c></row><row r="1"><c r="A1"><v>1</v></c></row>', {(2, 0): Cell(3, None), (0, 0): Cell(1, None)}),
        # A cell's own reference wins over its row's.
        ('<row r="1"><c r="C7"><v>1</v></c><c><v>2</v></c></row>', {(6, 2): Cell(1, None), (0, 3): Cell(2, None)}),
        # Only <row>s directly in <sheetData> and <c>s directly in them count.
        ('<row r="1"><x><c r="A1"><v>1</v></c></x></row>', {}),
        # Rows as "5.0" are read as openpyxl reads them.
        ('<row r="5.0"><c><v>1</v></c></row>', {(4, 0): Cell(1, None)}),
        # Text of <v> is only what comes before a child element, as ElementTree's .text.
        ('<row r="1"><c r="A1" t="str"><v>ab<x/>cd</v></c></row>', {(0, 0): Cell("ab", None)}),
    ],
)
def test_sheet_structure(rows: str, expected: dict[tuple[int, int], Cell]) -> None:
    assert open_package(xlsx({"A": sheet_xml(rows)})).cells("A") == expected


def test_only_the_sheetdata_of_the_root_counts() -> None:
    fake = '<sheetPr><sheetData><row r="1"><c r="A1"><v>666</v></c></row></sheetData></sheetPr>'
    xml = sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>', head=fake)
    assert open_package(xlsx({"A": xml})).cells("A") == {(0, 0): Cell(1, None)}


def test_unwanted_inline_strings_are_not_read() -> None:
    long_text = "x" * 40_000
    rows = (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>kept</t></is></c>'
        f'<c r="B1" t="inlineStr"><is><r><t>{long_text}</t></r></is></c><c r="C1"><v>3</v></c></row>'
    )
    package = open_package(xlsx({"A": sheet_xml(rows)}), Limits(text_chars=32_767))
    assert package.cells("A", [(0, 0), (0, 2)]) == {(0, 0): Cell("kept", None), (0, 2): Cell(3, None)}
    with pytest.raises(PackageError, match="for mye data"):
        package.cells("A")


def test_cells_after_sheetdata_are_ignored() -> None:
    xml = sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>').replace(
        "</worksheet>", '<sheetData><row r="1"><c r="A1"><v>2</v></c></row></sheetData></worksheet>'
    )
    assert open_package(xlsx({"A": xml})).cells("A") == {(0, 0): Cell(1, None)}


# ---------------------------------------------------------------- namespaces and encodings


ROWS = '<row r="1"><c r="A1"><v>1</v></c><c r="B1" t="inlineStr"><is><t>hei</t></is></c></row>'
ROWS_CELLS = {(0, 0): Cell(1, None), (0, 1): Cell("hei", None)}


@pytest.mark.parametrize("name", ["prefixed-namespaces", "utf16-sheet", "strict-ooxml", "absolute-rel-targets", "no-strings-no-styles"])
def test_unusual_but_legal_packages_give_their_cells(name: str) -> None:
    case = next(c for c in CASES if c.name == name)
    cells = all_cells(case.data)
    assert next(iter(cells.values())) == (ROWS_CELLS if name != "absolute-rel-targets" else {(0, 0): Cell(1, None)})


def test_prefixed_namespaces_read_as_openpyxl_reads_them() -> None:
    case = next(c for c in CASES if c.name == "prefixed-namespaces")
    assert_same_as_openpyxl(case.data)


# ---------------------------------------------------------------- workbook-level facts


def test_workbook_facts() -> None:
    names = (
        '<definedNames><definedName name="F_total">Ark1!$B$5</definedName>'
        '<definedName name="Local" localSheetId="0">Ark1!$A$1</definedName>'
        '<definedName name="_xlnm.Print_Area" localSheetId="1">B!$A$1:$C$3</definedName></definedNames>'
    )
    data = xlsx(
        {"Ark1": sheet_xml(""), "B": sheet_xml(""), "C": sheet_xml("")},
        states={"B": "hidden", "C": "veryHidden"},
        defined_names=names,
        core=CORE.format(modified="2026-01-20T10:00:00Z"),
    )
    package = open_package(data)
    assert package.sheet_names == ["Ark1", "B", "C"]
    assert package.sheet_states == {"Ark1": "visible", "B": "hidden", "C": "veryHidden"}
    assert package.defined_names == {"F_total": "Ark1!$B$5"}
    assert package.subject == "Kompetansenettverk Salten"
    assert package.modified == datetime(2026, 1, 20, 10, tzinfo=UTC)
    assert not package.has_macros


@pytest.mark.parametrize(
    ("entries", "macros"),
    [
        (xlsx_entries(main_type="application/vnd.ms-excel.sheet.macroEnabled.main+xml"), True),
        ([*xlsx_entries(), deflated("xl/vbaProject.bin", b"\xcc")], True),
        (xlsx_entries(), False),
    ],
    ids=["content-type", "vba-project", "plain"],
)
def test_macros(entries: list, macros: bool) -> None:
    data = zip_bytes(entries)
    assert open_package(data).has_macros is macros
    assert sniff(data) == ("xlsm" if macros else "xlsx")


def test_unknown_sheet_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        open_package(xlsx()).cells("Finnes ikke")


CORE = (
    '<?xml version="1.0" encoding="UTF-8"?><cp:coreProperties '
    'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/">'
    "<dc:subject>Kompetansenettverk Salten</dc:subject>"
    "<dcterms:modified>{modified}</dcterms:modified></cp:coreProperties>"
)
PLUS_ONE = timezone(timedelta(hours=1))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-01-20T10:00:00Z", datetime(2026, 1, 20, 10, tzinfo=UTC)),
        ("2026-01-20T10:00:00.250Z", datetime(2026, 1, 20, 10, 0, 0, 250_000, tzinfo=UTC)),
        ("2026-01-20T10:00:00+01:00", datetime(2026, 1, 20, 10, tzinfo=PLUS_ONE)),
        ("2026-01-20T10:00+01:00", datetime(2026, 1, 20, 10, tzinfo=PLUS_ONE)),
        ("2026-01-20", datetime(2026, 1, 20, tzinfo=UTC)),
        ("2026-01", datetime(2026, 1, 1, tzinfo=UTC)),
        ("2026", datetime(2026, 1, 1, tzinfo=UTC)),
        (" 2026-01-20T10:00:00Z\n", datetime(2026, 1, 20, 10, tzinfo=UTC)),
        ("2026-01-20T10:00:00", datetime(2026, 1, 20, 10, tzinfo=UTC)),
        ("i går", None),
        ("", None),
        ("2026-13-01", None),
        ("2026-02-30T10:00:00Z", None),
        ("9" * 5000, None),
    ],
)
def test_modified_dates(text: str, expected: datetime | None) -> None:
    modified = open_package(xlsx(core=CORE.format(modified=text))).modified
    assert modified == expected
    if modified is not None:
        assert modified.utcoffset() == expected.utcoffset()  # type: ignore[union-attr]


def test_no_core_properties() -> None:
    package = open_package(xlsx())
    assert package.modified is None and package.subject is None


# ---------------------------------------------------------------- sniff


SNIFFED = [
    (xlsx(), "xlsx"),
    (b"", "empty-file"),
    (b"%PDF-1.4\n", "pdf-file"),
    (b"\xef\xbb\xbf%PDF-1.4\n", "pdf-file"),
    (b"{\\rtf1 hei}", "word-file"),
    (b"BM" + b"\x46\0\0\0" + b"\0\0\0\0" + b"\x36\0\0\0" + bytes(40), "image-file"),
    (b"II*\0" + bytes(16), "image-file"),
    (b"MM\0*" + bytes(16), "image-file"),
    (b"RIFF\0\0\0\0WEBPVP8 ", "image-file"),
    (b"\0\0\0\x1cftypavif" + bytes(16), "image-file"),
    (b"From kari@example.no Tue Jan 20 10:00:00 2026\nFrom: kari@example.no\nSubject: hei\n\nTekst", "email-file"),
    (b"Subject: hei\nMIME-Version: 1.0\n\nTekst", "email-file"),
    (b"Subject: hei\n\nTekst", "not-xlsx"),
    (b"BMI;vekt\n1;2\n", "not-xlsx"),
    (b"navn: Kari\nog mer tekst her\n", "not-xlsx"),
    (b"PK\x05\x06" + bytes(18), "not-xlsx"),
    (b"PK\x03\x04" + bytes(100), "corrupt"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "not-xlsx"),
]


@pytest.mark.parametrize(("data", "kind"), SNIFFED, ids=[f"{i}-{k}" for i, (_, k) in enumerate(SNIFFED)])
def test_sniff(data: bytes, kind: str) -> None:
    assert sniff(data) == kind


KIND_CODES = {"empty-file", "not-xlsx", "word-file", "pdf-file", "ods-file", "xls-file", "email-file", "image-file", "encrypted", "zip-password", "duplicate-entry"}


@pytest.mark.parametrize("case", [c for c in CASES if c.code in KIND_CODES], ids=lambda c: c.name)
def test_sniff_names_the_kind_open_package_refuses(case: Case) -> None:
    assert sniff(case.data) == case.code


@given(st.binary(max_size=2048))
@settings(max_examples=200, deadline=None)
def test_sniff_never_raises(data: bytes) -> None:
    assert sniff(data) in {"xlsx", "xlsm", *PACKAGE_CODES}
    assert sniff(b"PK\x03\x04" + data) in {"xlsx", "xlsm", *PACKAGE_CODES}


# ---------------------------------------------------------------- the hostile corpus


def test_corpus_is_large_and_varied() -> None:
    assert len(CASES) >= 40
    assert {c.code for c in CASES} == {*PACKAGE_CODES, None}


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_hostile_file_gives_its_code(case: Case) -> None:
    assert outcome(case) == case.code


def test_zip_bomb_is_stopped_while_it_inflates() -> None:
    case = next(c for c in CASES if c.name == "sheet-1gib-of-spaces")
    package = open_package(case.data)
    tracemalloc.start()
    try:
        with pytest.raises(PackageError) as caught:
            package.cells("Ark1")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert caught.value.code == "zip-bomb"
    assert caught.value.detail == {"reason": "entry-bytes", "part": "xl/worksheets/sheet1.xml", "limit": 64 * 1024 * 1024}
    assert peak < 100 * 1024 * 1024


@pytest.mark.parametrize(
    ("limits", "ok", "too_much"),
    [
        (Limits(shared_strings=3), xlsx(strings=["<t>a</t>"] * 3), xlsx(strings=["<t>a</t>"] * 4)),
        (Limits(cells=3), xlsx({"A": sheet_xml('<row r="1"><c/><c/><c/></row>')}), xlsx({"A": sheet_xml('<row r="1"><c/><c/><c/><c/></row>')})),
        (Limits(text_chars=5), xlsx(strings=["<t>abcde</t>"]), xlsx(strings=["<r><t>abc</t></r><r><t>def</t></r>"])),
        (Limits(rows=3, cols=2), xlsx({"A": sheet_xml('<row r="3"><c r="B3"><v>1</v></c></row>')}), xlsx({"A": sheet_xml('<row r="3"><c r="C3"><v>1</v></c></row>')})),
        (Limits(entries=5), xlsx(), zip_bytes([*xlsx_entries(), deflated("x.xml", "<x/>")])),
        (Limits(file_bytes=len(xlsx())), xlsx(), xlsx() + b"\0"),
    ],
    ids=["shared-strings", "cells", "text-chars", "rows-cols", "entries", "file-bytes"],
)
def test_limits_are_exact(limits: Limits, ok: bytes, too_much: bytes) -> None:
    all_cells(ok, limits)
    with pytest.raises(PackageError) as caught:
        all_cells(too_much, limits)
    assert caught.value.code == "zip-bomb"


def test_package_error_survives_pickling() -> None:
    error = PackageError("zip-bomb", part="xl/worksheets/sheet3.xml", limit=67108864)
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.code, copy.detail, str(copy)) == (error.code, error.detail, str(error))


@pytest.mark.parametrize("code", PACKAGE_CODES)
def test_every_code_has_a_norwegian_message(code: str) -> None:
    message = str(PackageError(code))
    assert message.endswith(".") and "Error" not in message
    assert len({str(PackageError(c)) for c in PACKAGE_CODES}) == len(PACKAGE_CODES)


# ---------------------------------------------------------------- fuzzing


class _Hang(Exception):
    pass


def _alarm(signum: int, frame: object) -> None:
    raise _Hang


def read_within(data: bytes, seconds: float) -> None:
    """Open and read every sheet; only PackageError may escape, and not after `seconds`."""
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        all_cells(data)
    except PackageError as exc:
        assert exc.code in PACKAGE_CODES
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def mutate(data: bytes, edits: list[tuple[int, int, int]]) -> bytes:
    out = bytearray(data)
    for kind, where, byte in edits:
        at = where % (len(out) + 1)
        if kind == 0 and at < len(out):
            out[at] ^= byte or 1
        elif kind == 1:
            out[at:at] = bytes([byte])
        elif at < len(out):
            del out[at]
    return bytes(out)


EDITS = st.lists(st.tuples(st.integers(0, 2), st.integers(0, 1 << 20), st.integers(0, 255)), min_size=1, max_size=8)
SAMPLE = RETURNED[0].read_bytes()


def _sample_parts() -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(SAMPLE)) as zf:
        return {info.filename: zf.read(info) for info in zf.infolist()}


PARTS = _sample_parts()
DEFLATED = {name: deflated(name, content) for name, content in PARTS.items()}
_SHEETS = sorted((n for n in PARTS if n.startswith("xl/worksheets/")), key=lambda n: len(PARTS[n]))
FUZZED_PARTS = ["xl/worksheets/sheet2.xml", _SHEETS[-1], "xl/sharedStrings.xml", "xl/workbook.xml", "xl/styles.xml"]


@given(EDITS)
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_damaged_zip_gives_only_package_errors(edits: list[tuple[int, int, int]]) -> None:
    read_within(mutate(SAMPLE, edits), 10)


@given(st.sampled_from(FUZZED_PARTS), EDITS)
@example("xl/worksheets/sheet2.xml", [(0, 30, 0)])  # the declaration names encoding «TTF-8»
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_damaged_xml_gives_only_package_errors(part: str, edits: list[tuple[int, int, int]]) -> None:
    entries = dict(DEFLATED)
    entries[part] = deflated(part, mutate(PARTS[part], edits))
    read_within(zip_bytes(list(entries.values())), 10)
