"""Small tables that advisers keep themselves: a CSV or XLSX file with a header row.

`read_table` reads the roster of networks, the frame per scheme and similar lists. They
come from an adviser's own machine, saved by Norwegian Excel, so the reader accepts what
Excel writes and refuses, with a Bokmål message, what it cannot read for certain:

* CSV in UTF-8 (with or without BOM), UTF-16 with BOM (Excel's «Unicode-tekst»),
  Windows-1252 («CSV (semikolondelt)») or ISO-8859-1. The encoding is detected from the
  bytes, never guessed from the locale.
* `;` (Norwegian Excel), tab or `,` as delimiter, decided from the header line, and an
  optional first line `sep=;` as Excel writes and honours it.
* XLSX: the first visible sheet, values as Excel shows them (cached formula results),
  whole numbers without ".0", dates as ISO text.

Headers are matched against the caller's accepted spellings with `header_key`, so
«E-post eier», «e_post  EIER» and «E-post (eier)» are the same column. The header row is
the first non-blank row; row numbers are the ones the user sees in Excel.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import errno
import io
import math
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from xlsxwriter.utility import xl_col_to_name

from .errors import BehovxlError
from .limits import DEFAULT_LIMITS, Limits

__all__ = ["TableFile", "TableFileError", "TableRow", "header_key", "join_problems", "read_table", "shorten"]

# ---------------------------------------------------------------- public API


@dataclass(frozen=True)
class TableRow:
    """One data row: its number as the user sees it, and its text per known column."""

    number: int  # 1 = the first row of the file; for XLSX the sheet row number
    values: dict[str, str]  # canonical column key -> stripped text ("" for empty)


@dataclass(frozen=True)
class TableFile:
    """A table file read and checked: how it was stored, its known columns and its data rows."""

    path: Path
    encoding: str  # "utf-8", "utf-8-sig", "utf-16", "windows-1252", "iso-8859-1" or "xlsx"
    delimiter: str  # ";", "," or "\t"; "" for xlsx
    columns: dict[str, str]  # canonical key -> the header as written in the file
    rows: list[TableRow]  # data rows, blank rows skipped


class TableFileError(BehovxlError):
    """A table file that cannot be read; the message names the file, and the row and column where relevant."""


def read_table(
    path: Path,
    columns: Mapping[str, Sequence[str]],
    *,
    required: Collection[str],
    what: str,
    limits: Limits = DEFAULT_LIMITS,
) -> TableFile:
    """Read a CSV or XLSX table whose header row names columns from `columns`.

    `columns` maps each canonical key to the header spellings accepted, the Norwegian one
    first (it is the one messages use); the key itself is accepted too. Headers are
    compared with `header_key`. Every key in `required` must be present. `what` names
    the kind of file in messages («listen over nettverk», «rammefilen»). The format is
    read from the bytes: an XLSX package whatever its name, else text, which a name
    ending in .xlsx refuses. Raises TableFileError.
    """
    path = Path(path)
    data = _read_bytes(path, what, limits)
    kind = _identify(data, limits)
    if kind == "xlsx":
        encoding, delimiter, grid = "xlsx", "", _xlsx_grid(data, path, what, limits)
    elif kind == "text" and path.suffix.casefold() not in _WORKBOOK_SUFFIXES:
        encoding, text = _decode(data, path, what)
        delimiter, grid = _csv_grid(text, path, what, limits)
    else:
        raise TableFileError(_not_a_table(path, what, kind))
    if not grid:
        raise TableFileError(f"{path}: {what} {_EMPTY}")
    (header_number, header_cells), *data_rows = grid
    mapping = _header(path, (header_number, header_cells), columns, required, what)
    rows = _data_rows(path, data_rows, mapping, header_number)
    found = {key: header_cells[index] for index, key in mapping.items()}
    return TableFile(path, encoding, delimiter, found, rows)


def header_key(text: str) -> str:
    """A header as compared: NFKC, case folded, `_` `-` and punctuation as spaces, spaces collapsed."""
    folded = unicodedata.normalize("NFKC", text).casefold().translate(_HEADER_PUNCTUATION)
    return " ".join(folded.split())


def join_problems(problems: Sequence[str]) -> str:
    """Several problems as one message, one per line; a very long list is cut with a count of the rest."""
    shown = list(problems[:_MAX_PROBLEMS])
    if len(problems) > _MAX_PROBLEMS:
        shown.append(f"… og {len(problems) - _MAX_PROBLEMS} problemer til.")
    return "\n".join(shown)


def shorten(value: str, width: int = 60) -> str:
    """A value as quoted in a message: on one line, cut with «…» past `width` characters."""
    flat = " ".join(value.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


# ---------------------------------------------------------------- reading bytes

_WORKBOOK_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xltx", ".xltm"})

_EMPTY = "er tom. Første rad skal ha overskriftene, og hver rad under den én oppføring."

# A list of problems longer than this hides the first ones on a terminal.
_MAX_PROBLEMS = 50

# Advisers write «E-post (eier)», «Kontaktperson, UH», «Universitet/høgskole»: all the
# same header as «e post eier», «kontaktperson uh», «universitet høgskole».
_HEADER_PUNCTUATION = str.maketrans({ch: " " for ch in "_-–—().,:;/*"})

_OS_REASONS = {
    errno.ENOENT: "filen finnes ikke. Sjekk navnet og mappen",
    errno.EACCES: "du har ikke tilgang til å lese filen",
    errno.EPERM: "du har ikke tilgang til å lese filen",
    errno.EISDIR: "dette er en mappe, ikke en fil",
    errno.ENOTDIR: "en del av stien er ikke en mappe",
    errno.ENAMETOOLONG: "filnavnet er for langt",
    errno.ELOOP: "stien har for mange snarveier (symbolske lenker)",
    errno.EIO: "lesefeil på disken eller nettverket",
}


def _read_bytes(path: Path, what: str, limits: Limits) -> bytes:
    # One byte past the limit is enough to know, and a huge file is never loaded whole.
    try:
        with path.open("rb") as handle:
            data = handle.read(limits.file_bytes + 1)
    except OSError as exc:
        reason = _OS_REASONS.get(exc.errno or 0, "operativsystemet kunne ikke lese filen")
        raise TableFileError(f"{path}: kan ikke lese {what}: {reason}.") from None
    if len(data) > limits.file_bytes:
        raise TableFileError(
            f"{path}: {what} er for stor (over {_size(limits.file_bytes)}). "
            "Er det riktig fil? En slik fil er vanligvis noen få kilobyte."
        )
    if not data.strip():
        raise TableFileError(f"{path}: {what} {_EMPTY}")
    return data


def _size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.0f} MB"
    return f"{size / 1024:.0f} kB" if size >= 1024 else f"{size} byte"


# ---------------------------------------------------------------- what kind of file

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

_KIND_NAMES = {
    "xlsb": "en Excel-arbeidsbok i binært format (.xlsb)",
    "docx": "et Word-dokument",
    "pptx": "en PowerPoint-presentasjon",
    "ods": "et regneark fra LibreOffice eller OpenOffice (.ods)",
    "odf": "et dokument fra LibreOffice eller OpenOffice",
    "zip": "en zip-fil som ikke er en Excel-arbeidsbok",
    "damaged-zip": "en skadet zip-fil eller en skadet arbeidsbok",
    "too-big": "en arbeidsbok som blir for stor når den pakkes ut, eller har for mange deler",
    "xls": "en Excel-arbeidsbok i det gamle formatet (.xls, Excel 97–2003)",
    "doc": "et Word-dokument i det gamle formatet (.doc)",
    "encrypted": "en passordbeskyttet (kryptert) Office-fil",
    "ole": "en Office-fil i det gamle formatet (Excel eller Word 97–2003)",
    "pdf": "en PDF-fil",
    "rtf": "et RTF-dokument",
}

_SPREADSHEET_KINDS = frozenset({"xlsb", "ods", "damaged-zip", "xls", "ole"})
_REOPEN = "Åpne den i Excel og lagre den som «Excel-arbeidsbok (*.xlsx)» eller «CSV (semikolondelt) (*.csv)»."
_RETYPE = "Legg tabellen inn i et Excel-ark, og lagre den som «Excel-arbeidsbok (*.xlsx)» eller «CSV (semikolondelt) (*.csv)»."

_KIND_ADVICE = {
    "encrypted": "Fjern passordet i Excel (Fil > Info > Beskytt arbeidsbok > Krypter med passord), og lagre på nytt.",
    "too-big": "Er det riktig fil? En slik fil er vanligvis noen få kilobyte.",
}


def _identify(data: bytes, limits: Limits) -> str:
    """What the bytes are, from their magic: "xlsx", "text", or another key of _KIND_NAMES."""
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):  # a zip: local file header or empty archive
        return _zip_kind(data, limits)
    if data.startswith(_OLE_MAGIC):
        return _ole_kind(data)
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.startswith(b"{\\rtf"):
        return "rtf"
    return "text"


def _zip_kind(data: bytes, limits: Limits) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if len(infos) > limits.entries:
                return "too-big"
            names = {info.filename for info in infos}
            mimetype = _small_entry(archive, "mimetype") if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
        return "damaged-zip"
    if "xl/workbook.xml" in names:
        # zipfile stops inflating at the declared size, so checking it bounds what openpyxl unpacks.
        sizes = [info.file_size for info in infos]
        too_big = max(sizes, default=0) > limits.entry_bytes or sum(sizes) > limits.total_bytes
        return "too-big" if too_big else "xlsx"
    if "xl/workbook.bin" in names:
        return "xlsb"
    if "word/document.xml" in names:
        return "docx"
    if "ppt/presentation.xml" in names:
        return "pptx"
    if mimetype.startswith(b"application/vnd.oasis.opendocument"):
        return "ods" if mimetype.endswith(b"spreadsheet") else "odf"
    return "zip"


def _small_entry(archive: zipfile.ZipFile, name: str) -> bytes:
    with archive.open(name) as entry:
        return entry.read(200).strip()


def _ole_kind(data: bytes) -> str:
    # Stream names sit in the compound file's directory as UTF-16LE; an encrypted
    # .xlsx is an OLE file holding an "EncryptedPackage" stream.
    def has(name: str) -> bool:
        return name.encode("utf-16-le") in data

    if has("EncryptedPackage"):
        return "encrypted"
    if has("Workbook") or has("Book"):
        return "xls"
    if has("WordDocument"):
        return "doc"
    return "ole"


def _not_a_table(path: Path, what: str, kind: str) -> str:
    if kind == "text":
        return (
            f"{path}: {what} har endelsen {path.suffix}, men er en tekstfil, ikke en Excel-arbeidsbok. "
            "Er det en CSV-fil, gi den endelsen .csv."
        )
    default = _REOPEN if kind in _SPREADSHEET_KINDS else _RETYPE
    advice = _KIND_ADVICE.get(kind, default)
    return f"{path}: {what} er ikke en Excel-arbeidsbok (.xlsx) eller en CSV-fil; filen er {_KIND_NAMES[kind]}. {advice}"


# ---------------------------------------------------------------- CSV

# Bytes Windows-1252 leaves undefined: a file holding them is not Windows-1252.
_UNDEFINED_1252 = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")

# UTF-8 for æ ø å é « » – € …, seen among bytes that are not UTF-8 as a whole: the file
# mixes UTF-8 with a single-byte code page. Read either way, one part would be garbled
# («Ã¸» for «ø»); no Norwegian text holds «Ã», «Â» or «â€» on purpose.
_MIXED = re.compile(rb"[\xc2\xc3][\x80-\xbf]|\xe2\x80[\x80-\xbf]")

_SAVE_AS = "Åpne filen i Excel og lagre den som «CSV UTF-8 (kommadelt) (*.csv)» eller «CSV (semikolondelt) (*.csv)»."

# Excel honours a first line «sep=;» and does not show it.
_SEP_LINE = re.compile(r"sep=([;,\t|])[ \t]*(?:\r\n|\r|\n|$)", re.IGNORECASE)


def _decode(data: bytes, path: Path, what: str) -> tuple[str, str]:
    """(encoding, text) from the bytes alone: BOM, else strict UTF-8, else a single-byte code page."""
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise TableFileError(f"{path}: {what} er lagret som UTF-32, som vi ikke leser. {_SAVE_AS}")
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", _decode_bom(data, "utf-8-sig", "UTF-8", path, what)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", _decode_bom(data, "utf-16", "UTF-16", path, what)
    _refuse_binary(b"\x00" in data, path, what)
    try:
        return "utf-8", data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if _MIXED.search(data):
        raise TableFileError(
            f"{path}: {what} har blandet tegnkoding: noe av teksten er lagret som UTF-8 og noe som "
            f"Windows-1252 (ANSI), så æ, ø og å kan ikke leses sikkert. {_SAVE_AS}"
        )
    if _UNDEFINED_1252.search(data):
        return "iso-8859-1", data.decode("latin-1")
    # With bytes 0x80-0x9F this is Windows-1252 (Excel's and Word's « » – € ’); without
    # them Windows-1252 and ISO-8859-1 decode every byte alike, and Norwegian Excel's
    # «CSV (semikolondelt)» is Windows-1252, so that is the name we give.
    return "windows-1252", data.decode("cp1252")


def _decode_bom(data: bytes, codec: str, name: str, path: Path, what: str) -> str:
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        raise TableFileError(
            f"{path}: {what} har ukjent tegnkoding: filen begynner som {name}, men resten er ikke {name}. {_SAVE_AS}"
        ) from None
    _refuse_binary("\x00" in text, path, what)
    return text


def _refuse_binary(has_nul: bool, path: Path, what: str) -> None:
    if has_nul:
        raise TableFileError(
            f"{path}: {what} inneholder binære data (NUL-tegn) og er ikke en tekstfil (CSV) eller en Excel-arbeidsbok. "
            f"{_SAVE_AS}"
        )


def _csv_grid(text: str, path: Path, what: str, limits: Limits) -> tuple[str, list[tuple[int, list[str]]]]:
    """(delimiter, the non-blank records with their numbers as Excel shows them)."""
    sep = _SEP_LINE.match(text)
    if sep:
        text = text[sep.end():]
    delimiter = sep.group(1) if sep else _delimiter(_first_line(text))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        records = list(_enumerate_checked(reader, path, limits))
    except csv.Error:
        number = reader.line_num
        raise TableFileError(
            f"{path}, linje {number}: {what} kan ikke leses som CSV (for eksempel et anførselstegn som ikke er lukket). "
            f"{_SAVE_AS}"
        ) from None
    return delimiter, [(n, cells) for n, cells in records if any(cells)]


def _delimiter(header_line: str) -> str:
    # Norwegian Excel writes «;» (the comma is the decimal sign); Excel's «Unicode-tekst» writes tabs.
    for delimiter in (";", "\t"):
        if delimiter in header_line:
            return delimiter
    return ","


def _first_line(text: str) -> str:
    """The first line with content, without its quoted parts (a quoted «;» is no delimiter)."""
    kept: list[str] = []
    quoted = False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        elif quoted:
            continue
        elif ch in "\r\n":
            if "".join(kept).strip():
                break
            kept.clear()
        else:
            kept.append(ch)
    return "".join(kept)


def _enumerate_checked(rows: Iterable[Sequence[Any]], path: Path, limits: Limits) -> Iterator[tuple[int, list[str]]]:
    """Rows as stripped text with 1-based numbers, within the cell and text limits."""
    cells = 0
    for number, row in enumerate(rows, start=1):
        cells += len(row)
        if cells > limits.cells or number > limits.rows:
            raise TableFileError(f"{path}, rad {number}: filen har for mange celler (over {limits.cells}). Er det riktig fil?")
        texts = [_cell_text(value) for value in row]
        for index, value in enumerate(texts):
            if len(value) > limits.text_chars:
                raise TableFileError(
                    f"{path}, rad {number}, kolonne {xl_col_to_name(index)}: cellen har {len(value)} tegn; "
                    f"høyst {limits.text_chars} tegn er tillatt."
                )
        yield number, texts


# ---------------------------------------------------------------- XLSX


def _xlsx_grid(data: bytes, path: Path, what: str, limits: Limits) -> list[tuple[int, list[str]]]:
    from openpyxl import load_workbook  # imported here: most runs never read a table from XLSX

    broken = TableFileError(
        f"{path}: {what} kan ikke åpnes: arbeidsboken er skadet eller lagret på en måte vi ikke kan lese. "
        "Åpne den i Excel og lagre den på nytt som «Excel-arbeidsbok (*.xlsx)»."
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about extensions it skips; they do not matter here
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged package
        raise broken from None
    try:
        sheets = book.worksheets
        sheet = next((s for s in sheets if s.sheet_state == "visible"), sheets[0] if sheets else None)
        if sheet is None:
            raise broken
        # Some programs write a wrong <dimension>, which would cut columns off in read-only mode.
        sheet.reset_dimensions()
        records = _enumerate_checked(sheet.iter_rows(values_only=True), path, limits)
        return [(n, cells) for n, cells in records if any(cells)]
    except TableFileError:
        raise
    except Exception:  # the same, found while streaming the sheet
        raise broken from None
    finally:
        book.close()


def _cell_text(value: object) -> str:
    """A cell value as the text a user means by it."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "SANN" if value else "USANN"  # what Norwegian Excel shows
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return _datetime_text(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return _time_text(value)
    if isinstance(value, timedelta):
        return str(value)
    return str(value).strip()


def _datetime_text(value: datetime) -> str:
    # Excel stores times as fractions of a day; 14:30 can come back as 14:29:59.999999.
    whole = (value + timedelta(microseconds=500_000)).replace(microsecond=0) if value.microsecond else value
    if whole.time() == time(0, 0):
        return whole.date().isoformat()
    return f"{whole.date().isoformat()} {_time_text(whole.time())}"


def _time_text(value: time) -> str:
    return f"{value:%H:%M}" if value.second == 0 else f"{value:%H:%M:%S}"


# ---------------------------------------------------------------- header and rows


def _header(
    path: Path,
    header: tuple[int, list[str]],
    columns: Mapping[str, Sequence[str]],
    required: Collection[str],
    what: str,
) -> dict[int, str]:
    """Column index -> canonical key, or TableFileError naming every problem of the header row."""
    number, cells = header
    where = f"{path}, rad {number}"
    lookup = _lookup(columns)
    mapping: dict[int, str] = {}
    problems: list[str] = []
    unknown: list[str] = []
    for index, text in enumerate(cells):
        if not text:
            continue
        key = lookup.get(header_key(text))
        if key is None:
            unknown.append(f"«{text}» (kolonne {xl_col_to_name(index)}){_suggestion(text, columns)}")
        elif key in mapping.values():
            first = next(i for i, k in mapping.items() if k == key)
            problems.append(
                f"{where}: kolonnen «{columns[key][0]}» står to ganger, som «{cells[first]}» (kolonne {xl_col_to_name(first)}) "
                f"og «{text}» (kolonne {xl_col_to_name(index)}). Slett den ene."
            )
        else:
            mapping[index] = key
    if unknown:
        accepted = _join([f"«{spellings[0]}»" for spellings in columns.values()], "og")
        label = "ukjent kolonne" if len(unknown) == 1 else "ukjente kolonner"
        problems.append(
            f"{where}: {label} {_join(unknown, 'og')}. Kolonnene vi kjenner er {accepted}. "
            "Gi kolonnen et av disse navnene, eller slett den."
        )
    missing = [key for key in columns if key in required and key not in mapping.values()]
    if missing:
        problems.append(_missing(where, what, missing, columns, cells))
    if problems:
        raise TableFileError(join_problems(problems))
    return mapping


def _lookup(columns: Mapping[str, Sequence[str]]) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for key, spellings in columns.items():
        for spelling in (*spellings, key):
            folded = header_key(spelling)
            if lookup.setdefault(folded, key) != key:
                raise ValueError(f"header spelling {spelling!r} is given for both {lookup[folded]!r} and {key!r}")
    return lookup


def _suggestion(text: str, columns: Mapping[str, Sequence[str]]) -> str:
    spellings = {header_key(s): s for key in columns for s in columns[key]}
    close = difflib.get_close_matches(header_key(text), list(spellings), n=1, cutoff=0.75)
    return f", mente du «{spellings[close[0]]}»?" if close else ""


def _missing(where: str, what: str, missing: list[str], columns: Mapping[str, Sequence[str]], cells: list[str]) -> str:
    names = []
    for key in missing:
        first, *others = columns[key]
        also = f" (kan også hete {_join([f'«{o}»' for o in others], 'eller')})" if others else ""
        names.append(f"«{first}»{also}")
    noun = "kolonnen" if len(missing) == 1 else "kolonnene"
    found = _join([f"«{c}»" for c in cells if c], "og")
    return (
        f"{where}: {what} mangler {noun} {_join(names, 'og')}. Kolonnene i filen er {found}. "
        "Overskriftene skal stå i første rad med innhold."
    )


def _data_rows(path: Path, grid: list[tuple[int, list[str]]], mapping: dict[int, str], header_number: int) -> list[TableRow]:
    rows: list[TableRow] = []
    problems: list[str] = []
    for number, cells in grid:
        for index, value in enumerate(cells):
            if value and index not in mapping:
                problems.append(
                    f"{path}, rad {number}, kolonne {xl_col_to_name(index)}: cellen har verdien «{shorten(value)}», men kolonnen "
                    f"har ingen overskrift i rad {header_number}. Gi kolonnen en overskrift, eller slett verdien."
                )
        values = {key: (cells[index] if index < len(cells) else "") for index, key in mapping.items()}
        rows.append(TableRow(number, values))
    if problems:
        raise TableFileError(join_problems(problems))
    return rows


def _join(items: Sequence[str], last: str) -> str:
    """«a», «b» og «c»: a Norwegian list."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {last} {items[-1]}"
