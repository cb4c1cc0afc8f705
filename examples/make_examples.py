"""Write the example returned workbooks: one per report in examples/reports/.

    python examples/make_examples.py            # writes examples/returned/ (and examples/regional.xlsx)
    python examples/make_examples.py --out DIR  # writes DIR/returned/ (and DIR/regional.xlsx)

Every report becomes a pre-filled workbook, as a network would return it. The
Lofoten workbook then gets two mistakes that a valid JSON report cannot hold,
patched into the sheet XML inside the xlsx zip so that everything else, cached
values included, stays as it was written:

a. an amount typed as text: `measures.1.owner_lines.2.amount` (120 000) becomes
   the inline string "120 000,-";
b. a formula overwritten by a typed number: `summary.schemes.dekom.uh` (700 000,
   a formula) becomes the plain number 690 000.

If `behovxl.consolidate` is available, the returned workbooks are also
consolidated into regional.xlsx. The output is deterministic: running the script
twice gives byte-identical files. Only the public API of `behovxl` is used.
"""

from __future__ import annotations

import argparse
import importlib
import io
import posixpath
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree
from xml.sax.saxutils import escape

from behovxl.generate import generate_from_report, load_report_file, safe_file_name
from behovxl.layout import build_layout
from behovxl.reader import identify

EXAMPLES = Path(__file__).resolve().parent
REPORTS = EXAMPLES / "reports"

#: The report whose workbook gets the mistakes below.
FAULTY_REPORT = "lofoten.json"
#: (a) An owner line amount typed as text, e.g. "120 000,-".
TEXT_AMOUNT_PATH = "measures.1.owner_lines.2.amount"
#: (b) A formula cell overwritten by a typed number, this much below the right figure.
REPLACED_FORMULA_KEY = "summary.schemes.dekom.uh"
REPLACED_FORMULA_ERROR = -10_000

REGIONAL_NAME = "regional.xlsx"

_FIXED_DATE_TIME = (1980, 1, 1, 0, 0, 0)
_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"

# ---------------------------------------------------------------- public API


