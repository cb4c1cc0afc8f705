"""Feedback to each network: the marked feedback workbook, the e-mail texts, the receipt and the unreadable file."""

from __future__ import annotations

import functools
import io
import re
import zipfile
from pathlib import Path

import pytest
from helpers import edited, example_report
from openpyxl import load_workbook

from behovxl.errors import OutputError
from behovxl.feedback import feedback
from behovxl.findings import Finding, Severity
from behovxl.formulas import raw_inputs
from behovxl.generate import Request, form_for_report
from behovxl.layout import build_layout
from behovxl.pipeline import read
from behovxl.registry import Registry
from behovxl.workbook import open_workbook
from behovxl.writer import workbook_bytes

REGISTRY = Registry.default()
DEADLINE = "1. mars 2026"
LOFOTEN = "behovsmelding-2026-kompetansenettverk-lofoten"
SALTEN = "behovsmelding-2026-kompetansenettverk-salten"
YTRE = "behovsmelding-2026-kompetansenettverk-ytre-helgeland"
DOCX = "Behovsmelding Vesterålen.docx"

#: Mistakes a network makes that a JSON report cannot hold: values as typed, by input path.
TYPED = {
    "measures.1.owner_lines.2.amount": "120 000,-",      # text-number (warning)
    "measures.3.owner_lines.1.amount": "ca. hundre tusen",  # unparseable-number (error)
    "contacts.uh.email": "trude.sivertsen(at)uit.no",     # invalid-email (error)
}
#: What the network types to put every Lofoten finding right.
FIXES = {
    "declared_measures": 4,
    "coordinator.kompetanseloftet.amount": None,
    "coordinator.dekom.amount": 80_000,
    "measures.2.cofunding": 150_000,
    "measures.1.owner_lines.2.amount": 120_000,
}
#: The writer's fill for a marked cell (openpyxl's ARGB).
MARK_FILL = {Severity.ERROR: "FFFFC7CE", Severity.WARNING: "FFFFEB9C"}
ENGLISH = re.compile(r"\b(errors?|warnings?|findings?|cells?|sheets?)\b", re.IGNORECASE)
BOKMAL_ONLY = re.compile(r"\b(ikke|hvis|behovsmeldingen|arbeidsboken|hilsen|funnet|feltene)\b")
#: What a feedback workbook must never add to a return's findings: it is drawn fresh, with nothing foreign.
NEVER_IN_FEEDBACK = {"extra-sheet", "stale-value", "formula-changed", "formula-replaced", "no-cached-values"}


# ---------------------------------------------------------------- building returns


def generated(name: str, language: str = "nb", typed: dict[str, object] | None = None) -> bytes:
    """An example report's workbook as the network returns it, with `typed` values typed into its inputs."""
    return _generated(name, language, tuple(sorted((typed or {}).items())))


@functools.cache
def _generated(name: str, language: str, typed: tuple[tuple[str, object], ...]) -> bytes:
    form, report = form_for_report(example_report(name), Request(REGISTRY, 2026, language=language))
    raw = raw_inputs(build_layout(form), report)
    raw.update(dict(typed))
    return workbook_bytes(form, report, raw=raw)


def docx_stub() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def cells(form_language: str = "nb") -> dict[str, tuple[str, str]]:
    """Input path -> (sheet, cell) in Lofoten's workbook."""
    form, _ = form_for_report(example_report("lofoten"), Request(REGISTRY, 2026, language=form_language))
    return {path: (i.sheet, i.cell) for path, i in build_layout(form).inputs.items()}


