"""The xlsx package: the zip and its XML parts, read streaming and with every limit enforced.

This is the lowest layer under the reader. It knows nothing about the form: it tells what
a file is (`sniff`), opens the package (`open_package`) and gives the cells of one sheet
(`Package.cells`) with the values and formulas openpyxl would give in read-only mode, at a
fraction of the cost and without trusting anything in the file.

Every XML part is inflated in chunks and fed to expat as it inflates. Decompressed bytes
are counted per entry and per package as they come, the inflate ratio is checked against
the entry's compressed size, and any DTD, entity declaration or external reference ends the
read. Every failure is a `PackageError` with a `code` from `PACKAGE_CODES`.

Where a tampered sheet could be read two ways, this reader follows Excel rather than
openpyxl's read-only mode: a row repeated later overrides the earlier one (read-only
openpyxl keeps the first and drops rows out of order), and only the cells in the root's
<sheetData> count (openpyxl also takes <row>s found anywhere else in the part).
"""

from __future__ import annotations

import io
import posixpath
import struct
import zipfile
import zlib
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, NoReturn
from urllib.parse import unquote
from xml.parsers import expat

from openpyxl.formula.tokenizer import TokenizerError
from openpyxl.formula.translate import Translator, TranslatorError
from openpyxl.styles.numbers import (
    BUILTIN_FORMATS,
    is_date_format,
    is_timedelta_format,
)
from openpyxl.utils.datetime import (
    CALENDAR_MAC_1904,
    WINDOWS_EPOCH,
    from_excel,
    from_ISO8601,
)

from behovxl.limits import DEFAULT_LIMITS, Limits

# ---------------------------------------------------------------- public API

__all__ = [
    "PACKAGE_CODES",
    "Cell",
    "Package",
    "PackageError",
    "open_package",
    "sniff",
]

PACKAGE_CODES = (
    "empty-file",
    "not-xlsx",
    "word-file",
    "pdf-file",
    "ods-file",
    "xls-file",
    "email-file",
    "image-file",
    "encrypted",
    "zip-password",
    "zip-bomb",
    "xml-attack",
    "duplicate-entry",
    "corrupt",
)

CellValue = str | int | float | bool | datetime | date | time | timedelta | None


class PackageError(Exception):
    """A file that cannot be read as an xlsx workbook; `code` says why."""

    code: str
    detail: dict[str, object]

    def __init__(self, code: str, **detail: object) -> None:
        super().__init__(_MESSAGES.get(code, _MESSAGES["corrupt"]))
        self.code = code
        self.detail = detail

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only detail would be lost by the default pickling of exceptions,
        # and a worker pool sends these between processes.
        return (_rebuild_error, (self.code, self.detail))


@dataclass(frozen=True, slots=True)
class Cell:
    """One stored cell: its cached or constant value and its formula (without "=")."""

    value: CellValue
    formula: str | None


class Package:
    """An opened xlsx package. Workbook-level facts are read; sheets are read on demand."""

    sheet_names: list[str]
    sheet_states: dict[str, str]
    defined_names: dict[str, str]
    modified: datetime | None
    subject: str | None
    has_macros: bool

    def __init__(self, zip_: _Zip, book: _WorkbookPart, core: _CorePart, has_macros: bool) -> None:
        self._zip = zip_
        self._sheet_parts = book.sheet_parts
        self._date1904 = book.date1904
        self._strings_part = book.strings_part
        self._styles_part = book.styles_part
        self._strings: list[str] | None = None
        self._styles: _StylesPart | None = None
        self.sheet_names = book.sheet_names
        self.sheet_states = book.sheet_states
        self.defined_names = book.defined_names
        self.modified = _parse_w3cdtf(core.modified)
        self.subject = core.subject
        self.has_macros = has_macros

    def cells(
        self, sheet: str, wanted: Collection[tuple[int, int]] | None = None
    ) -> dict[tuple[int, int], Cell]:
        """Cells of one sheet by 0-based (row, col). Only `wanted` positions are kept (all
        stored cells if None). Cells with neither value nor formula are left out. Raises
        PackageError for limits/corruption, KeyError for an unknown sheet name."""
        part = self._sheet_parts[sheet]
        keep = None if wanted is None else frozenset(wanted)
        return _guarded(lambda: self._read_sheet(part, keep))

    def _read_sheet(
        self, part: str, keep: frozenset[tuple[int, int]] | None
    ) -> dict[tuple[int, int], Cell]:
        if self._styles is None:
            self._strings, self._styles = self._read_shared()
        assert self._strings is not None
        reader = _SheetReader(part, keep, self._strings, self._styles, self._date1904, self._zip.limits)
        self._zip.parse(part, reader)
        return reader.out

    def _read_shared(self) -> tuple[list[str], _StylesPart]:
        strings = _StringsPart(self._zip.limits)
        if self._strings_part is not None:
            self._zip.parse(self._strings_part, strings)
        styles = _StylesPart()
        if self._styles_part is not None:
            self._zip.parse(self._styles_part, styles)
        styles.index_dates()
        return strings.strings, styles


