"""The data dictionary: every input of a form, where it lives and what it takes."""

from __future__ import annotations

from .layout import Layout

KEYS = ("path", "sheet", "cell", "name", "type", "choices", "required")


def fields(layout: Layout) -> list[dict]:
    return [
        {
            "path": f.path,
            "sheet": f.sheet,
            "cell": f.cell,
            "name": f.name,
            "type": f.type,
            "choices": list(f.choices),
            "required": f.required,
        }
        for f in layout.inputs.values()
    ]


def render_table(rows: list[dict]) -> str:
    """A plain-text table with aligned columns."""
    cells = [[_text(row[k]) for k in KEYS] for row in rows]
    widths = [max(len(k), *(len(r[i]) for r in cells)) if cells else len(k) for i, k in enumerate(KEYS)]
    lines = ["  ".join(k.ljust(w) for k, w in zip(KEYS, widths)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in cells]
    return "\n".join(lines)


def render_markdown(rows: list[dict]) -> str:
    out = ["| " + " | ".join(KEYS) + " |", "|" + "---|" * len(KEYS)]
    for row in rows:
        out.append("| " + " | ".join(_text(row[k]).replace("|", "\\|") for k in KEYS) + " |")
    return "\n".join(out)


def _text(value) -> str:
    if isinstance(value, list):
        return ", ".join(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
