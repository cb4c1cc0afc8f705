"""The workbook layer: open a returned file, identify its form, and take out its cells.

This is all behovxl needs from a returned workbook: which form and round it is (from
the hidden identity sheet, through the definitions the registry knows), the raw value
of every input cell, and the formula text and cached value of every formula cell, all
found through the form's own layout. Nothing else of the file is parsed into objects.
The bytes are never written back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from .definition import LANGUAGES, Definition
from .errors import UnknownFormError
from .expr import Value
from .findings import Finding, finding
from .form import Form
from .layout import IDENTITY_KEYS, Layout, build_layout
from .limits import DEFAULT_LIMITS, Limits
from .registry import Registry

# ---------------------------------------------------------------- public API


class Cell(Protocol):
    value: Any
    formula: str | None


class Package(Protocol):
    """What the workbook layer needs of an opened xlsx (package.Package, or a test's stand-in)."""

    sheet_names: list[str]
    sheet_states: dict[str, str]
    modified: datetime | None
    subject: str | None
    has_macros: bool

    def cells(self, sheet: str, wanted: Any = None) -> dict[tuple[int, int], Any]: ...


Opener = Callable[[bytes, Limits], Package]


class NotAForm(Exception):
    """The file is not a workbook of one of our forms; `finding` says why."""

    def __init__(self, problem: Finding) -> None:
        super().__init__(problem.message)
        self.finding = problem


@dataclass
class Workbook:
    form: Form
    layout: Layout
    raw: dict[str, Value]                  # input path -> the cell's value as the spreadsheet sees it
    formulas: dict[str, Any | None]        # formula key -> its cell (formula text, cached value); None if absent
    input_formulas: dict[str, str] = field(default_factory=dict)  # inputs that hold a formula: path -> text
    missing_sheets: list[str] = field(default_factory=list)
    extra_sheets: list[tuple[str, int]] = field(default_factory=list)  # sheet, cells with a value
    saved_at: datetime | None = None
    has_macros: bool = False
    subject: str | None = None


def open_workbook(data: bytes, registry: Registry, limits: Limits = DEFAULT_LIMITS,
                  opener: Opener | None = None) -> Workbook:
    """Open xlsx bytes and read its cells through its form's layout; NotAForm if it is not one of ours."""
    from .package import PackageError

    try:
        return _open_workbook(data, registry, limits, opener)
    except PackageError as exc:  # a sheet part found damaged or too large while streaming
        raise NotAForm(package_finding(exc.code, exc.detail)) from None


def _open_workbook(data: bytes, registry: Registry, limits: Limits, opener: Opener | None) -> Workbook:
    package = _open(data, limits, opener)
    form = identify(package, registry)
    layout = build_layout(form)
    present = set(package.sheet_names)
    book = Workbook(form, layout, {}, {}, saved_at=package.modified, has_macros=package.has_macros,
                    subject=package.subject)
    book.missing_sheets = [s.name for s in layout.sheets if not s.hidden and s.name not in present]
    for sheet in layout.sheets:
        if sheet.name in present:
            _read_sheet(package, sheet, book)
    known = set(layout.sheet_names) | {form.sheet("feedback")}  # a feedback workbook's first sheet is ours
    for name in package.sheet_names:
        if name not in known:
            book.extra_sheets.append((name, sum(1 for c in package.cells(name).values() if c.value not in (None, ""))))
    return book


def identify_file(path: Any, registry: Registry, limits: Limits = DEFAULT_LIMITS) -> Form:
    """The form of a workbook on disk; UsageError with the reason if it is not one of ours."""
    from pathlib import Path

    from .errors import UsageError
    from .inputs import InputError, read_bytes
    from .package import PackageError

    try:
        return identify(_open(read_bytes(Path(path), limits), limits, None), registry)
    except PackageError as exc:
        raise UsageError(f"{path}: {package_finding(exc.code, exc.detail).message}") from None
    except NotAForm as exc:
        raise UsageError(f"{path}: {exc.finding.message}") from None
    except InputError as exc:
        raise UsageError(f"{path}: {exc.detail}") from None


def identify(package: Package, registry: Registry) -> Form:
    """The form (definition, year, sheets, language) a workbook was generated from."""
    info = _identity(package, registry)
    try:
        definition = registry.lookup(str(info.get("form_id")), str(info.get("form_version")))
    except UnknownFormError:
        found = f"{info.get('form_id')} v{info.get('form_version')}"
        raise NotAForm(finding("unknown-form-version", found=found, expected=registry.known())) from None
    return _form(definition, info)


# ---------------------------------------------------------------- helpers


def _open(data: bytes, limits: Limits, opener: Opener | None) -> Package:
    from .package import PackageError, open_package

    try:
        return (opener or open_package)(data, limits)
    except PackageError as exc:
        raise NotAForm(package_finding(exc.code, exc.detail)) from None


#: The package layer's reasons, as finding codes.
_PACKAGE_CODES = {"zip-bomb": "too-large"}


def package_finding(code: str, detail: dict[str, Any]) -> Finding:
    return finding(_PACKAGE_CODES.get(code, code), detail=_detail(code, detail))


def _detail(code: str, detail: dict[str, Any]) -> str:
    """The package layer's detail, in Norwegian words."""
    part = detail.get("part")
    if code == "zip-bomb":
        limit = detail.get("limit")
        size = f"over {int(limit) // (1024 * 1024)} MB" if isinstance(limit, int) and limit >= 1024 * 1024 else "for stor"
        where = f"delen {part} blir {size} når den pakkes ut" if part else f"filen er {size}"
        if "cell" in detail:
            where = f"cellen {detail['cell']} ligger utenfor det et regneark kan ha"
        return where
    if code == "duplicate-entry":
        return f"delen {part or detail.get('name', '')}"
    if code == "corrupt":
        return f"delen {part} kan ikke leses" if part else "zip-pakken kan ikke leses"
    return ""


def _identity(package: Package, registry: Registry) -> dict[str, str]:
    names = {d.sheets.identity.get(lang) for d in registry.definitions for lang in LANGUAGES}
    candidates = [n for n in package.sheet_names if n in names] + [n for n in package.sheet_names if n not in names]
    wanted = {(r, c) for r in range(len(IDENTITY_KEYS) + 2) for c in (0, 1)}
    for name in candidates:
        cells = package.cells(name, wanted)
        first = cells.get((0, 0))
        if first is not None and first.value == IDENTITY_KEYS[0]:
            rows = {r for r, _ in cells}
            return {str(cells[(r, 0)].value): _text(cells.get((r, 1))) for r in sorted(rows) if (r, 0) in cells}
    raise NotAForm(finding("not-our-form"))


def _text(cell: Any) -> str:
    if cell is None or cell.value is None:
        return ""
    value = cell.value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def _form(definition: Definition, info: dict[str, str]) -> Form:
    problems = []
    year = _int(info.get("year"))
    if year is None or not 2000 <= year <= 2100:
        problems.append(f"året «{info.get('year', '')}» er ikke et år mellom 2000 og 2100")
    measures = _int(info.get("measures"))
    limit = definition.form.max_measures
    if measures is None or not 1 <= measures <= limit:
        problems.append(f"antall tiltaksark «{info.get('measures', '')}» er ikke mellom 1 og {limit}")
    language = info.get("language") or "nb"
    if language not in LANGUAGES:
        problems.append(f"målformen «{language}» er verken nb eller nn")
    reference = info.get("reference") or "0"
    if reference not in ("0", "1"):
        problems.append(f"«reference» er «{reference}», ikke 0 eller 1")
    if problems:
        raise NotAForm(finding("identity-invalid", detail="; ".join(problems)))
    assert year is not None and measures is not None
    return Form(definition, year, measures, language, info.get("network") or "", reference=reference == "1")


def _int(text: str | None) -> int | None:
    try:
        return int(str(text).strip())
    except (TypeError, ValueError):
        return None


def _read_sheet(package: Package, sheet: Any, book: Workbook) -> None:
    wanted = {(i.row, i.col) for i in sheet.inputs} | {(f.row, f.col) for f in sheet.formulas}
    cells = package.cells(sheet.name, wanted)
    for spec in sheet.inputs:
        cell = cells.get((spec.row, spec.col))
        if cell is None:
            continue
        if cell.formula is not None:
            book.input_formulas[spec.path] = cell.formula
        if cell.value is not None:
            book.raw[spec.path] = cell.value
    for slot in sheet.formulas:
        book.formulas[slot.key] = cells.get((slot.row, slot.col))
