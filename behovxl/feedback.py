"""Feedback to each network: its own workbook back with every finding marked, and an e-mail text.

For each returned file `feedback` writes, into one output folder:

* a feedback workbook (`…-tilbakemelding.xlsx`) when the return has errors or warnings:
  the network's own return drawn again by the generator, in the same form version and
  language, still locked, every input exactly as typed (text in an amount cell
  included) and every formula and cached value right. Each finding is marked at its
  cell (fill and a cell note), and a first sheet lists them, each with a link to its cell;
* a message (`…-tilbakemelding.txt`, UTF-8 with CRLF line ends, for Windows Notepad)
  to paste into the e-mail: the list of what to fix, a receipt for a clean return, or,
  for a file that is not the form (Word, PDF, damaged …), what the file was and a
  request for the filled-in Excel form.

Messages are written in the network's own written language (the roster's målform,
else the workbook's). Two returns from one network in one run: the one saved last
answers, the other is named in the result. All files are written together or none.

Decisions:

* Only errors and warnings are reported; an info finding (a workbook saved without
  cached values, say) asks nothing of the network, so such a return gets the receipt.
* The feedback workbook is drawn fresh, so what a network did to the workbook itself is
  put right on the way: an overwritten or changed formula is back, every cached value is
  recomputed, a sheet of its own is left out. Those findings are still listed, each with a
  sentence saying what was put right.
* A file that is not the form gets our own words for what it was: the catalogue's
  messages for such files speak to the Statsforvalteren («Be nettverket …»), not to the network.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC
from functools import partial
from pathlib import Path
from typing import Any

from xlsxwriter.utility import quote_sheetname

from .definition import Text
from .files import Output, refuse_inputs, write_outputs
from .findings import Finding, Severity
from .form import Form
from .generate import deadline_text, safe_file_name
from .inputs import InputError, InputFile, discover, read_bytes
from .layout import LINE_HEIGHT, Layout, text_height
from .pipeline import ReadResult, input_finding, read_data, unreadable
from .registry import Registry
from .roster import RosterEntry, network_key, read_roster
from .workbook import Workbook, open_workbook
from .writer import Extras, Mark, workbook_bytes

__all__ = ["FeedbackResult", "feedback", "feedback_workbook", "message_text"]

WORKBOOK_SUFFIX = "-tilbakemelding.xlsx"
MESSAGE_SUFFIX = "-tilbakemelding.txt"

# ---------------------------------------------------------------- public API


@dataclass
class FeedbackResult:
    """What `feedback` wrote for one returned file."""

    network: str                 # the network's name ("" when the file could not be read as a form)
    source: Path                 # the returned file
    workbook: Path | None        # the feedback workbook (None for an unreadable file or a clean return)
    message: Path                # the message text
    findings: int                # errors + warnings reported
    status: str                  # "feedback" | "receipt" | "unreadable"
    language: str = "nb"         # the message's written language
    #: Earlier returns from the same network in this run: this one, saved last, is the one answered.
    superseded: tuple[Path, ...] = field(default_factory=tuple)


def feedback(inputs: Sequence[Path | str], out_dir: Path, *, roster: Path | None = None,
             registry: Registry | None = None, deadline: str = "") -> list[FeedbackResult]:
    """Read every returned file (folders are searched), write its feedback into `out_dir`, all or nothing.

    `deadline` (as it is to be shown, «1. mars 2026») is the date to answer by; without
    it, the roster's deadline for the network; without that, the messages name no date.
    """
    registry = registry or Registry.default()
    out_dir = Path(out_dir)
    inputs = [inputs] if isinstance(inputs, (str, Path)) else list(inputs)
    entries = {network_key(e.network): e for e in read_roster(Path(roster))} if roster else {}
    found = _returned_files(inputs)
    folders = [Path(p) for p in inputs if Path(p).is_dir()]
    refuse_inputs([out_dir], [f.path for f in found], folders)
    returns = _winners([_read(f, registry) for f in found])
    planned = _plan(returns, entries, deadline, registry)
    outputs = _outputs(planned, out_dir)
    refuse_inputs([o.path for o in outputs], [f.path for f in found], folders)
    write_outputs(outputs, folder=out_dir)
    return [p.result for p in planned]


def feedback_workbook(book: Workbook, result: ReadResult, deadline: str = "") -> bytes:
    """The network's return drawn again, every finding marked at its cell, a list of them as the first sheet."""
    form = replace(book.form, deadline=deadline) if deadline else book.form
    listed = _to_fix(result.findings)
    marks: dict[tuple[str, str], list[Mark]] = {}
    for f in listed:
        if f.sheet and f.cell:
            marks.setdefault((f.sheet, _first_cell(f.cell)), []).append(Mark(f.severity, _text(f, form.language)))
    network = _network(result, book)
    front = partial(_draw_feedback_sheet, form=form, layout=book.layout, findings=listed, network=network,
                    deadline=deadline)
    data = workbook_bytes(form, result.report, raw=book.raw, extras=Extras(marks=marks, front=front))
    return data


