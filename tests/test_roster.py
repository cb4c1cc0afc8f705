"""behovxl.roster: the roster of networks, in Norwegian or English, CSV or XLSX."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from behovxl.errors import RosterError
from behovxl.models import Contact
from behovxl.roster import (
    ROSTER_COLUMNS,
    RosterEntry,
    network_key,
    parse_date,
    parse_datetime,
    parse_language,
    read_roster,
)

ENGLISH = re.compile(r"\w*(Error|Exception|Warning)\b|Traceback|errno", re.IGNORECASE)

NORWEGIAN_HEADER = (
    "Nettverk;Eiere;UH;Kontaktperson eier;Funksjon eier;E-post eier;Merking eier;"
    "Kontaktperson UH;Funksjon UH;E-post UH;Merking UH;Målform;Frist;Mottatt;Fil"
)
SALTEN = (
    "Kompetansenettverk Salten;Bodø kommune, Fauske kommune;Nord universitet;Torunn Eliassen;"
    "Kommunalsjef oppvekst;torunn.eliassen@bodo.kommune.no;Ansvar 1234;Per Arne Hoff;Utviklingspartner;"
    "per.arne.hoff@nord.no;Prosjekt 99;Nynorsk;1. februar 2027;03.02.2027 14:30;salten.xlsx"
)
SALTEN_ENTRY = RosterEntry(
    row=2,
    network="Kompetansenettverk Salten",
    owners="Bodø kommune, Fauske kommune",
    uh="Nord universitet",
    owner=Contact(name="Torunn Eliassen", role="Kommunalsjef oppvekst", email="torunn.eliassen@bodo.kommune.no",
                  invoice_marking="Ansvar 1234"),
    uh_contact=Contact(name="Per Arne Hoff", role="Utviklingspartner", email="per.arne.hoff@nord.no",
                       invoice_marking="Prosjekt 99"),
    language="nn",
    deadline=date(2027, 2, 1),
    received=datetime(2027, 2, 3, 14, 30),
    file="salten.xlsx",
)


def write(tmp_path: Path, text: str, *, name: str = "roster.csv", encoding: str = "utf-8", newline: str = "\n") -> Path:
    path = tmp_path / name
    path.write_bytes(text.replace("\n", newline).encode(encoding))
    return path


def roster_error(path: Path) -> str:
    with pytest.raises(RosterError) as info:
        read_roster(path)
    message = str(info.value)
    assert not ENGLISH.search(message), message
    return message


# ---------------------------------------------------------------- reading


@pytest.mark.parametrize(
    ("encoding", "newline"),
    [("utf-8", "\n"), ("utf-8-sig", "\r\n"), ("cp1252", "\r\n"), ("utf-16", "\r\n")],
)
def test_norwegian_roster_in_every_encoding(tmp_path, encoding, newline):
    text = f"{NORWEGIAN_HEADER}\n{SALTEN}\n"
    if encoding == "utf-16":
        text = text.replace(";", "\t")  # Excel's «Unicode-tekst»
    path = write(tmp_path, text, encoding=encoding, newline=newline)
    assert read_roster(path) == [SALTEN_ENTRY]


def test_english_roster_as_before(tmp_path):
    text = (
        "network,owners,uh,owner_contact,owner_role,owner_email,uh_contact,uh_role,uh_email\n"
        'Kompetansenettverk Lofoten,"Vågan kommune, Flakstad kommune",UiT,Kristin Dahl,Oppvekstsjef,'
        "kristin.dahl@vagan.kommune.no,Jonas Berntsen,Førsteamanuensis,jonas.berntsen@uit.no\n"
    )
    [entry] = read_roster(write(tmp_path, text))
    assert entry == RosterEntry(
        row=2, network="Kompetansenettverk Lofoten", owners="Vågan kommune, Flakstad kommune", uh="UiT",
        owner=Contact(name="Kristin Dahl", role="Oppvekstsjef", email="kristin.dahl@vagan.kommune.no"),
        uh_contact=Contact(name="Jonas Berntsen", role="Førsteamanuensis", email="jonas.berntsen@uit.no"),
        language="nb", deadline=None, received=None, file="",
    )


def test_only_the_network_is_needed(tmp_path):
    entries = read_roster(write(tmp_path, "NETTVERK\nSalten\n\nRana\n"))
    assert [(e.row, e.network, e.language, e.owner, e.deadline) for e in entries] == [
        (2, "Salten", "nb", Contact(), None),
        (4, "Rana", "nb", Contact(), None),
    ]


def test_the_bundled_example_roster_reads():
    example = Path(__file__).resolve().parent.parent / "examples" / "roster.csv"
    entries = read_roster(example)
    assert len(entries) >= 4
    assert entries[0].network == "Kompetansenettverk Ytre Helgeland"


def test_xlsx_roster_with_numbers_and_dates(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["Nettverk", "Eiere", "Merking eier", "Frist", "Mottatt", "Målform"])
    sheet.append(["Salten", "Bodø kommune", 4711.0, date(2027, 2, 1), datetime(2027, 2, 3, 9, 15), "nn"])
    sheet.append([None])
    sheet.append(["Rana", None, 12, "01.02.2027", date(2027, 2, 4), None])
    path = tmp_path / "roster.xlsx"
    book.save(path)
    salten, rana = read_roster(path)
    assert (salten.row, salten.owner.invoice_marking, salten.deadline, salten.received, salten.language) == (
        2, "4711", date(2027, 2, 1), datetime(2027, 2, 3, 9, 15), "nn",
    )
    assert (rana.row, rana.owners, rana.owner.invoice_marking, rana.deadline, rana.received, rana.language) == (
        4, "", "12", date(2027, 2, 1), datetime(2027, 2, 4, 0, 0), "nb",
    )


def test_every_column_has_a_norwegian_name_first():
    assert list(ROSTER_COLUMNS) == [
        "network", "owners", "uh", "owner_contact", "owner_role", "owner_email", "owner_marking",
        "uh_contact", "uh_role", "uh_email", "uh_marking", "language", "deadline", "received", "file",
    ]
    firsts = [spellings[0] for spellings in ROSTER_COLUMNS.values()]
    assert firsts == [
        "nettverk", "eiere", "uh", "kontaktperson eier", "funksjon eier", "e-post eier", "merking eier",
        "kontaktperson uh", "funksjon uh", "e-post uh", "merking uh", "målform", "frist", "mottatt", "fil",
    ]


# ---------------------------------------------------------------- målform, dates


LANGUAGES = [
    ("", "nb"), ("bokmål", "nb"), ("Bokmål", "nb"), ("BOKMAL", "nb"), ("nb", "nb"), ("NB", "nb"), ("b", "nb"),
    (" nynorsk ", "nn"), ("Nynorsk", "nn"), ("nn", "nn"), ("N", "nn"),
]


@pytest.mark.parametrize(("text", "code"), LANGUAGES)
def test_language(text, code):
    assert parse_language(text) == code


@pytest.mark.parametrize("text", ["svensk", "nno", "bokmål/nynorsk", "engelsk"])
def test_unknown_language(text):
    with pytest.raises(ValueError, match=f"«{re.escape(text)}» er ikke en målform"):
        parse_language(text)


DATES = [
    ("2027-02-01", date(2027, 2, 1)),
    ("2027-2-1", date(2027, 2, 1)),
    ("01.02.2027", date(2027, 2, 1)),
    ("1.2.2027", date(2027, 2, 1)),
    ("1. februar 2027", date(2027, 2, 1)),
    ("1 februar 2027", date(2027, 2, 1)),
    ("1. Februar 2027", date(2027, 2, 1)),
    ("01. feb. 2027", date(2027, 2, 1)),
    ("15. mars 2027", date(2027, 3, 15)),
    ("17. mai 2027", date(2027, 5, 17)),
    ("3. okt 2026", date(2026, 10, 3)),
    ("24. desember 2026", date(2026, 12, 24)),
    ("  1.\u00a0februar   2027 ", date(2027, 2, 1)),
    ("29.02.2028", date(2028, 2, 29)),
    ("", None),
    ("   ", None),
]


@pytest.mark.parametrize(("text", "expected"), DATES)
def test_parse_date(text, expected):
    assert parse_date(text) == expected


BAD_DATES = [
    ("31.02.2027", "er ikke en dato som finnes"),
    ("29.02.2027", "er ikke en dato som finnes"),
    ("2027/02/01", "er ikke en dato"),
    ("01.02.27", "er ikke en dato"),
    ("1. smarch 2027", "har en måned vi ikke kjenner («smarch»)"),
    ("i morgen", "er ikke en dato"),
    ("2027-02-01 14:30", "er ikke en dato"),
    ("1" * 100, "er ikke en dato"),
]


@pytest.mark.parametrize(("text", "fact"), BAD_DATES)
def test_bad_dates(text, fact):
    with pytest.raises(ValueError) as info:
        parse_date(text)
    assert fact in str(info.value)
    assert "2027-02-01, 01.02.2027 eller 1. februar 2027" in str(info.value)


DATETIMES = [
    ("2027-02-01", datetime(2027, 2, 1)),
    ("2027-02-01 14:30", datetime(2027, 2, 1, 14, 30)),
    ("2027-02-01T14:30:15", datetime(2027, 2, 1, 14, 30, 15)),
    ("01.02.2027 14.30", datetime(2027, 2, 1, 14, 30)),
    ("1.2.2027 9:05", datetime(2027, 2, 1, 9, 5)),
    ("1. februar 2027 kl. 14:30", datetime(2027, 2, 1, 14, 30)),
    ("1. februar 2027, kl 08.00", datetime(2027, 2, 1, 8, 0)),
    ("", None),
]


@pytest.mark.parametrize(("text", "expected"), DATETIMES)
def test_parse_datetime(text, expected):
    assert parse_datetime(text) == expected


@pytest.mark.parametrize(("text", "fact"), [
    ("2027-02-01 25:00", "har et klokkeslett som ikke finnes"),
    ("2027-02-01 14:60", "har et klokkeslett som ikke finnes"),
    ("2027-02-01 14", "er ikke en dato eller et tidspunkt"),
    ("31.02.2027 10:00", "er ikke en dato som finnes"),
])
def test_bad_datetimes(text, fact):
    with pytest.raises(ValueError, match=re.escape(fact)):
        parse_datetime(text)


# ---------------------------------------------------------------- network names

KEYS = [
    ("Kompetansenettverk Salten", "kompetansenettverk salten"),
    ("  Kompetansenettverk   SALTEN ", "kompetansenettverk salten"),
    ("Kompetansenettverk\u00a0Salten", "kompetansenettverk salten"),
    ("Kompetansenettverk\tSalten\n", "kompetansenettverk salten"),
    ("Salten\u200b", "salten"),
    ("Sal\u200cten\u2060\ufeff", "salten"),
    ("Sal\u00adten", "salten"),  # soft hyphen
    ("\u200eSalten\u200f", "salten"),  # direction marks
    ("Salten\x07", "salten"),
    ("Ｓａｌｔｅｎ", "salten"),  # full width
    ("Vågan", "vågan"),
    ("Va\u030agan", "vågan"),  # decomposed å
    ("STRASSE", "strasse"),
    ("Straße", "strasse"),
    ("\u200b", ""),
]


@pytest.mark.parametrize(("name", "key"), KEYS)
def test_network_key(name, key):
    assert network_key(name) == key


@given(st.text(max_size=40))
def test_network_key_is_idempotent_and_has_no_outer_space(name):
    key = network_key(name)
    assert network_key(key) == key
    assert key == key.strip()
    assert "  " not in key


# ---------------------------------------------------------------- problems, each with file and row

ROW_ERRORS = [
    # (file text, exact lines of the message; {path} is the roster)
    (
        "Nettverk;Eiere\n;Bodø kommune\n",
        ["{path}, rad 2: kolonnen «Nettverk» er tom. Hver rad trenger nettverkets navn."],
    ),
    (
        "nettverk\n\u200b\n",
        ["{path}, rad 2: kolonnen «nettverk» er tom. Hver rad trenger nettverkets navn."],
    ),
    (
        "Nettverk\nKompetansenettverk Salten\nRana\nkompetansenettverk  salten\u200b\n",
        ["{path}, rad 4: nettverket «kompetansenettverk salten\u200b» står allerede på rad 2. Hvert nettverk skal stå "
         "bare én gang (store og små bokstaver, mellomrom og usynlige tegn teller ikke)."],
    ),
    (
        "Nettverk;E-post eier;Epost UH\nSalten;torunn@bodo;per.hoff@nord.no, ola@nord.no\n",
        ["{path}, rad 2: «torunn@bodo» i kolonnen «E-post eier» er ikke en gyldig e-postadresse. "
         "Skriv én adresse, for eksempel navn@kommune.no.",
         "{path}, rad 2: «per.hoff@nord.no, ola@nord.no» i kolonnen «Epost UH» er ikke en gyldig e-postadresse. "
         "Skriv én adresse, for eksempel navn@kommune.no."],
    ),
    (
        "Nettverk;Målform\nSalten;svensk\n",
        ["{path}, rad 2, kolonnen «Målform»: «svensk» er ikke en målform. Skriv «bokmål» eller «nynorsk» "
         "(eller «nb» eller «nn»)."],
    ),
    (
        "Nettverk;Frist;Mottatt\nSalten;30.02.2027;i går\n",
        ["{path}, rad 2, kolonnen «Frist»: «30.02.2027» er ikke en dato som finnes. "
         "Skriv datoen som 2027-02-01, 01.02.2027 eller 1. februar 2027.",
         "{path}, rad 2, kolonnen «Mottatt»: «i går» er ikke en dato eller et tidspunkt. "
         "Skriv datoen som 2027-02-01, 01.02.2027 eller 1. februar 2027. Klokkeslett kan stå etter, som 14:30."],
    ),
    (
        "Nettverk;Eiere\nSalten;" + "x" * 256 + "\n",
        ["{path}, rad 2: verdien i kolonnen «Eiere» har 256 tegn; høyst 255 tegn er tillatt."],
    ),
]


@pytest.mark.parametrize(("text", "lines"), ROW_ERRORS)
def test_row_problems_name_file_row_and_column(tmp_path, text, lines):
    path = write(tmp_path, text)
    assert roster_error(path).splitlines() == [line.format(path=path) for line in lines]


def test_every_problem_of_every_row_is_listed(tmp_path):
    text = "Nettverk;E-post eier;Målform\nSalten;feil;nn\n;ok@bodo.no;x\nSalten;;\n"
    message = roster_error(write(tmp_path, text))
    rows = [re.match(r".*?, (rad \d+)", line)[1] for line in message.splitlines()]
    assert rows == ["rad 2", "rad 3", "rad 3", "rad 4"]


def test_255_characters_are_fine(tmp_path):
    [entry] = read_roster(write(tmp_path, "Nettverk;Eiere\nSalten;" + "x" * 255 + "\n"))
    assert len(entry.owners) == 255


FILE_ERRORS = [
    # (file text, facts)
    ("Nettverk;Eiere\n", ["{path}: listen over nettverk har ingen nettverk under overskriftsraden."]),
    ("", ["{path}: listen over nettverk er tom."]),
    (
        "Navn;Eiere;E-post eier\nSalten;Bodø;a@b.no\n",
        ["{path}, rad 1: ukjent kolonne «Navn» (kolonne A)",
         "{path}, rad 1: listen over nettverk mangler kolonnen «nettverk»",
         "Kolonnene i filen er «Navn», «Eiere» og «E-post eier»."],
    ),
    (
        "Eiere;UH\nBodø;Nord\n",
        ["{path}, rad 1: listen over nettverk mangler kolonnen «nettverk» (kan også hete «kompetansenettverk»"],
    ),
    (
        "Nettverk;Kommentar\nSalten;ring Ola\n",
        ["{path}, rad 1: ukjent kolonne «Kommentar» (kolonne B).", "«nettverk», «eiere», «uh»"],
    ),
]


@pytest.mark.parametrize(("text", "facts"), FILE_ERRORS)
def test_file_problems(tmp_path, text, facts):
    path = write(tmp_path, text)
    message = roster_error(path)
    for fact in facts:
        assert fact.format(path=path) in message


def test_windows_1252_is_read_not_rejected(tmp_path):
    # Norwegian Excel's «CSV (semikolondelt)»: Windows-1252, «;» and CRLF.
    path = write(tmp_path, "Nettverk;Eiere\r\nSørfold – «indre»;Vågan kommune\r\n", encoding="cp1252")
    [entry] = read_roster(path)
    assert (entry.network, entry.owners) == ("Sørfold – «indre»", "Vågan kommune")


def test_a_word_file_named_roster_xlsx(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    path = tmp_path / "roster.xlsx"
    path.write_bytes(buffer.getvalue())
    message = roster_error(path)
    assert message.startswith(f"{path}: listen over nettverk er ikke en Excel-arbeidsbok (.xlsx)")
    assert "Word-dokument" in message


def test_a_damaged_xlsx_roster(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook")
    path = tmp_path / "roster.xlsx"
    path.write_bytes(buffer.getvalue())
    message = roster_error(path)
    assert message.startswith(f"{path}: listen over nettverk kan ikke åpnes: arbeidsboken er skadet")
