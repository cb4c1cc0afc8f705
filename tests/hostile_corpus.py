"""Hostile and broken files for `behovxl.package`, generated in code. Not a test module.

`corpus()` gives every case with the `PackageError` code that opening it and reading every
sheet must raise (None: it must open and read fine). The zip writer here is a small raw one
because several cases need what `zipfile` will not write: precompressed bombs, wrong CRCs,
the encryption flag, unsupported methods. The builders (`xlsx`, `sheet_xml`, ...) also serve
the tests that need a small hand-made workbook.
"""

from __future__ import annotations

import random
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

from behovxl.limits import DEFAULT_LIMITS, Limits, MiB

# ---------------------------------------------------------------- public API

__all__ = [
    "Case",
    "Entry",
    "corpus",
    "deflated",
    "sheet_xml",
    "xlsx",
    "xlsx_entries",
    "zip_bytes",
]

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
STRICT_MAIN_NS = "http://purl.oclc.org/ooxml/spreadsheetml/main"
STRICT_REL_NS = "http://purl.oclc.org/ooxml/officeDocument/relationships"
XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


@dataclass(frozen=True)
class Case:
    """One file and the PackageError code it must give (None: opens and reads fine).

    `limits` is lowered only where the default would need millions of elements to reach
    (shared-string and cell counts, the running total): the path is the same, just faster.
    """

    name: str
    data: bytes
    code: str | None
    limits: Limits = field(default=DEFAULT_LIMITS)


@dataclass(frozen=True)
class Entry:
    """One zip entry exactly as stored: `payload` is already compressed for method 8."""

    name: str
    payload: bytes
    size: int
    crc: int
    method: int = 8
    flags: int = 0


def deflated(name: str, content: bytes | str) -> Entry:
    raw = content.encode() if isinstance(content, str) else content
    comp = zlib.compressobj(6, zlib.DEFLATED, -15)
    payload = comp.compress(raw) + comp.flush()
    return Entry(name, payload, len(raw), zlib.crc32(raw))


def zip_bytes(entries: list[Entry]) -> bytes:
    """A zip of the entries as given (names may repeat, CRCs may lie)."""
    body, central = bytearray(), bytearray()
    for e in entries:
        name = e.name.encode()
        flags = e.flags | 0x800  # UTF-8 names
        fixed = (e.method, 0, 0x21, e.crc, len(e.payload), e.size, len(name))
        offset = len(body)
        body += struct.pack("<4s5H3I2H", b"PK\x03\x04", 20, flags, *fixed, 0) + name + e.payload
        central += struct.pack("<4s6H3I5H2I", b"PK\x01\x02", 20, 20, flags, *fixed, 0, 0, 0, 0, 0, offset)
        central += name
    end = struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(central), len(body), 0)
    return bytes(body + central + end)


def sheet_xml(rows: str, ns: str = MAIN_NS, prefix: str = "", head: str = "") -> str:
    """A worksheet part around `rows` (the inside of <sheetData>), optionally prefixed."""
    p = f"{prefix}:" if prefix else ""
    xmlns = f"xmlns:{prefix}" if prefix else "xmlns"
    return (
        f'{XML_DECL}<{p}worksheet {xmlns}="{ns}" xmlns:r="{REL_NS}">{head}'
        f"<{p}sheetData>{rows}</{p}sheetData></{p}worksheet>"
    )


