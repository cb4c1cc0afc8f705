"""A folder of hostile inputs for consolidate, built in code: file-system oddities, broken and
hostile bytes, and real returns edited the way a careless or hostile sender edits them. Not a test module.

`build(folder)` writes every case into `folder` and returns a `HostileFolder`: the folder
and, for every entry that `consolidate` must list in «Kilder», the status and the finding
code it must get. The byte-level cases are `hostile_corpus.corpus()`, each written as a file
under ``corpus/``; three of them only reach their limit under `LIMITS` (lowered), so the
table is given for `LIMITS` and for `DEFAULT_LIMITS` (the CLI, which has no limit option).

Running as root, chmod does not stop a read: `deny` then makes the unreadable folder and
file unreadable by faking the OS calls that `behovxl.inputs` makes, for those paths only.
"""

from __future__ import annotations

import errno
import functools
import io
import os
import re
import shutil
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest
from helpers import example_report, prefilled, typed
from hostile_corpus import corpus

from behovxl.limits import DEFAULT_LIMITS, Limits, MiB
from behovxl.models import Report

# ---------------------------------------------------------------- public API

__all__ = [
    "GOOD", "LIMITS", "Expected", "HostileFolder", "build", "deny", "good_returns", "network_return", "set_cell",
    "with_core",
]

#: The limits the library run uses: the corpus's three lowered limits at once, and a time limit
#: that a real return never comes near. The good returns stay well inside them.
LIMITS = Limits(shared_strings=1_000, cells=10_000, total_bytes=1 * MiB, seconds=30.0)

#: The four example networks, as returned unchanged (file name -> example report name).
GOOD = {
    "indre-helgeland-rana.xlsx": "indre-helgeland-rana",
    "lofoten.xlsx": "lofoten",
    "salten.xlsx": "salten",
    "ytre-helgeland.xlsx": "ytre-helgeland",
}

IMPORTED, WITH_ERRORS, REJECTED = "imported", "imported-with-errors", "rejected"
DUPLICATE, SUPERSEDED, SKIPPED = "duplicate", "superseded", "skipped"


@dataclass(frozen=True)
class Expected:
    """What must become of one entry: its status, and a finding code it must carry.

    code None: the entry must carry no finding of severity error.
    """

    status: str
    code: str | None


@dataclass
class HostileFolder:
    root: Path
    #: Entry name as shown in «Kilder» -> what must become of it, read with `LIMITS`.
    expected: dict[str, Expected]
    #: The same, read with `DEFAULT_LIMITS`.
    expected_default: dict[str, Expected]
    #: A folder and a file that must be unreadable (see `deny`).
    denied_folder: Path
    denied_file: Path
    #: The four good returns' entry names -> their networks' names.
    networks: dict[str, str]


def build(folder: Path) -> HostileFolder:
    """Write every case into `folder` (made if missing) and say what must become of each."""
    folder.mkdir(parents=True, exist_ok=True)
    expected: dict[str, Expected] = {}
    default: dict[str, Expected] = {}
    for name, exp, exp_default in _corpus_files(folder / "corpus"):
        expected[name] = exp
        default[name] = exp_default
    for maker in (_good_files, _workbook_files, _fs_files, _own_outputs):
        for name, exp in maker(folder):
            assert name not in expected, name
            expected[name] = default[name] = exp
    networks = {name: example_report(report).network_name for name, report in GOOD.items()}
    return HostileFolder(folder, expected, default, folder / "lukket", folder / "ulesbar.xlsx", networks)


def good_returns() -> dict[str, bytes]:
    """The four example returns, as the networks sent them (file name -> bytes)."""
    return dict(_good())


@contextmanager
def deny(monkeypatch: pytest.MonkeyPatch, folders: list[Path], files: list[Path]) -> Iterator[None]:
    """Make `folders` unlistable and `files` unreadable: chmod, and where that does not stop us (root), fake the OS.

    The fakes answer only for these paths and are inherited by forked workers.
    """
    for path in [*folders, *files]:
        path.chmod(0)
    try:
        if _is_root():
            _fake_denied(monkeypatch, [str(p) for p in folders], [str(p) for p in files])
        yield
    finally:
        for path in folders:
            path.chmod(0o755)
        for path in files:
            path.chmod(0o644)


