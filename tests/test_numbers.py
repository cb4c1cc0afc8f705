"""Tests for behovxl.numbers: whole numbers typed by hand into form cells."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from behovxl.numbers import PLACEHOLDERS, ParsedNumber, is_placeholder, parse_whole_number

CASES = [
    # (raw, value, kind, remark)
    # --- empty
    (None, None, "empty", None),
    ("", None, "empty", None),
    ("   ", None, "empty", None),
    ("\u00a0\t\n", None, "empty", None),
    # --- real numbers from Excel
    (330, 330, "number", None),
    (0, 0, "number", None),
    (-5000, -5000, "number", None),
    (330000.0, 330000, "number", None),
    (1234.5, None, "fractional", None),
    (0.1, None, "fractional", None),
    (float("nan"), None, "unparseable", None),
    (float("inf"), None, "unparseable", None),
    (True, None, "unparseable", None),
    (False, None, "unparseable", None),
    # --- Word placeholders
    ("Klikk eller trykk her for å skrive inn tekst.", None, "placeholder", None),
    ("Klikk eller trykk her for å skrive inn tekst", None, "placeholder", None),
    ("  KLIKK ELLER TRYKK HER FOR Å SKRIVE INN TEKST.  ", None, "placeholder", None),
    ("Velg et element.", None, "placeholder", None),
    ("velg et element", None, "placeholder", None),
    ("Velg\u00a0et element.", None, "placeholder", None),
    # --- numbers typed as text
    ("330", 330, "text_number", None),
    ("0", 0, "text_number", None),
    (" 330 ", 330, "text_number", None),
    ("406 644,-", 406644, "text_number", None),
    ("330.000", 330000, "text_number", None),
    ("330,000", 330000, "text_number", None),
    ("1.555.519", 1555519, "text_number", None),
    ("1,555,519", 1555519, "text_number", None),
    ("1 555 519 kr", 1555519, "text_number", None),
    ("1 555 519,-", 1555519, "text_number", None),
    ("1 555 519.-", 1555519, "text_number", None),
    ("12,–", 12, "text_number", None),
    ("kr 50 000", 50000, "text_number", None),
    ("Kr. 50 000,-", 50000, "text_number", None),
    ("kr50000", 50000, "text_number", None),
    ("50000kr", 50000, "text_number", None),
    ("50 000 kroner", 50000, "text_number", None),
    ("NOK 5000", 5000, "text_number", None),
    ("5000 NOK", 5000, "text_number", None),
    ("50\u00a0000", 50000, "text_number", None),
    ("50\u202f000", 50000, "text_number", None),
    ("50  000", 50000, "text_number", None),
    ("330 000.", 330000, "text_number", None),
    ("-5 000", -5000, "text_number", None),
    ("\u22125 000", -5000, "text_number", None),
    ("- 5000", -5000, "text_number", None),
    ("kr -5 000", -5000, "text_number", None),
    ("+5 000", 5000, "text_number", None),
    ("1 234,00", 1234, "text_number", None),
    ("1.234,00", 1234, "text_number", None),
    ("1.234,000", 1234, "text_number", None),  # mixed separators: the comma is decimal
    # --- remarks kept, not interpreted
    ("165 (forutsatt tildeling vår)", 165, "text_number", "forutsatt tildeling vår"),
    ("10 (+6)", 10, "text_number", "+6"),
    ("25 000 (forutsatt tildeling vår)", 25000, "text_number", "forutsatt tildeling vår"),
    ("( ca ) 500", 500, "text_number", "ca"),
    ("500 ()", 500, "text_number", None),
    # Words for thousands and millions multiply (the seeds' «60 tusen», «230 tusen»).
    ("60 tusen", 60000, "text_number", None),
    ("60 tusen kr", 60000, "text_number", None),
    ("50 k", 50000, "text_number", None),
    ("60 tusen (usikkert)", 60000, "text_number", "usikkert"),
    ("1,5 mill.", 1500000, "text_number", None),
    ("1,5 millioner", 1500000, "text_number", None),
    ("2 MNOK", 2000000, "text_number", None),
    ("1,2345 mill.", 1234500, "text_number", None),
    ("1,23456789 mill.", None, "fractional", None),
    ("165 (forutsatt", 165, "text_number", "forutsatt"),
    # --- fractional
    ("12,5", None, "fractional", None),
    ("12.5", None, "fractional", None),
    ("1 234,50", None, "fractional", None),
    ("1.234,56", None, "fractional", None),
    ("0,500", None, "fractional", None),  # leading 0 is never a thousands group
    ("12,5 (anslag)", None, "fractional", "anslag"),
    # --- unparseable
    ("ca. mye", None, "unparseable", None),
    ("se vedlegg", None, "unparseable", None),
    ("-", None, "unparseable", None),
    ("—", None, "unparseable", None),
    ("–", None, "unparseable", None),
    (",-", None, "unparseable", None),
    ("kr", None, "unparseable", None),
    ("(5000)", None, "unparseable", None),
    ("10-20", None, "unparseable", None),
    ("5 000 / 6 000", None, "unparseable", None),
    ("2023 500", None, "unparseable", None),
    ("1 2345", None, "unparseable", None),
    ("1e5", None, "unparseable", None),
    ("ca. 500", None, "unparseable", None),
    ("sju", None, "unparseable", None),
    ("\u0663\u0663\u0660", None, "unparseable", None),  # Arabic-Indic digits
    ("1" * 19, None, "unparseable", None),  # longer than any real amount
    ("1" * 10_000, None, "unparseable", None),  # would trip int()'s digit limit
    (datetime.date(2024, 3, 1), None, "unparseable", None),  # a date cell
    ([330], None, "unparseable", None),
]


@pytest.mark.parametrize(("raw", "value", "kind", "remark"), CASES, ids=[repr(c[0])[:40] for c in CASES])
def test_parse_whole_number(raw, value, kind, remark):
    assert parse_whole_number(raw) == ParsedNumber(value, kind, remark)


def test_table_is_big_enough():
    assert len(CASES) >= 35


@pytest.mark.parametrize("text", PLACEHOLDERS)
def test_is_placeholder(text):
    assert is_placeholder(text)
    assert is_placeholder(text.rstrip(".").upper() + "  ")


@pytest.mark.parametrize("raw", [None, "", "330", 330, "Velg et element her", "Velg", True])
def test_is_not_placeholder(raw):
    assert not is_placeholder(raw)


def _norwegian(n: int) -> str:
    return f"{n:,}".replace(",", " ")


@given(
    n=st.integers(min_value=0, max_value=10**9),
    space=st.sampled_from([" ", "\u00a0", "\u202f"]),
    suffix=st.sampled_from(["", ",-", " kr"]),
)
def test_norwegian_formatting_round_trips(n, space, suffix):
    text = _norwegian(n).replace(" ", space) + suffix
    assert parse_whole_number(text) == ParsedNumber(n, "text_number")


@given(st.integers(min_value=0, max_value=10**9))
def test_plain_digits_round_trip(n):
    assert parse_whole_number(str(n)) == ParsedNumber(n, "text_number")
    assert parse_whole_number(n) == ParsedNumber(n, "number")
    assert parse_whole_number(float(n)) == ParsedNumber(n, "number")


@given(st.one_of(st.text(), st.integers(), st.floats(), st.booleans(), st.none()))
def test_never_raises_and_value_matches_kind(raw):
    parsed = parse_whole_number(raw)
    assert parsed.kind in {"empty", "number", "text_number", "placeholder", "fractional", "unparseable"}
    assert (parsed.value is not None) == (parsed.kind in {"number", "text_number"})


def test_docstring_examples():
    import doctest

    import behovxl.numbers

    assert doctest.testmod(behovxl.numbers).failed == 0
