"""behovxl.tablefile: small tables from CSV or XLSX as Norwegian advisers save them."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime, time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from behovxl.limits import Limits
from behovxl.tablefile import TableFileError, TableRow, header_key, join_problems, read_table

COLUMNS = {
    "network": ("nettverk", "kompetansenettverk", "network"),
    "owner_email": ("e-post eier", "epost eier", "owner_email"),
    "note": ("merknad",),
}
REQUIRED = {"network"}
WHAT = "listen over nettverk"

# An English exception or warning name, or a traceback, must never reach a user.
ENGLISH = re.compile(r"\w*(Error|Exception|Warning)\b|Traceback|errno", re.IGNORECASE)


def write(tmp_path: Path, text: str, *, name: str = "roster.csv", encoding: str = "utf-8", newline: str = "\n") -> Path:
    path = tmp_path / name
    path.write_bytes(text.replace("\n", newline).encode(encoding))
    return path


def write_xlsx(tmp_path: Path, rows: list[list[object]], *, name: str = "roster.xlsx", hidden_first: bool = False) -> Path:
    book = Workbook()
    sheet = book.active
    if hidden_first:
        sheet.title = "Skjult"
        sheet.append(["noe annet"])
        sheet.sheet_state = "hidden"
        sheet = book.create_sheet("Liste")
    for row in rows:
        sheet.append(row)
    path = tmp_path / name
    book.save(path)
    return path


def read(path: Path, **kw) -> object:
    return read_table(path, COLUMNS, required=REQUIRED, what=WHAT, **kw)


def error_of(path: Path, **kw) -> str:
    with pytest.raises(TableFileError) as info:
        read(path, **kw)
    message = str(info.value)
    assert not ENGLISH.search(message), message
    return message


# ---------------------------------------------------------------- encodings

ENCODINGS = [
    # (python codec, text, detected encoding)
    ("utf-8", "Salten æøå «sitat» – 5 €", "utf-8"),
    ("utf-8-sig", "Salten æøå «sitat» – 5 €", "utf-8-sig"),
    ("utf-16", "Salten æøå «sitat» – 5 €", "utf-16"),
    ("utf-16-le", "Salten æøå", "utf-16"),  # BOM written by hand below
    ("utf-16-be", "Salten æøå", "utf-16"),
    ("cp1252", "Salten æøå «sitat» – 5 € ’", "windows-1252"),
    ("cp1252", "Sørfold og Vågan", "windows-1252"),  # only letters >= 0xA0: read alike either way
    ("latin-1", "Salten\x81 æøå", "iso-8859-1"),  # 0x81 is undefined in Windows-1252
    ("latin-1", "Rana\x90\x9d", "iso-8859-1"),
    ("utf-8", "Salten", "utf-8"),  # plain ASCII
]


@pytest.mark.parametrize(("codec", "value", "detected"), ENCODINGS)
def test_encoding_is_detected_from_the_bytes(tmp_path, codec, value, detected):
    bom = "\ufeff" if codec in ("utf-16-le", "utf-16-be") else ""
    path = write(tmp_path, f"{bom}nettverk;merknad\n{value};x\n", encoding=codec)
    table = read(path)
    assert table.encoding == detected
    assert table.rows == [TableRow(2, {"network": value, "note": "x"})]


# ---------------------------------------------------------------- delimiters, line ends, quoting

DELIMITED = [
    # (text, delimiter, expected rows)
    ("nettverk;merknad\nSalten;a,b\n", ";", [{"network": "Salten", "note": "a,b"}]),
    ("nettverk,merknad\nSalten,a;b\n", ",", [{"network": "Salten", "note": "a;b"}]),
    ("nettverk\tmerknad\nSalten\ta;b,c\n", "\t", [{"network": "Salten", "note": "a;b,c"}]),
    ("nettverk\nSalten\n", ",", [{"network": "Salten"}]),
    ('nettverk;merknad\n"Salten; Nord";"linje 1\nlinje 2"\n', ";", [{"network": "Salten; Nord", "note": "linje 1\nlinje 2"}]),
    ("nettverk;merknad\nSalten;C:\\Brukere\\ola\\fil.xlsx\n", ";", [{"network": "Salten", "note": "C:\\Brukere\\ola\\fil.xlsx"}]),
    ('nettverk;merknad\nSalten;Leder "Ung oppvekst"\n', ";", [{"network": "Salten", "note": 'Leder "Ung oppvekst"'}]),
    ("sep=,\nnettverk,merknad\nSalten,a;b\n", ",", [{"network": "Salten", "note": "a;b"}]),
]


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
@pytest.mark.parametrize(("text", "delimiter", "expected"), DELIMITED)
def test_delimiter_line_ends_and_quoting(tmp_path, text, delimiter, expected, newline):
    table = read(write(tmp_path, text, newline=newline))
    assert table.delimiter == delimiter
    # Line ends inside a quoted value are the file's own.
    assert [row.values for row in table.rows] == [
        {k: v.replace("\n", newline) for k, v in row.items()} for row in expected
    ]


def test_quoted_delimiter_in_the_header_does_not_decide(tmp_path):
    path = write(tmp_path, '"Nettverk (navn; fullt)",merknad\nSalten,x\n')
    message = error_of(path)
    assert "«Nettverk (navn; fullt)» (kolonne A)" in message  # read as one column, comma-delimited


def test_a_header_beginning_with_pk_is_text(tmp_path):
    path = write(tmp_path, "PKnummer;nettverk\n1;Salten\n")
    assert "ukjent kolonne «PKnummer» (kolonne A)" in error_of(path)


def test_row_numbers_are_the_ones_excel_shows(tmp_path):
    text = '\n;;\nnettverk;merknad\n\nSalten;"to\nlinjer"\n;\nRana;x\n'
    table = read(write(tmp_path, text))
    assert [row.number for row in table.rows] == [5, 7]
    assert table.columns == {"network": "nettverk", "note": "merknad"}


# ---------------------------------------------------------------- headers

HEADERS = [
    ("nettverk", "network"),
    ("NETTVERK", "network"),
    ("  Nettverk  ", "network"),
    ("KOMPETANSENETTVERK", "network"),
    ("Network", "network"),
    ("E-post eier", "owner_email"),
    ("E-POST  EIER", "owner_email"),
    ("e_post eier", "owner_email"),
    ("E-post (eier)", "owner_email"),
    ("Epost eier", "owner_email"),
    ("owner-email", "owner_email"),
    ("Owner Email", "owner_email"),
    ("e-post\u00a0eier", "owner_email"),  # no-break space
    ("Merknad:", "note"),
]


@pytest.mark.parametrize(("header", "key"), HEADERS)
def test_header_spellings(tmp_path, header, key):
    line = f"{header};merknad" if key == "network" else f"nettverk;{header}"
    table = read(write(tmp_path, f"{line}\nSalten;x\n"))
    assert table.columns[key] == header.strip()


def test_header_key_folds_case_punctuation_and_space():
    assert header_key("  E-post (Eier) ") == header_key("e_post eier") == "e post eier"
    assert header_key("Målform") == header_key("Ma\u030alform") == "målform"


@given(st.text(max_size=30))
def test_header_key_is_idempotent(text):
    assert header_key(header_key(text)) == header_key(text)


# ---------------------------------------------------------------- header errors

HEADER_ERRORS = [
    # (file text, facts the message must hold, in order of appearance where it matters)
    (
        "navn;e-post eier\nSalten;a@b.no\n",
        [
            "rad 1", WHAT, "mangler kolonnen «nettverk»", "«kompetansenettverk» eller «network»",
            "Kolonnene i filen er «navn» og «e-post eier»",
        ],
    ),
    (
        "nettverk;kommentar;X\nSalten;x;y\n",
        ["rad 1", "ukjente kolonner «kommentar» (kolonne B) og «X» (kolonne C)", "«nettverk», «e-post eier» og «merknad»"],
    ),
    ("nettverk;e-post eir\nSalten;x\n", ["rad 1", "ukjent kolonne «e-post eir» (kolonne B), mente du «e-post eier»?"]),
    (
        "Nettverk;merknad;Network\nSalten;x;y\n",
        ["rad 1", "kolonnen «nettverk» står to ganger", "«Nettverk» (kolonne A)", "«Network» (kolonne C)"],
    ),
    (
        "\n\nmerknad;kommentar\n",
        ["rad 3", "ukjent kolonne «kommentar» (kolonne B)", "mangler kolonnen «nettverk»", "«merknad» og «kommentar»"],
    ),
]


@pytest.mark.parametrize(("text", "facts"), HEADER_ERRORS)
def test_header_errors_name_row_and_columns(tmp_path, text, facts):
    path = write(tmp_path, text)
    message = error_of(path)
    assert message.startswith(f"{path}, rad ")
    for fact in facts:
        assert fact in message


def test_every_header_problem_is_one_line(tmp_path):
    path = write(tmp_path, "merknad;merknad;kommentar\n")
    lines = error_of(path).splitlines()
    assert len(lines) == 3
    assert all(line.startswith(f"{path}, rad 1: ") for line in lines)


# ---------------------------------------------------------------- file errors

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


FILE_ERRORS = [
    # (file name, bytes, facts)
    ("roster.csv", b"", ["er tom"]),
    ("roster.csv", b" \r\n\t\n", ["er tom"]),
    ("roster.csv", b";;;\r\n;;\r\n", ["er tom"]),
    ("roster.csv", "\ufeff".encode("utf-8"), ["er tom"]),
    ("roster.csv", b"nettverk\nSal\x00ten\n", ["binære data", "NUL"]),
    ("roster.csv", "nettverk\nSørfold\n".encode() + "Vågan\n".encode("cp1252"), ["blandet tegnkoding", "UTF-8", "Windows-1252"]),
    ("roster.csv", b"\xef\xbb\xbfnettverk\nV\xe5gan\n", ["ukjent tegnkoding", "UTF-8"]),
    ("roster.csv", b"\xff\xfen\x00e\x00\x00\xd8", ["ukjent tegnkoding", "UTF-16"]),
    ("roster.csv", b"\xff\xfe\x00\x00n\x00\x00\x00", ["UTF-32"]),
    ("roster.csv", "nettverk\nSalten\n".encode("utf-16-le"), ["binære data"]),  # UTF-16 without BOM
    ("roster.xlsx", zip_bytes({"word/document.xml": b"<w/>"}), ["ikke en Excel-arbeidsbok", "Word-dokument"]),
    ("roster.xlsx", b"%PDF-1.7\n...", ["ikke en Excel-arbeidsbok", "PDF-fil"]),
    ("roster.xlsx", OLE + "Workbook".encode("utf-16-le"), ["ikke en Excel-arbeidsbok", "(.xls, Excel 97–2003)"]),
    ("roster.xls", OLE + "WordDocument".encode("utf-16-le"), ["Word-dokument i det gamle formatet (.doc)"]),
    ("roster.xlsx", OLE + "EncryptedPackage".encode("utf-16-le"), ["passordbeskyttet", "Fjern passordet"]),
    ("roster.xlsx", OLE + b"\x00" * 64, ["Office-fil i det gamle formatet"]),
    ("roster.ods", zip_bytes({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}), ["(.ods)"]),
    ("roster.xlsx", zip_bytes({"ppt/presentation.xml": b"<p/>"}), ["PowerPoint"]),
    ("roster.xlsx", zip_bytes({"xl/workbook.bin": b""}), ["(.xlsb)"]),
    ("roster.xlsx", zip_bytes({"a.txt": b"a"}), ["zip-fil som ikke er en Excel-arbeidsbok"]),
    ("roster.xlsx", b"PK\x03\x04 not really a zip", ["skadet"]),
    ("roster.csv", b"PK\x03\x04 not really a zip", ["skadet"]),
    ("roster.xlsx", b"{\\rtf1 nettverk}", ["RTF-dokument"]),
    ("roster.xlsx", b"nettverk;merknad\nSalten;x\n", ["har endelsen .xlsx, men er en tekstfil", "endelsen .csv"]),
    ("roster.xlsx", zip_bytes({"xl/workbook.xml": b"<not a workbook"}), ["kan ikke åpnes", "skadet", "lagre den på nytt"]),
    ("roster.xlsx", zip_bytes({"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<workbook/>"}), ["kan ikke åpnes"]),
]


@pytest.mark.parametrize(("name", "data", "facts"), FILE_ERRORS)
def test_file_errors_say_what_the_file_is(tmp_path, name, data, facts):
    path = tmp_path / name
    path.write_bytes(data)
    message = error_of(path)
    assert message.startswith(f"{path}: ")
    for fact in facts:
        assert fact in message


def test_missing_file_and_folder(tmp_path):
    missing = tmp_path / "finnes-ikke.csv"
    assert error_of(missing) == f"{missing}: kan ikke lese {WHAT}: filen finnes ikke. Sjekk navnet og mappen."
    assert error_of(tmp_path) == f"{tmp_path}: kan ikke lese {WHAT}: dette er en mappe, ikke en fil."


def test_file_too_large(tmp_path):
    path = write(tmp_path, "nettverk\n" + "Salten\n" * 200)
    assert f"{path}: {WHAT} er for stor (over 1000 byte)." in error_of(path, limits=Limits(file_bytes=1000))
    assert len(read(path, limits=Limits(file_bytes=path.stat().st_size)).rows) == 200


def test_too_many_cells_and_too_long_text(tmp_path):
    path = write(tmp_path, "nettverk;merknad\nSalten;x\nRana;y\n")
    assert "rad 3: filen har for mange celler (over 5)" in error_of(path, limits=Limits(cells=5))
    long = write(tmp_path, "nettverk;merknad\nSalten;" + "x" * 11 + "\n", name="long.csv")
    expected = f"{long}, rad 2, kolonne B: cellen har 11 tegn; høyst 10 tegn er tillatt."
    assert expected in error_of(long, limits=Limits(text_chars=10))


def test_an_unclosed_quote_that_swallows_the_file(tmp_path):
    path = write(tmp_path, 'nettverk;merknad\nSalten;"ikke lukket\n' + "Rana;x\n" * 20_000)
    message = error_of(path)
    assert message.startswith(f"{path}, linje ")
    assert "kan ikke leses som CSV (for eksempel et anførselstegn som ikke er lukket)" in message


# ---------------------------------------------------------------- values without a header

def test_value_in_a_column_without_header(tmp_path):
    path = write(tmp_path, "nettverk;;merknad\nSalten;;x\nRana;glemt;y;;ekstra\n")
    lines = error_of(path).splitlines()
    assert lines == [
        f"{path}, rad 3, kolonne B: cellen har verdien «glemt», men kolonnen har ingen overskrift i rad 1. "
        "Gi kolonnen en overskrift, eller slett verdien.",
        f"{path}, rad 3, kolonne E: cellen har verdien «ekstra», men kolonnen har ingen overskrift i rad 1. "
        "Gi kolonnen en overskrift, eller slett verdien.",
    ]


def test_empty_cells_past_the_header_are_fine(tmp_path):
    # Excel writes every row as wide as the widest one.
    table = read(write(tmp_path, "nettverk;merknad;;\nSalten;;;\nRana\n"))
    assert [row.values for row in table.rows] == [{"network": "Salten", "note": ""}, {"network": "Rana", "note": ""}]


# ---------------------------------------------------------------- XLSX


def test_xlsx_values_as_text(tmp_path):
    rows = [
        [None],
        ["Nettverk", "Merknad"],
        ["heltall", 123],
        ["flyttall", 1500000.0],
        ["desimal", 12.5],
        ["dato", date(2027, 2, 1)],
        ["dato og tid", datetime(2027, 2, 1, 14, 30)],
        ["med sekunder", datetime(2027, 2, 1, 14, 30, 15)],
        ["nesten", datetime(2027, 2, 1, 14, 29, 59, 999_999)],
        ["tid", time(9, 5)],
        ["sann", True],
        [None, None],
        ["  mellomrom  ", "  x  "],
        ["formel", "=1+1"],  # never calculated: no cached value
    ]
    table = read(write_xlsx(tmp_path, rows))
    assert (table.encoding, table.delimiter) == ("xlsx", "")
    assert table.columns == {"network": "Nettverk", "note": "Merknad"}
    assert [(row.number, row.values["network"], row.values["note"]) for row in table.rows] == [
        (3, "heltall", "123"),
        (4, "flyttall", "1500000"),
        (5, "desimal", "12.5"),
        (6, "dato", "2027-02-01"),
        (7, "dato og tid", "2027-02-01 14:30"),
        (8, "med sekunder", "2027-02-01 14:30:15"),
        (9, "nesten", "2027-02-01 14:30"),
        (10, "tid", "09:05"),
        (11, "sann", "SANN"),
        (13, "mellomrom", "x"),
        (14, "formel", ""),
    ]


def test_xlsx_first_visible_sheet(tmp_path):
    table = read(write_xlsx(tmp_path, [["nettverk"], ["Salten"]], hidden_first=True))
    assert [row.values for row in table.rows] == [{"network": "Salten"}]


def test_xlsx_with_a_wrong_dimension_is_read_in_full(tmp_path):
    path = write_xlsx(tmp_path, [["nettverk", "merknad"], ["Salten", "x"]])
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    parts["xl/worksheets/sheet1.xml"] = re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1"/>', sheet)
    assert parts["xl/worksheets/sheet1.xml"] != sheet
    path.write_bytes(zip_bytes(parts))
    assert [row.values for row in read(path).rows] == [{"network": "Salten", "note": "x"}]


def test_xlsx_named_csv_is_read_as_a_workbook(tmp_path):
    path = write_xlsx(tmp_path, [["nettverk"], ["Salten"]], name="roster.csv")
    table = read(path)
    assert table.encoding == "xlsx"
    assert table.rows == [TableRow(2, {"network": "Salten"})]


def test_xlsx_header_errors_use_sheet_rows(tmp_path):
    path = write_xlsx(tmp_path, [[None], [None, "navn"], [None, "Salten", None, "x"]])
    message = error_of(path)
    assert f"{path}, rad 2: {WHAT} mangler kolonnen «nettverk»" in message


def test_xlsx_too_many_entries_is_refused_before_openpyxl(tmp_path):
    path = write_xlsx(tmp_path, [["nettverk"], ["Salten"]])
    assert "for stor når den pakkes ut, eller har for mange deler" in error_of(path, limits=Limits(entries=2))
    assert "for stor når den pakkes ut" in error_of(path, limits=Limits(entry_bytes=100))


# ---------------------------------------------------------------- round trip and messages

CELL = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12)


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.tuples(CELL, CELL), max_size=5), codec=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
def test_any_text_survives_a_csv_round_trip(tmp_path_factory, rows, codec):
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(["nettverk", "merknad"])
    writer.writerows(rows)
    path = tmp_path_factory.mktemp("rt") / "roster.csv"
    path.write_bytes(buffer.getvalue().encode(codec))
    table = read(path)
    expected = [{"network": a.strip(), "note": b.strip()} for a, b in rows if a.strip() or b.strip()]
    assert [row.values for row in table.rows] == expected


def test_join_problems_cuts_a_long_list():
    assert join_problems(["a", "b"]) == "a\nb"
    lines = join_problems([str(n) for n in range(60)]).splitlines()
    assert len(lines) == 51
    assert lines[-1] == "… og 10 problemer til."


def test_conflicting_spellings_are_a_programming_error(tmp_path):
    path = write(tmp_path, "nettverk\nSalten\n")
    with pytest.raises(ValueError, match="both"):
        read_table(path, {"a": ("navn",), "b": ("Navn",)}, required=(), what=WHAT)
