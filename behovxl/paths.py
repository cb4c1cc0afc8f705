"""Between a report and the form's inputs: dotted paths such as `measures.3.owner_lines.2.amount`.

Numbers in a path count from 1, as the form does: measures by their sheet number,
rows by their place in the form. Lists in the report hold only the filled rows,
in form order, so row k of the form is the k-th filled row after a round trip.
"""

from __future__ import annotations

from typing import Any

from .form import Form
from .layout import Input, Layout
from .models import Report

# ---------------------------------------------------------------- public API


def value_at(report: Report, path: str) -> Any:
    """The report's value for an input path, or None where the report has none."""
    obj: Any = report
    for seg in path.split("."):
        obj = _step(obj, seg)
        if obj is None:
            return None
    return obj


def cell_value(form: Form, field: Input, value: Any) -> Any:
    """A report value as it is typed into the workbook (choice keys become labels in the form's language)."""
    if value is None or field.list_name is None:
        return value
    key = str(value).lower() if isinstance(value, bool) else str(value)
    for choice in form.definition.choices(field.list_name):
        if choice.key == key:
            return form.t(choice.label)
    return str(value)


def choice_key(form: Form, field: Input, label: str) -> str | bool | None:
    """A label typed in a choice cell back to its key (True/False for Ja/Nei); None if unknown.

    Both written languages are accepted, whatever the form's own: a label pasted from the
    other language's form means the same choice.
    """
    wanted = label.strip().casefold()
    for choice in form.definition.choices(field.list_name or ""):
        if wanted in (form.t(choice.label).casefold(), choice.label.nb.casefold(), choice.label.nn.casefold()):
            return {"true": True, "false": False}.get(choice.key, choice.key)
    return None


def report_from_values(layout: Layout, values: dict[str, Any], identity: dict[str, Any]) -> Report:
    """Build a report from input values keyed by path (None for empty)."""
    tree: dict[str, Any] = {}
    for path, value in values.items():
        _put(tree, path.split("."), value)
    data = _listify(tree, ())
    data["measures"] = [
        {**_listify(m, ("measures",)), "number": n} for n, m in sorted(tree.get("measures", {}).items()) if _filled(m)
    ]
    return Report.model_validate({**identity, **data})


# ---------------------------------------------------------------- helpers


def _step(obj: Any, seg: str) -> Any:
    if isinstance(obj, list):
        index = int(seg)
        if obj and hasattr(obj[0], "number"):
            return next((item for item in obj if item.number == index), None)
        return obj[index - 1] if 0 < index <= len(obj) else None
    if isinstance(obj, dict):
        return obj.get(seg)
    return getattr(obj, seg, None)


def _put(tree: dict, segs: list[str], value: Any) -> None:
    node = tree
    for seg in segs[:-1]:
        key: Any = int(seg) if seg.isdigit() else seg
        node = node.setdefault(key, {})
    node[segs[-1]] = value


def _filled(node: Any) -> bool:
    if isinstance(node, dict):
        return any(_filled(v) for v in node.values())
    return node is not None


# Lists whose rows keep their place (three continuation periods) rather than compacting.
_FIXED_LISTS = ("continuation",)
# Maps keyed by a choice or scheme, not by a row number.
_KEYED = ("schemes", "coordinator", "target_groups")


def _listify(node: Any, trail: tuple[str, ...]) -> Any:
    if not isinstance(node, dict):
        return node
    if node and all(isinstance(k, int) for k in node):
        rows = [_listify(node[k], trail) for k in sorted(node)]
        if trail and trail[-1] in _FIXED_LISTS:
            return rows
        return [row for row in rows if _filled(row)]
    return {k: _listify(v, trail + (k,)) for k, v in node.items() if not (trail == () and k == "measures")}
