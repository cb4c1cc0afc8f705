"""One rule, one place: the workbook's check area and `behovxl check` agree, by construction.

The property test types random filled forms into a blank form (no cached values, as a
person types), lets LibreOffice recalculate them, and requires, for every line of the
check area: the line shows «OK» exactly when `behovxl check` reports none of that
line's codes. It also requires that no formula's value differs from Python's (no
stale value), which holds only if every rule evaluates the same in both.

The unit tests at the end run rules and figures on raw values alone, in milliseconds.
"""

from __future__ import annotations

import io
import random
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from helpers import NEW_FORM, blank_form
from hypothesis import example, given, settings
from hypothesis import strategies as st
from libreoffice import recalc_many
from openpyxl import load_workbook

from behovxl.expr import Func, Input, Lit, Shortcut, XlError, blankish
from behovxl.formulas import Env, compute
from behovxl.layout import CHECK_NAMES, build_layout
from behovxl.pipeline import read
from behovxl.rules import LINE_CODES, rule_expressions
from behovxl.verdicts import findings as rule_findings
from behovxl.writer import workbook_bytes

REPORTS = 200
MISTAKE_SHARE = 0.2
MEASURES = 3
KINDS = ("text_number", "thousands", "coordinator_missing", "coordinator_unused", "cofunding", "declared",
         "scheme_missing", "coordinator_measure", "required", "blank", "scheme_and_coordinator_only")

# ---------------------------------------------------------------- random forms, typed