def set_cell(data: bytes, sheet: str, ref: str, value: str | int | float, *, raw_number: str | None = None) -> bytes:
    """A copy of an xlsxwriter workbook with one cell of one sheet replaced in its XML.

    Text is written as an inline string of any length (xlsxwriter itself cuts at 32 767),
    numbers as written, or `raw_number` exactly as the XML should hold it ("1E+308").
    The cell must exist (every input cell of a generated form does, with its style).
    """
    part = _sheet_part(data, sheet)
    if raw_number is not None:
        body = f"><v>{raw_number}</v></c>"
    elif isinstance(value, str):
        body = f' t="inlineStr"><is><t xml:space="preserve">{escape(value)}</t></is></c>'
    else:
        body = f"><v>{value!r}</v></c>"

    def patch(xml: bytes) -> bytes:
        pattern = rf'<c r="{ref}"( s="\d+")?(?: t="\w+")?(?:/>|>.*?</c>)'.encode()
        out, n = re.subn(pattern, lambda m: f'<c r="{ref}"'.encode() + (m[1] or b"") + body.encode(), xml, count=1)
        assert n == 1, (sheet, ref)
        return out

    return _rezip(data, {part: patch})


def with_core(data: bytes, *, modified: str | None = None, subject: str | None = None) -> bytes:
    """A copy with the document properties' save time (W3CDTF text as given) or subject replaced."""

    def patch(xml: bytes) -> bytes:
        if modified is not None:
            xml, n = re.subn(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                             lambda m: m[1] + modified.encode() + m[2], xml)
            assert n == 1
        if subject is not None:
            xml, n = re.subn(rb"<dc:subject>[^<]*</dc:subject>", f"<dc:subject>{escape(subject)}</dc:subject>".encode(), xml)
            assert n == 1
        return xml

    return _rezip(data, {"docProps/core.xml": patch})


# ---------------------------------------------------------------- the byte-level corpus

#: The package layer's codes, as the finding codes a consolidation shows.
_FINDING_OF = {"zip-bomb": "too-large", None: "not-our-form"}


def _corpus_files(folder: Path) -> Iterator[tuple[str, Expected, Expected]]:
    folder.mkdir()
    for case in corpus():
        (folder / f"{case.name}.xlsx").write_bytes(case.data)
        code = _FINDING_OF.get(case.code, case.code)
        lowered = case.limits != DEFAULT_LIMITS
        # Under the default limits a lowered-limit case is a small, valid workbook that is not our form. The
        # library run lowers the count limits (LIMITS) but keeps long texts readable, as returns need.
        in_library = not lowered or case.limits.text_chars == DEFAULT_LIMITS.text_chars
        yield (f"corpus/{case.name}.xlsx", Expected(REJECTED, code if in_library else "not-our-form"),
               Expected(REJECTED, "not-our-form" if lowered else code))


# ---------------------------------------------------------------- returns


def _good_files(folder: Path) -> Iterator[tuple[str, Expected]]:
    expected = {
        "indre-helgeland-rana.xlsx": Expected(IMPORTED, None),  # warnings only
        "lofoten.xlsx": Expected(WITH_ERRORS, "cofunding-low"),  # the example's deliberate mistakes
        "salten.xlsx": Expected(IMPORTED, None),
        "ytre-helgeland.xlsx": Expected(IMPORTED, None),
    }
    for name, data in good_returns().items():
        (folder / name).write_bytes(data)
        yield name, expected[name]
    # The same bytes again under a name sorted after the first: counted once.
    shutil.copyfile(folder / "salten.xlsx", folder / "vedlegg-salten.xlsx")
    yield "vedlegg-salten.xlsx", Expected(DUPLICATE, "duplicate-file")


def _network(name: str, *, year: int | None = None) -> Report:
    """Salten's report as another network's (its own name, so it competes with nobody)."""
    report = example_report("salten")
    partnership = report.partnership.model_copy(update={"network": name})
    update: dict[str, Any] = {"network_id": name, "partnership": partnership}
    if year is not None:
        update["year"] = year
    return report.model_copy(update=update)


