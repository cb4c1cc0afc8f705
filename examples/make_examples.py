"""Write the example returns: last year's round (2026) and this year's (2027).

    python examples/make_examples.py            # writes into examples/
    python examples/make_examples.py --out DIR  # the same into DIR/

- `returned/2026/`: the four 2026 reports in `reports/2026/` as the networks returned
  them (Lofoten with two mistakes a JSON report cannot hold: an amount typed as text,
  a formula overwritten by a typed number).
- `reports/2027/` and `returned/2027/`: the 2027 round under *kollektiv
  kompetanseutvikling*, made from the 2026 reports by behovxl's own roll-over
  (`generate --from … --year 2027`), with the amounts a network would fill in. Rana
  continues its grant under the 2021 rules and repeats the seed's mistakes (the
  coordinator as a fifth measure and on the partnership sheet as well, «60 tusen» in
  a budget line, estimates in thousands). Lofoten answers in Nynorsk and makes the
  typical mistakes. Vesterålen sends late; Vefsnregionen sends a Word document;
  Ofoten sends nothing. File names start with the date each e-mail arrived, as an
  e-mail export names attachments: that is their received time.
- `regional.xlsx`: the 2027 regional workbook, consolidated with the roster, the
  deadline, the frame and last year's consolidation.

The output is deterministic: running the script twice gives byte-identical files.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import shutil
import tempfile
import zipfile
from datetime import date
from pathlib import Path

from behovxl.consolidate import consolidate
from behovxl.form import Form
from behovxl.formulas import raw_inputs
from behovxl.generate import Request, roll_over, safe_file_name
from behovxl.layout import build_layout
from behovxl.models import BudgetLine, ContinuationEstimate, CoordinatorRequest, Measure, Participant, Report
from behovxl.regional import write_regional
from behovxl.registry import Registry
from behovxl.tabular import consolidation_json
from behovxl.writer import workbook_bytes

EXAMPLES = Path(__file__).resolve().parent
REPORTS = EXAMPLES / "reports"
OLD = "behovsmelding-lokal-kompetanseutvikling"
NEW = "behovsmelding-kollektiv-kompetanseutvikling"
DEADLINE = date(2027, 2, 1)
REGIONAL_NAME = "regional.xlsx"
#: When each 2027 return arrived (the date its file name starts with).
RECEIVED = {
    "ytre-helgeland": "2027-01-27", "indre-helgeland-rana": "2027-01-31", "salten": "2027-01-29",
    "lofoten": "2027-01-30", "vesteralen": "2027-02-03",
}
WORD_FILE = "2027-01-30 Behovsmelding Vefsnregionen.docx"
_FIXED_DATE_TIME = (1980, 1, 1, 0, 0, 0)

# ---------------------------------------------------------------- public API


def main(argv: list[str] | None = None) -> list[Path]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=EXAMPLES, help="folder to write into (default: examples/)")
    args = parser.parse_args(argv)
    written = make_examples(args.out)
    for path in written:
        print(path)
    return written


def make_examples(out: Path = EXAMPLES) -> list[Path]:
    registry = Registry.default()
    written = write_2026(registry, Path(out))
    written += write_2027(registry, Path(out))
    written.append(write_regional_2027(Path(out)))
    return written


def load(path: Path) -> Report:
    return Report.model_validate(json.loads(path.read_text(encoding="utf-8")))


# ---------------------------------------------------------------- 2026: last year's returns


def write_2026(registry: Registry, out: Path) -> list[Path]:
    folder = out / "returned" / "2026"
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for source in sorted((REPORTS / "2026").glob("*.json")):
        report = load(source)
        form = _form(registry, report)
        raw = raw_inputs(build_layout(form), report)
        if source.stem == "lofoten":
            raw["measures.1.owner_lines.2.amount"] = "120 000,-"
        data = workbook_bytes(form, report, raw=raw)
        if source.stem == "lofoten":
            data = overwrite_formula(data, form, "summary.schemes.dekom.uh", 690_000)
        path = folder / safe_file_name(report.network_id or source.stem, report.year)
        path.write_bytes(data)
        written.append(path)
    return written


# ---------------------------------------------------------------- 2027: this year's round


def write_2027(registry: Registry, out: Path) -> list[Path]:
    reports = reports_2027(registry)
    report_dir, folder = out / "reports" / "2027", out / "returned" / "2027"
    report_dir.mkdir(parents=True, exist_ok=True)
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    written = []
    for name, report in reports.items():
        path = report_dir / f"{name}.json"
        path.write_text(json.dumps(report.model_dump(mode="json", exclude={"measures": {"__all__": {
            "owner_amount", "uh_amount", "total"}}}), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        written.append(path)
        form = _form(registry, report)
        raw = raw_inputs(build_layout(form), report)
        raw.update(TYPED.get(name, {}))
        data = workbook_bytes(form, report, raw=raw)
        if name == "lofoten":
            data = overwrite_formula(data, form, "summary.schemes.sum.uh", 800_000)
        target = folder / f"{RECEIVED[name]} {safe_file_name(report.network_id or name, report.year)}"
        target.write_bytes(data)
        written.append(target)
    word = folder / WORD_FILE
    word.write_bytes(word_document("Behovsmelding 2027 – Kompetansenettverk Vefsnregionen"))
    written.append(word)
    return written


#: Mistakes typed into the 2027 workbooks that a JSON report cannot hold.
TYPED: dict[str, dict[str, object]] = {
    "indre-helgeland-rana": {"measures.1.owner_lines.1.amount": "60 tusen"},
    "lofoten": {"measures.2.uh_lines.1.amount": "120 000,-"},
}


def reports_2027(registry: Registry) -> dict[str, Report]:
    last = {p.stem: load(p) for p in sorted((REPORTS / "2026").glob("*.json"))}
    new = Request(registry, 2027, form=NEW)
    old = Request(registry, 2027, form=OLD)
    return {
        "indre-helgeland-rana": _rana(roll_over(last["indre-helgeland-rana"], old)[1]),
        "lofoten": _lofoten(roll_over(last["lofoten"], new)[1]),
        "salten": _salten(roll_over(last["salten"], new)[1]),
        "vesteralen": _vesteralen(roll_over(last["salten"], new)[1]),
        "ytre-helgeland": _ytre(roll_over(last["ytre-helgeland"], new)[1], last["ytre-helgeland"]),
    }


def _answered(report: Report, declared: int | None = None, discussed: bool | None = True) -> Report:
    """What every network answers anew each year (consistently, unless a mistake is intended)."""
    from behovxl.owners import owner_names

    p = report.partnership
    report.declared_measures = len(report.measures) if declared is None else declared
    p.several_owners = len(owner_names(report)) > 1
    p.several_uh = any(x.kind in ("uh", "fagskole") for x in report.partners)
    p.uh_kind = "uh" if report.form_id == NEW else None
    if report.form_id == OLD:
        used = {m.scheme for m in report.measures}
        p.schemes = {key: key in used for key in ("rekom", "dekom", "kompetanseloftet")}
        p.several_schemes = len(used) > 1
    report.continuation.continues = True
    report.continuation.progress = "Tiltakene har hatt fremdrift etter planen; se fjorårets rapport."
    report.codetermination.discussed = discussed
    if discussed:
        report.codetermination.participants = [Participant(role="Hovedtillitsvalgt", name="Arnt Olav Berge")]
    for m in report.measures:
        m.duration.spring_y = m.duration.autumn_y = m.duration.spring_y1 = True
        m.target_groups = {"kindergarten": True, "primary_school": True} if report.form_id == NEW else {}
    return report


def _lines(owner: list[tuple[str, int]], uh: list[tuple[str, int]]) -> dict[str, list[BudgetLine]]:
    return {"owner_lines": [BudgetLine(description=d, amount=a) for d, a in owner],
            "uh_lines": [BudgetLine(description=d, amount=a) for d, a in uh]}


def _set(m: Measure, owner: list[tuple[str, int]], uh: list[tuple[str, int]], **extra: object) -> None:
    for key, value in {**_lines(owner, uh), **extra}.items():
        setattr(m, key, value)


def _rana(r: Report) -> Report:
    """Year two of Rana's grant, under the 2021 rules, with the seed's mistakes."""
    m1, m2, m3, m4 = r.measures
    _set(m1, [("Lærende nettverk, 10 nettverksdager", 60000), ("Koordinator for språkarbeidet", 230000),
              ("Fagdager for alle ansatte", 20000), ("Arbeidsgruppen", 20000)],
         [("Barnehagebasert kompetanseutvikling", 102948), ("Utviklingspartner", 36800),
          ("Nettverk for ledere", 121948), ("Nettverk for språkspesialister", 144948)],
         continuation=[ContinuationEstimate(owner=165), ContinuationEstimate(owner=330), ContinuationEstimate()])
    _set(m2, [("Drift av lærende nettverk", 50000)], [("To utviklingspartnere", 236517)])
    _set(m3, [("Arbeidsgruppe for implementering", 100000)], [("Vurdering og veiledning", 115000),
                                                               ("Interkommunale fagsamlinger", 113358)])
    _set(m4, [("Nettverksmøter", 50000)], [("Utviklingspartner for arbeidsgruppen", 55000)])
    coordinator = Measure(number=5, name="Koordinator", priority=5, scheme="kompetanseloftet", purpose="salary",
                          target_group="Alle tiltakene i kompetanseløftet.",
                          anchoring="Ledelsesansvaret for satsingene er plassert hos PPT-leder i PPT-Rana.",
                          collective_processes="Bidra til helhet og sammenheng i arbeidet.",
                          teacher_education="Ikke aktuelt.", long_term_plan="Koordinering av kompetanseløftet.",
                          needs_coordinator=False, **_lines([("Lønnsmidler til koordinatorfunksjon", 100000)], []))
    r.measures.append(coordinator)
    r.coordinator = {"kompetanseloftet": CoordinatorRequest(amount=100000, duties="Koordinering av satsingene.")}
    return _answered(r, discussed=None)  # unanswered, as in the seed


def _lofoten(r: Report) -> Report:
    r.language = "nn"
    m1, m2 = r.measures
    _set(m1, [("Fagdagar i lesing", 150000), ("Nettverkssamlingar", 150000)], [("Utviklingspartnar", 400000)],
         cofunding=50000)
    _set(m2, [("Rettleiing i barnehagane", 120000)], [("Fagleg støtte frå UiT", 180000)], cofunding=30000)
    r.coordinator = {"kollektiv": CoordinatorRequest(amount=80000, duties="Koordinering mellom kommunane.")}
    for m in r.measures:
        m.needs_coordinator = False
    return _answered(r, declared=3)


def _salten(r: Report) -> Report:
    m1, m2 = r.measures
    _set(m1, [("Lesing og skriving: fagdager", 200000), ("Lærende nettverk", 200000)],
         [("Utviklingspartner Nord", 500000)], cofunding=270000)
    _set(m2, [("Klasseledelse: nettverk", 250000)], [("Veiledning fra Nord", 350000)], cofunding=180000)
    r.coordinator = {"kollektiv": CoordinatorRequest(amount=120000, duties="Koordinering av nettverket i Salten.")}
    return _answered(r)


def _vesteralen(r: Report) -> Report:
    """An invented network, sent after the deadline (its file name says 3 February)."""
    r.network_id = r.partnership.network = "Kompetansenettverk Vesterålen"
    r.partnership.owners = "Sortland kommune, Hadsel kommune, Bø kommune, Øksnes kommune, Andøy kommune"
    r.contacts.owner.name, r.contacts.owner.email = "Camilla Strøm", "camilla.strom@sortland.kommune.no"
    r.contacts.uh.name, r.contacts.uh.email = "Håkon Lie", "hakon.lie@nord.no"
    r.partners = []
    r.background = "Oppdiktet eksempel. Vesterålen samarbeider om lesing og klasseledelse."
    m1, m2 = r.measures
    m1.name, m2.name = "Lesing i Vesterålen", "Klasseledelse i Vesterålen"
    _set(m1, [("Fagdager", 180000)], [("Utviklingspartner", 320000)], cofunding=150000)
    _set(m2, [("Nettverk", 150000)], [("Veiledning", 250000)], cofunding=120000)
    r.coordinator = {"kollektiv": CoordinatorRequest(amount=90000, duties="Koordinering i Vesterålen.")}
    return _answered(r)


def _ytre(r: Report, last: Report) -> Report:
    """No measure of 2026 gave estimates, so Ytre Helgeland writes its measures anew under the new scheme."""
    for n, m in enumerate(last.measures, 1):
        new = m.model_copy(deep=True)
        new.number, new.scheme = n, "kollektiv"
        new.continuation = [ContinuationEstimate() for _ in range(3)]
        r.measures.append(new)
    r.coordinator = {"kollektiv": CoordinatorRequest(amount=100000, duties=last.coordinator["kompetanseloftet"].duties)}
    return _answered(r)


# ---------------------------------------------------------------- the regional workbook


def write_regional_2027(out: Path) -> Path:
    """Consolidate 2027 with the roster, deadline and frame, compared with last year's round."""
    with tempfile.TemporaryDirectory() as tmp:
        last_year = Path(tmp) / "regional-2026.json"
        last_year.write_bytes(consolidation_json(consolidate(out / "returned" / "2026", jobs=1)))
        c = consolidate(out / "returned" / "2027", roster=EXAMPLES / "roster.csv", deadline=DEADLINE, jobs=1)
        target = out / REGIONAL_NAME
        write_regional(c, target, frame=EXAMPLES / "ramme.csv", last_year=last_year)
    return target