class _Typist:
    """Random values a network might type into a blank form, with deliberate mistakes on request."""

    def __init__(self, rng: random.Random, form: Any) -> None:
        self.rng, self.form = rng, form
        self.layout = build_layout(form)
        self.d = form.definition
        self.yes, self.no = (form.t(c.label) for c in self.d.lists["yes_no"])
        self.schemes = [form.t(s.label) for s in self.d.schemes]
        self.purposes = [form.t(c.label) for c in self.d.lists["purposes"]]
        self.raw: dict[str, Any] = {}

    def put(self, path: str, value: Any) -> None:
        if path in self.layout.inputs:
            self.raw[path] = value

    def fill(self, mistakes: list[str]) -> dict[str, Any]:
        r = self.rng
        owners = r.sample(["Bodø", "Fauske", "Saltdal", "Sørfold", "Meløy", "Gildeskål"], r.randint(1, 4))
        joiner = r.choice([", ", " og ", " & ", "\n"])
        self.put("partnership.network", f"Kompetansenettverk {r.choice(['Nord', 'Sør', 'Øst', 'Vest'])}")
        self.put("partnership.owners", joiner.join(owners))
        self.put("partnership.uh", r.choice(["Nord universitet", "UiT Norges arktiske universitet"]))
        self.put("partnership.uh_kind", self.form.t(self.d.lists["uh_kinds"][0].label) if "uh_kinds" in self.d.lists else None)
        self.put("partnership.several_owners", self.yes if len(owners) > 1 else self.no)
        self.put("partnership.several_uh", self.no)
        for side in ("owner", "uh"):
            self.put(f"contacts.{side}.name", "Kari Nordmann")
            self.put(f"contacts.{side}.email", "kari@bodo.kommune.no")
        self.put("continuation.continues", self.no)
        self.put("codetermination.discussed", self.yes)
        for unit in ("municipal_kindergartens", "private_kindergartens", "public_schools", "private_schools", "pp_services"):
            self.put(f"units.{unit}", r.randint(0, 30))
        count = 0 if "blank" in mistakes else r.randint(1, MEASURES)
        asked: dict[str, bool] = {}
        for n in range(1, count + 1):
            scheme = self._measure(n, mistakes)
            if self.raw.get(f"measures.{n}.needs_coordinator") == self.yes:
                asked[scheme] = True
        self._coordinator(asked, mistakes)
        self._schemes_flags(count)
        self.put("declared_measures", count)
        self._mistakes(mistakes, count)
        return self.raw

    def _measure(self, n: int, mistakes: list[str]) -> str:
        r, p = self.rng, f"measures.{n}."
        scheme = r.choice(self.schemes)
        for key, value in (("name", f"Tiltak om {r.choice(['språk', 'lesing', 'fravær', 'inkludering'])}"),
                           ("priority", n), ("scheme", scheme), ("purpose", r.choice(self.purposes[:3])),
                           ("target_group", "Ansatte i barnehage og skole."), ("anchoring", "Forankret i ledermøter."),
                           ("collective_processes", "Lærende nettverk."), ("teacher_education", "UH deltar."),
                           ("long_term_plan", "Kapittel 7."), ("needs_coordinator", r.choice([self.yes, self.no])),
                           ("duration.spring_y", self.yes), ("duration.autumn_y", self.yes), ("duration.spring_y1", self.yes)):
            self.put(p + key, value)
        for group in self.d.lists.get("target_groups", ()):
            self.put(f"{p}target_groups.{group.key}", r.choice([self.yes, self.no]))
        owner = [r.randrange(10_000, 500_000, 1000) for _ in range(r.randint(1, 3))]
        uh = [r.randrange(10_000, 500_000, 1000) for _ in range(r.randint(0, 3))]
        for i, amount in enumerate(owner, 1):
            self.put(f"{p}owner_lines.{i}.amount", amount)
            self.put(f"{p}owner_lines.{i}.description", "Fagdager")
        for i, amount in enumerate(uh, 1):
            self.put(f"{p}uh_lines.{i}.amount", amount)
        share = self.d.scheme(self._key(scheme))
        need = round(float(share.cofunding.share) * (sum(owner) + sum(uh))) if share and share.cofunding else 0
        self.put(p + "cofunding", need + r.randrange(0, 50_000, 1000))
        if r.random() < 0.5:
            self.put(p + "continuation.1.owner", r.randrange(10_000, 200_000, 1000))
            self.put(p + "continuation.2.owner", r.randrange(200_000, 400_000, 1000))
        return scheme

    def _key(self, label: str) -> str:
        return next(s.key for s in self.d.schemes if self.form.t(s.label) == label)

    def _coordinator(self, asked: dict[str, bool], mistakes: list[str]) -> None:
        for key in self.d.coordinator_keys():
            label = self.form.scheme_label(key)
            if asked.get(label) or (key not in [s.key for s in self.d.schemes] and asked):
                self.put(f"coordinator.{key}.amount", self.rng.randrange(50_000, 150_000, 1000))

    def _schemes_flags(self, count: int) -> None:
        used = {self.raw.get(f"measures.{n}.scheme") for n in range(1, count + 1)}
        for s in self.d.schemes:
            self.put(f"partnership.schemes.{s.key}", self.yes if self.form.t(s.label) in used else self.no)
        self.put("partnership.several_schemes", self.yes if len(used) > 1 else self.no)

    def _mistakes(self, mistakes: list[str], count: int) -> None:
        r = self.rng
        n = r.randint(1, max(count, 1))
        p = f"measures.{n}."
        for kind in mistakes:
            if kind == "text_number":
                self.put(p + "owner_lines.1.amount", r.choice(["120 000,-", "60 tusen", "1,5 mill.", "se vedlegg", "330.000"]))
            elif kind == "thousands":
                self.put(r.choice([p + "owner_lines.1.amount", p + "continuation.1.owner"]), r.choice([165, 330, 60]))
            elif kind == "coordinator_missing":
                for key in self.d.coordinator_keys():
                    self.raw.pop(f"coordinator.{key}.amount", None)
                self.put(p + "needs_coordinator", self.yes)
            elif kind == "coordinator_unused":
                self.put(f"coordinator.{self.d.coordinator_keys()[-1]}.amount", 80_000)
            elif kind == "cofunding":
                self.put(p + "cofunding", 1000)
            elif kind == "declared":
                self.put("declared_measures", r.choice([count + 1, None, str(count)]))
            elif kind == "scheme_missing":
                self.raw.pop(p + "scheme", None)
            elif kind == "coordinator_measure":
                self.put(p + "name", "Koordinator")
                self.put(p + "purpose", self.purposes[-1])
            elif kind == "required":
                self.raw.pop(r.choice([p + "priority", p + "target_group", "contacts.owner.name", "partnership.uh"]), None)
            elif kind == "scheme_and_coordinator_only":
                m = f"measures.{MEASURES}."
                for key in [k for k in self.raw if k.startswith(m)]:
                    del self.raw[key]
                self.put(m + "scheme", self.schemes[-1])
                self.put(m + "needs_coordinator", self.yes)


def _typed_workbook(form: Any, raw: dict[str, Any]) -> bytes:
    """Values typed into a blank form by openpyxl: no cached values, as after typing and before recalculating."""
    layout = build_layout(form)
    book = load_workbook(io.BytesIO(workbook_bytes(form)))
    for path, value in raw.items():
        spec = layout.inputs[path]
        book[spec.sheet][spec.cell].value = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


NAMED = {
    # The drifts the issue found between the workbook and the checker, each now one rule.
    "declared-count-blank": ["declared"],
    "scheme-and-coordinator-only": ["scheme_and_coordinator_only"],
    "owners-with-ampersand": [],
}


