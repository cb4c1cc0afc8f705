"""The command line: parse options, call the library, show its result. Every word is Norwegian."""

from __future__ import annotations

import json
import sys
import traceback
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import click

from . import clitext

clitext.install()  # before any option is built: click translates some texts when they are created

from .errors import BehovxlError  # noqa: E402

YEAR = click.IntRange(2000, 2100)
LANGUAGE = click.Choice(["nb", "nn", "bokmål", "nynorsk", "bokmal"], case_sensitive=False)
JOBS = click.IntRange(1, 64)


def _language(value: str | None) -> str:
    return {"bokmål": "nb", "bokmal": "nb", "nynorsk": "nn"}.get((value or "nb").lower(), (value or "nb").lower())


def _default_year() -> int:
    return date.today().year + 1


def run(action: Callable[[], int | None]) -> None:
    """One place that turns behovxl's errors into messages and a bug into «intern feil» with a log."""
    try:
        code = action()
    except BehovxlError as exc:
        raise click.ClickException(str(exc)) from None
    except (click.ClickException, click.exceptions.Exit, click.Abort, KeyboardInterrupt):
        raise
    except Exception:  # noqa: BLE001 - a bug in behovxl: never a traceback for the user, always a log
        from .pipeline import log_internal_error

        log = log_internal_error(traceback.format_exc())
        raise click.ClickException(f"Intern feil i behovxl. Detaljene er lagret i {log}; send gjerne den filen "
                                   "til den som drifter behovxl.") from None
    sys.exit(code or 0)


@click.group(cls=clitext.NorwegianGroup, context_settings=dict(clitext.HELP_OPTION))
@clitext.version_option()
def main() -> None:
    """Behovsmeldingen i Excel: send låste skjema, les og kontroller svarene, samle dem regionalt.

    Kjør «behovxl KOMMANDO -h» for hjelp til hver kommando.
    """


@main.command()
@click.option("-o", "--output", "output", type=click.Path(path_type=Path), required=True, metavar="FIL|MAPPE",
              help="Arbeidsboken som skal skrives (.xlsx), eller en mappe sammen med --roster.")
@click.option("--year", type=YEAR, default=None, metavar="ÅR", help="Året runden gjelder (standard: neste år, eller rapportens år med --from).")
@click.option("--network", default="", metavar="NAVN", help="Nettverket skjemaet lages for (står i skjemaet og i topptekst).")
@click.option("--measures", type=click.IntRange(1, 20), default=None, metavar="ANTALL", help="Antall tiltaksark, 1–20 (standard 8).")
@click.option("--deadline", default="", metavar="TEKST", help="Fristen som står i veiledningen (standard: 1. februar i året runden gjelder).")
@click.option("--roster", type=click.Path(path_type=Path, dir_okay=False), metavar="LISTE",
              help="Liste over nettverk (CSV eller XLSX): ett skjema per nettverk.")
@click.option("--from", "from_report", type=click.Path(path_type=Path, dir_okay=False), metavar="RAPPORT",
              help="Fyll ut skjemaet fra en rapport (JSON) eller en innsendt arbeidsbok; med --year Y+1: neste års skjema.")
@click.option("--form", "form_name", default=None, metavar="SKJEMA|FIL.toml", help="Skjemadefinisjon: id (se «behovxl forms») eller en egen TOML-fil.")
@click.option("--målform", "--malform", "language", type=LANGUAGE, default="nb", metavar="nb|nn", help="Bokmål (nb, standard) eller nynorsk (nn).")
def generate(output: Path, year: int | None, network: str, measures: int | None, deadline: str, roster: Path | None,
             from_report: Path | None, form_name: str | None, language: str) -> None:
    """Lag skjema som nettverkene skal fylle ut: tomme, fra en liste, eller fra en rapport.

    Eksempel:

        behovxl generate -o skjema.xlsx --year 2027 --network "Kompetansenettverk Salten"

        behovxl generate --roster nettverk.csv -o skjema/ --year 2027

        behovxl generate --from rapport-2026.json --year 2027 -o neste-aar.xlsx
    """
    def action() -> None:
        from .api import generate as write_forms

        paths = write_forms(output, year=year, network=network, roster=roster, report=from_report, measures=measures,
                            deadline=deadline, language=_language(language), form=form_name)
        for path in paths:
            click.echo(str(path))
        if roster:
            click.echo(f"{len(paths)} arbeidsbøker skrevet til {output}", err=True)

    run(action)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, readable=False), metavar="ARBEIDSBØKER...")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="Utskrift: tekst (standard) eller JSON.")