def sniff(data: bytes) -> str:
    """What a file is, from its first bytes and (for zips) its entry names: "xlsx", "xlsm"
    (macro-enabled), or the code of PackageError it would raise ("word-file", "pdf-file",
    ...). Never raises."""
    try:
        return _guarded(lambda: _identify(data, DEFAULT_LIMITS)[0])
    except PackageError as exc:
        return exc.code


def open_package(data: bytes, limits: Limits = DEFAULT_LIMITS) -> Package:
    """Open xlsx bytes. Checks size, kind (sniff), entry count, duplicates, encryption; parses
    workbook.xml, rels, core.xml eagerly (small); sharedStrings and styles lazily on first
    cells() call. Raises PackageError."""
    if len(data) > limits.file_bytes:
        raise PackageError("zip-bomb", reason="file-bytes", size=len(data), limit=limits.file_bytes)
    return _guarded(lambda: _open(data, limits))


# ---------------------------------------------------------------- messages and errors

_MESSAGES = {
    "empty-file": "Filen er tom. Send den utfylte arbeidsboken (.xlsx) på nytt.",
    "not-xlsx": "Filen er ikke en Excel-arbeidsbok (.xlsx). Send skjemaet som .xlsx.",
    "word-file": "Filen er et Word-dokument, ikke en Excel-arbeidsbok. Send skjemaet som .xlsx.",
    "pdf-file": "Filen er en PDF, ikke en Excel-arbeidsbok. Send skjemaet som .xlsx.",
    "ods-file": "Filen er et OpenDocument-regneark (.ods). Lagre skjemaet som .xlsx og send det på nytt.",
    "xls-file": "Filen er i et eldre eller binært Excel-format (.xls/.xlsb). Lagre skjemaet som .xlsx.",
    "email-file": "Filen er en e-post, ikke en Excel-arbeidsbok. Send arbeidsboken som vedlegg.",
    "image-file": "Filen er et bilde, ikke en Excel-arbeidsbok. Send skjemaet som .xlsx.",
    "encrypted": "Arbeidsboken er beskyttet med passord. Fjern passordet og send den på nytt.",
    "zip-password": "Filen er en passordbeskyttet zip-fil. Send arbeidsboken uten passord.",
    "zip-bomb": "Filen er for stor eller inneholder for mye data til å være et utfylt skjema.",
    "xml-attack": "Filen inneholder XML-konstruksjoner som ikke er tillatt i et Excel-skjema.",
    "duplicate-entry": (
        "Filen inneholder samme del to ganger og kan være endret. Lagre skjemaet på nytt i Excel."
    ),
    "corrupt": "Filen er skadet og kan ikke leses som en Excel-arbeidsbok. Lagre den på nytt i Excel.",
}


def _rebuild_error(code: str, detail: dict[str, object]) -> PackageError:
    return PackageError(code, **detail)


def _too_much(reason: str, part: str, limit: int | None, **detail: object) -> PackageError:
    """A "zip-bomb" error: `reason` names the limit in `Limits` that was passed."""
    if limit is not None:
        detail["limit"] = limit
    return PackageError("zip-bomb", reason=reason, part=part, **detail)


#: What damaged bytes make the zip, zlib, expat and the value parsers raise. Anything else is a bug in
#: behovxl and must reach the user as «intern feil» with a log, never as a damaged file.
DAMAGED = (ValueError, KeyError, EOFError, OverflowError, NotImplementedError, zipfile.BadZipFile, zlib.error,
           struct.error, expat.ExpatError)


def _guarded(action: Callable[[], Any]) -> Any:
    """Run `action`; damaged bytes found below become a PackageError."""
    try:
        return action()
    except DAMAGED as exc:
        raise PackageError("corrupt", reason=type(exc).__name__) from None


# ---------------------------------------------------------------- identifying the file

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_CD_SIGNATURE = b"PK\x01\x02"
_IMAGE_MAGICS = (
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff",
    b"GIF87a",
    b"GIF89a",
    b"II*\x00",
    b"MM\x00*",
)
_ISO_IMAGE_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"avif", b"avis"}
_EMAIL_HEADERS = {
    "from", "to", "cc", "subject", "date", "mime-version", "received", "return-path",
    "message-id", "delivered-to", "reply-to", "content-type", "x-mailer", "sender",
}  # fmt: skip
_WORKBOOK_TYPES = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
    "application/vnd.ms-excel.template.macroEnabled.main+xml",
)


def _identify(data: bytes, limits: Limits) -> tuple[str, _Zip, _ContentTypes]:
    """Kind ("xlsx"/"xlsm"), the opened zip and its content types; raises for anything else."""
    if not data:
        raise PackageError("empty-file")
    if not data.startswith(_ZIP_MAGIC):
        raise PackageError(_kind_of_other(data))
    if data.count(_CD_SIGNATURE) > limits.entries:
        # Upper bound on central-directory records, checked before zipfile builds them all.
        raise PackageError("zip-bomb", reason="entries", limit=limits.entries)
    zip_ = _Zip(data, limits)
    zip_.check_kind()
    types = _ContentTypes()
    if zip_.has("[Content_Types].xml"):
        zip_.parse("[Content_Types].xml", types)
    else:
        raise PackageError("corrupt", part="[Content_Types].xml", reason="missing")
    macros = types.macro_enabled or any(n.endswith("vbaproject.bin") for n in zip_.infos)
    return ("xlsm" if macros else "xlsx"), zip_, types