def xlsx_entries(
    sheets: dict[str, str] | None = None,
    *,
    strings: list[str] | None = None,
    styles: str | None = None,
    core: str | None = None,
    workbook_pr: str = "",
    states: dict[str, str] | None = None,
    defined_names: str = "",
    main_type: str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    absolute_targets: bool = False,
    strict: bool = False,
) -> list[Entry]:
    """The entries of a minimal, valid workbook. `strings` are <si> bodies (raw XML)."""
    sheets = {"Ark1": sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>')} if sheets is None else sheets
    main, rel = (STRICT_MAIN_NS, STRICT_REL_NS) if strict else (MAIN_NS, REL_NS)
    parts = [("/xl/workbook.xml", main_type)]
    rels, tags = [], []
    for i, name in enumerate(sheets, 1):
        target = f"/xl/worksheets/sheet{i}.xml" if absolute_targets else f"worksheets/sheet{i}.xml"
        rels.append((f"rId{i}", f"{rel}/worksheet", target))
        state = (states or {}).get(name)
        tags.append(f'<sheet name="{name}" sheetId="{i}"{f" state={chr(34)}{state}{chr(34)}" if state else ""} r:id="rId{i}"/>')
        parts.append((f"/xl/worksheets/sheet{i}.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"))
    entries = [deflated(f"xl/worksheets/sheet{i}.xml", xml) for i, xml in enumerate(sheets.values(), 1)]
    if strings is not None:
        rels.append(("rIdS", f"{rel}/sharedStrings", "sharedStrings.xml"))
        parts.append(("/xl/sharedStrings.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"))
        sst = "".join(f"<si>{s}</si>" for s in strings)
        entries.append(deflated("xl/sharedStrings.xml", f'{XML_DECL}<sst xmlns="{main}">{sst}</sst>'))
    if styles is not None:
        rels.append(("rIdY", f"{rel}/styles", "styles.xml"))
        parts.append(("/xl/styles.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"))
        entries.append(deflated("xl/styles.xml", styles))
    workbook = (
        f'{XML_DECL}<workbook xmlns="{main}" xmlns:r="{rel}">{workbook_pr}'
        f"<sheets>{''.join(tags)}</sheets>{defined_names}</workbook>"
    )
    package_rels = [("rId1", f"{rel}/officeDocument", "xl/workbook.xml")]
    if core is not None:
        package_rels.append(("rId2", "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties", "docProps/core.xml"))
        parts.append(("/docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml"))
        entries.append(deflated("docProps/core.xml", core))
    return [
        deflated("[Content_Types].xml", _content_types(parts)),
        deflated("_rels/.rels", _rels(package_rels)),
        deflated("xl/workbook.xml", workbook),
        deflated("xl/_rels/workbook.xml.rels", _rels(rels)),
        *entries,
    ]


def xlsx(sheets: dict[str, str] | None = None, **options: object) -> bytes:
    """A minimal valid workbook; see `xlsx_entries` for the options."""
    return zip_bytes(xlsx_entries(sheets, **options))  # type: ignore[arg-type]


def corpus() -> list[Case]:
    """Every hostile or broken file, each with its expected code."""
    cases: list[Case] = []
    for make in _MAKERS:
        cases.extend(make())
    names = [c.name for c in cases]
    assert len(names) == len(set(names)), "case names must be unique"
    return cases


# ---------------------------------------------------------------- parts


def _content_types(parts: list[tuple[str, str]]) -> str:
    overrides = "".join(f'<Override PartName="{p}" ContentType="{t}"/>' for p, t in parts)
    return (
        f'{XML_DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        f'<Default Extension="xml" ContentType="application/xml"/>{overrides}</Types>'
    )


def _rels(rels: list[tuple[str, str, str]]) -> str:
    body = "".join(f'<Relationship Id="{i}" Type="{t}" Target="{g}"/>' for i, t, g in rels)
    return f'{XML_DECL}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{body}</Relationships>'


def _core(modified: str) -> str:
    return (
        f"{XML_DECL}<cp:coreProperties "
        'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        "<dc:subject>Kompetansenettverk Test</dc:subject>"
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{modified}</dcterms:modified></cp:coreProperties>'
    )


def _one_sheet(rows: str) -> bytes:
    return xlsx({"Ark1": sheet_xml(rows)})


def _replace(entries: list[Entry], name: str, entry: Entry | None) -> list[Entry]:
    out = [e for e in entries if e.name != name]
    return out if entry is None else [*out, entry]


def _bomb_entry(name: str, prefix: bytes, fill: bytes, mebibytes: int, suffix: bytes) -> Entry:
    """A deflate stream of `mebibytes` MiB of `fill` between prefix and suffix, built from one
    compressed MiB repeated: after a full flush deflate restarts, so equal input compresses to
    equal, concatenable blocks. The CRC is never reached (a limit stops first), so it is 0."""
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = fill * (MiB // len(fill))
    head = comp.compress(prefix) + comp.flush(zlib.Z_FULL_FLUSH)
    comp.compress(chunk)
    comp.flush(zlib.Z_FULL_FLUSH)
    block = comp.compress(chunk) + comp.flush(zlib.Z_FULL_FLUSH)
    tail = comp.compress(suffix) + comp.flush()
    size = len(prefix) + mebibytes * MiB + len(suffix)
    return Entry(name, head + block * mebibytes + tail, size, 0)


# ---------------------------------------------------------------- other kinds of file

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _ole(*streams: str) -> bytes:
    """An OLE compound file header and directory entries carrying these names."""
    header = _OLE_MAGIC + b"\0" * 16 + struct.pack("<HHH", 0x3E, 3, 9) + b"\0" * 482
    entries = b""
    for i, name in enumerate(("Root Entry", *streams)):
        raw = name.encode("utf-16-le") + b"\0\0"
        entries += raw.ljust(64, b"\0") + struct.pack("<HBB", len(raw), 5 if i == 0 else 2, 1) + b"\xff" * 12 + b"\0" * 48
    return header + entries.ljust(4096, b"\0")


def _odf(mime: str) -> bytes:
    raw = mime.encode()
    stored = Entry("mimetype", raw, len(raw), zlib.crc32(raw), method=0)
    return zip_bytes([stored, deflated("content.xml", "<office:document-content/>")])


def _other_kinds() -> list[Case]:
    rng = random.Random(20260120)
    eml = (
        b"Return-Path: <kari@example.no>\r\nReceived: from mx.example.no\r\n"
        b"From: Kari <kari@example.no>\r\nTo: post@sf.example.no\r\nSubject: Behovsmelding\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nHei, se vedlegg.\r\n"
    )
    return [
        Case("empty", b"", "empty-file"),
        Case("random-bytes", bytes(rng.randrange(256) for _ in range(4096)), "not-xlsx"),
        Case("html", b"<!DOCTYPE html><html><body><table><tr><td>1</td></tr></table></body></html>", "not-xlsx"),
        Case("csv", "nettverk;beløp\nSalten;100000\n".encode(), "not-xlsx"),
        Case("pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "pdf-file"),
        Case("rtf", b"{\\rtf1\\ansi\\deff0 {\\fonttbl {\\f0 Times;}} Hei}", "word-file"),
        Case("png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(64), "image-file"),
        Case("jpeg", b"\xff\xd8\xff\xe0\0\x10JFIF\0" + bytes(64), "image-file"),
        Case("gif", b"GIF89a" + bytes(64), "image-file"),
        Case("heic", b"\0\0\0\x18ftypheic\0\0\0\0mif1heic" + bytes(64), "image-file"),
        Case("eml", eml, "email-file"),
        Case("ole-encrypted", _ole("EncryptionInfo", "EncryptedPackage", "\x06DataSpaces"), "encrypted"),
        Case("ole-xls", _ole("Workbook", "\x05SummaryInformation"), "xls-file"),
        Case("ole-doc", _ole("WordDocument", "1Table"), "word-file"),
        Case("ole-msg", _ole("__substg1.0_0037001F", "__properties_version1.0"), "email-file"),
        Case("ole-ppt", _ole("PowerPoint Document", "Current User"), "not-xlsx"),
        Case("docx", zip_bytes([deflated("[Content_Types].xml", "<Types/>"), deflated("word/document.xml", "<w:document/>")]), "word-file"),
        Case("xlsb", zip_bytes([deflated("[Content_Types].xml", "<Types/>"), deflated("xl/workbook.bin", b"\x83\x01\0")]), "xls-file"),
        Case("ods", _odf("application/vnd.oasis.opendocument.spreadsheet"), "ods-file"),
        Case("odt", _odf("application/vnd.oasis.opendocument.text"), "not-xlsx"),
        Case("zip-of-text", zip_bytes([deflated("readme.txt", "hei")]), "not-xlsx"),
    ]  # fmt: skip


# ---------------------------------------------------------------- broken zips


def _broken_zips() -> list[Case]:
    good = xlsx()
    entries = xlsx_entries()
    sheet = entries[-1]
    bad_crc = Entry(sheet.name, sheet.payload, sheet.size, sheet.crc ^ 0xFFFF)
    locked = [Entry(e.name, e.payload, e.size, e.crc, flags=0x1) for e in entries]
    twin = deflated(sheet.name, sheet_xml('<row r="1"><c r="A1"><v>999999</v></c></row>'))
    case_twin = deflated(sheet.name.upper(), sheet_xml('<row r="1"><c r="A1"><v>2</v></c></row>'))
    many = [*entries, *(Entry(f"xl/media/x{i}.bin", b"", 0, 0, method=0) for i in range(DEFAULT_LIMITS.entries))]
    return [
        Case("truncated-zip", good[: len(good) // 2], "corrupt"),
        Case("zip-bad-crc", zip_bytes(_replace(entries, sheet.name, bad_crc)), "corrupt"),
        Case("zip-password-flag", zip_bytes(locked), "zip-password"),
        Case("duplicate-sheet-entry", zip_bytes([*entries, twin]), "duplicate-entry"),
        Case("duplicate-entry-other-case", zip_bytes([*entries, case_twin]), "duplicate-entry"),
        Case("too-many-entries", zip_bytes(many), "zip-bomb"),
        Case("file-too-large", b"PK\x03\x04" + bytes(DEFAULT_LIMITS.file_bytes), "zip-bomb"),
        Case("unsupported-method", zip_bytes(_replace(entries, sheet.name, Entry(sheet.name, sheet.payload, sheet.size, sheet.crc, method=97))), "corrupt"),
        Case("garbage-deflate", zip_bytes(_replace(entries, sheet.name, Entry(sheet.name, b"\xff" * 40, 500, 0))), "corrupt"),
        Case("missing-workbook", zip_bytes(_replace(entries, "xl/workbook.xml", None)), "corrupt"),
        Case("missing-content-types", zip_bytes(_replace(entries, "[Content_Types].xml", None)), "corrupt"),
        Case("sheet-rel-to-missing-part", zip_bytes(_replace(entries, sheet.name, None)), "corrupt"),
    ]  # fmt: skip


# ---------------------------------------------------------------- bombs


def _bombs() -> list[Case]:
    entries = xlsx_entries()
    sheet = entries[-1].name
    open_tag = f'{XML_DECL}<worksheet xmlns="{MAIN_NS}"><sheetData>'.encode()
    sheet_bomb = _bomb_entry(sheet, open_tag, b" ", 1024, b"</sheetData></worksheet>")
    ratio_bomb = _bomb_entry(sheet, open_tag, b" ", 3, b"</sheetData></worksheet>")
    strings = xlsx_entries(strings=["<t>x</t>"])
    sst_head = f'{XML_DECL}<sst xmlns="{MAIN_NS}"><si><t>'.encode()
    string_bomb = _bomb_entry("xl/sharedStrings.xml", sst_head, b"a", 400, b"</t></si></sst>")
    many_cells = "".join(f'<row r="{r}">' + "<c/>" * 100 + "</row>" for r in range(1, 102))
    short = Limits(text_chars=32_767)  # the default allows long texts (LibreOffice saves them); this tests the cut-off
    long_text = "x" * (short.text_chars + 1)
    total = {f"Ark{i}": sheet_xml(" " * 400_000) for i in range(1, 5)}
    return [
        Case("sheet-1gib-of-spaces", zip_bytes(_replace(entries, sheet, sheet_bomb)), "zip-bomb"),
        Case("sheet-inflate-ratio", zip_bytes(_replace(entries, sheet, ratio_bomb)), "zip-bomb"),
        Case("shared-string-400mib", zip_bytes(_replace(strings, "xl/sharedStrings.xml", string_bomb)), "zip-bomb"),
        Case("too-many-shared-strings", xlsx(strings=["<t/>"] * 1001), "zip-bomb", Limits(shared_strings=1000)),
        Case("too-many-cells", _one_sheet(many_cells), "zip-bomb", Limits(cells=10_000)),
        Case("total-bytes", xlsx(total), "zip-bomb", Limits(total_bytes=1 * MiB)),
        Case("long-inline-string", _one_sheet(f'<row r="1"><c r="A1" t="inlineStr"><is><t>{long_text}</t></is></c></row>'),
             "zip-bomb", short),
        Case("long-cell-value", _one_sheet(f'<row r="1"><c r="A1" t="str"><v>{long_text}</v></c></row>'), "zip-bomb", short),
        Case("long-shared-string", xlsx(strings=[f"<t>{long_text}</t>"]), "zip-bomb", short),
        Case("cell-row-2e9", _one_sheet('<row r="1"><c r="A2000000000"><v>1</v></c></row>'), "zip-bomb"),
        Case("row-2e9", _one_sheet('<row r="2000000000"><c><v>1</v></c></row>'), "zip-bomb"),
        Case("cell-XFE1", _one_sheet('<row r="1"><c r="XFE1"><v>1</v></c></row>'), "zip-bomb"),
        Case("cell-without-r-past-XFD", _one_sheet('<row r="1"><c r="XFD1"><v>1</v></c><c><v>2</v></c></row>'), "zip-bomb"),
        Case("cell-XFD1048576", _one_sheet('<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'), None),
    ]  # fmt: skip


# ---------------------------------------------------------------- XML attacks and malformed XML

_BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">' for i in range(1, 10))
    + f']><workbook xmlns="{MAIN_NS}"><sheets>&lol9;</sheets></workbook>'
)


def _xml_attacks() -> list[Case]:
    entries = xlsx_entries(core=_core("2026-01-20T10:00:00Z"))

    def with_part(name: str, xml: str | bytes) -> bytes:
        return zip_bytes(_replace(entries, name, deflated(name, xml)))

    sheet = "xl/worksheets/sheet1.xml"
    external = f'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><worksheet xmlns="{MAIN_NS}"><sheetData><row r="1"><c r="A1" t="str"><v>&xxe;</v></c></row></sheetData></worksheet>'
    parameter = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY % p SYSTEM "http://example.invalid/p.dtd"> %p;]><Types/>'
    dtd_only = f'<?xml version="1.0"?><!DOCTYPE coreProperties><coreProperties xmlns="{MAIN_NS}"/>'
    unparsed = '<?xml version="1.0"?><!DOCTYPE r [<!NOTATION n SYSTEM "x"><!ENTITY u SYSTEM "y" NDATA n>]><Relationships/>'
    return [
        Case("billion-laughs-workbook", with_part("xl/workbook.xml", _BILLION_LAUGHS), "xml-attack"),
        Case("external-entity-sheet", with_part(sheet, external), "xml-attack"),
        Case("parameter-entity-content-types", with_part("[Content_Types].xml", parameter), "xml-attack"),
        Case("dtd-only-core", with_part("docProps/core.xml", dtd_only), "xml-attack"),
        Case("unparsed-entity-rels", with_part("xl/_rels/workbook.xml.rels", unparsed), "xml-attack"),
        Case("external-dtd-sheet", with_part(sheet, f'<!DOCTYPE worksheet SYSTEM "http://example.invalid/x.dtd"><worksheet xmlns="{MAIN_NS}"/>'), "xml-attack"),
        Case("undeclared-entity", with_part(sheet, sheet_xml('<row r="1"><c r="A1" t="str"><v>&nope;</v></c></row>')), "corrupt"),
        Case("malformed-sheet", with_part(sheet, sheet_xml('<row r="1"><c r="A1"><v>1</c></row>')), "corrupt"),
        Case("malformed-workbook", with_part("xl/workbook.xml", "<workbook><sheets>"), "corrupt"),
        Case("nul-in-sheet", with_part(sheet, sheet_xml('<row r="1"><c r="A1"><v>1\0</v></c></row>')), "corrupt"),
        Case("workbook-without-sheets", with_part("xl/workbook.xml", f'<workbook xmlns="{MAIN_NS}"><sheets/></workbook>'), "corrupt"),
        Case("duplicate-sheet-names", xlsx({"Ark1": sheet_xml(""), "ARK1": sheet_xml("")}), "corrupt"),
        Case("unknown-sheet-state", xlsx(states={"Ark1": "sortof"}), "corrupt"),
    ]  # fmt: skip


# ---------------------------------------------------------------- bad cells


def _bad_cells() -> list[Case]:
    cases = [
        Case(f"cell-ref-{label}", _one_sheet(f'<row r="1"><c r="{ref}"><v>1</v></c></row>'), "corrupt")
        for label, ref in (("B", "B"), ("1A", "1A"), ("A0", "A0"), ("dollar", "$A$1"), ("space", " A1"), ("empty-letters", "12"), ("unicode", "Å1"))
    ]  # fmt: skip
    return [
        *cases,
        Case("row-r-text", _one_sheet('<row r="x"><c><v>1</v></c></row>'), "corrupt"),
        Case("row-r-zero", _one_sheet('<row r="0"><c><v>1</v></c></row>'), "corrupt"),
        Case("shared-string-index-out-of-range", xlsx({"Ark1": sheet_xml('<row r="1"><c r="A1" t="s"><v>7</v></c></row>')}, strings=["<t>a</t>"]), "corrupt"),
        Case("shared-string-index-negative", xlsx({"Ark1": sheet_xml('<row r="1"><c r="A1" t="s"><v>-1</v></c></row>')}, strings=["<t>a</t>"]), "corrupt"),
        Case("bool-not-a-number", _one_sheet('<row r="1"><c r="A1" t="b"><v>yes</v></c></row>'), "corrupt"),
        Case("number-not-a-number", _one_sheet('<row r="1"><c r="A1"><v>12abc</v></c></row>'), "corrupt"),
        Case("iso-date-garbage", _one_sheet('<row r="1"><c r="A1" t="d"><v>soon</v></c></row>'), "corrupt"),
    ]  # fmt: skip


# ---------------------------------------------------------------- unusual but legal


def _legal() -> list[Case]:
    rows = '<row r="1"><c r="A1"><v>1</v></c><c r="B1" t="inlineStr"><is><t>hei</t></is></c></row>'
    utf16 = sheet_xml(rows).replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    macro = xlsx_entries(main_type="application/vnd.ms-excel.sheet.macroEnabled.main+xml")
    nested = "<x>" * 20_000 + "</x>" * 20_000
    plain = xlsx_entries()
    return [
        Case("modified-date-only", xlsx(core=_core("2026-01-20")), None),
        Case("modified-plus-one", xlsx(core=_core("2026-01-20T10:00:00+01:00")), None),
        Case("modified-garbage", xlsx(core=_core("i går")), None),
        Case("macro-enabled", zip_bytes([*macro, deflated("xl/vbaProject.bin", b"\xcc" * 64)]), None),
        Case("prefixed-namespaces", xlsx({"Ark1": sheet_xml(rows.replace("<", "<x:").replace("<x:/", "</x:"), prefix="x")}), None),
        Case("utf16-sheet", xlsx({"Ark1": utf16}), None),  # type: ignore[dict-item]
        Case("strict-ooxml", xlsx({"Ark1": sheet_xml(rows, ns=STRICT_MAIN_NS)}, strict=True), None),
        Case("absolute-rel-targets", xlsx(absolute_targets=True), None),
        Case("no-strings-no-styles", _one_sheet(rows), None),
        Case("deeply-nested-in-sheetdata", _one_sheet(nested), None),
        Case("hidden-sheets", xlsx({"A": sheet_xml(""), "B": sheet_xml(""), "C": sheet_xml("")}, states={"B": "hidden", "C": "veryHidden"}), None),
        Case("extra-entries", zip_bytes([*plain, deflated("customXml/item1.xml", "<x/>"), deflated("xl/media/image1.png", b"\x89PNG")]), None),
    ]  # fmt: skip


_MAKERS: tuple[Callable[[], list[Case]], ...] = (
    _other_kinds,
    _broken_zips,
    _bombs,
    _xml_attacks,
    _bad_cells,
    _legal,
)
