"""Every formula of the form, each beside the Python that computes its value.

`compute(layout, report)` returns, for every formula cell of the layout, the
formula text and the value it must have for that report. The writer stores the
value as the formula's cached result; the reader compares a returned workbook's
formulas and cached values against the same pairs, so the recalculation in Python
and the formula in the workbook are defined in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .cells import a1, abs_a1
from .layout import SCHEME_COLUMNS, Layout
from .models import Measure, Report

Value = int | str

# ---------------------------------------------------------------- public API


@dataclass(frozen=True)
class Formula:
    text: str
    value: Value


def compute(layout: Layout, report: Report) -> dict[str, Formula]:
    """Formula text and expected value for every formula slot of the layout."""
    return _Builder(layout, report).build()


def required_cofunding(layout: Layout, measure: Measure | None) -> int:
    if measure is None:
        return 0
    share = layout.form.definition.cofunding_share(measure.scheme)
    return int((share * Decimal(measure.total)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def message(template: str, values: dict[str, Value]) -> str:
    return template.format(**values)


# ---------------------------------------------------------------- the builder


class _Builder:
    def __init__(self, layout: Layout, report: Report) -> None:
        self.layout, self.report, self.form = layout, report, layout.form
        self.out: dict[str, Formula] = {}
        self.summary = self.form.sheet("summary")
        self.labels = {c.key: c.label for c in self.form.definition.schemes}
        self.yes, self.no = (c.label for c in self.form.definition.choices("yes_no"))

    def build(self) -> dict[str, Formula]:
        for n in range(1, self.form.measures + 1):
            self._measure(n)
        self._summary_measures()
        self._summary_schemes()
        self._summary_economy()
        self._summary_continuation()
        self._summary_count()
        self._summary_checks()
        missing = set(self.layout.formulas) - set(self.out)
        assert not missing, f"formula slots without a formula: {sorted(missing)}"
        return self.out

    # -- references

    def inp(self, path: str, on: str) -> str:
        cell = self.layout.inputs[path]
        return a1(cell.row, cell.col) if cell.sheet == on else cell.ref

    def slot(self, key: str, on: str) -> str:
        cell = self.layout.formulas[key]
        return a1(cell.row, cell.col) if cell.sheet == on else cell.ref

    def column(self, key_of_n: str, on: str) -> str:
        """Absolute range over the summary's measure rows for one column."""
        first = self.layout.formulas[key_of_n.format(n=1)]
        last = self.layout.formulas[key_of_n.format(n=self.form.measures)]
        return f"{abs_a1(first.row, first.col)}:{abs_a1(last.row, last.col)}"

    def put(self, key: str, text: str, value: Value) -> None:
        self.out[key] = Formula(text, value)

    # -- measure sheets

    def _measure(self, n: int) -> None:
        sheet = self.form.sheet("measure", n)
        m = self.report.measure(n)
        for kind in ("owner", "uh"):
            lines = [p for p in self.layout.inputs if p.startswith(f"measures.{n}.{kind}_lines.") and p.endswith(".amount")]
            first, last = self.layout.inputs[lines[0]], self.layout.inputs[lines[-1]]
            value = (m.owner_amount if kind == "owner" else m.uh_amount) if m else 0
            self.put(f"measures.{n}.{kind}_amount", f"SUM({first.cell}:{last.cell})", value)
        owner, uh = self.slot(f"measures.{n}.owner_amount", sheet), self.slot(f"measures.{n}.uh_amount", sheet)
        total = self.slot(f"measures.{n}.total", sheet)
        self.put(f"measures.{n}.total", f"{owner}+{uh}", m.total if m else 0)
        self.put(f"measures.{n}.required_cofunding", self._cofunding_formula(n, sheet, total), required_cofunding(self.layout, m))

    def _cofunding_formula(self, n: int, sheet: str, total: str) -> str:
        scheme = self.inp(f"measures.{n}.scheme", sheet)
        terms = [
            f'(({scheme}="{self.labels[r["scheme"]]}")*{r["share"]})'
            for r in self.form.data["policy"].get("cofunding", [])
        ]
        return f"ROUND(({'+'.join(terms)})*{total},0)" if terms else "0"

    # -- summary

    def _summary_measures(self) -> None:
        on = self.summary
        for n in range(1, self.form.measures + 1):
            m = self.report.measure(n)
            k = f"summary.measures.{n}."
            for key, path in (("name", "name"), ("scheme", "scheme"), ("coordinator", "needs_coordinator")):
                src = self.inp(f"measures.{n}.{path}", on)
                self.put(k + key, f'IF({src}="","",{src})', self._text_value(m, path))
            for key in ("owner", "uh", "total"):
                src_key = {"owner": "owner_amount", "uh": "uh_amount", "total": "total"}[key]
                self.put(k + key, self.slot(f"measures.{n}.{src_key}", on), getattr(m, src_key) if m else 0)
            self.put(k + "cofunding", self.inp(f"measures.{n}.cofunding", on), (m.cofunding or 0) if m else 0)
            name, total = self.inp(f"measures.{n}.name", on), self.slot(k + "total", on)
            filled = bool(m and (m.name or m.total))
            self.put(k + "filled", f'IF(OR({name}<>"",{total}<>0),1,0)', int(filled))
            scheme, cofunding = self.slot(k + "scheme", on), self.slot(k + "cofunding", on)
            self.put(k + "missing_scheme", f'IF(AND({total}<>0,{scheme}=""),1,0)', int(bool(m and m.total and not m.scheme)))
            req = self.slot(f"measures.{n}.required_cofunding", on)
            low = bool(m) and (m.cofunding or 0) < required_cofunding(self.layout, m)
            self.put(k + "low_cofunding", f"IF({cofunding}<{req},1,0)", int(low))

    def _text_value(self, m: Measure | None, path: str) -> str:
        if m is None:
            return ""
        value = getattr(m, path)
        if path == "scheme":
            return self.labels.get(value, "") if value else ""
        if path == "needs_coordinator":
            return "" if value is None else (self.yes if value else self.no)
        return value or ""

    def _scheme_values(self, key: str) -> dict[str, int]:
        measures = [m for m in self.report.measures if m.number <= self.form.measures and m.scheme == key]
        req = self.report.coordinator.get(key)
        owner = sum(m.owner_amount for m in measures)
        uh = sum(m.uh_amount for m in measures)
        coord = (req.amount or 0) if req else 0
        asked = any(m.needs_coordinator for m in measures)
        return {
            "owner": owner, "coordinator": coord, "owner_incl": owner + coord, "uh": uh,
            "total": owner + coord + uh, "coordinator_unused": int(coord > 0 and not asked),
        }

    def _summary_schemes(self) -> None:
        on = self.summary
        schemes = self.form.definition.schemes
        scheme_col = self.column("summary.measures.{n}.scheme", on)
        for s in schemes:
            k = f"summary.schemes.{s.key}."
            label = self._row_label(self.layout.formulas[k + "owner"].row)
            values = self._scheme_values(s.key)
            col = lambda key: self.column(f"summary.measures.{{n}}.{key}", on)  # noqa: E731
            self.put(k + "owner", f"SUMIF({scheme_col},{label},{col('owner')})", values["owner"])
            self.put(k + "coordinator", self.inp(f"coordinator.{s.key}.amount", on), values["coordinator"])
            self.put(k + "owner_incl", f"{self.slot(k + 'owner', on)}+{self.slot(k + 'coordinator', on)}", values["owner_incl"])
            self.put(k + "uh", f"SUMIF({scheme_col},{label},{col('uh')})", values["uh"])
            self.put(k + "total", f"{self.slot(k + 'owner_incl', on)}+{self.slot(k + 'uh', on)}", values["total"])
            coord = self.slot(k + "coordinator", on)
            self.put(
                k + "coordinator_unused",
                f'IF(AND({coord}>0,COUNTIFS({scheme_col},{label},{col("coordinator")},"{self.yes}")=0),1,0)',
                values["coordinator_unused"],
            )
        for key in SCHEME_COLUMNS:
            first = self.layout.formulas[f"summary.schemes.{schemes[0].key}.{key}"]
            last = self.layout.formulas[f"summary.schemes.{schemes[-1].key}.{key}"]
            total = sum(self._scheme_values(s.key)[key] for s in schemes)
            self.put(f"summary.schemes.sum.{key}", f"SUM({first.cell}:{last.cell})", total)

    def _row_label(self, row: int) -> str:
        """The scheme label cell of a summary row (column B)."""
        return a1(row, 1)

    def _summary_economy(self) -> None:
        for key in ("owner", "coordinator", "owner_incl", "uh", "total"):
            src = f"summary.schemes.sum.{key}"
            self.put(f"summary.economy.{key}", self.slot(src, self.summary), self.out[src].value)

    def _summary_continuation(self) -> None:
        on = self.summary
        sheets = range(1, self.form.measures + 1)
        for i in (1, 2, 3):
            k = f"summary.continuation.{i}."
            values = {}
            for key in ("owner", "uh"):
                refs = ",".join(self.inp(f"measures.{n}.continuation.{i}.{key}", on) for n in sheets)
                values[key] = sum(
                    getattr(m.continuation[i - 1], key) or 0 for m in self.report.measures if m.number <= self.form.measures
                )
                self.put(k + key, f"SUM({refs})", values[key])
            self.put(k + "total", f"{self.slot(k + 'owner', on)}+{self.slot(k + 'uh', on)}", values["owner"] + values["uh"])

    def _summary_count(self) -> None:
        on = self.summary
        declared = self.report.declared_measures or 0
        self.put("summary.count.declared", self.inp("declared_measures", on), declared)
        filled = sum(self.out[f"summary.measures.{n}.filled"].value for n in range(1, self.form.measures + 1))
        self.put("summary.count.filled", f"SUM({self.column('summary.measures.{n}.filled', on)})", filled)

    def _summary_checks(self) -> None:
        on = self.summary
        spec = self.form.data["summary"]
        ok = spec["ok"]
        checks = spec["checks"]
        declared, filled = self.slot("summary.count.declared", on), self.slot("summary.count.filled", on)
        dv, fv = self.out["summary.count.declared"].value, self.out["summary.count.filled"].value
        self.put(
            "summary.checks.count",
            f'IF({declared}={filled},"{ok}",{_concat(checks["count"]["message"], {"declared": declared, "filled": filled})})',
            ok if dv == fv else message(checks["count"]["message"], {"declared": dv, "filled": fv}),
        )
        schemes = self.form.definition.schemes
        first = self.layout.formulas[f"summary.schemes.{schemes[0].key}.coordinator_unused"]
        last = self.layout.formulas[f"summary.schemes.{schemes[-1].key}.coordinator_unused"]
        flags = {
            "scheme": (f"SUM({self.column('summary.measures.{n}.missing_scheme', on)})", "summary.measures.{n}.missing_scheme"),
            "cofunding": (f"SUM({self.column('summary.measures.{n}.low_cofunding', on)})", "summary.measures.{n}.low_cofunding"),
        }
        counts = {
            key: sum(self.out[pattern.format(n=n)].value for n in range(1, self.form.measures + 1))
            for key, (_, pattern) in flags.items()
        }
        counts["coordinator"] = sum(self.out[f"summary.schemes.{s.key}.coordinator_unused"].value for s in schemes)
        sums = {key: text for key, (text, _) in flags.items()}
        sums["coordinator"] = f"SUM({first.cell}:{last.cell})"
        for key in ("scheme", "coordinator", "cofunding"):
            template = checks[key]["message"]
            value = ok if counts[key] == 0 else message(template, {"n": counts[key]})
            self.put(f"summary.checks.{key}", f'IF({sums[key]}=0,"{ok}",{_concat(template, {"n": sums[key]})})', value)


def _concat(template: str, refs: dict[str, str]) -> str:
    """A message template as a formula: literal parts in quotes joined with & to refs."""
    parts: list[str] = []
    rest = template
    while rest:
        start = rest.find("{")
        if start < 0:
            parts.append(_literal(rest))
            break
        end = rest.index("}", start)
        if start:
            parts.append(_literal(rest[:start]))
        parts.append(refs[rest[start + 1 : end]])
        rest = rest[end + 1 :]
    return "&".join(parts)


def _literal(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'