def _kind_of_other(data: bytes) -> str:
    """The code for a file that is not a zip: another known kind, or "not-xlsx"."""
    head = data[:1024]
    if head.startswith(_OLE_MAGIC):
        return _ole_kind(data)
    if b"%PDF-" in head:
        return "pdf-file"
    if head.startswith(b"{\\rtf"):
        return "word-file"
    if _is_image(head):
        return "image-file"
    if _is_email(data[:8192]):
        return "email-file"
    return "not-xlsx"


def _ole_kind(data: bytes) -> str:
    # Directory entry names are UTF-16LE; the order matters: an e-mail may carry a
    # workbook as an attachment, and a Word file may embed one.
    def has(name: str) -> bool:
        return name.encode("utf-16-le") in data

    if has("EncryptionInfo") or has("EncryptedPackage"):
        return "encrypted"
    if has("__substg1.0_"):
        return "email-file"
    if has("WordDocument"):
        return "word-file"
    if has("Workbook\0") or has("Book\0"):
        return "xls-file"
    return "not-xlsx"


def _is_image(head: bytes) -> bool:
    if head.startswith(_IMAGE_MAGICS):
        return True
    if head.startswith(b"BM") and head[6:10] == b"\0\0\0\0" and len(head) >= 26:
        return True
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return True
    return head[4:8] == b"ftyp" and head[8:12] in _ISO_IMAGE_BRANDS


def _is_email(head: bytes) -> bool:
    """RFC 822 text: a block of header lines, at least two of them well-known ones."""
    if b"\0" in head:
        return False
    lines = head.removeprefix(b"\xef\xbb\xbf").decode("latin-1").splitlines()
    if lines and lines[0].startswith("From "):
        lines = lines[1:]  # mbox separator line
    known = 0
    for line in lines[:100]:
        if not line:
            break
        if line[0] in " \t":
            continue  # folded continuation of the previous header
        name, colon, _ = line.partition(":")
        if not colon or not name or not name.isascii() or not name.isprintable() or " " in name:
            return False
        known += name.lower() in _EMAIL_HEADERS
    return known >= 2


# ---------------------------------------------------------------- the zip

_CHUNK = 64 * 1024


class _Zip:
    """The zip with its entries by lower-case name (OPC part names ignore case) and the
    running count of decompressed bytes."""

    def __init__(self, data: bytes, limits: Limits) -> None:
        self.limits = limits
        self.size = len(data)
        try:
            self.zf = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zf.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError):
            raise PackageError("corrupt", reason="zip") from None
        if len(infos) > limits.entries:
            raise PackageError("zip-bomb", reason="entries", limit=limits.entries)
        self.infos: dict[str, zipfile.ZipInfo] = {}
        self.duplicate: str | None = None
        for info in infos:
            key = info.filename.lower()
            if key in self.infos and self.duplicate is None:
                self.duplicate = info.filename
            self.infos[key] = info
        self.total = 0

    def has(self, name: str) -> bool:
        return name.lower() in self.infos

    def check_kind(self) -> None:
        """Raise for zips that are not an xlsx package, are encrypted or hold a name twice."""
        names = self.infos
        if "word/document.xml" in names:
            raise PackageError("word-file")
        if "xl/workbook.bin" in names:
            raise PackageError("xls-file")
        if any(info.flag_bits & 0x1 for info in names.values()):
            raise PackageError("zip-password")
        if self.duplicate is not None:
            raise PackageError("duplicate-entry", part=self.duplicate)
        if "mimetype" in names:
            raise PackageError(self._odf_kind())
        if "xl/workbook.xml" not in names and not (
            "[content_types].xml" in names and any(n.startswith("xl/") for n in names)
        ):
            raise PackageError("not-xlsx")

    def _odf_kind(self) -> str:
        collected = _Collect(self.limits.text_chars)
        self.stream("mimetype", collected.feed)
        mime = bytes(collected.data).strip()
        spreadsheet = mime.startswith(b"application/vnd.oasis.opendocument.spreadsheet")
        return "ods-file" if spreadsheet else "not-xlsx"

    def parse(self, name: str, handler: _Handler | _SheetReader) -> None:
        """Feed the part through a hardened expat parser as it inflates."""
        parser = _hardened_parser(name)
        handler.bind(parser)
        try:
            self.stream(name, parser.Parse)
            parser.Parse(b"", True)
        except PackageError as exc:
            exc.detail.setdefault("part", name)
            raise
        except expat.ExpatError as exc:
            raise PackageError("corrupt", part=name, line=exc.lineno, column=exc.offset) from None
        except LookupError:  # expat names an encoding Python does not know, e.g. «TTF-8»
            raise PackageError("corrupt", part=name, reason="encoding") from None
        except DAMAGED as exc:  # a bad attribute value deep in a handler
            raise PackageError("corrupt", part=name, reason=type(exc).__name__) from None

    def stream(self, name: str, feed: Callable[[bytes], object]) -> None:
        """Inflate one entry in chunks, counting bytes against every limit before feeding them."""
        info = self.infos[name.lower()]
        limits = self.limits
        ratio_cap = limits.ratio * max(1, min(info.compress_size, self.size))
        count = 0
        try:
            with self.zf.open(info) as fh:
                while chunk := fh.read(_CHUNK):
                    count += len(chunk)
                    self.total += len(chunk)
                    if count > limits.entry_bytes:
                        raise _too_much("entry-bytes", name, limits.entry_bytes)
                    if self.total > limits.total_bytes:
                        raise _too_much("total-bytes", name, limits.total_bytes)
                    if count > limits.ratio_grace and count > ratio_cap:
                        raise _too_much("ratio", name, limits.ratio)
                    feed(chunk)
        except (zipfile.BadZipFile, EOFError, OSError, RuntimeError, NotImplementedError) as exc:
            raise PackageError("corrupt", part=name, reason=type(exc).__name__) from None
        except zlib.error:
            raise PackageError("corrupt", part=name, reason="inflate") from None