def saved_at(data: bytes, stamp: str) -> bytes:
    """The workbook with another «last saved» time in its document properties."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            part = zin.read(info)
            if info.filename == "docProps/core.xml":
                part = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp.encode(), part)
            zout.writestr(info, part)
    return out.getvalue()


@functools.cache
def read_once(path: Path):
    """A returned file read once: the tests look at the same originals many times."""
    return read(path)


def to_fix(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity in (Severity.ERROR, Severity.WARNING)]


def errors_first(f: Finding) -> bool:
    return f.severity != Severity.ERROR


def keys(findings: list[Finding]) -> list[tuple[str, str, str | None, str | None]]:
    return sorted((f.severity.value, f.code, f.sheet, f.cell) for f in findings)


def listed(path: Path) -> list[tuple[str, str, str | None, str]]:
    """The feedback sheet's rows: (severity label, where, link target, message)."""
    ws = load_workbook(path).worksheets[0]
    rows = []
    for row in ws.iter_rows(min_row=5):
        label, where, message = (c.value for c in row[:3])
        if label is not None:
            rows.append((label, where, row[1].hyperlink.location if row[1].hyperlink else None, message))
    return rows


# ---------------------------------------------------------------- one run over a folder of returns


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("returned")
    (folder / f"{LOFOTEN}.xlsx").write_bytes(generated("lofoten", typed=TYPED))
    (folder / f"{SALTEN}.xlsx").write_bytes(generated("salten"))
    (folder / f"{YTRE}.xlsx").write_bytes(generated("ytre-helgeland"))
    (folder / DOCX).write_bytes(docx_stub())
    (folder / f"~${LOFOTEN}.xlsx").write_bytes(b"\x00owner")  # Excel's lock file while the book is open
    out = tmp_path_factory.mktemp("feedback")
    results = feedback([folder], out, deadline=DEADLINE)
    return folder, out, {r.source.name: r for r in results}


def test_one_result_per_return_lock_file_skipped(run):
    _, out, results = run
    assert {name: (r.status, r.network, r.workbook is not None) for name, r in results.items()} == {
        f"{LOFOTEN}.xlsx": ("feedback", "Kompetansenettverk Lofoten", True),
        f"{SALTEN}.xlsx": ("receipt", "Kompetansenettverk Salten", False),
        f"{YTRE}.xlsx": ("receipt", "Kompetansenettverk Ytre Helgeland", False),
        DOCX: ("unreadable", "", False),
    }
    assert sorted(p.name for p in out.iterdir()) == sorted([
        f"{LOFOTEN}-tilbakemelding.xlsx", f"{LOFOTEN}-tilbakemelding.txt", f"{SALTEN}-tilbakemelding.txt",
        f"{YTRE}-tilbakemelding.txt", "Behovsmelding Vesterålen-tilbakemelding.txt",
    ])


def test_findings_count_errors_and_warnings(run):
    folder, _, results = run
    original = read_once(folder / f"{LOFOTEN}.xlsx")
    assert results[f"{LOFOTEN}.xlsx"].findings == len(to_fix(original.findings)) == 7
    assert (results[f"{SALTEN}.xlsx"].findings, results[DOCX].findings) == (0, 1)


def test_feedback_sheet_is_first_and_opens_alone(run):
    _, _, results = run
    book = load_workbook(results[f"{LOFOTEN}.xlsx"].workbook)
    assert book.sheetnames[:3] == ["Tilbakemelding", "Veiledning", "Partnerskap"]
    assert book.active.title == "Tilbakemelding"
    assert [ws.title for ws in book.worksheets if ws.sheet_view.tabSelected] == ["Tilbakemelding"]


def test_feedback_sheet_prints_on_a4_and_is_protected(run):
    _, _, results = run
    ws = load_workbook(results[f"{LOFOTEN}.xlsx"].workbook).worksheets[0]
    assert ws.protection.sheet
    assert (ws.page_setup.paperSize, ws.page_setup.orientation) == (9, "portrait")
    assert ws.print_title_rows == "$4:$4"
    assert [ws.column_dimensions[c].width for c in "ABC"] == pytest.approx([12.71, 18.71, 64.71], abs=0.01)
    assert ws.oddHeader.left.text == "Kompetansenettverk Lofoten"
    assert ws.oddFooter.right.text == "Side &P av &N"
    assert [c.value for c in ws[4]] == ["Alvorlighet", "Sted", "Merknad"]
    assert ws["A1"].value == "Tilbakemelding på behovsmeldingen fra Kompetansenettverk Lofoten"
    assert ws["A2"].value == (
        "Vi har kontrollert behovsmeldingen og funnet 7 forhold som må rettes. De står i listen nedenfor. Cellene det "
        "gjelder, er merket med farge og har en merknad med den samme teksten. Klikk på stedet i kolonnen «Sted» for "
        f"å gå dit. Rett det som står her, lagre arbeidsboken og send den tilbake til sfnopost@statsforvalteren.no "
        f"innen {DEADLINE}."
    )


