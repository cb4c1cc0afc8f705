"""The data dictionary: every input of a form, where it lives and what it takes.

JSON keys are stable English identifiers for programs; the table a person reads has
Norwegian headers and values.
"""

from __future__ import annotations

from typing import Any

from .layout import Layout

KEYS = ("path", "sheet", "cell", "name", "label", "type", "choices", "required")
HEADERS = {"path": "Sti", "sheet": "Ark", "cell": "Celle", "name": "Definert navn", "label": "Felt",
           "type": "Type", "choices": "Valg", "required": "Påkrevd"}
TYPES = {"text": "tekst", "long_text": "lang tekst", "email": "e-post", "amount": "beløp (kr)",
         "integer": "heltall", "choice": "valg"}

# ---------------------------------------------------------------- public API


def fields(layout: Layout) -> list[dict[str, Any]]:
    return [
        {"path": f.path, "sheet": f.sheet, "cell": f.cell, "name": f.name, "label": f.label, "type": f.type,
         "choices": list(f.choices), "required": f.required}
        for f in layout.inputs.values() if not f.locked
    ]


def render_table(rows: list[dict[str, Any]]) -> str:
    """A plain-text table with aligned columns."""
    keys = [k for k in KEYS if k != "label"]
    cells = [[_text(k, row[k]) for k in keys] for row in rows]
    widths = [max([len(HEADERS[k])] + [len(r[i]) for r in cells]) for i, k in enumerate(keys)]
    lines = ["  ".join(HEADERS[k].ljust(w) for k, w in zip(keys, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    return "\n".join(lines)


def render_markdown(rows: list[dict[str, Any]], title: str = "") -> str:
    out = [f"## {title}", ""] if title else []
    out += ["| " + " | ".join(HEADERS[k] for k in KEYS) + " |", "|" + "---|" * len(KEYS)]
    for row in rows:
        out.append("| " + " | ".join(_text(k, row[k]).replace("|", "\\|") for k in KEYS) + " |")
    return "\n".join(out)


def _text(key: str, value: Any) -> str:
    if key == "type":
        return TYPES.get(value, value)
    if isinstance(value, list):
        return ", ".join(value)
    if isinstance(value, bool):
        return "ja" if value else "nei"
    return str(value)
