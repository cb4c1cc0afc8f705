"""The command line: parse options, call the library, show its result."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from .dictionary import fields as dictionary_fields
from .dictionary import render_markdown, render_table
from .errors import BehovxlError
from .files import write_atomic
from .generate import generate_blank, generate_from_report, generate_roster, load_report_file, make_form
from .results import as_json, as_text, catalogue, catalogue_markdown, check_files, exit_code, reports_json
from .layout import build_layout
from .models import Report


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="behovxl")
def main() -> None:
    """Run the yearly behovsmelding round through locked Excel workbooks."""


@main.command()
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True, help="Output .xlsx file, or a folder with --roster.")
@click.option("--year", type=int, default=None, help="The round's year Y (default: next year, or the report's year with --from).")
@click.option("--network", default="", help="Network name recorded in the workbook and its header.")
@click.option("--measures", type=int, default=None, help="Number of measure sheets (default 8).")
@click.option("--deadline", default="", help="Deadline shown on the guide sheet (default: 1. februar Y+1).")
@click.option("--roster", type=click.Path(path_type=Path, exists=True, dir_okay=False), help="CSV or XLSX roster: one workbook per network.")
@click.option("--from", "from_report", type=click.Path(path_type=Path, exists=True, dir_okay=False), help="Report JSON to pre-fill the workbook from.")
def generate(output: Path, year: int | None, network: str, measures: int | None, deadline: str, roster: Path | None, from_report: Path | None) -> None:
    """Write blank or pre-filled workbooks for networks to fill in.

    Example:

        behovxl generate -o skjema.xlsx --year 2026 --network "Kompetansenettverk Salten"

        behovxl generate --roster examples/roster.csv -o skjema/

        behovxl generate --from rapport.json -o rapport.xlsx
    """
    if roster and from_report:
        raise click.UsageError("Use either --roster or --from, not both.")
    year = year or _default_year()
    try:
        if roster:
            paths = generate_roster(roster, output, year, measures, deadline)
            for path in paths:
                click.echo(str(path))
            click.echo(f"{len(paths)} workbooks written to {output}", err=True)
        elif from_report:
            report = load_report_file(from_report)
            click.echo(str(generate_from_report(output, report, measures, deadline)))
        else:
            click.echo(str(generate_blank(output, make_form(year, measures, network, deadline))))
    except BehovxlError as exc:
        raise click.ClickException(str(exc)) from None


@main.command()
@click.argument("workbook", required=False, type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of objects instead of a table.")
@click.option("--markdown", is_flag=True, help="Print a Markdown table (as in docs/fields.md).")
@click.option("--year", type=int, default=None, help="Year for the current form's labels (default: next year).")
def fields(workbook: Path | None, as_json: bool, markdown: bool, year: int | None) -> None:
    """Print the data dictionary: every input of the form and where it lives.

    Given a workbook, describes that workbook's form version and sheets.

    Example:

        behovxl fields --json
    """
    try:
        if workbook:
            from .reader import identify

            form = identify(workbook)
        else:
            form = make_form(year or _default_year())
        rows = dictionary_fields(build_layout(form))
    except BehovxlError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        click.echo(render_markdown(rows) if markdown else render_table(rows))


@main.command()
def schema() -> None:
    """Print the JSON Schema of a report (what import writes and --from reads).

    Example:

        behovxl schema > report.schema.json
    """
    click.echo(json.dumps(Report.model_json_schema(mode="serialization"), ensure_ascii=False, indent=2))


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="Output format.")
def check(files: tuple[Path, ...], fmt: str) -> None:
    """Read returned workbooks and print what does not add up, cell by cell.

    Exit code 0 when no file has errors, 1 when any file has errors, 2 when any
    file could not be read at all.

    Example:

        behovxl check innkommet/*.xlsx --format json
    """
    results = check_files(list(files))
    click.echo(as_json(results) if fmt == "json" else as_text(results))
    sys.exit(exit_code(results))


@main.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), required=True, help="Where to write the JSON list of reports.")
def import_(files: tuple[Path, ...], output: Path) -> None:
    """Read returned workbooks into a JSON list of reports, one per readable file.

    Findings are printed to stderr; the exit code is as for `check`.

    Example:

        behovxl import innkommet/*.xlsx -o rapporter.json
    """
    results = check_files(list(files))
    write_atomic(output, reports_json(results).encode("utf-8"))
    click.echo(as_text(results), err=True)
    click.echo(f"{sum(r.report is not None for r in results)} of {len(results)} files imported into {output}", err=True)
    sys.exit(exit_code(results))


@main.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", help="Output format.")
def checks(fmt: str) -> None:
    """List the catalogue of findings: stable codes, severity and Bokmål message.

    Example:

        behovxl checks --format markdown
    """
    rows = catalogue()
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    elif fmt == "markdown":
        click.echo(catalogue_markdown())
    else:
        for row in rows:
            click.echo(f"{row['code']:<32} {row['severity']:<8} {row['description']}")


@main.command(name="consolidate")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path, exists=True))
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), required=True, help="The regional workbook (.xlsx) to write.")
@click.option("--json", "json_path", type=click.Path(path_type=Path, dir_okay=False), help="Also write every report, source and finding to this JSON file.")
@click.option("--csv", "csv_dir", type=click.Path(path_type=Path, file_okay=False), help="Also write one CSV file per sheet into this folder.")
@click.option("--year", type=int, default=None, help="The round's year (default: the year most workbooks are for).")
@click.pass_context
def consolidate(ctx: click.Context, inputs: tuple[Path, ...], output: Path, json_path: Path | None, csv_dir: Path | None, year: int | None) -> None:
    """Consolidate returned workbooks into one regional workbook.

    INPUTS are workbooks or folders (searched recursively for .xlsx). Every file
    is listed on the sheet «Kilder»: imported, imported with errors, rejected,
    duplicate or superseded. Exit code 0: all imported without errors; 1: a file
    has errors or was not imported; 2: wrong usage, e.g. no workbooks found.

    Example:

        behovxl consolidate innkommet/ -o regional-2026.xlsx --json alle.json --csv csv/
    """
    from .consolidate import consolidate as consolidate_inputs
    from .regional import write_regional

    progress = None
    if sys.stderr.isatty():
        progress = lambda total: click.progressbar(length=total, label="Leser arbeidsbøker", file=sys.stderr)  # noqa: E731
    try:
        result = consolidate_inputs(list(inputs), year=year, progress=progress, skip=[output, *([json_path] if json_path else [])])
        if result.exit_code == 2:
            raise click.UsageError(result.problem)
        written = write_regional(result, output, json_path, csv_dir)
    except BehovxlError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(str(output))
    if json_path:
        click.echo(str(json_path))
    if csv_dir:
        click.echo(f"{csv_dir}{os.sep} ({len(written) - 1 - bool(json_path)} CSV files)")
    click.echo(result.summary(), err=True)
    ctx.exit(result.exit_code)


@main.command()
@click.argument("folder", required=False, type=click.Path(path_type=Path, file_okay=False))
def demo(folder: Path | None) -> None:
    """Run the whole round on the bundled examples into FOLDER (default: a new folder here).

    Writes blank forms from the example roster, the returned workbooks, the check
    report and the regional workbook, then prints a summary and where each file is.

    Example:

        behovxl demo
    """
    from .demo import new_demo_folder, run_demo, summary

    target = folder or new_demo_folder(Path.cwd())
    try:
        result = run_demo(target)
    except BehovxlError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(summary(result))


def _default_year() -> int:
    from datetime import date

    return date.today().year + 1