class _Collect:
    """Bytes of a tiny entry, at most `cap` of them."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.data = bytearray()

    def feed(self, chunk: bytes) -> None:
        if len(self.data) + len(chunk) > self.cap:
            raise PackageError("zip-bomb", reason="entry-bytes", part="mimetype", limit=self.cap)
        self.data += chunk


def _hardened_parser(part: str) -> Any:
    """An expat parser that refuses any DTD, entity declaration or external reference."""

    def refuse(*_: object) -> NoReturn:
        raise PackageError("xml-attack", part=part)

    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.NotationDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    return parser


# ---------------------------------------------------------------- opening the package

_REL_OFFICE_DOCUMENT = "/officeDocument"
_REL_CORE = "/core-properties"


def _open(data: bytes, limits: Limits) -> Package:
    kind, zip_, types = _identify(data, limits)
    package_rels = _read_rels(zip_, "")
    workbook = _workbook_part(zip_, types, package_rels)
    book = _WorkbookPart(limits)
    zip_.parse(workbook, book)
    book.resolve(zip_, workbook, _read_rels(zip_, workbook))
    core = _CorePart(limits)
    core_part = _target_of(package_rels, _REL_CORE) or "docProps/core.xml"
    if zip_.has(core_part):
        zip_.parse(core_part, core)
    return Package(zip_, book, core, has_macros=kind == "xlsm")


def _workbook_part(zip_: _Zip, types: _ContentTypes, package_rels: _Rels) -> str:
    """The workbook part: from the package relationships, else the content types."""
    for part in (_target_of(package_rels, _REL_OFFICE_DOCUMENT), types.workbook, "xl/workbook.xml"):
        if part is not None and zip_.has(part):
            return part
    raise PackageError("corrupt", part="xl/workbook.xml", reason="missing")


def _target_of(rels: _Rels, type_suffix: str) -> str | None:
    return next((target for kind, target in rels.values() if kind.endswith(type_suffix)), None)


_Rels = dict[str, tuple[str, str]]


def _read_rels(zip_: _Zip, source: str) -> _Rels:
    """Relationships of a part (or of the package for ""): Id -> (Type, resolved part name)."""
    folder, base = posixpath.split(source)
    rels_part = posixpath.join(folder, "_rels", base + ".rels")
    if not zip_.has(rels_part):
        return {}
    rels = _RelsPart(zip_.limits)
    zip_.parse(rels_part, rels)
    return {rid: (kind, _resolve(zip_, folder, target)) for rid, (kind, target) in rels.rels.items()}


def _resolve(zip_: _Zip, folder: str, target: str) -> str:
    """A relationship target as a zip entry name (relative or absolute, maybe %-encoded)."""
    path = target[1:] if target.startswith("/") else posixpath.join(folder, target)
    path = posixpath.normpath(path)
    if not zip_.has(path) and zip_.has(unquote(path)):
        return unquote(path)
    return path


def _parse_w3cdtf(text: str | None) -> datetime | None:
    """A W3C date-time from core.xml, timezone-aware; a bare date is midnight UTC."""
    if text is None:
        return None
    text = text.strip()
    try:
        if len(text) == 4 and text.isdigit():
            return datetime(int(text), 1, 1, tzinfo=UTC)
        if len(text) == 7 and text[4] == "-":
            return datetime(int(text[:4]), int(text[5:]), 1, tzinfo=UTC)
        if len(text) > 64:
            return None
        value = datetime.fromisoformat(text)
    except (ValueError, OverflowError):
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


# ---------------------------------------------------------------- small XML parts


def _local(name: str) -> str:
    return name[name.rfind(":") + 1 :] if ":" in name else name


class _Handler:
    """Expat callbacks for one part, by element-local name and depth (the root is 1).

    `section` is the local name of the open element at depth 2, the usual parent. Text is
    captured only on request and, like ElementTree's `.text`, only up to the first child
    element; `text_chars` caps what one capture may hold. Subclasses implement `open` and
    `close`, or, for parts with many elements, `start` and `end` themselves.
    """

    def __init__(self, limits: Limits) -> None:
        self.depth = 0
        self.section = ""
        self.max_chars = limits.text_chars
        self.buf: list[str] = []
        self.chars = 0
        self.cap_depth = 0
        self.parser: Any = None

    def bind(self, parser: Any) -> None:
        self.parser = parser
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end

    def start(self, name: str, attrs: dict[str, str]) -> None:
        self.depth += 1
        if self.cap_depth:
            self.parser.CharacterDataHandler = None
        local = _local(name)
        if self.depth == 2:
            self.section = local
        self.open(local, attrs)

    def end(self, name: str) -> None:
        text = self.finish() if self.depth == self.cap_depth else None
        self.close(_local(name), text)
        self.depth -= 1

    def capture(self) -> None:
        """Capture the text of the element just opened."""
        self.buf = []
        self.chars = 0
        self.cap_depth = self.depth
        self.parser.CharacterDataHandler = self.text

    def finish(self) -> str:
        """The captured text, at the end of its element."""
        self.cap_depth = 0
        self.parser.CharacterDataHandler = None
        return "".join(self.buf)

    def text(self, data: str) -> None:
        self.chars += len(data)
        if self.chars > self.max_chars:
            raise PackageError("zip-bomb", reason="text-chars", limit=self.max_chars)
        self.buf.append(data)

    def open(self, local: str, attrs: dict[str, str]) -> None:
        """An element starts; `self.depth` is its depth."""

    def close(self, local: str, text: str | None) -> None:
        """An element ends; `text` is its captured text, if captured."""


class _ContentTypes(_Handler):
    def __init__(self) -> None:
        super().__init__(DEFAULT_LIMITS)
        self.workbook: str | None = None
        self.macro_enabled = False

    def open(self, local: str, attrs: dict[str, str]) -> None:
        if local != "Override" or self.depth != 2:
            return
        kind = attrs.get("ContentType", "")
        if "macroEnabled" in kind:
            self.macro_enabled = True
        if kind in _WORKBOOK_TYPES and self.workbook is None:
            self.workbook = attrs.get("PartName", "").lstrip("/")


class _RelsPart(_Handler):
    def __init__(self, limits: Limits) -> None:
        super().__init__(limits)
        self.rels: dict[str, tuple[str, str]] = {}

    def open(self, local: str, attrs: dict[str, str]) -> None:
        if local == "Relationship" and self.depth == 2 and attrs.get("TargetMode") != "External":
            self.rels.setdefault(attrs.get("Id", ""), (attrs.get("Type", ""), attrs.get("Target", "")))


class _CorePart(_Handler):
    def __init__(self, limits: Limits) -> None:
        super().__init__(limits)
        self.modified: str | None = None
        self.subject: str | None = None

    def open(self, local: str, attrs: dict[str, str]) -> None:
        if self.depth == 2 and local in ("modified", "subject"):
            self.capture()

    def close(self, local: str, text: str | None) -> None:
        if text is None:
            return
        if local == "modified":
            self.modified = text
        else:
            self.subject = text


_SHEET_STATES = ("visible", "hidden", "veryHidden")


class _WorkbookPart(_Handler):
    """xl/workbook.xml: sheets in order, their states and rel ids, defined names, date1904."""

    def __init__(self, limits: Limits) -> None:
        super().__init__(limits)
        self.sheet_names: list[str] = []
        self.sheet_states: dict[str, str] = {}
        self.sheet_rids: list[str] = []
        self.defined_names: dict[str, str] = {}
        self.date1904 = False
        self.sheet_parts: dict[str, str] = {}
        self.strings_part: str | None = None
        self.styles_part: str | None = None
        self._name = ""

    def start(self, name: str, attrs: dict[str, str]) -> None:
        # Most elements are <definedName>s: handled here without the generic open().
        depth = self.depth = self.depth + 1
        if self.cap_depth:
            self.parser.CharacterDataHandler = None
        if depth == 3:
            if name == "definedName" or _local(name) == "definedName":
                if self.section == "definedNames" and "localSheetId" not in attrs:
                    self._name = attrs.get("name", "")
                    self.capture()
            elif _local(name) == "sheet" and self.section == "sheets":
                self._add_sheet(attrs)
        elif depth == 2:
            self.section = name = _local(name)
            if name == "workbookPr":
                # openpyxl's Bool: only these spellings are false.
                self.date1904 = attrs.get("date1904", "false") not in ("false", "f", "0")

    def end(self, name: str) -> None:
        if self.depth == self.cap_depth:
            self.defined_names[self._name] = self.finish()
        self.depth -= 1

    def _add_sheet(self, attrs: dict[str, str]) -> None:
        name = attrs.get("name")
        state = attrs.get("state", "visible")
        rid = next((v for k, v in attrs.items() if k.endswith(":id")), None)
        if not name or rid is None or state not in _SHEET_STATES:
            raise PackageError("corrupt", sheet=name or "", reason="sheet")
        if name.lower() in (n.lower() for n in self.sheet_names):
            raise PackageError("corrupt", sheet=name, reason="duplicate sheet name")
        self.sheet_names.append(name)
        self.sheet_states[name] = state
        self.sheet_rids.append(rid)

    def resolve(self, zip_: _Zip, part: str, rels: _Rels) -> None:
        """Find each sheet's part, the shared strings and the styles through the rels."""
        if not self.sheet_names:
            raise PackageError("corrupt", part=part, reason="no sheets")
        for name, rid in zip(self.sheet_names, self.sheet_rids, strict=True):
            kind, target = rels.get(rid, ("", ""))
            if not kind.endswith(("/worksheet", "/chartsheet", "/dialogsheet")) or not zip_.has(target):
                raise PackageError("corrupt", sheet=name, part=target, reason="missing sheet")
            self.sheet_parts[name] = target
        for kind, target in rels.values():
            if kind.endswith("/sharedStrings") and zip_.has(target):
                self.strings_part = self.strings_part or target
            elif kind.endswith("/styles") and zip_.has(target):
                self.styles_part = self.styles_part or target