def main(argv: list[str] | None = None) -> list[Path]:
    """Parse the command line, write everything, print and return the paths written."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=EXAMPLES,
                        help="folder that gets returned/ and regional.xlsx (default: examples/)")
    args = parser.parse_args(argv)
    written = make_examples(args.out)
    for path in written:
        print(path)
    return written


def make_examples(out: Path = EXAMPLES) -> list[Path]:
    """Write out/returned/<safe name>.xlsx for every report, then out/regional.xlsx if possible."""
    returned_dir = Path(out) / "returned"
    returned_dir.mkdir(parents=True, exist_ok=True)
    returned = []
    for source in sorted(REPORTS.glob("*.json")):
        report = load_report_file(source)
        network = report.network_id or report.partnership.network or source.stem
        path = generate_from_report(returned_dir / safe_file_name(network, report.year), report)
        if source.name == FAULTY_REPORT:
            add_mistakes(path)
        returned.append(path)
    regional = write_regional_example(returned, Path(out) / REGIONAL_NAME)
    return returned + ([regional] if regional else [])


def add_mistakes(path: Path) -> None:
    """Patch mistakes (a) and (b) into a generated workbook, in place, at cells found in its layout."""
    layout = build_layout(identify(path))
    text_cell = layout.inputs[TEXT_AMOUNT_PATH]
    formula_cell = layout.formulas[REPLACED_FORMULA_KEY]
    data = path.read_bytes()
    parts = sheet_parts(data)
    changed: dict[str, bytes] = {}
    part = parts[text_cell.sheet]
    changed[part] = type_as_text(_read_part(data, part), text_cell.cell)
    part = parts[formula_cell.sheet]
    changed[part] = overwrite_formula(changed.get(part) or _read_part(data, part), formula_cell.cell,
                                      REPLACED_FORMULA_ERROR)
    path.write_bytes(replace_parts(data, changed))


def write_regional_example(returned: list[Path], target: Path) -> Path | None:
    """Consolidate the returned workbooks into `target`, if behovxl can do that yet.

    Needs `behovxl.consolidate.consolidate(inputs)` and `write_regional(consolidation,
    xlsx_path)`, the latter in `behovxl.consolidate` or `behovxl.regional`.
    """
    consolidate = _public("behovxl.consolidate", "consolidate")
    write_regional = _public("behovxl.consolidate", "write_regional") or _public("behovxl.regional", "write_regional")
    if consolidate is None or write_regional is None:
        print(f"Note: behovxl cannot consolidate yet (behovxl.consolidate.consolidate / write_regional); "
              f"{target.name} was not written.")
        return None
    write_regional(consolidate(returned), target)
    return target


def _public(module: str, name: str):
    """`module.name` if the module imports and has that function, else None."""
    try:
        found = getattr(importlib.import_module(module), name, None)
    except ImportError:
        return None
    return found if callable(found) else None


# ---------------------------------------------------------------- the xlsx package


def sheet_parts(xlsx: bytes) -> dict[str, str]:
    """Sheet name -> zip entry of its worksheet XML (e.g. 'xl/worksheets/sheet3.xml').

    Follows xl/workbook.xml (<sheet name r:id>) and xl/_rels/workbook.xml.rels (Id -> Target).
    """
    workbook = ElementTree.fromstring(_read_part(xlsx, "xl/workbook.xml"))
    rels = ElementTree.fromstring(_read_part(xlsx, "xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target") for rel in rels.iter(f"{{{_PKG_REL_NS}}}Relationship")}
    parts = {}
    for sheet in workbook.iter(f"{{{_MAIN_NS}}}sheet"):
        target = targets[sheet.get(f"{{{_REL_NS}}}id")]
        parts[sheet.get("name")] = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
    return parts


def replace_parts(xlsx: bytes, changed: dict[str, bytes]) -> bytes:
    """The xlsx with some entries' content replaced; deterministic.

    Entries keep their order, names, compression and attributes; every entry
    gets the fixed date_time 1980-01-01 00:00:00.
    """
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as zin, zipfile.ZipFile(out, "w") as zout:
        missing = set(changed) - {info.filename for info in zin.infolist()}
        if missing:
            raise KeyError(f"not in the workbook: {sorted(missing)}")
        for info in zin.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=_FIXED_DATE_TIME)
            entry.compress_type = info.compress_type
            entry.create_system = info.create_system
            entry.external_attr = info.external_attr
            entry.comment = info.comment
            zout.writestr(entry, changed.get(info.filename, zin.read(info)))
        zout.comment = zin.comment
    return out.getvalue()


# ---------------------------------------------------------------- cells in sheet XML


def find_cell(xml: bytes, cell: str) -> re.Match:
    """The one <c r="CELL" ...>...</c> (or <c .../>) element of a worksheet; KeyError if absent."""
    pattern = re.compile(
        rb'<c r="' + cell.encode() + rb'"(?P<attrs>(?:\s+[\w:]+="[^"]*")*)\s*(?:/>|>(?P<body>.*?)</c>)',
        re.DOTALL,
    )
    matches = list(pattern.finditer(xml))
    if len(matches) != 1:
        raise KeyError(f"cell {cell}: found {len(matches)} <c> elements, expected 1")
    return matches[0]


def type_as_text(xml: bytes, cell: str) -> bytes:
    """Replace a number cell by the same amount typed as text ("120 000,-"), keeping its style index."""
    match = find_cell(xml, cell)
    text = escape(_typed_amount(_cell_number(match, cell))).encode()
    new = b'<c r="%s"%s t="inlineStr"><is><t>%s</t></is></c>' % (cell.encode(), _style(match), text)
    return xml[: match.start()] + new + xml[match.end():]


def overwrite_formula(xml: bytes, cell: str, error: int) -> bytes:
    """Replace a formula cell <c><f>..</f><v>..</v></c> by a typed number: its cached value + `error`."""
    match = find_cell(xml, cell)
    if not re.search(rb"<f[\s>/]", match.group("body") or b""):
        raise ValueError(f"cell {cell} holds no formula")
    value = _cell_number(match, cell) + error
    new = b'<c r="%s"%s><v>%d</v></c>' % (cell.encode(), _style(match), value)
    return xml[: match.start()] + new + xml[match.end():]


# ---------------------------------------------------------------- helpers


def _read_part(xlsx: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(xlsx)) as zf:
        return zf.read(name)


def _style(match: re.Match) -> bytes:
    style = re.search(rb'\ss="\d+"', match.group("attrs"))
    return style.group(0) if style else b""


def _cell_number(match: re.Match, cell: str) -> int:
    if re.search(rb'\st="', match.group("attrs")):
        raise ValueError(f"cell {cell} does not hold a number")
    value = re.search(rb"<v>([^<]*)</v>", match.group("body") or b"")
    if value is None:
        raise ValueError(f"cell {cell} has no value")
    number = float(value.group(1))
    if not number.is_integer():
        raise ValueError(f"cell {cell} holds {number}, not a whole number")
    return int(number)


def _typed_amount(value: int) -> str:
    """120000 as a person types it into a form: '120 000,-'."""
    return f"{value:,}".replace(",", " ") + ",-"


if __name__ == "__main__":
    main()