@click.option("--forms", "forms", type=click.Path(path_type=Path), multiple=True, metavar="MAPPE",
              help="En mappe (eller fil) med egne skjemadefinisjoner i tillegg til de innebygde.")
@click.option("--jobs", type=JOBS, default=None, metavar="ANTALL", help="Antall prosesser som leser samtidig (standard: antall kjerner).")
def check(files: tuple[Path, ...], fmt: str, forms: tuple[Path, ...], jobs: int | None) -> None:
    """Les innsendte arbeidsbøker og vis, celle for celle, hva som ikke stemmer.

    Avslutningskode 0 når ingen fil har feil, 1 når en fil har feil, 2 når en fil ikke kunne leses.

    Eksempel:

        behovxl check innkommet/*.xlsx

        behovxl check svar.xlsx --format json
    """
    def action() -> int:
        from .inputs import discover
        from .pipeline import read_many
        from .results import as_json, exit_code, file_text

        paths = [e.path for e in discover(list(files))]
        results = []
        for r in read_many(paths, forms=forms, jobs=jobs):
            results.append(r)
            if fmt == "text":
                click.echo(("\n" if len(results) > 1 else "") + file_text(r))
        if fmt == "json":
            click.echo(as_json(results))
        return exit_code(results)

    run(action)


@main.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, readable=False), metavar="ARBEIDSBØKER...")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True, metavar="FIL.json", help="JSON-filen rapportene skrives til.")
@click.option("--forms", "forms", type=click.Path(path_type=Path), multiple=True, metavar="MAPPE", help="Egne skjemadefinisjoner.")
@click.option("--jobs", type=JOBS, default=None, metavar="ANTALL", help="Antall prosesser som leser samtidig.")
def import_(files: tuple[Path, ...], output: Path, forms: tuple[Path, ...], jobs: int | None) -> None:
    """Les innsendte arbeidsbøker til en JSON-liste med én rapport per lesbar fil.

    Avvikene skrives til standard feil; avslutningskoden er som for «check».

    Eksempel:

        behovxl import innkommet/*.xlsx -o rapporter.json
    """
    def action() -> int:
        from .files import Output, check_output_path, refuse_inputs, write_outputs
        from .inputs import discover
        from .pipeline import read_many
        from .results import as_text, exit_code, reports_json

        entries = discover(list(files))
        refuse_inputs([output], [e.path for e in entries], [f for f in files if Path(f).is_dir()])
        check_output_path(output)
        results = list(read_many([e.path for e in entries], forms=forms, jobs=jobs))
        write_outputs([Output(output, reports_json(results).encode("utf-8"))])
        click.echo(as_text(results), err=True)
        read = sum(r.report is not None for r in results)
        click.echo(f"{read} av {len(results)} filer lest inn i {output}", err=True)
        return exit_code(results)

    run(action)


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path, readable=False), metavar="INNDATA...")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True, metavar="FIL.xlsx", help="Den regionale arbeidsboken som skal skrives.")
@click.option("--json", "json_path", type=click.Path(path_type=Path), metavar="FIL.json", help="Skriv også alle rapporter, filer og avvik som JSON.")
@click.option("--csv", "csv_dir", type=click.Path(path_type=Path), metavar="MAPPE", help="Skriv også én CSV-fil per ark i denne mappen.")
@click.option("--year", type=YEAR, default=None, metavar="ÅR", help="Året runden gjelder (standard: året de fleste skjemaene gjelder).")
@click.option("--roster", type=click.Path(path_type=Path, dir_okay=False), metavar="LISTE", help="Listen over nettverk som skal levere (CSV eller XLSX).")
@click.option("--deadline", type=click.DateTime(["%Y-%m-%d"]), default=None, metavar="ÅÅÅÅ-MM-DD", help="Fristen for å levere; senere innsendinger merkes «for sent».")
@click.option("--frame", type=click.Path(path_type=Path, dir_okay=False), metavar="RAMME", help="Rammen per ordning (CSV eller XLSX med kolonnene «ordning» og «ramme»).")
@click.option("--last-year", "last_year", type=click.Path(path_type=Path, dir_okay=False), metavar="FIL.json", help="Fjorårets JSON fra consolidate eller innstilling, til sammenligning.")
@click.option("--forms", "forms", type=click.Path(path_type=Path), multiple=True, metavar="MAPPE", help="Egne skjemadefinisjoner.")
@click.option("--jobs", type=JOBS, default=None, metavar="ANTALL", help="Antall prosesser som leser samtidig.")
def consolidate(inputs: tuple[Path, ...], output: Path, json_path: Path | None, csv_dir: Path | None, year: int | None,
                roster: Path | None, deadline: Any, frame: Path | None, last_year: Path | None,
                forms: tuple[Path, ...], jobs: int | None) -> None:
    """Samle innsendte arbeidsbøker i én regional arbeidsbok.

    INNDATA er filer eller mapper. Hver fil er med på arket «Kilder» med status: importert,
    importert med feil, avvist (med grunn), duplikat, erstattet eller hoppet over.
    Avslutningskode 0: alt importert uten feil; 1: en fil har feil, er avvist, eller et
    nettverk i listen mangler; 2: feil bruk.

    Eksempel:

        behovxl consolidate innkommet/ -o regional-2027.xlsx --roster nettverk.csv --deadline 2027-02-01
    """
    def action() -> int:
        from .regional import consolidate_to_files

        outcome = consolidate_to_files(
            list(inputs), output, json_path=json_path, csv_dir=csv_dir, year=year, roster=roster,
            deadline=deadline.date() if deadline else None, frame=frame, last_year=last_year, forms=forms,
            jobs=jobs, progress=_progress("Leser arbeidsbøker"))
        for line in outcome.written:
            click.echo(line)
        click.echo(outcome.summary, err=True)
        return outcome.exit_code

    run(action)


