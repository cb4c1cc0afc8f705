"""Read a returned workbook back into a report, through the layout of its own form version.

The file is read into memory once and never written. Every input is parsed by
its field type; what cannot be trusted becomes a finding with its sheet and cell.
The checks of the figures themselves live in `checks.py`.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from defusedxml import ElementTree as SafeET
from openpyxl import load_workbook

from . import definition as definitions
from .definition import Form
from .errors import UnknownFormError, UnreadableWorkbookError
from .findings import Code, Finding, Severity, count, finding
from .layout import IDENTITY_KEYS, Input, Layout, build_layout
from .models import Report
from .numbers import is_placeholder, parse_whole_number
from .paths import choice_key, report_from_values, value_at

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# ---------------------------------------------------------------- public API


@dataclass
class ReadResult:
    file: Path
    sha256: str
    status: str  # "ok" | "errors" | "unreadable"
    report: Report | None
    findings: list[Finding] = field(default_factory=list)
    saved_at: datetime | None = None

    @property
    def errors(self) -> int:
        return count(self.findings, Severity.ERROR)

    @property
    def warnings(self) -> int:
        return count(self.findings, Severity.WARNING)


@dataclass
class OpenWorkbook:
    """A returned workbook loaded twice: with formulas and with cached values."""

    form: Form
    layout: Layout
    formulas: Any
    values: Any
    saved_at: datetime | None


def read_workbook(path: Path) -> ReadResult:
    """Read and check one returned workbook. Never raises for a bad file."""
    from .checks import check_report

    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return _unreadable(path, "", finding(Code.CANNOT_OPEN, detail=_os_problem(exc)))
    digest = hashlib.sha256(data).hexdigest()
    try:
        book = open_workbook(data)
    except UnreadableWorkbookError as exc:
        return _unreadable(path, digest, exc.args[0])
    report, findings = read_inputs(book)
    findings += check_report(book, report, as_spreadsheet_sees_it(book, report, findings))
    status = "errors" if any(f.severity == Severity.ERROR for f in findings) else "ok"
    return ReadResult(path, digest, status, report, findings, book.saved_at)


def identify(path: Path) -> Form:
    """The form (definition, year, sheets) a workbook was generated from."""
    try:
        return open_workbook(Path(path).read_bytes()).form
    except UnreadableWorkbookError as exc:
        raise UnreadableWorkbookError(f"{path}: {exc.args[0].message}") from None


def open_workbook(data: bytes) -> OpenWorkbook:
    """Load the workbook bytes; raise UnreadableWorkbookError(finding) if it is not ours."""
    if data.startswith(_OLE_MAGIC):
        raise UnreadableWorkbookError(finding(Code.ENCRYPTED))
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise UnreadableWorkbookError(finding(Code.NOT_XLSX))
    try:
        formulas = _Grid.load(data, data_only=False)
        values = _Grid.load(data, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged package
        raise UnreadableWorkbookError(finding(Code.CORRUPT, detail=type(exc).__name__)) from None
    form = _identify(formulas)
    return OpenWorkbook(form, build_layout(form), formulas, values, _saved_at(data))


def read_inputs(book: OpenWorkbook) -> tuple[Report, list[Finding]]:
    findings: list[Finding] = []
    for name in [s.name for s in book.layout.sheets if not s.hidden]:
        if name not in book.formulas.sheetnames:
            findings.append(finding(Code.SHEET_MISSING, sheet=name))
    values: dict[str, Any] = {}
    for path, spec in book.layout.inputs.items():
        if spec.sheet not in book.formulas.sheetnames:
            values[path] = None
            continue
        values[path] = _read_input(book, spec, findings)
    d = book.form.definition
    identity = {"form_id": d.form_id, "form_version": d.version, "year": book.form.year,
                "network_id": book.form.network or None}
    return report_from_values(book.layout, values, identity), findings


def as_spreadsheet_sees_it(book: OpenWorkbook, report: Report, findings: list[Finding]) -> Report:
    """The report with numbers typed as text left out, as the workbook's own SUMs leave them out.

    A cached total that matches this report is explained by the text number, which
    has its own finding; it is not reported again as a stale value.
    """
    as_text = {f.path for f in findings if f.code == Code.TEXT_NUMBER.value}
    if not as_text:
        return report
    values = {path: (None if path in as_text else value_at(report, path)) for path in book.layout.inputs}
    identity = {k: getattr(report, k) for k in ("form_id", "form_version", "year", "network_id")}
    return report_from_values(book.layout, values, identity)


def label_of(spec: Input) -> str:
    """How a finding names an input: where it is and what it asks."""
    return f"{spec.sheet}!{spec.cell} ({spec.label})"


# ---------------------------------------------------------------- loading


class _Sheet:
    """One sheet's cell values by (row, col), 1-based as openpyxl counts."""

    def __init__(self, title: str, cells: dict[tuple[int, int], Any]) -> None:
        self.title, self._cells = title, cells

    def cell(self, row: int, col: int) -> Any:
        return _Value(self._cells.get((row, col)))


@dataclass(frozen=True)
class _Value:
    value: Any


class _Grid:
    """A workbook's values, read once in openpyxl's read-only mode.

    The full mode builds a styled object for every merged cell, which made reading
    a form three times slower; we only ever need values.
    """

    def __init__(self, sheets: list[_Sheet]) -> None:
        self.worksheets = sheets
        self.sheetnames = [s.title for s in sheets]
        self._by_name = {s.title: s for s in sheets}

    def __getitem__(self, name: str) -> _Sheet:
        return self._by_name[name]

    @classmethod
    def load(cls, data: bytes, data_only: bool) -> _Grid:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
        try:
            return cls([_Sheet(ws.title, _cells(ws)) for ws in book.worksheets])
        finally:
            book.close()


