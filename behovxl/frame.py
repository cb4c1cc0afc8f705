"""The frame (*ramme*): the money the Statsforvalteren has for each scheme this round.

The adviser keeps it as a two-column table, CSV or XLSX, with the columns «Ordning» and
«Ramme»; a scheme may be written as its key (`dekom`), its label («Desentralisert
ordning») or its short label («DEKOM»), and an amount as Norwegians type it
(«1 500 000», «1.500.000», «kr 1 500 000,-»). Amounts are whole kroner.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import BehovxlError
from .limits import DEFAULT_LIMITS, Limits
from .numbers import parse_whole_number
from .tablefile import TableFileError, TableRow, join_problems, read_table, shorten

__all__ = ["FRAME_COLUMNS", "FrameError", "SchemeRef", "read_frame"]

FRAME_COLUMNS: dict[str, tuple[str, ...]] = {
    "scheme": ("ordning", "scheme"),
    "frame": ("ramme", "ramme (kr)", "beløp", "belop", "frame"),
}

# ---------------------------------------------------------------- public API


@dataclass(frozen=True)
class SchemeRef:
    """A scheme as the frame file may name it."""

    key: str  # "dekom"
    label: str  # "Desentralisert ordning"
    short: str  # "DEKOM"


class FrameError(BehovxlError):
    """A frame file that cannot be read or holds a row that is not a frame for a known scheme."""


def read_frame(path: Path, schemes: Sequence[SchemeRef], limits: Limits = DEFAULT_LIMITS) -> dict[str, int]:
    """Scheme key -> frame in whole kroner, in the order of `schemes`, for the schemes the file names.

    FrameError lists every problem, each with file and row: an unknown scheme, a scheme
    twice, an empty, negative, fractional or unreadable amount, or no rows at all.
    """
    path = Path(path)
    try:
        table = read_table(path, FRAME_COLUMNS, required={"scheme", "frame"}, what="rammefilen", limits=limits)
    except TableFileError as exc:
        raise FrameError(str(exc)) from None
    if not table.rows:
        raise FrameError(
            f"{path}: rammefilen har ingen rader under overskriftsraden. Skriv én ordning per rad med rammen i kroner."
        )
    lookup = _lookup(schemes)
    found: dict[str, int] = {}
    rows: dict[str, int] = {}
    problems: list[str] = []
    for row in table.rows:
        where = f"{path}, rad {row.number}"
        scheme = _scheme(where, row, table.columns["scheme"], lookup, schemes, problems)
        amount = _amount(where, row, problems)
        if scheme is None:
            continue
        if scheme.key in rows:
            problems.append(
                f"{where}: ordningen «{scheme.label}» står både på rad {rows[scheme.key]} og rad {row.number}. "
                "Hver ordning skal stå bare én gang."
            )
            continue
        rows[scheme.key] = row.number
        if amount is not None:
            found[scheme.key] = amount
    if problems:
        raise FrameError(join_problems(problems))
    return {s.key: found[s.key] for s in schemes if s.key in found}


# ---------------------------------------------------------------- helpers

_EXAMPLE = "Skriv rammen i hele kroner, for eksempel 1 500 000."


def _lookup(schemes: Sequence[SchemeRef]) -> dict[str, SchemeRef]:
    lookup: dict[str, SchemeRef] = {}
    for scheme in schemes:
        for name in (scheme.key, scheme.label, scheme.short):
            if lookup.setdefault(_fold(name), scheme) != scheme:
                raise ValueError(f"scheme name {name!r} is given for both {lookup[_fold(name)].key!r} and {scheme.key!r}")
    return lookup


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _scheme(
    where: str, row: TableRow, header: str, lookup: dict[str, SchemeRef], schemes: Sequence[SchemeRef], problems: list[str]
) -> SchemeRef | None:
    text = row.values["scheme"]
    if not text:
        problems.append(f"{where}: kolonnen «{header}» er tom. Skriv hvilken ordning rammen gjelder.")
        return None
    scheme = lookup.get(_fold(text))
    if scheme is None:
        known = ", ".join(f"«{s.label}» ({s.short})" for s in schemes)
        problems.append(f"{where}: ukjent ordning «{shorten(text)}». Ordningene vi kjenner er {known}.")
    return scheme


def _amount(where: str, row: TableRow, problems: list[str]) -> int | None:
    text = row.values["frame"]
    parsed = parse_whole_number(text)
    if parsed.kind == "empty":
        problems.append(f"{where}: rammen er tom. {_EXAMPLE}")
    elif parsed.kind == "fractional":
        problems.append(f"{where}: rammen «{shorten(text)}» er ikke et helt kronebeløp. {_EXAMPLE}")
    elif parsed.value is None:
        problems.append(f"{where}: rammen «{shorten(text)}» er ikke et beløp. {_EXAMPLE}")
    elif parsed.remark:
        # «1500 tusen» reads as 1500 with the remark «tusen»: taking the 1500 would be wrong.
        problems.append(f"{where}: rammen «{shorten(text)}» har tekst i tillegg til beløpet («{parsed.remark}»). {_EXAMPLE}")
    elif parsed.value < 0:
        problems.append(f"{where}: rammen kan ikke være negativ ({_kroner(parsed.value)}). {_EXAMPLE}")
    else:
        return parsed.value
    return None


def _kroner(value: int) -> str:
    return f"{value:,}".replace(",", " ")