def message_text(result: ReadResult, *, language: str, network: str = "", deadline: str = "",
                 authority: str = "", file_name: str = "", sheet: str = "Tilbakemelding") -> str:
    """The e-mail text for one return: what to fix, a receipt, or (unreadable) a request for the form.

    Lines end in CRLF. `file_name` is how an unreadable file is named to the network; `sheet`
    is the feedback sheet's name in the attached workbook.
    """
    t = _TEXTS[language]
    listed = sorted(_to_fix(result.findings), key=_rank)  # errors first, each in workbook order
    if result.report is None:
        paragraphs = [t["thanks_mail"], *_unreadable_body(result.findings[0], language, file_name or result.file.name)]
    else:
        thanks = t["thanks"].format(network=network) if network else t["thanks_plain"]
        paragraphs = [thanks, *_fix_body(listed, language, sheet)] if listed else [f"{thanks} {t['receipt']}"]
    if result.report is None or listed:
        paragraphs += [t["answer_by"].format(deadline=deadline)] if deadline else []
        paragraphs.append(t["contact"])
    paragraphs = [t["hello"], *paragraphs, t["regards"] + (f"\n{authority}" if authority else "")]
    text = "\n\n".join(paragraphs).replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("\n", "\r\n") + "\r\n"


# ---------------------------------------------------------------- reading the returns


@dataclass
class _Return:
    file: InputFile
    result: ReadResult
    book: Workbook | None
    superseded: list[Path] = field(default_factory=list)


@dataclass
class _Planned:
    result: FeedbackResult
    base: str                     # the output name without its suffix
    workbook: bytes | None
    message: str


def _returned_files(inputs: Sequence[Path | str]) -> list[InputFile]:
    """Every file given or found in a folder given, once; Office's lock files (~$…) and folder problems left out."""
    seen: set[Path] = set()
    files = []
    for found in discover(list(inputs)):
        if found.name.endswith("/") or Path(found.name).name.startswith("~$"):
            continue
        key = Path(found.path).absolute()
        if key not in seen:
            seen.add(key)
            files.append(found)
    return files


def _read(found: InputFile, registry: Registry) -> _Return:
    """One file read once: the same bytes are checked and, if it has findings, drawn again."""
    path = Path(found.path)
    if found.problem is not None:
        return _Return(found, unreadable(path, "", input_finding(found.problem, found.detail)), None)
    try:
        data = read_bytes(path)
    except InputError as exc:
        return _Return(found, unreadable(path, "", input_finding(exc.code, exc.detail)), None)
    result = read_data(path, data, registry=registry)
    # The same bytes again, for the raw cells the feedback workbook is drawn from (read_data keeps none).
    book = open_workbook(data, registry) if result.report is not None and _to_fix(result.findings) else None
    return _Return(found, result, book)


def _winners(returns: list[_Return]) -> list[_Return]:
    """One return per network: the one saved last (then by name); the others noted on it. Input order kept."""
    groups: dict[str, list[_Return]] = {}
    for r in returns:
        key = network_key(_network(r.result, r.book))
        if r.result.report is not None and key:
            groups.setdefault(f"{r.result.report.year}\0{key}", []).append(r)
    losers: set[int] = set()
    for group in groups.values():
        winner = max(group, key=_saved_order)
        winner.superseded = sorted((Path(r.file.path) for r in group if r is not winner), key=str)
        losers.update(id(r) for r in group if r is not winner)
    return [r for r in returns if id(r) not in losers]


