"""Whole numbers (kroner, counts) from cells that people filled in by hand.

Competence networks often type amounts as text in the Excel forms. We parse
what can be parsed safely, keep the value, and say what we did, so the
checks can report it instead of silently dropping or guessing.

>>> parse_whole_number(330000)
ParsedNumber(value=330000, kind='number', remark=None)
>>> parse_whole_number("406 644,-")
ParsedNumber(value=406644, kind='text_number', remark=None)
>>> parse_whole_number("kr 1.555.519")
ParsedNumber(value=1555519, kind='text_number', remark=None)
>>> parse_whole_number("165 (forutsatt tildeling vår)")
ParsedNumber(value=165, kind='text_number', remark='forutsatt tildeling vår')
>>> parse_whole_number("60 tusen")
ParsedNumber(value=60000, kind='text_number', remark=None)
>>> parse_whole_number("1,5 mill.")
ParsedNumber(value=1500000, kind='text_number', remark=None)
>>> parse_whole_number("1 234,50")
ParsedNumber(value=None, kind='fractional', remark=None)
>>> parse_whole_number("Velg et element.")
ParsedNumber(value=None, kind='placeholder', remark=None)
>>> parse_whole_number("se vedlegg")
ParsedNumber(value=None, kind='unparseable', remark=None)

Separator rule: a dot, comma or space followed by groups of exactly three
digits (the same separator every time) is a thousands separator; any other
dot or comma is a decimal separator. "330,000" is therefore 330000 and
"12,5" is fractional.

Words for thousands and millions after the number multiply it: «tusen», «k»,
«mill.», «millioner», «millionar», «MNOK», «mkr». The result must be whole.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

__all__ = ["PLACEHOLDERS", "ParsedNumber", "is_placeholder", "parse_whole_number"]

# Texts Word/Excel leave in content controls that nobody filled in.
# Compared case-insensitively, with or without the final period.
PLACEHOLDERS: tuple[str, ...] = (
    "Klikk eller trykk her for å skrive inn tekst.",
    "Velg et element.",
    "Klikk eller trykk for å skrive inn en dato.",
)

_PLACEHOLDER_KEYS = frozenset(p.rstrip(".").casefold() for p in PLACEHOLDERS)

# Nobody means an amount with more digits; int() would also refuse past 4300.
_MAX_DIGITS = 18

# Python's \s covers no-break space (U+00A0), narrow no-break space (U+202F),
# thin and figure spaces, which Excel and Word put inside numbers.
_WHITESPACE = re.compile(r"\s+")

# "(forutsatt tildeling vår)", "(+6)": a comment next to the number.
_PAREN = re.compile(r"\(([^()]*)\)")

# Matched against text with whitespace already collapsed to single spaces.
# Digits are spelled [0-9]: \d would also accept Arabic-Indic and other
# Unicode digits, which no form should contain.
_NUMBER = re.compile(
    r"""
    (?:(?:kr|nok)\.?\ ?)?               # "kr 50 000", "NOK 5000"
    (?P<sign>[-+\u2212\u2013])?\ ?      # hyphen, minus sign, en dash (Word autocorrect)
    (?:(?:kr|nok)\.?\ ?)?               # "-kr 500"
    (?P<int>
        [1-9][0-9]{0,2}                 # 1-3 digits, then groups of exactly three
        (?P<sep>[\ .,])[0-9]{3}         # with the same separator each time:
        (?:(?P=sep)[0-9]{3})*           # 1 555 519 / 1.555.519 / 330,000
      | [0-9]+                          # 330000
    )(?![0-9])
    (?:[.,](?P<dec>[0-9]+))?            # decimals: "12,5", "1 234,00"
    (?:\ ?[.,]\ ?[-\u2013\u2014]+)?     # ",-" / ".-": whole kroner
    (?:\ ?(?:kroner|kr|nok)\b\.?)?      # "1 555 519 kr"
    (?P<rest>.*)                        # anything else becomes the remark
    """,
    re.IGNORECASE | re.VERBOSE,
)


# A word for thousands or millions right after the number ("60 tusen", "1,5 mill. kr").
_MULTIPLIER = re.compile(
    r"^(?P<word>tusen|k|mill\.?|millioner|millionar|millionær|mnok|mkr|mill\.? kr)(?![a-zæøå])\.?",
    re.IGNORECASE,
)
_FACTORS = {"tusen": 1000, "k": 1000}

# Text longer than this is not a number anybody typed; it is not given to a regular expression.
_MAX_NUMBER_TEXT = 200


@dataclass(frozen=True)
class ParsedNumber:
    """Result of reading one cell as a whole number.

    kind is one of "empty", "number", "text_number", "placeholder",
    "fractional", "unparseable". value is set only for "number" and
    "text_number".
    """

    value: int | None
    kind: str
    remark: str | None = None  # text stripped off around the number
    factor: int = field(default=1, repr=False, compare=False)  # 1000 for «tusen», 1 000 000 for «mill.»


def _normalise(text: str) -> str:
    return _WHITESPACE.sub(" ", text).strip()


def is_placeholder(raw: object) -> bool:
    """True if raw is an untouched Word/Excel placeholder text."""
    if not isinstance(raw, str):
        return False
    return _normalise(raw).rstrip(".").casefold() in _PLACEHOLDER_KEYS


def _from_float(raw: float) -> ParsedNumber:
    # Excel stores every number as a float; 330000.0 is a perfectly good 330000.
    if math.isfinite(raw) and raw.is_integer():
        return ParsedNumber(int(raw), "number")
    if math.isfinite(raw):
        return ParsedNumber(None, "fractional")
    return ParsedNumber(None, "unparseable")


def _from_text(raw: str) -> ParsedNumber:
    text = _normalise(raw)
    if not text:
        return ParsedNumber(None, "empty")
    if is_placeholder(text):
        return ParsedNumber(None, "placeholder")
    if len(text) > _MAX_NUMBER_TEXT:
        return ParsedNumber(None, "unparseable")

    remarks = [inner.strip() for inner in _PAREN.findall(text)]
    bare = _normalise(_PAREN.sub(" ", text))
    match = _NUMBER.fullmatch(bare)
    if match is None:
        return ParsedNumber(None, "unparseable")

    rest = match["rest"].strip(" ().,;:")  # "330 000." is not a remark
    factor = 1
    multiplier = _MULTIPLIER.match(rest)
    if multiplier:
        word = multiplier["word"].lower()
        factor = _FACTORS.get(word, 1_000_000)
        rest = rest[multiplier.end() :].strip(" ().,;:")
        rest = re.sub(r"^(?:kroner|kr|nok)\b\.?", "", rest, flags=re.IGNORECASE).strip(" ().,;:")
    # A second number outside parentheses ("10-20", "5 000 / 6 000", "1e5")
    # means we would have to guess which one is meant: refuse.
    if any(ch.isdigit() for ch in rest):
        return ParsedNumber(None, "unparseable")
    if rest:
        remarks.insert(0, rest)
    remark = "; ".join(r for r in remarks if r) or None

    digits = re.sub(r"[^0-9]", "", match["int"])
    decimals = match["dec"] or ""
    if len(digits) + len(decimals) > _MAX_DIGITS:
        return ParsedNumber(None, "unparseable")
    scaled = (int(digits) * 10 ** len(decimals) + (int(decimals) if decimals else 0)) * factor
    whole, part = divmod(scaled, 10 ** len(decimals))
    if part:
        return ParsedNumber(None, "fractional", remark)
    value = whole
    if match["sign"] and match["sign"] != "+":
        value = -value
    return ParsedNumber(value, "text_number", remark, factor)


def parse_whole_number(raw: object) -> ParsedNumber:
    """Read a cell value as a whole number; never raises.

    None/blank -> "empty"; int -> "number"; integral float -> "number";
    other float -> "fractional"; placeholder text -> "placeholder";
    text holding one whole number -> "text_number" (surrounding text goes
    to remark); everything else (bool, dates, prose, lone dashes) ->
    "unparseable".
    """
    if raw is None:
        return ParsedNumber(None, "empty")
    # bool is a subclass of int: a TRUE in an amount cell is not an amount.
    if isinstance(raw, bool):
        return ParsedNumber(None, "unparseable")
    if isinstance(raw, int):
        return ParsedNumber(raw, "number")
    if isinstance(raw, float):
        return _from_float(raw)
    if isinstance(raw, str):
        return _from_text(raw)
    return ParsedNumber(None, "unparseable")