class _StringsPart(_Handler):
    """Shared strings, as openpyxl reads them: the last plain <t> then every run's <t>.

    Depths: <sst> 1, <si> 2, its <t>/<r>/<rPh> 3, a run's <t> 4.
    """

    def __init__(self, limits: Limits) -> None:
        super().__init__(limits)
        self.max_strings = limits.shared_strings
        self.strings: list[str] = []
        self._plain: str | None = None
        self._runs: list[str] = []
        self._run: str | None = None
        self._in_run = False
        self._total = 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        depth = self.depth = self.depth + 1
        if self.cap_depth:
            self.parser.CharacterDataHandler = None
        if ":" in name:
            name = _local(name)
        if depth == 3:
            self._in_run = name == "r"
            if name == "t":
                self.capture()
            elif self._in_run:
                self._run = None
        elif depth == 2:
            self.section = name
            self._plain, self._runs, self._total = None, [], 0
        elif depth == 4 and self._in_run and name == "t":
            self.capture()

    def end(self, name: str) -> None:
        depth = self.depth
        self.depth = depth - 1
        if depth == self.cap_depth:
            text = self.finish()
            self._total += len(text)
            if self._total > self.max_chars:
                raise PackageError("zip-bomb", reason="text-chars", limit=self.max_chars)
            if depth == 3:
                self._plain = text
            else:
                self._run = text
        elif depth == 3:
            if self._in_run and self._run:
                self._runs.append(self._run)
            self._in_run = False
        elif depth == 2 and self.section == "si":
            self._add("".join([self._plain or "", *self._runs]))

    def _add(self, text: str) -> None:
        if len(self.strings) >= self.max_strings:
            raise PackageError("zip-bomb", reason="shared-strings", limit=self.max_strings)
        self.strings.append(text.replace("x005F_", ""))