def _saved_order(r: _Return) -> tuple[Any, ...]:
    saved = r.result.saved_at
    if saved is not None and saved.tzinfo is None:
        saved = saved.replace(tzinfo=UTC)
    stamp = saved.timestamp() if saved is not None else float("-inf")
    return (stamp, Path(r.file.path).name, str(r.file.path))


# ---------------------------------------------------------------- what to write for each return


def _plan(returns: list[_Return], entries: dict[str, RosterEntry], deadline: str,
          registry: Registry) -> list[_Planned]:
    signature = _signature(returns, registry)
    return [_plan_one(r, entries, deadline, registry, signature) for r in returns]


def _plan_one(r: _Return, entries: dict[str, RosterEntry], deadline: str, registry: Registry,
              signature: Text) -> _Planned:
    result, path = r.result, Path(r.file.path)
    report = result.report
    if report is None:
        shown = Path(r.file.name).name
        text = message_text(result, language="nb", deadline=deadline, authority=signature.nb, file_name=shown)
        done = FeedbackResult("", path, None, path, 1, "unreadable")
        return _Planned(done, _clean_stem(Path(shown).stem), None, text)
    network = _network(result, r.book)
    entry = entries.get(network_key(network)) if network else None
    language = entry.language if entry else result.language
    definition = registry.lookup(report.form_id, report.form_version)
    authority = Form(definition, report.year, 1, language).t(definition.defaults.authority)
    sheet = Form(definition, report.year, 1, result.language).sheet("feedback")
    text = message_text(result, language=language, network=network, deadline=_deadline(deadline, entry, language),
                        authority=authority, sheet=sheet)
    listed = _to_fix(result.findings)
    data = None
    if listed and r.book is not None:
        data = feedback_workbook(r.book, result, _deadline(deadline, entry, result.language))
    base = safe_file_name(network, report.year)[: -len(".xlsx")] if network else _clean_stem(path.stem)
    status = "feedback" if data is not None else "receipt"
    done = FeedbackResult(network, path, None, path, len(listed), status, language, tuple(r.superseded))
    return _Planned(done, base, data, text)


def _deadline(given: str, entry: RosterEntry | None, language: str) -> str:
    if given:
        return given
    return deadline_text(entry.deadline, language) if entry is not None and entry.deadline else ""


def _outputs(planned: list[_Planned], out_dir: Path) -> list[Output]:
    """The files to write; a name two returns would share gets -2, -3 … in input order."""
    used: set[str] = set()
    outputs = []
    for p in planned:
        base, n = p.base, 1
        while base.casefold() in used:
            n += 1
            base = f"{p.base}-{n}"
        used.add(base.casefold())
        p.result.message = out_dir / (base + MESSAGE_SUFFIX)
        outputs.append(Output(p.result.message, p.message.encode("utf-8")))
        if p.workbook is not None:
            p.result.workbook = out_dir / (base + WORKBOOK_SUFFIX)
            outputs.append(Output(p.result.workbook, p.workbook))
    return outputs


def _network(result: ReadResult, book: Workbook | None) -> str:
    report = result.report
    if report is None:
        return ""
    names = (report.network_id, report.partnership.network, book.form.network if book else "")
    return next((" ".join(n.split()) for n in names if n and n.strip()), "")


def _signature(returns: list[_Return], registry: Registry) -> Text:
    """Who signs a message about a file that is not a form: the authority of the first form read in this run."""
    for r in returns:
        report = r.result.report
        if report is not None:
            return registry.lookup(report.form_id, report.form_version).defaults.authority
    return registry.definitions[-1].defaults.authority


def _clean_stem(stem: str) -> str:
    """A file's stem made safe as a file name on Windows too."""
    cleaned = re.sub(r'[<>:"/\\|?*\x00-\x1f]+', "-", stem).strip(" .-")
    return cleaned[:100] or "fil"


# ---------------------------------------------------------------- findings