class Formula(str):
    """A cell's formula text ("=SUM(B2:B9)"), told apart from text that merely starts with "="."""


def _cells(ws) -> dict[tuple[int, int], Any]:
    ws.reset_dimensions()  # a writer's <dimension> may be wrong; read every stored cell
    cells: dict[tuple[int, int], Any] = {}
    for row in ws.iter_rows():
        for cell in row:
            value = getattr(cell, "value", None)
            if value is not None:
                cells[(cell.row, cell.column)] = Formula(value) if cell.data_type == "f" else value
    return cells


# ---------------------------------------------------------------- identification


def _identify(book) -> Form:
    sheet = next((ws for ws in book.worksheets if ws.cell(1, 1).value == IDENTITY_KEYS[0]), None)
    if sheet is None:
        name = definitions.current().data["sheets"]["identity"]
        raise UnreadableWorkbookError(finding(Code.NOT_OUR_FORM, sheet=name))
    info = {str(sheet.cell(r, 1).value): sheet.cell(r, 2).value for r in range(1, len(IDENTITY_KEYS) + 1)}
    try:
        definition = definitions.lookup(str(info.get("form_id")), str(info.get("form_version")))
    except UnknownFormError:
        known = ", ".join(f"{i} v{v}" for i, v in sorted(definitions.definitions()))
        found = f"{info.get('form_id')} v{info.get('form_version')}"
        raise UnreadableWorkbookError(finding(Code.UNKNOWN_FORM_VERSION, found=found, expected=known)) from None
    try:
        return Form(definition, int(str(info["year"])), int(str(info["measures"])), str(info.get("network") or ""))
    except (KeyError, ValueError, TypeError):
        raise UnreadableWorkbookError(finding(Code.NOT_OUR_FORM, sheet=sheet.title)) from None


def _saved_at(data: bytes) -> datetime | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            root = SafeET.fromstring(zf.read("docProps/core.xml"))
    except (KeyError, zipfile.BadZipFile, SafeET.ParseError):
        return None
    for el in root:
        if el.tag.endswith("}modified") and el.text:
            try:
                return datetime.fromisoformat(el.text.strip().replace("Z", "+00:00")).replace(tzinfo=None)
            except ValueError:
                return None
    return None


def _os_problem(exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return "filen finnes ikke"
    if isinstance(exc, IsADirectoryError):
        return "dette er en mappe, ikke en fil"
    if isinstance(exc, PermissionError):
        return "ingen tilgang til filen"
    return exc.strerror or type(exc).__name__


def _unreadable(path: Path, digest: str, problem: Finding) -> ReadResult:
    return ReadResult(path, digest, "unreadable", None, [problem])


# ---------------------------------------------------------------- cells


def _read_input(book: OpenWorkbook, spec: Input, findings: list[Finding]) -> Any:
    raw = book.formulas[spec.sheet].cell(spec.row + 1, spec.col + 1).value
    where = {"sheet": spec.sheet, "cell": spec.cell, "path": spec.path, "label": label_of(spec)}
    if isinstance(raw, Formula):
        cached = book.values[spec.sheet].cell(spec.row + 1, spec.col + 1).value
        findings.append(finding(Code.FORMULA_IN_INPUT, found=raw, expected=cached, **where))
        raw = cached
    if isinstance(raw, datetime):
        raw = raw.date().isoformat()
    if is_placeholder(raw):
        findings.append(finding(Code.PLACEHOLDER, found=str(raw).strip(), **where))
        return None
    if spec.type in ("amount", "integer"):
        return _number(spec, raw, where, findings)
    if spec.type == "choice":
        return _choice(book, spec, raw, where, findings)
    return _text(raw)


def _text(raw: Any) -> str | None:
    if raw is None:
        return None
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = str(raw).strip()
    return text or None


def _number(spec: Input, raw: Any, where: dict, findings: list[Finding]) -> int | None:
    parsed = parse_whole_number(raw)
    unit = " i kroner" if spec.type == "amount" else ""
    unit_plain = "kroner" if spec.type == "amount" else "tall"
    if parsed.kind == "text_number":
        remark = f" Merknaden «{parsed.remark}» er ikke tatt med." if parsed.remark else ""
        findings.append(finding(Code.TEXT_NUMBER, found=str(raw), expected=parsed.value, remark=remark, **where))
    elif parsed.kind == "fractional":
        findings.append(finding(Code.FRACTIONAL_AMOUNT, found=_show(raw), unit_plain=unit_plain, **where))
    elif parsed.kind == "unparseable":
        findings.append(finding(Code.UNPARSEABLE_NUMBER, found=_show(raw), unit=unit, **where))
    if parsed.value is not None and parsed.value < 0:
        findings.append(finding(Code.NEGATIVE_AMOUNT, found=parsed.value, **where))
    return parsed.value


def _choice(book: OpenWorkbook, spec: Input, raw: Any, where: dict, findings: list[Finding]) -> Any:
    text = _text(raw)
    if text is None:
        return None
    key = choice_key(book.form.definition, spec, text)
    if key is None:
        findings.append(finding(Code.INVALID_CHOICE, found=text, expected=", ".join(spec.choices), **where))
    return key


def _show(raw: Any) -> str:
    return re.sub(r"\s+", " ", str(raw)).strip()
