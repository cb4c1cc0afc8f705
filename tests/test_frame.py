"""behovxl.frame: the money per scheme, as an adviser types it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from openpyxl import Workbook

from behovxl.frame import FRAME_COLUMNS, FrameError, SchemeRef, read_frame

ENGLISH = re.compile(r"\w*(Error|Exception|Warning)\b|Traceback|errno", re.IGNORECASE)

SCHEMES = (
    SchemeRef("rekom", "Regional ordning", "REKOM"),
    SchemeRef("dekom", "Desentralisert ordning", "DEKOM"),
    SchemeRef("kompetanseloftet", "Kompetanseløftet for spesialpedagogikk og inkluderende praksis", "Kompetanseløftet"),
)


def write(tmp_path: Path, text: str, *, encoding: str = "utf-8", newline: str = "\n") -> Path:
    path = tmp_path / "ramme.csv"
    path.write_bytes(text.replace("\n", newline).encode(encoding))
    return path


def frame_error(path: Path, schemes=SCHEMES) -> str:
    with pytest.raises(FrameError) as info:
        read_frame(path, schemes)
    message = str(info.value)
    assert not ENGLISH.search(message), message
    return message


# ---------------------------------------------------------------- reading

NAMES = [
    ("dekom", "dekom"),
    ("DEKOM", "dekom"),
    ("Dekom", "dekom"),
    ("Desentralisert ordning", "dekom"),
    ("  desentralisert   ORDNING ", "dekom"),
    ("Regional ordning", "rekom"),
    ("kompetanseloftet", "kompetanseloftet"),
    ("Kompetanseløftet", "kompetanseloftet"),
    ("KOMPETANSELØFTET FOR SPESIALPEDAGOGIKK OG INKLUDERENDE PRAKSIS", "kompetanseloftet"),
]


@pytest.mark.parametrize(("name", "key"), NAMES)
def test_scheme_by_key_label_or_short_label(tmp_path, name, key):
    assert read_frame(write(tmp_path, f"Ordning;Ramme\n{name};1000\n"), SCHEMES) == {key: 1000}


AMOUNTS = [
    ("1500000", 1_500_000),
    ("1 500 000", 1_500_000),
    ("1\u00a0500\u00a0000", 1_500_000),
    ("1.500.000", 1_500_000),
    ("1 500 000,-", 1_500_000),
    ("kr 1 500 000", 1_500_000),
    ("1 500 000 kr", 1_500_000),
    ("1500 tusen", 1_500_000),
    ("1,5 mill.", 1_500_000),
    ('"1,500,000"', 1_500_000),
    ("1 500 000,00", 1_500_000),
    ("0", 0),
]


@pytest.mark.parametrize(("text", "value"), AMOUNTS)
def test_norwegian_amounts(tmp_path, text, value):
    assert read_frame(write(tmp_path, f"Ordning;Ramme (kr)\nDEKOM;{text}\n"), SCHEMES) == {"dekom": value}


def test_order_is_that_of_the_schemes_and_absent_schemes_are_left_out(tmp_path):
    path = write(tmp_path, "ordning,beløp\nDEKOM,2000\nREKOM,1000\n", encoding="cp1252", newline="\r\n")
    frame = read_frame(path, SCHEMES)
    assert list(frame.items()) == [("rekom", 1000), ("dekom", 2000)]


def test_xlsx_frame_with_numbers(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["Ordning", "Ramme"])
    sheet.append(["Regional ordning", 1_200_000])
    sheet.append(["Desentralisert ordning", 3_400_000.0])
    sheet.append(["Kompetanseløftet", "kr 900 000"])
    path = tmp_path / "ramme.xlsx"
    book.save(path)
    assert read_frame(path, SCHEMES) == {"rekom": 1_200_000, "dekom": 3_400_000, "kompetanseloftet": 900_000}


def test_english_headers_work_too(tmp_path):
    assert read_frame(write(tmp_path, "scheme,frame\ndekom,5\n"), SCHEMES) == {"dekom": 5}
    assert FRAME_COLUMNS["scheme"][0] == "ordning" and FRAME_COLUMNS["frame"][0] == "ramme"


# ---------------------------------------------------------------- problems

KNOWN = (
    "Ordningene vi kjenner er «Regional ordning» (REKOM), «Desentralisert ordning» (DEKOM), "
    "«Kompetanseløftet for spesialpedagogikk og inkluderende praksis» (Kompetanseløftet)."
)
EXAMPLE = "Skriv rammen i hele kroner, for eksempel 1 500 000."

ROW_ERRORS = [
    # (rows under «Ordning;Ramme», exact lines; {path} is the file)
    ("Barnehage;1000\n", ["{path}, rad 2: ukjent ordning «Barnehage». " + KNOWN]),
    (
        "DEKOM;1000\nREKOM;5\nDesentralisert ordning;2000\n",
        ["{path}, rad 4: ordningen «Desentralisert ordning» står både på rad 2 og rad 4. Hver ordning skal stå bare én gang."],
    ),
    ("DEKOM;-5000\n", ["{path}, rad 2: rammen kan ikke være negativ (-5 000). " + EXAMPLE]),
    ("DEKOM;-1 500 000\n", ["{path}, rad 2: rammen kan ikke være negativ (-1 500 000). " + EXAMPLE]),
    ("DEKOM;1,5\n", ["{path}, rad 2: rammen «1,5» er ikke et helt kronebeløp. " + EXAMPLE]),
    ("DEKOM;1 500 000,50\n", ["{path}, rad 2: rammen «1 500 000,50» er ikke et helt kronebeløp. " + EXAMPLE]),
    ("DEKOM;mye\n", ["{path}, rad 2: rammen «mye» er ikke et beløp. " + EXAMPLE]),
    ("DEKOM;10-20\n", ["{path}, rad 2: rammen «10-20» er ikke et beløp. " + EXAMPLE]),
    ("DEKOM;\n", ["{path}, rad 2: rammen er tom. " + EXAMPLE]),
    (";1000\n", ["{path}, rad 2: kolonnen «Ordning» er tom. Skriv hvilken ordning rammen gjelder."]),
    (
        "REKOM;1,5\nUkjent;x\n",
        ["{path}, rad 2: rammen «1,5» er ikke et helt kronebeløp. " + EXAMPLE,
         "{path}, rad 3: ukjent ordning «Ukjent». " + KNOWN,
         "{path}, rad 3: rammen «x» er ikke et beløp. " + EXAMPLE],
    ),
]


@pytest.mark.parametrize(("rows", "lines"), ROW_ERRORS)
def test_row_problems(tmp_path, rows, lines):
    path = write(tmp_path, "Ordning;Ramme\n" + rows)
    assert frame_error(path).splitlines() == [line.format(path=path) for line in lines]


def test_a_scheme_not_asked_for_is_unknown(tmp_path):
    path = write(tmp_path, "Ordning;Ramme\nDEKOM;5\nREKOM;6\n")
    message = frame_error(path, SCHEMES[:1])
    assert message == f"{path}, rad 2: ukjent ordning «DEKOM». Ordningene vi kjenner er «Regional ordning» (REKOM)."


FILE_ERRORS = [
    (
        "Ordning;Ramme\n",
        "{path}: rammefilen har ingen rader under overskriftsraden. Skriv én ordning per rad med rammen i kroner.",
    ),
    ("", "{path}: rammefilen er tom."),
    (
        "Ordning;Sum\nDEKOM;5\n",
        "{path}, rad 1: rammefilen mangler kolonnen «ramme» (kan også hete «ramme (kr)», «beløp», «belop» eller «frame»).",
    ),
    ("Ramme\n5\n", "{path}, rad 1: rammefilen mangler kolonnen «ordning» (kan også hete «scheme»)."),
]


@pytest.mark.parametrize(("text", "fact"), FILE_ERRORS)
def test_file_problems(tmp_path, text, fact):
    path = write(tmp_path, text)
    assert fact.format(path=path) in frame_error(path)


def test_conflicting_scheme_names_are_a_programming_error(tmp_path):
    path = write(tmp_path, "Ordning;Ramme\nA;1\n")
    with pytest.raises(ValueError, match="both"):
        read_frame(path, [SchemeRef("a", "A", "X"), SchemeRef("b", "a", "Y")])
