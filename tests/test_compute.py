"""The rules on `Report` objects, without a workbook: milliseconds per case.

A report is put into its form's cells (`raw_inputs`, as the writer does), the figures are
computed (`compute`, the same expressions the workbook's formulas are written from), and
the checks run over them (`verdicts.findings` for the rules the check area shows,
`reconcile` for those no formula makes). Each case asserts the exact set of findings.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from behovxl.checks import reconcile
from behovxl.formulas import Env, compute, raw_inputs
from behovxl.generate import Request, form_for_report
from behovxl.layout import build_layout
from behovxl.models import BudgetLine, CoordinatorRequest, Measure, Report
from behovxl.registry import Registry
from behovxl.verdicts import findings as rule_findings

ROOT = Path(__file__).resolve().parents[1]
REGISTRY = Registry.default()


def example(year: int, name: str = "salten") -> Report:
    return Report.model_validate(json.loads((ROOT / "examples" / "reports" / str(year) / f"{name}.json").read_text()))


def evaluate(report: Report) -> tuple[dict[str, object], set[tuple[str, str | None]]]:
    """The computed figures, and every finding as (code, cell path)."""
    form, filled = form_for_report(report, Request(REGISTRY, report.year))
    layout = build_layout(form)
    raw = raw_inputs(layout, filled)
    env = Env(layout, raw)
    figures = {key: f.value for key, f in compute(layout, raw).items()}
    found = rule_findings(layout, env) + reconcile(layout, filled, env)
    return figures, {(f.code, f.path) for f in found}


def changed(report: Report, change: Callable[[Report], None]) -> Report:
    copy = report.model_copy(deep=True)
    change(copy)
    return copy


def test_a_clean_report_reconciles_with_no_finding() -> None:
    report = example(2026)
    figures, found = evaluate(report)
    assert found == set()
    measures = sum(m.total for m in report.measures)
    coordinator = sum(r.amount or 0 for r in report.coordinator.values())
    assert figures["summary.schemes.sum.total"] == measures + coordinator == 2_120_000
    assert figures["summary.schemes.dekom.total"] == 250_000 + 150_000 + 200_000 + 300_000 + 250_000 + 350_000 + 120_000
    assert figures["summary.schemes.rekom.total"] == 500_000
    assert figures["summary.count.filled"] == 3


def _measure(n: int) -> Callable[[Report], Measure]:
    return lambda r: next(m for m in r.measures if m.number == n)


def _set(path: Callable[[Report], object], attr: str, value: object) -> Callable[[Report], None]:
    return lambda r: setattr(path(r), attr, value)


CASES_2026: list[tuple[str, Callable[[Report], None], set[tuple[str, str]]]] = [
    ("priority twice", _set(_measure(2), "priority", 1),
     {("priority-duplicate", "measures.1.priority"), ("priority-duplicate", "measures.2.priority")}),
    ("half year above the full year", lambda r: setattr(_measure(1)(r).continuation[0], "owner", 500_000),
     {("continuation-half-year", "measures.1.continuation.1.owner")}),
    ("continuation without the spring", _set(lambda r: _measure(1)(r).duration, "spring_y1", False),
     {("continuation-without-duration", "measures.1.continuation.1.owner")}),
    ("several owners ticked for one", lambda r: (setattr(r.partnership, "owners", "Bodø kommune"),
                                                  setattr(r, "partners", [])),
     {("flag-several-owners", "partnership.several_owners")}),
    ("a measure without money", lambda r: (_set(_measure(3), "owner_lines", [])(r), _set(_measure(3), "uh_lines", [])(r)),
     {("measure-without-money", "measures.3.name")}),
    ("co-funding below 30 %", _set(_measure(1), "cofunding", 100_000), {("cofunding-low", "measures.1.cofunding")}),
    ("coordinator money with no measure that needs it",
     lambda r: [setattr(m, "needs_coordinator", False) for m in r.measures], {("coordinator-unused", "coordinator.dekom.amount")}),
    ("owner line in thousands", lambda r: setattr(_measure(1)(r).owner_lines[1], "amount", 150),
     {("amount-thousands", "measures.1.owner_lines.2.amount")}),
    ("scheme ticked but unused", lambda r: r.partnership.schemes.__setitem__("kompetanseloftet", True),
     {("scheme-not-declared", "partnership.schemes.kompetanseloftet")}),
    ("declared count differs", _set(lambda r: r, "declared_measures", 4), {("declared-count", "declared_measures")}),
    ("owner e-mail is not an address", lambda r: setattr(r.contacts.owner, "email", "torunn.eliassen"),
     {("invalid-email", "contacts.owner.email")}),
]


@pytest.mark.parametrize(("case", "change", "expected"), CASES_2026, ids=[c[0] for c in CASES_2026])
def test_one_mistake_gives_exactly_its_findings(case: str, change: Callable[[Report], None],
                                                expected: set[tuple[str, str]]) -> None:
    _, found = evaluate(changed(example(2026), change))
    assert found == expected


def test_the_kollektiv_form_reconciles_on_its_own_scheme() -> None:
    report = example(2027)
    figures, found = evaluate(report)
    assert report.form_id == "behovsmelding-kollektiv-kompetanseutvikling" and found == set()
    assert figures["summary.schemes.kollektiv.total"] == figures["summary.schemes.sum.total"] == sum(
        m.total for m in report.measures) + sum(r.amount or 0 for r in report.coordinator.values())


amounts = st.one_of(st.none(), st.integers(min_value=0, max_value=5_000_000))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["rekom", "dekom", "kompetanseloftet"]),
                          st.lists(amounts, max_size=4), st.lists(amounts, max_size=4)), min_size=1, max_size=8),
       st.dictionaries(st.sampled_from(["rekom", "dekom", "kompetanseloftet"]), amounts))
def test_every_sum_is_the_sum_of_its_lines(measures: list[tuple[str, list[int | None], list[int | None]]],
                                           coordinator: dict[str, int | None]) -> None:
    report = Report(
        form_id="behovsmelding-lokal-kompetanseutvikling", form_version="1", year=2026,
        measures=[Measure(number=n, name=f"Tiltak {n}", scheme=scheme,
                          owner_lines=[BudgetLine(description="eier", amount=a) for a in owner],
                          uh_lines=[BudgetLine(description="UH", amount=a) for a in uh])
                  for n, (scheme, owner, uh) in enumerate(measures, 1)],
        coordinator={k: CoordinatorRequest(amount=v) for k, v in coordinator.items()},
    )
    figures, _ = evaluate(report)
    for key in ("rekom", "dekom", "kompetanseloftet"):
        mine = [m for m in report.measures if m.scheme == key]
        assert figures[f"summary.schemes.{key}.owner"] == sum(m.owner_amount for m in mine)
        assert figures[f"summary.schemes.{key}.uh"] == sum(m.uh_amount for m in mine)
        assert figures[f"summary.schemes.{key}.coordinator"] == (coordinator.get(key) or 0)
    for m in report.measures:
        assert figures[f"measures.{m.number}.total"] == m.total == m.owner_amount + m.uh_amount
    assert figures["summary.schemes.sum.total"] == sum(m.total for m in report.measures) + sum(
        v or 0 for v in coordinator.values())