def _cases() -> list[tuple[str, Any, dict[str, Any]]]:
    rng = random.Random(20261202)
    cases = []
    for i in range(REPORTS):
        nynorsk_new = i % 4 == 3
        form = blank_form(2027 if nynorsk_new else 2026, MEASURES, "nn" if nynorsk_new else "nb",
                          NEW_FORM if nynorsk_new else None, network="Nettverk")
        mistakes = rng.sample(KINDS, rng.randint(1, 3)) if rng.random() < MISTAKE_SHARE else []
        cases.append((f"r{i:03d}", form, _Typist(rng, form).fill(mistakes)))
    for name, mistakes in NAMED.items():
        form = blank_form(2026, MEASURES, network="Nettverk")
        typist = _Typist(random.Random(name), form)
        raw = typist.fill(mistakes)
        if name == "declared-count-blank":
            raw.pop("declared_measures", None)
        if name == "owners-with-ampersand":
            raw["partnership.owners"], raw["partnership.several_owners"] = "Bodø & Fauske", typist.yes
        cases.append((name, form, raw))
    return cases


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory) -> list[tuple[str, Any, Path]]:
    folder = tmp_path_factory.mktemp("typed")
    cases = _cases()
    sources = []
    for name, form, raw in cases:
        sources.append(folder / f"{name}.xlsx")
        sources[-1].write_bytes(_typed_workbook(form, raw))
    outputs = recalc_many(sources, folder / "lo")
    return [(name, form, out) for (name, form, _), out in zip(cases, outputs, strict=True)]


@pytest.mark.libreoffice
def test_check_area_shows_ok_exactly_when_the_checker_finds_nothing(recalculated):
    mistakes_seen = 0
    for name, form, path in recalculated:
        result = read(path)
        assert result.report is not None, (name, result.findings)
        codes = {f.code for f in result.findings}
        assert "stale-value" not in codes, (name, [f.message for f in result.findings if f.code == "stale-value"][:3])
        layout = build_layout(form)
        book = load_workbook(path, data_only=True, read_only=True)
        ok = form.t(form.definition.summary.ok)
        for line, codes_of_line in LINE_CODES.items():
            key = f"summary.checks.{line}"
            if key not in layout.formulas:
                continue
            slot = layout.formulas[key]
            shown = book[slot.sheet][slot.cell].value
            flagged = bool(codes & (set(codes_of_line) | {"form-empty"}))
            assert (shown == ok) == (not flagged), (name, line, shown, sorted(codes))
        mistakes_seen += bool(codes - {"no-cached-values"})
        book.close()
    assert mistakes_seen >= REPORTS * MISTAKE_SHARE * 0.8


@pytest.mark.libreoffice
def test_named_drifts_agree(recalculated):
    by_name = {name: path for name, _, path in recalculated}
    blank = read(by_name["declared-count-blank"])
    assert {f.code for f in blank.findings} - {"no-cached-values"} == {"required-missing"}
    only = {f.code for f in read(by_name["scheme-and-coordinator-only"]).findings} - {"no-cached-values"}
    assert "coordinator-unused" not in only and "coordinator-missing" not in only
    ampersand = {f.code for f in read(by_name["owners-with-ampersand"]).findings}
    assert "flag-several-owners" not in ampersand


def test_check_lines_have_defined_names():
    layout = build_layout(blank_form(2026, MEASURES))
    names = {s.name for s in layout.formulas.values() if s.name}
    assert names == {CHECK_NAMES[line] for line in LINE_CODES if f"summary.checks.{line}" in layout.formulas}
    assert "K_egenandel" in names


# ---------------------------------------------------------------- rules and figures on values alone


def _eval(raw: dict[str, Any], year: int = 2026, form_id: str | None = None):
    form = blank_form(year, MEASURES, form_id=form_id, network="Nett")
    layout = build_layout(form)
    env = Env(layout, raw)
    return layout, env, rule_findings(layout, env)


def _filled(extra: dict[str, Any] | None = None) -> dict[str, Any]:
    typist = _Typist(random.Random(1), blank_form(2026, MEASURES, network="Nett"))
    raw = typist.fill([])
    raw.update(extra or {})
    return raw


def test_a_clean_form_has_no_rule_findings():
    assert _eval(_filled())[2] == []


def test_an_empty_form_says_so_on_every_line():
    layout, env, found = _eval({})
    assert [f.code for f in found] == ["form-empty"]
    values = compute(layout, {})
    lines = {k: v.value for k, v in values.items() if k.startswith("summary.checks.")}
    assert lines["summary.checks.filled"] == "Skjemaet er ikke fylt ut: ingen tiltak har navn eller beløp."
    assert all(v == "Ikke kontrollert: skjemaet er ikke fylt ut." for k, v in lines.items() if not k.endswith("filled"))


