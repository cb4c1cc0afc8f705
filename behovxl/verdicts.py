"""The rules' verdicts on a filled form: each item whose condition holds, as a finding at its cell.

The items and their expressions are the rules' (rules.py); here they are evaluated over
the raw cell values of one workbook (formulas.Env), so the checker says exactly what the
workbook's check area shows.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from . import findings as catalogue
from .expr import Value, truthy
from .findings import Finding
from .layout import Layout, build_layout, shared_cache
from .rules import Item


def findings(layout: Layout, env: Any, classify: Any = None) -> list[Finding]:
    """The rules' findings for the raw values in `env` (formulas.Env), at their cells.

    `classify(item, env)` may replace an item's finding with a more precise one (the reader
    knows what a number typed as text reads as); it must not drop it.
    """
    nb = _nb_items(layout)
    if not truthy(env.slot("summary.count.filled")):
        item = next(i for i in layout.check_items if i.line == "filled")
        return [_finding(item, nb.get(item.key, item), env, layout)]
    out: list[Finding] = []
    for item in layout.check_items:
        if item.line == "filled" or not truthy(item.when.ev(env)):
            continue
        f = _finding(item, nb.get(item.key, item), env, layout)
        out.append(classify(item, f, env) if classify else f)
    return out


def _nb_items(layout: Layout) -> dict[str, Item]:
    """The same items with Bokmål messages, for a Nynorsk form (the regional overview is Bokmål)."""
    if layout.form.language == "nb":
        return {}
    return shared_cache(layout, "_nb_items",
                        lambda base: {i.key: i for i in build_layout(replace(base.form, language="nb")).check_items})


def _finding(item: Item, nb: Item, env: Any, layout: Layout) -> Finding:
    spec = layout.inputs.get(item.path) if item.path else None
    return catalogue.with_message(
        item.code, str(item.message.ev(env)), str(nb.message.ev(env)),
        sheet=spec.sheet if spec else None, cell=spec.cell if spec else None, path=item.path,
        found=_plain(item.found.ev(env)) if item.found is not None else None,
        expected=_plain(item.expected.ev(env)) if item.expected is not None else None,
        severity=item.severity,
    )


def _plain(v: Value) -> Any:
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    return v if isinstance(v, (int, float, str, bool)) or v is None else str(v)