def _progress(label: str) -> Callable[[int], Callable[[], None]] | None:
    if not sys.stderr.isatty():
        return None

    def start(total: int) -> Callable[[], None]:
        bar = click.progressbar(length=total, label=label, file=sys.stderr)
        bar.__enter__()
        done = [0]

        def tick() -> None:
            bar.update(1)
            done[0] += 1
            if done[0] == total:
                bar.__exit__(None, None, None)

        return tick

    return start


@main.command()
@click.argument("regional", type=click.Path(path_type=Path, dir_okay=False), metavar="REGIONAL.xlsx")
@click.option("--json", "json_path", type=click.Path(path_type=Path), metavar="FIL.json", help="Skriv fordelingen som JSON.")
@click.option("--csv", "csv_dir", type=click.Path(path_type=Path), metavar="MAPPE", help="Skriv fordelingen som CSV-filer i denne mappen.")
def innstilling(regional: Path, json_path: Path | None, csv_dir: Path | None) -> None:
    """Les samarbeidsforumets innstilling fra den regionale arbeidsboken og kontroller den.

    Alle summer regnes ut på nytt; avvik (over rammen, over det som er søkt om, negative
    beløp, tekst, overskrevne formler) vises celle for celle. Avslutningskode 0 uten feil,
    1 med feil, 2 når filen ikke kan leses.

    Eksempel:

        behovxl innstilling regional-2027.xlsx --json fordeling.json --csv fordeling/
    """
    def action() -> int:
        from .innstilling import run_innstilling

        outcome = run_innstilling(regional, json_path=json_path, csv_dir=csv_dir)
        click.echo(outcome.text)
        return outcome.exit_code

    run(action)


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path, readable=False), metavar="INNSENDT...")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True, metavar="MAPPE", help="Mappen tilbakemeldingene skrives til.")
@click.option("--roster", type=click.Path(path_type=Path, dir_okay=False), metavar="LISTE", help="Listen over nettverk (målform og frist per nettverk).")
@click.option("--deadline", default="", metavar="TEKST", help="Fristen for å rette, slik den skal stå i meldingen.")
@click.option("--forms", "forms", type=click.Path(path_type=Path), multiple=True, metavar="MAPPE", help="Egne skjemadefinisjoner.")
def feedback(inputs: tuple[Path, ...], output: Path, roster: Path | None, deadline: str, forms: tuple[Path, ...]) -> None:
    """Lag tilbakemelding til hvert nettverk: en merket arbeidsbok og en e-posttekst.

    Arbeidsboken er nettverkets egen, med hvert avvik merket i cellen og listet på arket
    «Tilbakemelding». Et svar uten avvik får en kort kvittering.

    Eksempel:

        behovxl feedback innkommet/ -o tilbakemelding/ --roster nettverk.csv
    """
    def action() -> None:
        from .feedback import feedback as write_feedback
        from .files import refuse_inputs
        from .pipeline import registry_for

        refuse_inputs([output], [p for p in inputs if Path(p).is_file()], [p for p in inputs if Path(p).is_dir()])
        results = write_feedback(list(inputs), output, roster=roster, registry=registry_for(tuple(forms)), deadline=deadline)
        for r in results:
            click.echo(str(r.workbook or r.message))
        fixes = sum(1 for r in results if r.status == "feedback")
        click.echo(f"{len(results)} nettverk: {fixes} med avvik, {len(results) - fixes} kvitteringer eller uleselige filer. "
                   f"Skrevet til {output}", err=True)

    run(action)