def test_every_finding_listed_in_workbook_order_and_marked_at_its_cell(run):
    folder, _, results = run
    findings = to_fix(read_once(folder / f"{LOFOTEN}.xlsx").findings)
    feedback_path = results[f"{LOFOTEN}.xlsx"].workbook
    rows = listed(feedback_path)
    sheets = ["Partnerskap", "Tiltak 1", "Tiltak 2", "Tiltak 3", "Tiltak 4", "Oppsummering"]
    order = sorted(findings, key=lambda f: (sheets.index(f.sheet), int(f.cell[1:]), f.cell[0]))
    assert [(label, where, message) for label, where, _, message in rows] == [
        (f.severity.label, f"{f.sheet}!{f.cell}", f.message) for f in order
    ]
    for _, where, target, _ in rows:
        sheet, cell = where.split("!")
        assert target == (f"'{sheet}'!{cell}" if " " in sheet else where)
    book = load_workbook(feedback_path)
    for f in findings:
        marked = book[f.sheet][f.cell]
        assert marked.fill.fgColor.rgb == MARK_FILL[f.severity], (f.sheet, f.cell)
        assert marked.comment is not None and f.message in marked.comment.text


def test_inputs_exactly_as_typed(run):
    folder, _, results = run
    original = open_workbook((folder / f"{LOFOTEN}.xlsx").read_bytes(), REGISTRY)
    again = open_workbook(results[f"{LOFOTEN}.xlsx"].workbook.read_bytes(), REGISTRY)
    assert again.raw == original.raw
    assert (again.form.language, again.form.definition.version) == ("nb", original.form.definition.version)
    text_cell = cells()["measures.1.owner_lines.2.amount"]
    assert load_workbook(results[f"{LOFOTEN}.xlsx"].workbook)[text_cell[0]][text_cell[1]].value == "120 000,-"


def test_reads_back_with_the_same_report_and_findings(run):
    folder, _, results = run
    original = read_once(folder / f"{LOFOTEN}.xlsx")
    again = read(results[f"{LOFOTEN}.xlsx"].workbook)
    assert again.report == original.report
    assert keys(again.findings) == keys(original.findings)
    assert not {f.code for f in again.findings} & NEVER_IN_FEEDBACK


def test_fixing_the_flagged_cells_leaves_nothing(run, tmp_path):
    _, _, results = run
    where = cells()
    original = raw_inputs(*_layout_and_report("lofoten"))
    fixes = {**FIXES, **{p: original[p] for p in TYPED if p not in FIXES}}
    fixed = tmp_path / "fixed.xlsx"
    fixed.write_bytes(edited(results[f"{LOFOTEN}.xlsx"].workbook.read_bytes(),
                             {where[path]: value for path, value in fixes.items()}))
    result = read(fixed)
    assert [(f.severity.value, f.code) for f in result.findings] == [("info", "no-cached-values")]


@pytest.mark.libreoffice
def test_libreoffice_recalculates_to_the_same_values(run, tmp_path):
    from libreoffice import recalc

    folder, _, results = run
    recalculated = recalc(results[f"{LOFOTEN}.xlsx"].workbook, tmp_path)
    again = read(recalculated)
    assert keys(again.findings) == keys(read_once(folder / f"{LOFOTEN}.xlsx").findings)
    assert "stale-value" not in {f.code for f in again.findings}


# ---------------------------------------------------------------- the messages


def message(run, name: str) -> str:
    _, _, results = run
    data = results[name].message.read_bytes()
    assert b"\n" not in data.replace(b"\r\n", b"")  # CRLF only: Notepad shows every line break
    return data.decode("utf-8")


