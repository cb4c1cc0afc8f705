"""Compare two xlsx files part by part and cell by cell, the way XlsxWriter's tests compare theirs.

`xlsx_differences(got, want)` returns readable lines: which parts are missing or extra,
and for each part that differs, the cells (address, formula, value, style) of a sheet
or the first differing XML elements of any other part. An empty list means the two
packages hold the same parts with the same bytes.
"""

from __future__ import annotations

import difflib
import io
import re
import zipfile
from xml.etree import ElementTree

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
MAX_LINES = 40


def xlsx_differences(got: bytes, want: bytes) -> list[str]:
    a, b = _parts(got), _parts(want)
    strings_a, strings_b = _strings(a.get("xl/sharedStrings.xml")), _strings(b.get("xl/sharedStrings.xml"))
    out = [f"part only in the new file: {n}" for n in sorted(set(a) - set(b))]
    out += [f"part missing from the new file: {n}" for n in sorted(set(b) - set(a))]
    for name in sorted(set(a) & set(b)):
        if a[name] == b[name]:
            continue
        if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", name):
            lines = (_sheet_differences(_cells(a[name], strings_a), _cells(b[name], strings_b))
                     or _element_differences(a[name], b[name]))
        elif name == "xl/sharedStrings.xml":
            lines = []  # shown in the cells that use them
        else:
            lines = _element_differences(a[name], b[name])
        out += [f"{name}: {line}" for line in lines]
    if got != want and not out:
        out.append("the parts are equal but the zip differs (order, dates or compression of the entries)")
    return out[:MAX_LINES] + ([f"... and {len(out) - MAX_LINES} more"] if len(out) > MAX_LINES else [])


def assert_same_xlsx(got: bytes, want: bytes, name: str) -> None:
    differences = xlsx_differences(got, want)
    assert not differences, f"{name} differs from its golden file:\n  " + "\n  ".join(differences)


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


def _strings(xml: bytes | None) -> list[str]:
    return ["".join(si.itertext()) for si in ElementTree.fromstring(xml).iter(f"{MAIN}si")] if xml else []


def _cells(xml: bytes, strings: list[str]) -> dict[str, tuple[str, str, str, str]]:
    """Cell address -> (type, style, formula, value), a shared string as its text."""
    root = ElementTree.fromstring(xml)
    out = {}
    for c in root.iter(f"{MAIN}c"):
        f, v, t = c.find(f"{MAIN}f"), c.find(f"{MAIN}v"), c.find(f"{MAIN}is")
        value = v.text if v is not None else ("".join(t.itertext()) if t is not None else "")
        if c.get("t") == "s" and value and value.isdigit() and int(value) < len(strings):
            value = strings[int(value)]
        out[c.get("r", "?")] = (c.get("t", ""), c.get("s", ""), f.text or "" if f is not None else "", value or "")
    return out


def _sheet_differences(a: dict[str, tuple[str, str, str, str]], b: dict[str, tuple[str, str, str, str]]) -> list[str]:
    out = []
    for ref in sorted(set(a) | set(b), key=_cell_order):
        if a.get(ref) == b.get(ref):
            continue
        if ref not in a:
            out.append(f"{ref}: missing (was {_show(b[ref])})")
        elif ref not in b:
            out.append(f"{ref}: new {_show(a[ref])}")
        else:
            changed = [f"{label} {y!r} -> {x!r}" for label, x, y in zip(("type", "style", "formula", "value"), a[ref],
                                                                       b[ref], strict=True) if x != y]
            out.append(f"{ref}: " + ", ".join(changed))
    return out


def _element_differences(got: bytes, want: bytes) -> list[str]:
    """XML as a list of elements (`<tag ...>`), diffed: XlsxWriter's `_xml_to_list` comparison."""
    a, b = _elements(got), _elements(want)
    out = []
    for line in difflib.unified_diff(b, a, lineterm="", n=0):
        if line.startswith(("---", "+++", "@@")):
            continue
        out.append(("new:  " if line.startswith("+") else "was:  ") + line[1:][:200])
    return out or ["the bytes differ outside the elements (whitespace or encoding)"]


def _elements(xml: bytes) -> list[str]:
    text = xml.decode("utf-8", errors="replace").strip()
    return [e if e.startswith("<") else "<" + e for e in re.split(r">\s*<", text)]


def _cell_order(ref: str) -> tuple[int, int, str]:
    m = re.fullmatch(r"([A-Z]+)(\d+)", ref)
    if not m:
        return (0, 0, ref)
    col = 0
    for ch in m[1]:
        col = col * 26 + ord(ch) - 64
    return (int(m[2]), col, "")


def _show(cell: tuple[str, str, str, str]) -> str:
    kind, style, formula, value = cell
    return f"={formula} ({value!r})" if formula else f"{value!r} ({kind or 'n'}, style {style or '0'})"