def network_return(name: str, *, identity: bool = True) -> bytes:
    """A return of the network `name` (Salten's figures): one generated workbook renamed in its
    XML, much faster than generating each. identity=False: as if made from a blank form."""
    data = _base()
    data = set_cell(data, "Skjemainfo", "B4", name if identity else "")
    data = set_cell(data, "Partnerskap", "B5", name)
    return with_core(data, subject=name if identity else "")


@functools.cache
def _base() -> bytes:
    return prefilled(_network("Testnettverk"))


def _workbook_files(folder: Path) -> Iterator[tuple[str, Expected]]:
    for name, data, exp in _workbook_cases():
        (folder / name).write_bytes(data)
        yield name, exp
    # A folder named like a workbook is walked: the return inside it counts; its save date is only a date.
    (folder / "mappe.xlsx").mkdir()
    narvik = with_core(network_return("Kompetansenettverk Narvik"), modified="2026-01-20")
    (folder / "mappe.xlsx" / "narvik.xlsx").write_bytes(narvik)
    yield "mappe.xlsx/narvik.xlsx", Expected(IMPORTED, None)
    # A file name that is not UTF-8 (Latin-1 «ø»), shown with U+FFFD.
    with open(os.path.join(os.fsencode(folder), b"s\xf8r-troms.xlsx"), "wb") as fh:
        fh.write(network_return("Kompetansenettverk Sør-Troms"))
    yield "s\ufffdr-troms.xlsx", Expected(IMPORTED, None)


def _workbook_cases() -> list[tuple[str, bytes, Expected]]:
    a29 = ("Tiltak 1", "A29")  # measure 1, the owner's first amount
    ofoten = network_return("Kompetansenettverk Ofoten")
    zwsp = "Kompetansenettverk Vester\u200bålen"
    return [
        ("belop-1e29.xlsx", set_cell(network_return("Testnettverk 1E+29"), *a29, 0, raw_number="1E+29"), Expected(WITH_ERRORS, "amount-too-large")),
        ("belop-1e308.xlsx", set_cell(network_return("Testnettverk 1E+308"), *a29, 0, raw_number="1E+308"), Expected(WITH_ERRORS, "amount-too-large")),
        ("belop-1e20.xlsx", typed(_network("Testnettverk 10^20"), {"measures.1.owner_lines.1.amount": 10**20}),
         Expected(WITH_ERRORS, "amount-too-large")),
        # One network twice, the later with a zero-width space in its name: counted once.
        ("vesteralen-1.xlsx", with_core(network_return("Kompetansenettverk Vesterålen", identity=False), modified="2026-01-10T12:00:00Z"),
         Expected(SUPERSEDED, "superseded")),
        ("vesteralen-2.xlsx", with_core(network_return(zwsp, identity=False), modified="2026-01-15T12:00:00Z"),
         Expected(IMPORTED, "invisible-characters")),
        # The identity sheet edited.
        ("ar-1999.xlsx", _identity(network_return("Testnettverk 1999"), "B3", "1999"), Expected(REJECTED, "identity-invalid")),
        ("tiltak-0.xlsx", _identity(network_return("Testnettverk 0 tiltak"), "B5", "0"), Expected(REJECTED, "identity-invalid")),
        ("tiltak-21.xlsx", _identity(network_return("Testnettverk 21 tiltak"), "B5", "21"), Expected(REJECTED, "identity-invalid")),
        ("nettverk-endret.xlsx", _identity(network_return("Testnettverk Identitet"), "B4", "Kompetansenettverk Ukjent"),
         Expected(IMPORTED, "identity-mismatch")),
        ("tiltak-9.xlsx", _extra_sheet(network_return("Testnettverk Tiltak 9"), "Tiltak 9"), Expected(IMPORTED, "extra-sheet")),
        ("makro.xlsm", _macro_enabled(network_return("Testnettverk Makro")), Expected(IMPORTED, "macro-enabled")),
        # Two submissions of one network; the one with the offset was saved first (09:30 UTC before 09:45 UTC).
        ("ofoten-a.xlsx", with_core(ofoten, modified="2026-01-20T10:30:00+01:00"), Expected(SUPERSEDED, "superseded")),
        ("ofoten-b.xlsx", with_core(ofoten, modified="2026-01-20T09:45:00Z"), Expected(IMPORTED, "supersedes")),
        ("epost-200k.xlsx", set_cell(network_return("Testnettverk E-post"), "Partnerskap", "B17", "a" * 200_000 + "@x.no"),
         Expected(WITH_ERRORS, "invalid-email")),  # longer than any address can be (254)
        ("eiere-mellomrom.xlsx", set_cell(network_return("Testnettverk Eiere"), "Partnerskap", "B6", " " * 32_000),
         Expected(IMPORTED, "text-too-long")),
        ("lang-tekst.xlsx", set_cell(network_return("Testnettverk Lang tekst"), "Tiltak 1", "B5", "Lang " * 8_000),
         Expected(IMPORTED, "text-too-long")),
        ("ar-2025.xlsx", prefilled(_network("Testnettverk 2025", year=2025)), Expected(REJECTED, "other-year")),
        ("uten-nettverk.xlsx", set_cell(network_return("", identity=False), "Partnerskap", "B5", ""), Expected(REJECTED, "network-missing")),
    ]  # fmt: skip