def test_message_lists_every_finding_errors_first(run):
    folder, _, _ = run
    text = message(run, f"{LOFOTEN}.xlsx")
    findings = sorted(to_fix(read_once(folder / f"{LOFOTEN}.xlsx").findings), key=errors_first)
    lines = re.findall(r"^(\d+)\. (.*)$", text.replace("\r\n", "\n"), re.MULTILINE)
    assert [int(n) for n, _ in lines] == list(range(1, len(findings) + 1))
    for (_, line), f in zip(lines, findings, strict=True):
        assert f"{f.sheet}!{f.cell}" in line and " ".join(f.message.split()) in line
    assert text.startswith("Hei!\r\n\r\nTakk for behovsmeldingen fra Kompetansenettverk Lofoten.\r\n\r\n"
                           "Vi har kontrollert skjemaet og funnet 7 forhold som må rettes:\r\n\r\n1. ")
    assert text.endswith("\r\n\r\nI den vedlagte arbeidsboken er feltene merket med farge, og arket «Tilbakemelding» "
                         "først i arbeidsboken viser den samme listen. Rett feltene i den arbeidsboken, og send den "
                         "tilbake som svar på denne e-posten.\r\n\r\n"
                         f"Vi ber om svar innen {DEADLINE}.\r\n\r\nTa kontakt hvis noe er uklart.\r\n\r\n"
                         "Med vennlig hilsen\r\nStatsforvalteren i Nordland\r\n")


def test_receipt_for_a_clean_return(run):
    assert message(run, f"{SALTEN}.xlsx") == (
        "Hei!\r\n\r\nTakk for behovsmeldingen fra Kompetansenettverk Salten. Vi har kontrollert skjemaet og fant "
        "ingen feil. Behovsmeldingen er registrert.\r\n\r\nMed vennlig hilsen\r\nStatsforvalteren i Nordland\r\n"
    )


def test_unreadable_file_named_and_the_form_asked_for(run):
    assert message(run, DOCX) == (
        "Hei!\r\n\r\nTakk for e-posten med behovsmeldingen.\r\n\r\n"
        "Filen «Behovsmelding Vesterålen.docx» er et Word-dokument.\r\n\r\n"
        "Vi trenger behovsmeldingen i Excel-skjemaet (.xlsx) som dere fikk tilsendt. Fyll ut skjemaet, og send det "
        "som svar på denne e-posten.\r\n\r\n"
        f"Vi ber om svar innen {DEADLINE}.\r\n\r\nTa kontakt hvis noe er uklart.\r\n\r\n"
        "Med vennlig hilsen\r\nStatsforvalteren i Nordland\r\n"
    )


def test_no_english_words(run):
    _, out, _ = run
    for path in sorted(out.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        assert not ENGLISH.search(text), (path.name, ENGLISH.search(text))
    sheet = load_workbook(next(out.glob("*.xlsx"))).worksheets[0]
    shown = " ".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None)
    assert not ENGLISH.search(shown)


@pytest.fixture(scope="module")
def nynorsk(tmp_path_factory):
    folder = tmp_path_factory.mktemp("nn-returned")
    (folder / "lofoten.xlsx").write_bytes(generated("lofoten", language="nn"))
    out = tmp_path_factory.mktemp("nn-feedback")
    [result] = feedback([folder / "lofoten.xlsx"], out, deadline=DEADLINE)
    return folder / "lofoten.xlsx", result


def test_nynorsk_message(nynorsk):
    source, result = nynorsk
    findings = sorted(to_fix(read_once(source).findings), key=errors_first)
    text = result.message.read_bytes().decode("utf-8")
    assert result.language == "nn"
    assert text.startswith("Hei!\r\n\r\nTakk for behovsmeldinga frå Kompetansenettverk Lofoten.\r\n\r\n"
                           f"Vi har kontrollert skjemaet og funne {len(findings)} forhold som må rettast:\r\n\r\n")
    lines = re.findall(r"^\d+\. (.*)$", text.replace("\r\n", "\n"), re.MULTILINE)
    assert all(line.endswith(" ".join(f.message.split())) for line, f in zip(lines, findings, strict=True))
    assert f"\r\n\r\nVi bed om svar innan {DEADLINE}.\r\n\r\nTa kontakt dersom noko er uklart.\r\n\r\n" in text
    assert text.endswith("Med venleg helsing\r\nStatsforvaltaren i Nordland\r\n")
    prose = re.sub(r"^\d+\. .*$", "", text.replace("\r\n", "\n"), flags=re.MULTILINE)
    assert not BOKMAL_ONLY.search(prose) and not ENGLISH.search(text)