def _to_fix(findings: Sequence[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity in (Severity.ERROR, Severity.WARNING)]


_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


def _rank(f: Finding) -> int:
    return _RANK[f.severity]


def _first_cell(cell: str) -> str:
    return cell.split(":", 1)[0].replace("$", "")


def _workbook_order(findings: list[Finding], sheets: Sequence[str]) -> list[Finding]:
    """Findings without a cell first, then sheet by sheet, row by row; errors first within a cell."""
    order = {name: i for i, name in enumerate(sheets)}

    def key(f: Finding) -> tuple[Any, ...]:
        if not f.cell:
            return (0, order.get(f.sheet or "", -1), 0, 0, _rank(f))
        letters = "".join(c for c in _first_cell(f.cell) if c.isalpha())
        digits = int("".join(c for c in _first_cell(f.cell) if c.isdigit()) or 0)
        return (1, order.get(f.sheet or "", len(order)), digits, (len(letters), letters), _rank(f))

    return sorted(findings, key=key)  # stable: equal keys keep the checker's order


def _where(f: Finding) -> str:
    return f"{f.sheet}!{f.cell}" if f.sheet and f.cell else (f.sheet or "")


def _text(f: Finding, language: str) -> str:
    """The finding's message, with what the feedback workbook itself has already put right."""
    note = _NOTES.get(f.code)
    return f"{f.message} {note[language]}" if note else f.message


def _line(f: Finding, language: str) -> str:
    """One line of the e-mail's list: where, then the message (on one line, as a list item needs)."""
    where, text = _where(f), " ".join(_text(f, language).split())
    return text if not where or text.startswith(where) else f"{where}: {text}"


# ---------------------------------------------------------------- the messages


def _fix_body(listed: list[Finding], language: str, sheet: str) -> list[str]:
    t = _TEXTS[language]
    items = "\n".join(f"{n}. {_line(f, language)}" for n, f in enumerate(listed, 1))
    marked = t["marked_one" if len(listed) == 1 else "marked_many"]
    return [t["found"].format(n=len(listed)), items, marked.format(sheet=sheet)]


def _unreadable_body(problem: Finding, language: str, name: str) -> list[str]:
    what, ask = _UNREADABLE.get(problem.code, _UNREADABLE["*"])
    ask = ask if ask is not None else _ASK_FORM
    return [what[language].format(name=name), ask[language]]


# ---------------------------------------------------------------- the feedback sheet

_WIDTHS = (12.0, 18.0, 64.0)
_FILL = {Severity.ERROR: "#FFC7CE", Severity.WARNING: "#FFEB9C"}
_FONT = {Severity.ERROR: "#9C0006", Severity.WARNING: "#7F6000"}
_HEAD_ROW = 3


def _draw_feedback_sheet(book: Any, _writer: Any, *, form: Form, layout: Layout, findings: list[Finding],
                         network: str, deadline: str) -> None:
    """The first sheet: a short introduction, then one row per finding with a link to its cell."""
    t = _TEXTS[form.language]
    ws = book.add_worksheet(form.sheet("feedback"))
    fmt = _formats(book)
    for col, width in enumerate(_WIDTHS):
        ws.set_column(col, col, width)
    total = sum(_WIDTHS)
    title = t["title"].format(network=network) if network else t["title_plain"]
    ws.merge_range(0, 0, 0, 2, title, fmt["title"])
    ws.set_row(0, text_height(title, total / 1.4, minimum=24.0, font=11))
    intro = _intro(form, len(findings), deadline)
    ws.merge_range(1, 0, 1, 2, intro, fmt["intro"])
    ws.set_row(1, text_height(intro, total))
    ws.set_row(2, 8.0)
    for col, head in enumerate(t["columns"]):
        ws.write_string(_HEAD_ROW, col, head, fmt["head"])
    visible = {s.name for s in layout.sheets if not s.hidden}
    for row, f in enumerate(_workbook_order(findings, layout.sheet_names), _HEAD_ROW + 1):
        _finding_row(ws, row, f, form.language, visible, fmt)
    _print_setup(ws, form, network, _HEAD_ROW + len(findings))
    ws.protect("", {"format_rows": True})
    ws.activate()


def _finding_row(ws: Any, row: int, f: Finding, language: str, visible: set[str], fmt: dict[str, Any]) -> None:
    t = _TEXTS[language]
    label = f.severity.label if language == "nb" else t["severity"][f.severity.value]
    ws.write_string(row, 0, label, fmt[f.severity.value])
    text = _text(f, language)
    if f.sheet and f.cell and f.sheet in visible:
        where = f"{f.sheet}!{f.cell}"
        ws.write_url(row, 1, f"internal:{quote_sheetname(f.sheet)}!{f.cell}", fmt["link"], string=where)
    else:
        where = _where(f) or t["whole_workbook"]
        ws.write_string(row, 1, where, fmt["cell"])
    ws.write_string(row, 2, text, fmt["cell"])
    ws.set_row(row, max(text_height(text, _WIDTHS[2]), text_height(where, _WIDTHS[1]), LINE_HEIGHT))


def _intro(form: Form, n: int, deadline: str) -> str:
    t = _TEXTS[form.language]
    address = form.definition.defaults.address
    send = t["send_by"].format(address=address, deadline=deadline) if deadline else t["send"].format(address=address)
    return " ".join([t["intro_one" if n == 1 else "intro_many"].format(n=n), t["intro_marks"], send])


def _formats(book: Any) -> dict[str, Any]:
    top = {"valign": "top", "text_wrap": True, "border": 1, "border_color": "#BFBFBF"}
    fmt = {
        "title": book.add_format({"bold": True, "font_size": 14, "font_color": "#1F4E79", "valign": "vcenter",
                                  "text_wrap": True}),
        "intro": book.add_format({"text_wrap": True, "valign": "top"}),
        "head": book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "valign": "vcenter"}),
        "cell": book.add_format(top),
        "link": book.add_format({**top, "font_color": "#0563C1", "underline": 1}),
    }
    for severity in (Severity.ERROR, Severity.WARNING):
        fmt[severity.value] = book.add_format({**top, "bold": True, "bg_color": _FILL[severity],
                                               "font_color": _FONT[severity]})
    return fmt


