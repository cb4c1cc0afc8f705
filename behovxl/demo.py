"""The whole round on the bundled examples: the 2027 round, step by step, into one folder.

1. forms to send: one per network of the roster (Bokmål or Nynorsk), and next year's forms
   made from last year's reports;
2. the inbox: the returns as they arrived (one late, one a Word document, two missing);
3. the check of every return;
4. the regional workbook, with the roster, the deadline, the frame and last year's round;
5. feedback to every network: a marked workbook and a message;
6. the forum's innstilling, with one recommendation changed, read back and checked.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import zipfile
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path

from .consolidate import Consolidation, consolidate
from .feedback import FeedbackResult, feedback
from .files import FolderOutput, Output, write_outputs
from .findings import Severity
from .generate import Request, generate_from_report, generate_roster, load_report_file, safe_file_name
from .innstilling import Outcome as InnstillingOutcome
from .innstilling import recommendation_cell, run_innstilling
from .pipeline import ReadResult, read_many
from .regional import consolidate_to_files
from .registry import Registry
from .results import as_json, as_text
from .tabular import consolidation_json

YEAR = 2027
DEADLINE = date(2027, 2, 1)
#: By when the networks are asked to send corrected forms.
CORRECTIONS = "15. februar 2027"
OLD_RULES = "behovsmelding-lokal-kompetanseutvikling"
#: The forum's change: the coordinator that Indre Helgeland entered as its fifth measure, and also on
#: the partnership sheet, is recommended at 0 kr: it would have been paid twice.
FORUM_CHANGE = ("Kompetansenettverk Indre Helgeland", 5, "owner", 0)

# ---------------------------------------------------------------- public API


@dataclass
class DemoResult:
    folder: Path
    forms: list[Path]
    next_year: list[Path]
    inbox: list[Path]
    checks: list[ReadResult]
    consolidation: Consolidation
    regional: Path
    feedback: list[FeedbackResult]
    innstilling: InnstillingOutcome


def examples_dir() -> Path:
    """The bundled examples: installed with the package, or in the source tree."""
    installed = resources.files("behovxl") / "examples"
    if installed.is_dir():
        return Path(str(installed))
    return Path(__file__).resolve().parent.parent / "examples"


def new_demo_folder(base: Path) -> Path:
    """A folder name in `base` that does not exist yet: behovxl-demo, behovxl-demo-2, ..."""
    candidate, n = base / "behovxl-demo", 1
    while candidate.exists():
        n += 1
        candidate = base / f"behovxl-demo-{n}"
    return candidate


def run_demo(folder: Path) -> DemoResult:
    ex, registry = examples_dir(), Registry.default()
    write_outputs([], folder=folder)
    forms = generate_roster(ex / "roster.csv", folder / "1-skjema", Request(registry, YEAR))
    next_year = _next_year_forms(ex, registry, folder / "1-skjema" / "fra-i-fjor")
    inbox = _inbox(ex, folder / "2-innsendt")
    checks = list(read_many(inbox, jobs=1))
    write_outputs([Output(folder / "3-kontroll.txt", (as_text(checks) + "\n").encode("utf-8")),
                   Output(folder / "3-kontroll.json", as_json(checks).encode("utf-8"))])
    last_year = folder / "0-i-fjor.json"
    write_outputs([Output(last_year, consolidation_json(consolidate(ex / "returned" / "2026", jobs=1)))])
    regional = folder / "4-regional.xlsx"
    outcome = consolidate_to_files([folder / "2-innsendt"], regional, json_path=folder / "4-regional.json",
                                   csv_dir=folder / "4-csv", roster=ex / "roster.csv", deadline=DEADLINE,
                                   frame=ex / "ramme.csv", last_year=last_year, jobs=1)
    notes = feedback([folder / "2-innsendt"], folder / "5-tilbakemelding", roster=ex / "roster.csv",
                     deadline=CORRECTIONS)
    decided = _innstilling(regional, folder / "6-innstilling")
    return DemoResult(folder, forms, next_year, inbox, checks, outcome.consolidation, regional, notes, decided)


def summary(r: DemoResult) -> str:
    c = r.consolidation
    lines = [f"behovxl demo: runden for {YEAR} på eksemplene, i {r.folder}", ""]
    lines += [line for line in c.summary().splitlines()[1:]] + [""]
    lines.append(f"Meldt behov per nettverk ({len(c.counted)} telt med, eier inkl. koordinator + UH):")
    total = 0
    for n in c.counted:
        money = sum(m.total for m in n.report.measures) + sum((x.amount or 0) for x in n.report.coordinator.values())
        total += money
        rules = "  2021-reglene" if n.report.form_id == OLD_RULES else ""
        lines.append(f"  {n.name:<36} {_kr(money):>13}  {n.status:<8}{rules}".rstrip())
    lines.append(f"  {'Sum':<36} {_kr(total):>13}")
    counts = {s: sum(f.severity == s for r in r.checks for f in r.findings) for s in Severity}
    lines += ["", f"Avvik i de innsendte filene: {counts[Severity.ERROR]} feil, {counts[Severity.WARNING]} advarsler, "
              f"{counts[Severity.INFO]} info."]
    fixes = sum(1 for f in r.feedback if f.status == "feedback")
    lines.append(f"Tilbakemelding: {fixes} nettverk med avvik, {len(r.feedback) - fixes} kvitteringer eller uleselige filer.")
    network, number, _, amount = FORUM_CHANGE
    lines.append(f"Innstilling: forumet satte tiltak {number} («Koordinator») i {network} til {_kr(amount)}.")
    lines.append(_allocated(r.innstilling))
    lines += ["", "Filer:"]
    rows = [
        ("1-skjema/", f"{len(r.forms)} skjema fra listen over nettverk, og {len(r.next_year)} fra fjorårets rapporter"),
        ("2-innsendt/", f"{len(r.inbox)} filer slik de kom inn"),
        ("3-kontroll.txt", "kontrollen av hver fil (også 3-kontroll.json)"),
        ("4-regional.xlsx", "den regionale arbeidsboken (også 4-regional.json og 4-csv/)"),
        ("5-tilbakemelding/", "arbeidsbok og e-posttekst til hvert nettverk"),
        ("6-innstilling/", "innstillingen med forumets endring, lest tilbake: fordeling.json og CSV"),
    ]
    lines += [f"  {name:<19} {what}" for name, what in rows]
    return "\n".join(lines)


# ---------------------------------------------------------------- the steps


def _next_year_forms(ex: Path, registry: Registry, folder: Path) -> list[Path]:
    """Next year's form for each of last year's reports; Rana's grant continues under the 2021 rules."""
    written = []
    for source in sorted((ex / "reports" / "2026").glob("*.json")):
        report = load_report_file(source, registry)
        form = OLD_RULES if source.stem == "indre-helgeland-rana" else None
        target = folder / safe_file_name(report.network_id or source.stem, YEAR)
        write_outputs([], folder=folder)
        written.append(generate_from_report(target, report, Request(registry, YEAR, form=form)))
    return written


