"""The whole round on the bundled examples: blank forms, returns, checks, regional workbook."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from .consolidate import Consolidation, consolidate, scheme_labels
from .files import write_atomic
from .findings import Severity
from .generate import generate_roster
from .regional import write_regional
from .results import as_json, as_text, check_files

YEAR = 2026
DEADLINE = "1. februar 2027"

# ---------------------------------------------------------------- public API


@dataclass
class DemoResult:
    folder: Path
    blank_forms: list[Path]
    returned: list[Path]
    check_text: Path
    check_json: Path
    regional: Path
    regional_json: Path
    csv_dir: Path
    consolidation: Consolidation
    findings: dict[str, int] = field(default_factory=dict)


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
    examples = examples_dir()
    folder.mkdir(parents=True, exist_ok=True)
    blank = generate_roster(examples / "roster.csv", folder / "1-skjema", YEAR, deadline=DEADLINE)
    returned_dir = folder / "2-innsendt"
    returned_dir.mkdir(exist_ok=True)
    returned = []
    for src in sorted((examples / "returned").glob("*.xlsx")):
        shutil.copyfile(src, returned_dir / src.name)
        returned.append(returned_dir / src.name)
    results = check_files(returned)
    check_text, check_json = folder / "3-kontroll.txt", folder / "3-kontroll.json"
    write_atomic(check_text, (as_text(results) + "\n").encode("utf-8"))
    write_atomic(check_json, as_json(results).encode("utf-8"))
    consolidation = consolidate([returned_dir])
    regional, regional_json, csv_dir = folder / "4-regional.xlsx", folder / "4-regional.json", folder / "4-csv"
    write_regional(consolidation, regional, regional_json, csv_dir)
    counts = {s.value: sum(f.severity == s for r in results for f in r.findings) for s in Severity}
    return DemoResult(folder, blank, returned, check_text, check_json, regional, regional_json, csv_dir, consolidation, counts)


def summary(result: DemoResult) -> str:
    c = result.consolidation
    labels = scheme_labels()
    lines = [f"behovxl demo: the {YEAR} round on the bundled examples", ""]
    lines.append(f"Networks ({len(c.networks)}):")
    for n in c.networks:
        total = sum(m.total for m in n.report.measures) + sum((r.amount or 0) for r in n.report.coordinator.values())
        lines.append(f"  {n.name:<45} {_kr(total):>14}  {n.status}")
    lines += ["", "Requested per scheme (owner incl. coordinator + UH):"]
    grand = 0
    for key, label in labels.items():
        owner = sum(m.owner_amount for n in c.networks for m in n.report.measures if m.scheme == key)
        coord = sum((n.report.coordinator.get(key).amount or 0) for n in c.networks if n.report.coordinator.get(key))
        uh = sum(m.uh_amount for n in c.networks for m in n.report.measures if m.scheme == key)
        grand += owner + coord + uh
        lines.append(f"  {label:<25} eier {_kr(owner):>12}  koordinator {_kr(coord):>10}  UH {_kr(uh):>12}  totalt {_kr(owner + coord + uh):>12}")
    lines.append(f"  {'Sum':<25} {'':>69}totalt {_kr(grand):>12}")
    lines += ["", "Findings in the returned workbooks: " + ", ".join(f"{k}s {n}" if k != "info" else f"{k} {n}" for k, n in result.findings.items())]
    lines += [
        "",
        "Files:",
        f"  blank forms from the roster  {result.blank_forms[0].parent}/ ({len(result.blank_forms)} workbooks)",
        f"  returned workbooks           {result.returned[0].parent}/ ({len(result.returned)} workbooks)",
        f"  check report                 {result.check_text} and {result.check_json.name}",
        f"  regional workbook            {result.regional}",
        f"  regional data                {result.regional_json} and {result.csv_dir}/",
    ]
    return "\n".join(lines)


def _kr(value: int) -> str:
    return f"{value:,} kr".replace(",", " ")