def _print_setup(ws: Any, form: Form, network: str, last_row: int) -> None:
    ws.freeze_panes(_HEAD_ROW + 1, 0)
    ws.repeat_rows(_HEAD_ROW)
    ws.set_paper(9)
    ws.set_portrait()
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.5, right=0.5, top=0.75, bottom=0.75)
    ws.set_header(f"&L{network.replace('&', '&&')}&R&A", {"scale_with_doc": False})
    ws.set_footer(f"&L{form.title.replace('&', '&&')}&R{form.text('page_footer')}", {"scale_with_doc": False})
    ws.print_area(0, 0, last_row, len(_WIDTHS) - 1)


# ---------------------------------------------------------------- texts (Bokmål and Nynorsk)

_TEXTS: dict[str, dict[str, Any]] = {
    "nb": {
        "hello": "Hei!",
        "thanks": "Takk for behovsmeldingen fra {network}.",
        "thanks_plain": "Takk for behovsmeldingen.",
        "thanks_mail": "Takk for e-posten med behovsmeldingen.",
        "receipt": "Vi har kontrollert skjemaet og fant ingen feil. Behovsmeldingen er registrert.",
        "found": "Vi har kontrollert skjemaet og funnet {n} forhold som må rettes:",
        "marked_one": "I den vedlagte arbeidsboken er feltet merket med farge, og arket «{sheet}» først i "
                      "arbeidsboken viser det samme. Rett feltet i den arbeidsboken, og send den tilbake som svar "
                      "på denne e-posten.",
        "marked_many": "I den vedlagte arbeidsboken er feltene merket med farge, og arket «{sheet}» først i "
                       "arbeidsboken viser den samme listen. Rett feltene i den arbeidsboken, og send den tilbake "
                       "som svar på denne e-posten.",
        "answer_by": "Vi ber om svar innen {deadline}.",
        "contact": "Ta kontakt hvis noe er uklart.",
        "regards": "Med vennlig hilsen",
        "title": "Tilbakemelding på behovsmeldingen fra {network}",
        "title_plain": "Tilbakemelding på behovsmeldingen",
        "intro_one": "Vi har kontrollert behovsmeldingen og funnet ett forhold som må rettes. Det står nedenfor.",
        "intro_many": "Vi har kontrollert behovsmeldingen og funnet {n} forhold som må rettes. De står i listen "
                      "nedenfor.",
        "intro_marks": "Cellene det gjelder, er merket med farge og har en merknad med den samme teksten. Klikk på "
                       "stedet i kolonnen «Sted» for å gå dit.",
        "send": "Rett det som står her, lagre arbeidsboken og send den tilbake til {address}.",
        "send_by": "Rett det som står her, lagre arbeidsboken og send den tilbake til {address} innen {deadline}.",
        "columns": ("Alvorlighet", "Sted", "Merknad"),
        "whole_workbook": "Hele arbeidsboken",
        "severity": {"error": "Feil", "warning": "Advarsel"},
    },
    "nn": {
        "hello": "Hei!",
        "thanks": "Takk for behovsmeldinga frå {network}.",
        "thanks_plain": "Takk for behovsmeldinga.",
        "thanks_mail": "Takk for e-posten med behovsmeldinga.",
        "receipt": "Vi har kontrollert skjemaet og fann ingen feil. Behovsmeldinga er registrert.",
        "found": "Vi har kontrollert skjemaet og funne {n} forhold som må rettast:",
        "marked_one": "I den vedlagde arbeidsboka er feltet merka med farge, og arket «{sheet}» først i "
                      "arbeidsboka viser det same. Rett feltet i den arbeidsboka, og send ho tilbake som svar på "
                      "denne e-posten.",
        "marked_many": "I den vedlagde arbeidsboka er felta merka med farge, og arket «{sheet}» først i "
                       "arbeidsboka viser den same lista. Rett felta i den arbeidsboka, og send ho tilbake som svar "
                       "på denne e-posten.",
        "answer_by": "Vi bed om svar innan {deadline}.",
        "contact": "Ta kontakt dersom noko er uklart.",
        "regards": "Med venleg helsing",
        "title": "Tilbakemelding på behovsmeldinga frå {network}",
        "title_plain": "Tilbakemelding på behovsmeldinga",
        "intro_one": "Vi har kontrollert behovsmeldinga og funne eitt forhold som må rettast. Det står nedanfor.",
        "intro_many": "Vi har kontrollert behovsmeldinga og funne {n} forhold som må rettast. Dei står i lista "
                      "nedanfor.",
        "intro_marks": "Cellene det gjeld, er merka med farge og har ein merknad med den same teksten. Klikk på "
                       "staden i kolonnen «Stad» for å gå dit.",
        "send": "Rett det som står her, lagre arbeidsboka og send ho tilbake til {address}.",
        "send_by": "Rett det som står her, lagre arbeidsboka og send ho tilbake til {address} innan {deadline}.",
        "columns": ("Alvorsgrad", "Stad", "Merknad"),
        "whole_workbook": "Heile arbeidsboka",
        "severity": {"error": "Feil", "warning": "Åtvaring"},
    },
}