def test_nynorsk_feedback_sheet(nynorsk):
    source, result = nynorsk
    findings = to_fix(read_once(source).findings)
    ws = load_workbook(result.workbook).worksheets[0]
    assert ws.title == "Tilbakemelding"
    assert [c.value for c in ws[4]] == ["Alvorsgrad", "Stad", "Merknad"]
    assert ws["A1"].value == "Tilbakemelding på behovsmeldinga frå Kompetansenettverk Lofoten"
    assert not BOKMAL_ONLY.search(ws["A2"].value)
    labels = {"error": "Feil", "warning": "Åtvaring"}
    assert sorted((label, message) for label, _, _, message in listed(result.workbook)) == sorted(
        (labels[f.severity.value], f.message) for f in findings
    )
    assert read(result.workbook).language == "nn"


ROSTER = """Nettverk;Målform;Frist
Kompetansenettverk Lofoten;nynorsk;2026-03-01
KOMPETANSENETTVERK  indre helgeland;Bokmål;1.4.2026
Kompetansenettverk Salten;nynorsk;
"""
#: Each network's return has something to fix; Ytre Helgeland is not on the roster.
ROSTER_RETURNS = {
    "lofoten": {},
    "indre-helgeland-rana": {},
    "salten": {"contacts.uh.email": "per.hoff(at)nord.no"},
    "ytre-helgeland": {"contacts.uh.email": "sigrid.aasland(at)inn.no"},
}


@pytest.fixture(scope="module")
def with_roster(tmp_path_factory):
    folder = tmp_path_factory.mktemp("roster-returned")
    for name, typed in ROSTER_RETURNS.items():
        (folder / f"{name}.xlsx").write_bytes(generated(name, typed=typed))
    roster = folder.parent / "nettverk.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    return {r.source.stem: r for r in feedback([folder], tmp_path_factory.mktemp("roster-out"), roster=roster)}


@pytest.mark.parametrize(
    ("name", "language", "by_when", "sheet_end"),
    [
        ("lofoten", "nn", "Vi bed om svar innan 1. mars 2026.", "innen 1. mars 2026."),
        # the name is matched as a key: case, spaces
        ("indre-helgeland-rana", "nb", "Vi ber om svar innen 1. april 2026.", "innen 1. april 2026."),
        ("salten", "nn", None, "statsforvalteren.no."),          # no deadline on the roster, none given
        ("ytre-helgeland", "nb", None, "statsforvalteren.no."),  # not on the roster: the workbook's language
    ],
)
def test_roster_gives_language_and_deadline(with_roster, name, language, by_when, sheet_end):
    result = with_roster[name]
    text = result.message.read_bytes().decode("utf-8")
    assert (result.status, result.language) == ("feedback", language)
    assert text.startswith("Hei!\r\n\r\nTakk for behovsmelding" + ("a frå" if language == "nn" else "en fra"))
    if by_when is None:
        assert not re.search(r"innen|innan", text)
    else:
        assert f"\r\n\r\n{by_when}\r\n\r\n" in text
    sheet = load_workbook(result.workbook).worksheets[0]  # the workbook keeps the form's own language
    assert sheet["A4"].value == "Alvorlighet"
    assert sheet["A2"].value.endswith(sheet_end)


def test_deadline_given_wins_over_the_roster(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "lofoten.xlsx").write_bytes(generated("lofoten"))
    (tmp_path / "nettverk.csv").write_text(ROSTER, encoding="utf-8")
    [result] = feedback([tmp_path / "in"], tmp_path / "out", roster=tmp_path / "nettverk.csv", deadline="15. mars 2026")
    assert "\r\n\r\nVi bed om svar innan 15. mars 2026.\r\n\r\n" in result.message.read_bytes().decode("utf-8")