# ---------------------------------------------------------------- helpers


def _form(registry: Registry, report: Report) -> Form:
    d = registry.lookup(report.form_id, report.form_version)
    count = max([m.number for m in report.measures] + [1])
    return Form(d, report.year, count, report.language, report.network_id or "")


def overwrite_formula(data: bytes, form: Form, key: str, value: int) -> bytes:
    """A formula cell overwritten by a typed number, in the sheet XML; everything else as written."""
    layout = build_layout(form)
    slot = layout.formulas[key]
    part = f"xl/worksheets/sheet{layout.sheet_names.index(slot.sheet) + 1}.xml"
    pattern = re.compile(rb'<c r="' + slot.cell.encode() + rb'"( s="\d+")?><f>[^<]*</f><v>[^<]*</v></c>')
    return _replace_part(data, part, lambda xml: _one(pattern, xml, rb'<c r="%s"\1><v>%d</v></c>' % (
        slot.cell.encode(), value)))


def _one(pattern: re.Pattern[bytes], xml: bytes, replacement: bytes) -> bytes:
    new, n = pattern.subn(replacement, xml)
    if n != 1:
        raise ValueError(f"expected one match of {pattern.pattern!r}, found {n}")
    return new


def _replace_part(xlsx: bytes, name: str, change: object) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=_FIXED_DATE_TIME)
            entry.compress_type = info.compress_type
            entry.external_attr = info.external_attr
            body = zin.read(info)
            zout.writestr(entry, change(body) if info.filename == name else body)  # type: ignore[operator]
    return out.getvalue()


def word_document(text: str) -> bytes:
    """The smallest Word document (.docx) a mail program would show: what a network sends instead of the form."""
    out = io.BytesIO()
    parts = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/'
        'document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"'
        "/></Types>",
        "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
        'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
        "word/document.xml": '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats'
        f'.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>',
    }
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in parts.items():
            zf.writestr(zipfile.ZipInfo(name, date_time=_FIXED_DATE_TIME), body)
    return out.getvalue()


if __name__ == "__main__":
    main()