def test_cofunding_message_names_the_measure_the_scheme_and_the_figures():
    raw = _filled({"measures.1.scheme": "Desentralisert ordning", "measures.1.cofunding": 100_000,
                   "measures.1.owner_lines.1.amount": 200_000, "measures.1.owner_lines.2.amount": None,
                   "measures.1.owner_lines.3.amount": None, "measures.1.uh_lines.1.amount": 300_000,
                   "measures.1.uh_lines.2.amount": None, "measures.1.uh_lines.3.amount": None})
    raw = {k: v for k, v in raw.items() if v is not None}
    found = [f for f in _eval(raw)[2] if f.code == "cofunding-low"]
    assert [f.message for f in found] == [
        "Tiltak 1: egenandelen er 100\u00a0000 kr, men Desentralisert ordning krever minst 150\u00a0000 kr."]


def test_kr_groups_digits_like_python():
    from behovxl.expr import Lit, kr
    from behovxl.findings import kr as python_kr

    for value in (0, 7, 999, 1000, 65_432, 1_556_519, 999_999_999, 1_000_000_000, 12_345_678_901, -4_500):
        assert kr(Lit(value)).ev(None) == ("-" if value < 0 else "") + python_kr(abs(value))  # type: ignore[arg-type]


def test_the_new_form_checks_no_cofunding_and_no_cap():
    layout, _, _ = _eval({}, 2027, NEW_FORM)
    assert "summary.checks.cofunding" not in layout.formulas
    assert not any(i.code == "coordinator-cap" for i in layout.check_items)


_CELL_VALUES = (st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.decimals(allow_nan=False, allow_infinity=False,
                                                                                      places=2)
                | st.text(alphabet=" .-abcøÆFyllInn\u00a0", max_size=12) | st.sampled_from([XlError("#N/A"), "Fyll inn.",
                                                                                           " fyll  INN ", ""]))


@given(_CELL_VALUES)
@settings(max_examples=500, deadline=None)
def test_blankish_is_the_or_it_writes(value: Any) -> None:
    """`blankish` evaluates with one TRIM; its value is that of the OR(TRIM(x)=…) it writes, for every value."""
    e = blankish(Input("x"), ["Fyll inn.", "Skriv her"])
    written = Func(e.name, e.args, e.fn)  # the same formula, evaluated term by term
    env = _OneInput(value)
    assert e.ev(env) == written.ev(env)


class _OneInput:
    def __init__(self, value: Any) -> None:
        self.value = value

    def input(self, path: str) -> Any:
        return self.value

    def slot(self, key: str) -> Any:
        raise KeyError(key)


_AMOUNTS = (st.none() | st.booleans() | st.integers(-10**9, 10**9) | st.sampled_from([999, 1000, 330, 165, 100_000])
            | st.floats(allow_nan=False) | st.decimals(allow_nan=False, places=3) | st.text(max_size=4))


@given(_AMOUNTS, _AMOUNTS)
@example(330, 33_000)  # the largest amount exactly `factor` times this one: still thousands
@example(330, 32_999)
@example(Decimal("165.0"), 16_500)
@example(float("inf"), 5)
@example(Decimal("Infinity"), 5)
@settings(max_examples=1000, deadline=None)
def test_the_thousands_test_is_the_and_it_writes(amount: Any, other: Any) -> None:
    """The fast thousands test gives the value of the AND(…) it writes, whatever the two amounts."""
    layout = build_layout(blank_form())
    exprs = rule_expressions(layout)
    fast = next(t for k, e in exprs.items() if k.startswith("checks.thousands.") for t in _nodes(e)
                if isinstance(t, Shortcut))
    written = Func(fast.name, fast.args, fast.fn)
    env = _Amounts(amount, other, fast)
    assert fast.ev(env) == written.ev(env)


def _nodes(e: Any) -> Iterator[Any]:
    yield e
    for child in getattr(e, "args", ()):
        yield from _nodes(child)


class _Amounts:
    """The tested amount cell holds `amount`; the largest amount of the form is computed from `other` too."""

    def __init__(self, amount: Any, other: Any, test: Any) -> None:
        self.amount, self.other, self.test = amount, other, test

    def input(self, path: str) -> Any:
        return self.amount

    def slot(self, key: str) -> Any:
        from behovxl.expr import MaxOf, N
        return MaxOf((N(Lit(self.amount)), N(Lit(self.other)))).ev(self)