class _StylesPart(_Handler):
    """Which cell style ids show a date (or a duration), as openpyxl decides it."""

    def __init__(self) -> None:
        super().__init__(DEFAULT_LIMITS)
        self.custom: dict[int, str] = {}
        self.xf_formats: list[int] = []
        self.dates: frozenset[int] = frozenset()
        self.durations: frozenset[int] = frozenset()

    def open(self, local: str, attrs: dict[str, str]) -> None:
        if self.depth != 3:
            return
        if local == "numFmt" and self.section == "numFmts":
            self.custom[int(attrs.get("numFmtId", "0"))] = attrs.get("formatCode", "")
        elif local == "xf" and self.section == "cellXfs":
            self.xf_formats.append(int(attrs.get("numFmtId", "0")))

    def index_dates(self) -> None:
        dates, durations = set(), set()
        for idx, fmt_id in enumerate(self.xf_formats):
            fmt = self.custom[fmt_id] if fmt_id in self.custom else BUILTIN_FORMATS.get(fmt_id)
            if is_date_format(fmt):
                dates.add(idx)
            if is_timedelta_format(fmt):
                durations.add(idx)
        self.dates, self.durations = frozenset(dates), frozenset(durations)


# ---------------------------------------------------------------- sheets

_DIGITS = "0123456789"
_FAR = 1 << 62  # a row or column surely beyond any limit
#: "B12" -> (11, 1): refs repeat across sheets and files of one form, so they are cached.
_REFS: dict[str, tuple[int, int]] = {}
_REFS_MAX = 65_536


def _cell_key(ref: str) -> tuple[int, int] | None:
    """0-based (row, col) of "B12" (any case), None if malformed; far refs come out huge."""
    key = _REFS.get(ref)
    if key is not None:
        return key
    letters = ref.rstrip(_DIGITS)
    digits = ref[len(letters) :]
    if not digits or not letters or not letters.isascii() or not letters.isalpha():
        return None
    col = 0
    for ch in letters[:8].upper():
        col = col * 26 + ord(ch) - 64
    significant = digits.lstrip("0")
    if not significant:
        return None  # row 0
    row = int(significant) if len(significant) <= 12 else _FAR
    key = (row - 1, col - 1 if len(letters) <= 8 else _FAR)
    if len(_REFS) < _REFS_MAX and row <= 1 << 20 and col <= 1 << 14:
        _REFS[ref] = key
    return key


def _column_letters(col: int) -> str:
    """ "A" for 1, "XFD" for 16384."""
    letters = ""
    while col > 0:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _integral(text: str) -> int | None:
    try:
        number = float(text)
    except ValueError:
        return None
    return int(number) if number.is_integer() else None