@main.command()
@click.argument("workbook", required=False, type=click.Path(path_type=Path, dir_okay=False), metavar="[ARBEIDSBOK]")
@click.option("--json", "as_json", is_flag=True, help="Skriv JSON i stedet for en tabell.")
@click.option("--markdown", is_flag=True, help="Skriv en Markdown-tabell (som i docs/fields.md).")
@click.option("--year", type=YEAR, default=None, metavar="ÅR", help="Året etikettene skal gjelde (standard: neste år).")
@click.option("--form", "form_name", default=None, metavar="SKJEMA", help="Skjemadefinisjon (standard: den nyeste for året).")
@click.option("--målform", "--malform", "language", type=LANGUAGE, default="nb", metavar="nb|nn", help="Bokmål eller nynorsk.")
def fields(workbook: Path | None, as_json: bool, markdown: bool, year: int | None, form_name: str | None, language: str) -> None:
    """Vis dataordboka: hvert felt i skjemaet, hvilket ark og hvilken celle det står i.

    Med en arbeidsbok vises feltene i den arbeidsbokens egen skjemaversjon.

    Eksempel:

        behovxl fields --year 2027 --markdown
    """
    def action() -> None:
        from .api import registry_and_form
        from .dictionary import fields as dictionary_fields
        from .dictionary import render_markdown, render_table
        from .generate import Request, make_form
        from .layout import build_layout

        registry, form_id = registry_and_form(form_name)
        if workbook:
            form = _identify(workbook, registry)
        else:
            form = make_form(Request(registry, year or _default_year(), None, "", _language(language), form_id))
        rows = dictionary_fields(build_layout(form))
        if as_json:
            click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        elif markdown:
            title = f"{form.definition.form_id} versjon {form.definition.version} ({form.year})"
            click.echo(render_markdown(rows, title))
        else:
            click.echo(render_table(rows))

    run(action)


def _identify(path: Path, registry: Any) -> Any:
    from .workbook import identify_file

    return identify_file(path, registry)


@main.command()
def schema() -> None:
    """Vis JSON-skjemaet for en rapport (det «import» skriver og «generate --from» leser).

    Eksempel:

        behovxl schema > rapport.schema.json
    """
    from .models import Report

    click.echo(json.dumps(Report.model_json_schema(mode="serialization"), ensure_ascii=False, indent=2))


@main.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", help="Utskrift: tekst, JSON eller Markdown.")
def checks(fmt: str) -> None:
    """Vis katalogen over avvik: faste koder, alvorlighet, hva de betyr og meldingen.

    Eksempel:

        behovxl checks --format markdown
    """
    from .results import catalogue, catalogue_markdown, catalogue_text

    if fmt == "json":
        click.echo(json.dumps(catalogue(), ensure_ascii=False, indent=2))
    elif fmt == "markdown":
        click.echo(catalogue_markdown())
    else:
        click.echo(catalogue_text())


@main.command()
@click.option("--forms", "forms", type=click.Path(path_type=Path), multiple=True, metavar="MAPPE", help="Vis også egne skjemadefinisjoner fra denne mappen.")
def forms(forms: tuple[Path, ...]) -> None:
    """Vis skjemadefinisjonene: id, versjon, årene de gjelder for, og ordningene.

    Eksempel:

        behovxl forms
    """
    def action() -> None:
        from .pipeline import registry_for

        registry = registry_for(tuple(forms))
        for d in registry.definitions:
            years = f"{d.form.years.first}–{d.form.years.last}"
            schemes = ", ".join(s.label.nb for s in d.schemes)
            click.echo(f"{d.form_id}  versjon {d.version}  {years}  {schemes}")

    run(action)


@main.command()
@click.argument("folder", required=False, type=click.Path(path_type=Path), metavar="[MAPPE]")
def demo(folder: Path | None) -> None:
    """Kjør hele runden på eksemplene i MAPPE (standard: en ny mappe her).

    Lager skjema fra eksempellisten, innsendte svar, kontrollrapport, regional arbeidsbok,
    innstilling og tilbakemeldinger, og viser en oppsummering og hvor filene ligger.

    Eksempel:

        behovxl demo
    """
    def action() -> None:
        from .demo import new_demo_folder, run_demo, summary

        target = folder or new_demo_folder(Path())  # relative, so the summary names it as the user would
        click.echo(summary(run_demo(target)))

    run(action)


if __name__ == "__main__":  # pragma: no cover
    main()