#: What the feedback workbook has already put right, said after the finding's own message.
_RESTORED = {"nb": "Skjemaets formel er nå satt inn igjen.", "nn": "Formelen i skjemaet er no sett inn att."}
_NOTES: dict[str, dict[str, str]] = {
    "formula-replaced": _RESTORED,
    "formula-changed": _RESTORED,
    "formula-in-input": {"nb": "Formelen er nå erstattet med verdien.", "nn": "Formelen er no bytt ut med verdien."},
    "stale-value": {"nb": "Tallet er nå regnet ut på nytt.", "nn": "Talet er no rekna ut på nytt."},
    "extra-sheet": {"nb": "Arket er ikke med i arbeidsboken vi sender tilbake.",
                    "nn": "Arket er ikkje med i arbeidsboka vi sender tilbake."},
    "sheet-missing": {"nb": "Arket er nå satt inn igjen, med tomme felt.",
                      "nn": "Arket er no sett inn att, med tomme felt."},
}

_ASK_FORM = {
    "nb": "Vi trenger behovsmeldingen i Excel-skjemaet (.xlsx) som dere fikk tilsendt. Fyll ut skjemaet, og send det "
          "som svar på denne e-posten.",
    "nn": "Vi treng behovsmeldinga i Excel-skjemaet (.xlsx) som de fekk tilsendt. Fyll ut skjemaet, og send det som "
          "svar på denne e-posten.",
}
_ASK_XLSX = {
    "nb": "Lagre skjemaet som Excel-arbeidsbok (.xlsx), og send det som svar på denne e-posten.",
    "nn": "Lagre skjemaet som Excel-arbeidsbok (.xlsx), og send det som svar på denne e-posten.",
}
_ASK_NO_PASSWORD = {
    "nb": "Send skjemaet på nytt uten passord, som svar på denne e-posten.",
    "nn": "Send skjemaet på nytt utan passord, som svar på denne e-posten.",
}
_ASK_AGAIN = {
    "nb": "Send det utfylte Excel-skjemaet (.xlsx) på nytt, som svar på denne e-posten.",
    "nn": "Send det utfylte Excel-skjemaet (.xlsx) på nytt, som svar på denne e-posten.",
}