def _identity(data: bytes, ref: str, value: str) -> bytes:
    return set_cell(data, "Skjemainfo", ref, value)


def _extra_sheet(data: bytes, name: str) -> bytes:
    """A sheet added after the others, with money on it (a network's own «Tiltak 9»)."""
    rows = (
        '<row r="5"><c r="A5" t="inlineStr"><is><t>Navn på tiltaket</t></is></c>'
        '<c r="B5" t="inlineStr"><is><t>Ekstra tiltak</t></is></c></row>'
        '<row r="29"><c r="A29"><v>450000</v></c></row>'
    )
    sheet = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{rows}</sheetData></worksheet>"
    )
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    n = 1 + sum(1 for x in names if x.startswith("xl/worksheets/sheet"))
    part = f"xl/worksheets/sheet{n}.xml"
    kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
    rel_type = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"

    def add_type(xml: bytes) -> bytes:
        return xml.replace(b"</Types>", f'<Override PartName="/{part}" ContentType="{kind}"/></Types>'.encode())

    def add_rel(xml: bytes) -> bytes:
        return xml.replace(b"</Relationships>",
                           f'<Relationship Id="rIdX" Type="{rel_type}" Target="worksheets/sheet{n}.xml"/></Relationships>'.encode())

    def add_sheet(xml: bytes) -> bytes:
        return xml.replace(b"</sheets>", f'<sheet name="{name}" sheetId="{n}" r:id="rIdX"/></sheets>'.encode())

    patched = _rezip(data, {"[Content_Types].xml": add_type, "xl/_rels/workbook.xml.rels": add_rel,
                            "xl/workbook.xml": add_sheet})
    return _rezip(patched, {}, extra={part: sheet.encode()})