def _inbox(ex: Path, folder: Path) -> list[Path]:
    write_outputs([], folder=folder)
    files = sorted((ex / "returned" / "2027").iterdir())
    for src in files:
        shutil.copyfile(src, folder / src.name)
    return [folder / src.name for src in files]


def _innstilling(regional: Path, folder: Path) -> InnstillingOutcome:
    """The forum's work: a copy of the regional workbook with one recommendation changed, read back."""
    network, number, party, amount = FORUM_CHANGE
    data = regional.read_bytes()
    edited = folder / "regional-med-innstilling.xlsx"
    write_outputs([Output(edited, set_number(data, "Innstilling", recommendation_cell(data, network, number, party),
                                             amount))], folder=folder)
    return run_innstilling(edited, json_path=folder / "fordeling.json", csv_dir=folder / "fordeling")


def set_number(xlsx: bytes, sheet: str, cell: str, value: int) -> bytes:
    """A copy of a workbook with one number typed into `sheet!cell`; everything else kept byte for byte."""
    with zipfile.ZipFile(io.BytesIO(xlsx)) as zin:
        names = re.findall(rb'<sheet name="([^"]*)"', zin.read("xl/workbook.xml"))
        part = f"xl/worksheets/sheet{[n.decode() for n in names].index(sheet) + 1}.xml"
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                body = zin.read(info)
                if info.filename == part:
                    body, n = re.subn(rb'<c r="' + cell.encode() + rb'"([^>]*?)(?: t="\w+")?>(?:<v>[^<]*</v>)?</c>',
                                      rb'<c r="' + cell.encode() + rb'"\1><v>' + str(value).encode() + rb"</v></c>", body)
                    if n != 1:
                        raise ValueError(f"{sheet}!{cell} is not a plain value cell")
                zout.writestr(info, body)
    return out.getvalue()


def _allocated(outcome: InnstillingOutcome) -> str:
    """What the innstilling read back says in sum: recommended within the frames, and its findings."""
    if outcome.allocation is None:
        return outcome.text.strip().splitlines()[0]
    schemes = json.loads(outcome.allocation.json_bytes())["schemes"]
    recommended = sum(s["recommended"] or 0 for s in schemes)
    frame = sum(s["frame"] or 0 for s in schemes)
    findings = "uten avvik" if outcome.exit_code == 0 else "med avvik (se 6-innstilling/)"
    return f"Lest tilbake {findings}: {_kr(recommended)} anbefalt innenfor rammene på til sammen {_kr(frame)}."


def _kr(value: int) -> str:
    return f"{value:,} kr".replace(",", " ")  # plain spaces: the summary is aligned text in a terminal


__all__ = ["DemoResult", "FolderOutput", "examples_dir", "new_demo_folder", "run_demo", "set_number", "summary"]