_PASSWORD = {"nb": "Filen «{name}» er beskyttet med passord, så vi kan ikke åpne den.",
             "nn": "Fila «{name}» er verna med passord, så vi kan ikkje opne ho."}

#: What an unreadable file was, told to the network, and what we ask for (None: the filled-in form).
_UNREADABLE: dict[str, tuple[dict[str, str], dict[str, str] | None]] = {
    "word-file": ({"nb": "Filen «{name}» er et Word-dokument.", "nn": "Fila «{name}» er eit Word-dokument."}, None),
    "pdf-file": ({"nb": "Filen «{name}» er en PDF-fil.", "nn": "Fila «{name}» er ei PDF-fil."}, None),
    "image-file": ({"nb": "Filen «{name}» er et bilde.", "nn": "Fila «{name}» er eit bilete."}, None),
    "email-file": ({"nb": "Filen «{name}» er en lagret e-post, ikke skjemaet.",
                    "nn": "Fila «{name}» er ein lagra e-post, ikkje skjemaet."}, None),
    "ods-file": ({"nb": "Filen «{name}» er et regneark fra LibreOffice eller OpenOffice (.ods), ikke en "
                        "Excel-arbeidsbok.",
                  "nn": "Fila «{name}» er eit rekneark frå LibreOffice eller OpenOffice (.ods), ikkje ei "
                        "Excel-arbeidsbok."}, _ASK_XLSX),
    "xls-file": ({"nb": "Filen «{name}» er lagret i et eldre eller annet Excel-format (.xls eller .xlsb).",
                  "nn": "Fila «{name}» er lagra i eit eldre eller anna Excel-format (.xls eller .xlsb)."}, _ASK_XLSX),
    "not-xlsx": ({"nb": "Filen «{name}» er ikke en Excel-arbeidsbok (.xlsx).",
                  "nn": "Fila «{name}» er ikkje ei Excel-arbeidsbok (.xlsx)."}, None),
    "not-our-form": ({"nb": "Filen «{name}» er en Excel-arbeidsbok, men ikke behovsmeldingsskjemaet vi sendte dere.",
                      "nn": "Fila «{name}» er ei Excel-arbeidsbok, men ikkje behovsmeldingsskjemaet vi sende dykk."},
                     None),
    "encrypted": (_PASSWORD, _ASK_NO_PASSWORD),
    "zip-password": (_PASSWORD, _ASK_NO_PASSWORD),
    "empty-file": ({"nb": "Filen «{name}» er tom.", "nn": "Fila «{name}» er tom."}, _ASK_AGAIN),
    "corrupt": ({"nb": "Filen «{name}» er skadet, så vi kan ikke åpne den.",
                 "nn": "Fila «{name}» er øydelagd, så vi kan ikkje opne ho."}, _ASK_AGAIN),
    "*": ({"nb": "Vi kunne ikke lese filen «{name}».", "nn": "Vi kunne ikkje lese fila «{name}»."}, _ASK_AGAIN),
}