def _macro_enabled(data: bytes) -> bytes:
    """Saved as .xlsm: the macro-enabled main content type and a VBA project."""
    main = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"

    def retype(xml: bytes) -> bytes:
        assert main in xml
        return xml.replace(main, b"application/vnd.ms-excel.sheet.macroEnabled.main+xml").replace(
            b"</Types>", b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>')

    return _rezip(data, {"[Content_Types].xml": retype}, extra={"xl/vbaProject.bin": b"\xcc" * 512})


# ---------------------------------------------------------------- the file system


def _fs_files(folder: Path) -> Iterator[tuple[str, Expected]]:
    if hasattr(os, "mkfifo"):
        os.mkfifo(folder / "ror.xlsx")
        yield "ror.xlsx", Expected(REJECTED, "not-regular-file")
    if os.path.exists("/dev/zero"):
        os.symlink("/dev/zero", folder / "null.xlsx")
        yield "null.xlsx", Expected(REJECTED, "not-regular-file")
    os.symlink("ring-b.xlsx", folder / "ring-a.xlsx")
    os.symlink("ring-a.xlsx", folder / "ring-b.xlsx")
    yield "ring-a.xlsx", Expected(REJECTED, "cannot-open")
    yield "ring-b.xlsx", Expected(REJECTED, "cannot-open")
    os.symlink("finnes-ikke.xlsx", folder / "borte.xlsx")
    yield "borte.xlsx", Expected(REJECTED, "cannot-open")
    (folder / "sløyfe").mkdir()
    os.symlink("..", folder / "sløyfe" / "tilbake")
    yield "sløyfe/tilbake/", Expected(REJECTED, "cannot-open")
    (folder / "lukket").mkdir()
    (folder / "lukket" / "inni.xlsx").write_bytes(b"PK")
    yield "lukket/", Expected(REJECTED, "cannot-open")
    (folder / "ulesbar.xlsx").write_bytes(good_returns()["salten.xlsx"])
    yield "ulesbar.xlsx", Expected(REJECTED, "cannot-open")
    (folder / "tom.xlsx").mkdir()  # an empty folder named like a workbook: listed, skipped, said so
    yield "tom.xlsx/", Expected(SKIPPED, "empty-folder")
    (folder / "~$salten.xlsx").write_bytes(b"\x0bkari       " + b"\0" * 40 + b"k\0a\0r\0i\0" + b"\0" * 100)
    yield "~$salten.xlsx", Expected(SKIPPED, "skipped-lock-file")
    (folder / "notat.txt").write_text("Husk å sjekke Lofoten.\n", encoding="utf-8")
    yield "notat.txt", Expected(REJECTED, "not-xlsx")


def _own_outputs(folder: Path) -> Iterator[tuple[str, Expected]]:
    """What an earlier consolidate into this same folder left: the regional workbook, its JSON and CSV, and a temp file."""
    from behovxl.consolidate import consolidate
    from behovxl.regional import write_regional

    earlier = folder.parent / f".{folder.name}-earlier"
    earlier.mkdir()
    for name, data in good_returns().items():
        (earlier / name).write_bytes(data)
    result = consolidate(earlier, jobs=2)
    written = write_regional(result, folder / "regional.xlsx", folder / "regional.json", folder / "regional-csv")
    shutil.rmtree(earlier)
    for path in written:
        yield path.relative_to(folder).as_posix(), Expected(SKIPPED, "skipped-own-output")
    (folder / ".behovxl-tmp-999999999-regional.xlsx").write_bytes(b"PK\x03\x04 half written")
    yield ".behovxl-tmp-999999999-regional.xlsx", Expected(SKIPPED, "skipped-own-output")


# ---------------------------------------------------------------- helpers


@functools.cache
def _good() -> tuple[tuple[str, bytes], ...]:
    return tuple((name, prefilled(example_report(report))) for name, report in GOOD.items())


def _rezip(data: bytes, patches: dict[str, Any], extra: dict[str, bytes] | None = None) -> bytes:
    """The zip again, each named part passed through its patch, `extra` parts added at the end."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename in patches:
                body = patches[info.filename](body)
            dst.writestr(info, body, compress_type=zipfile.ZIP_DEFLATED)
        for name, body in (extra or {}).items():
            dst.writestr(zipfile.ZipInfo(name, (2026, 1, 1, 0, 0, 0)), body, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _sheet_part(data: bytes, sheet: str) -> str:
    zf = zipfile.ZipFile(io.BytesIO(data))
    book = zf.read("xl/workbook.xml").decode()
    rels = zf.read("xl/_rels/workbook.xml.rels").decode()
    rid = re.search(rf'<sheet name="{re.escape(escape(sheet))}" sheetId="\d+"(?: state="\w+")? r:id="(\w+)"', book)
    assert rid, sheet
    target = re.search(rf'Id="{rid[1]}" Type="[^"]+" Target="([^"]+)"', rels)
    assert target, rid[1]
    return "xl/" + target[1]


def _fake_denied(monkeypatch: pytest.MonkeyPatch, folders: list[str], files: list[str]) -> None:
    real_scandir, real_open, real_access = os.scandir, os.open, os.access

    def hit(path: Any, among: list[str]) -> bool:
        try:
            return os.fsdecode(os.fspath(path)) in among
        except TypeError:  # a file descriptor
            return False

    def scandir(path: Any = ".") -> Any:
        if hit(path, folders):
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
        return real_scandir(path)

    def open_(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if hit(path, files) or (hit(path, folders) and flags & os.O_DIRECTORY):
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
        return real_open(path, flags, *args, **kwargs)

    def access(path: Any, mode: int, **kwargs: Any) -> bool:
        if hit(path, files) and mode & os.R_OK:
            return False
        return real_access(path, mode, **kwargs)

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr(os, "open", open_)
    monkeypatch.setattr(os, "access", access)


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0