def _cast_number(text: str) -> int | float:
    # openpyxl's rule: a float only if the text looks like one.
    if "." in text or "E" in text or "e" in text:
        return float(text)
    return int(text)


# What is being captured as text inside a cell.
_V, _F, _PLAIN, _RUN = 1, 2, 3, 4


class _SheetReader:
    """Cells of one worksheet part, streamed.

    Only <sheetData> gets Python callbacks (each costs about as much as expat's own work on
    the element): before it one handler looks for its start, after it expat runs alone.
    `level` counts open elements from <sheetData> (1): rows at 2, cells at 3, their
    <v>/<f>/<is> at 4, inline-string parts below. `on` is 0 outside a cell, 1 in a cell that
    is not wanted (only a shared-formula master is remembered), 2 in a wanted cell.
    """

    __slots__ = (
        "attrs",
        "buf",
        "cap",
        "cap_level",
        "chars",
        "col",
        "count",
        "epoch",
        "f",
        "f_attrs",
        "in_row",
        "inline",
        "key",
        "level",
        "masters",
        "max_cells",
        "max_chars",
        "max_col",
        "max_row",
        "on",
        "out",
        "parser",
        "part",
        "plain",
        "row",
        "run",
        "seen_v",
        "strings",
        "styles",
        "translators",
        "v",
        "wanted",
    )  # fmt: skip

    def __init__(
        self,
        part: str,
        wanted: frozenset[tuple[int, int]] | None,
        strings: list[str],
        styles: _StylesPart,
        date1904: bool,
        limits: Limits,
    ) -> None:
        self.part, self.wanted, self.strings, self.styles = part, wanted, strings, styles
        self.epoch = CALENDAR_MAC_1904 if date1904 else WINDOWS_EPOCH
        self.max_row, self.max_col = limits.rows - 1, limits.cols - 1
        self.max_cells, self.max_chars = limits.cells, limits.text_chars
        self.out: dict[tuple[int, int], Cell] = {}
        self.level = self.row = self.col = self.count = self.on = self.cap = self.cap_level = 0
        self.chars = 0
        self.in_row = self.seen_v = False
        self.attrs: dict[str, str] = {}
        self.key = (0, 0)
        self.v: str | None = None
        self.f: str | None = None
        self.f_attrs: dict[str, str] = {}
        self.inline: list[str] | None = None  # the <is> runs seen, None if no <is>
        self.plain: str | None = None
        self.run: str | None = None
        self.buf: list[str] = []
        self.masters: dict[str, tuple[str, str]] = {}
        self.translators: dict[str, Translator] = {}

    def bind(self, parser: Any) -> None:
        self.parser = parser
        parser.StartElementHandler = self.head
        parser.EndElementHandler = self.head_end

    # -- expat callbacks

    def head(self, name: str, attrs: dict[str, str]) -> None:
        # Before <sheetData> `level` counts down from the root (-1) instead, so that only
        # the root's own <sheetData> counts.
        self.level -= 1
        if self.level == -2 and _local(name) == "sheetData":
            self.level = 1
            self.parser.StartElementHandler = self.start
            self.parser.EndElementHandler = self.end

    def head_end(self, name: str) -> None:
        self.level += 1

    def start(self, name: str, attrs: dict[str, str]) -> None:
        level = self.level = self.level + 1
        if self.cap:
            self.parser.CharacterDataHandler = None  # like ElementTree's .text: up to a child
        if level == 3:
            if self.in_row and (name == "c" or _local(name) == "c"):
                self._start_cell(attrs)
            return
        if ":" in name:
            name = _local(name)
        if level == 4:
            if self.on:
                self._cell_child(name, attrs)
        elif level == 2:
            self.in_row = name == "row"
            if self.in_row:
                self._start_row(attrs.get("r"))
        elif self.inline is not None:
            self._inline_child(level, name)

    def end(self, name: str) -> None:
        level = self.level
        self.level = level - 1
        if level == self.cap_level:
            self._end_capture()
        if level == 3:
            on = self.on
            if on == 2:
                if self.v is None and self.f is None and self.inline is None:
                    self.out.pop(self.key, None)  # a later empty duplicate wins, as in openpyxl
                else:
                    self._end_cell()
            elif on and self.f is not None:
                self._formula()  # an unwanted cell may still be a shared formula's master
            self.on = 0
        elif level == 5:
            if self.run is not None and self.inline is not None:
                self.inline.append(self.run)
                self.run = None
        elif level == 1:
            # The rest of the part only goes through expat's own checks: a second
            # <sheetData> would not be valid, and Excel would not show it either.
            self.parser.StartElementHandler = self.parser.EndElementHandler = None

    def _text(self, data: str) -> None:
        self.chars += len(data)
        if self.chars > self.max_chars:
            raise _too_much("text-chars", self.part, self.max_chars, cell=self._coordinate())
        self.buf.append(data)

    # -- rows and cells

    def _start_row(self, r: str | None) -> None:
        self.col = -1
        if r is None:
            self.row += 1
            return
        try:
            row = int(r)
        except ValueError:
            whole = _integral(r)  # openpyxl also takes "5.0"
            if whole is None:
                raise PackageError("corrupt", part=self.part, row=r) from None
            row = whole
        if row <= 0:
            raise PackageError("corrupt", part=self.part, row=r)
        if row > self.max_row + 1:
            raise PackageError("zip-bomb", reason="rows", part=self.part, row=r)
        self.row = row

    def _start_cell(self, attrs: dict[str, str]) -> None:
        self.count = count = self.count + 1
        if count > self.max_cells:
            raise PackageError("zip-bomb", reason="cells", part=self.part, limit=self.max_cells)
        ref = attrs.get("r")
        if ref:
            key = _REFS.get(ref) or _cell_key(ref)
            if key is None:
                raise PackageError("corrupt", part=self.part, cell=ref)
        else:
            key = (self.row - 1, self.col + 1)
        if key[0] > self.max_row or key[1] > self.max_col:
            raise _too_much("rows-cols", self.part, None, cell=ref or f"R{self.row}C{key[1] + 1}")
        self.col = key[1]
        self.key = key
        self.attrs = attrs
        self.f = self.inline = None
        if self.wanted is None or key in self.wanted:
            self.on = 2
            self.v = None
            self.seen_v = False
        else:
            self.on = 1

    def _cell_child(self, name: str, attrs: dict[str, str]) -> None:
        # openpyxl reads the first <v>, <f> and <is> of a cell only.
        if name == "v":
            if self.on == 2 and not self.seen_v:
                self.seen_v = True
                self._capture(_V)
        elif name == "f":
            if self.f is None:
                self.f, self.f_attrs = "", attrs
                if self.on == 2 or attrs.get("t") == "shared":
                    self._capture(_F)
        elif name == "is" and self.on == 2 and self.inline is None and self.attrs.get("t") == "inlineStr":
            self.inline, self.plain, self.run = [], None, None

    def _inline_child(self, level: int, name: str) -> None:
        # <is><t>..</t></is> or <is><r><t>..</t></r>...</is>, read as openpyxl's Text reads it.
        if level == 5:
            if name == "t":
                self._capture(_PLAIN)
            elif name == "r":
                self.run = ""
        elif level == 6 and name == "t" and self.run is not None:
            self._capture(_RUN)

    def _capture(self, what: int) -> None:
        self.cap, self.cap_level = what, self.level
        self.buf = []
        self.chars = 0
        self.parser.CharacterDataHandler = self._text

    def _end_capture(self) -> None:
        text = "".join(self.buf)
        what = self.cap
        self.cap = self.cap_level = 0
        self.parser.CharacterDataHandler = None
        if what == _V:
            self.v = text
        elif what == _F:
            self.f = text
        elif what == _PLAIN:
            self.plain = text or None
        else:
            self.run = text

    def _end_cell(self) -> None:
        formula = None if self.f is None else self._formula()
        value = self._value() if self.v or self.inline is not None else None
        if value is None and formula is None:
            self.out.pop(self.key, None)
        else:
            self.out[self.key] = Cell(value, formula)

    # -- values and formulas

    def _value(self) -> CellValue:
        kind = self.attrs.get("t", "n")
        if kind == "inlineStr":
            return None if self.inline is None else "".join([self.plain or "", *self.inline])
        text = self.v
        if not text:
            return None
        try:
            if kind == "n":
                return self._number(text)
            if kind == "s":
                index = int(text)
                if index < 0:
                    raise IndexError(index)
                return self.strings[index]
            if kind == "b":
                return bool(int(text))
            if kind == "d":
                return from_ISO8601(text)
        except (ValueError, IndexError, OverflowError, TypeError):
            raise PackageError("corrupt", part=self.part, cell=self._coordinate()) from None
        return text  # "str", "e" and unknown types keep their text

    def _number(self, text: str) -> CellValue:
        number = _cast_number(text)
        dates = self.styles.dates
        if not dates:
            return number
        style = int(self.attrs.get("s") or 0)
        if style not in dates:
            return number
        try:
            return from_excel(number, self.epoch, timedelta=style in self.styles.durations)
        except (OverflowError, ValueError):
            return "#VALUE!"  # openpyxl's value for a date serial out of range

    def _formula(self) -> str:
        text = self.f or ""
        attrs = self.f_attrs
        if attrs.get("t") != "shared":
            return text
        index = attrs.get("si", "")
        master = self.masters.get(index)
        if master is None:
            if text:
                self.masters[index] = (text, self._coordinate())
            return text
        if self.on != 2:
            return ""
        try:
            translator = self.translators.get(index)
            if translator is None:
                translator = self.translators[index] = Translator("=" + master[0], master[1])
            return str(translator.translate_formula(self._coordinate()))[1:]
        except (*DAMAGED, TokenizerError, TranslatorError, IndexError):  # a shared formula openpyxl cannot move
            raise PackageError("corrupt", part=self.part, cell=self._coordinate()) from None

    def _coordinate(self) -> str:
        ref = self.attrs.get("r")
        if ref:
            return ref
        row, col = self.key
        return f"{_column_letters(col + 1)}{row + 1}"