# ---------------------------------------------------------------- repaired on the way, and the batch


def test_overwritten_formula_restored_and_extra_sheet_left_out(tmp_path):
    layout, _ = _layout_and_report("lofoten")
    total = layout.formulas["summary.schemes.dekom.uh"]
    data = edited(generated("lofoten"), {(total.sheet, total.cell): 690_000})
    book = load_workbook(io.BytesIO(data))
    book.create_sheet("Notater")["A1"] = "Husk å spørre UiT"
    buffer = io.BytesIO()
    book.save(buffer)
    (tmp_path / "lofoten.xlsx").write_bytes(buffer.getvalue())
    [result] = feedback([tmp_path / "lofoten.xlsx"], tmp_path / "out")
    rows = listed(result.workbook)
    assert rows[0][:3] == ("Advarsel", "Notater", None)  # a finding without a cell comes first
    assert rows[0][3].endswith("Arket er ikke med i arbeidsboken vi sender tilbake.")
    replaced = next(r for r in rows if r[1] == f"{total.sheet}!{total.cell}")
    assert replaced[0] == "Feil" and replaced[3].endswith("Skjemaets formel er nå satt inn igjen.")
    again = load_workbook(result.workbook)
    assert "Notater" not in again.sheetnames
    assert str(again[total.sheet][total.cell].value).startswith("=")
    assert again[total.sheet][total.cell].comment is not None
    codes = {f.code for f in read(result.workbook).findings}
    assert codes == {"declared-count", "coordinator-unused", "cofunding-low", "coordinator-missing"}


@pytest.mark.parametrize(
    ("saved", "answered"),
    [
        ({"a.xlsx": "2026-02-03T10:00:00Z", "b.xlsx": "2026-02-01T10:00:00Z"}, "a.xlsx"),
        ({"a.xlsx": "2026-02-01T10:00:00Z", "b.xlsx": "2026-02-01T10:00:00Z"}, "b.xlsx"),  # same time: by name
    ],
)
def test_two_returns_from_one_network_the_later_answered(tmp_path, saved, answered):
    folder = tmp_path / "in"
    folder.mkdir()
    for name, stamp in saved.items():
        (folder / name).write_bytes(saved_at(generated("salten"), stamp))
    (folder / "c.xlsx").write_bytes(generated("ytre-helgeland"))
    results = feedback([folder], tmp_path / "out")
    assert [(r.source.name, [p.name for p in r.superseded]) for r in results] == [
        (answered, ["a.xlsx" if answered == "b.xlsx" else "b.xlsx"]), ("c.xlsx", []),
    ]
    assert read(folder / answered).saved_at.isoformat().startswith(saved[answered][:19])
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [f"{SALTEN}-tilbakemelding.txt",
                                                                     f"{YTRE}-tilbakemelding.txt"]


def test_a_returned_feedback_workbook_gets_a_fresh_feedback_sheet(run, tmp_path):
    _, _, results = run
    first = results[f"{LOFOTEN}.xlsx"].workbook
    [again] = feedback([first], tmp_path / "out", deadline=DEADLINE)
    assert load_workbook(again.workbook).sheetnames.count("Tilbakemelding") == 1
    assert listed(again.workbook) == listed(first)


def test_same_inputs_same_bytes(run, tmp_path):
    folder, out, _ = run
    feedback([folder], tmp_path / "again", deadline=DEADLINE)
    first = {p.name: p.read_bytes() for p in out.iterdir()}
    second = {p.name: p.read_bytes() for p in (tmp_path / "again").iterdir()}
    assert first == second


def test_output_inside_an_input_folder_refused_nothing_written(tmp_path):
    (tmp_path / "lofoten.xlsx").write_bytes(generated("lofoten"))
    with pytest.raises(OutputError):
        feedback([tmp_path], tmp_path / "tilbakemelding")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lofoten.xlsx"]


# ---------------------------------------------------------------- helpers


def _layout_and_report(name: str):
    form, report = form_for_report(example_report(name), Request(REGISTRY, 2026))
    return build_layout(form), report
