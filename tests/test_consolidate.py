"""Consolidation: the roster, every file accounted for, resubmissions, received times, determinism."""

from __future__ import annotations

import io
import json
import os
import re
import zipfile
from datetime import date

import pytest
from click.testing import CliRunner
from helpers import EXAMPLES, example_report, prefilled, typed

from behovxl.cli import main
from behovxl.consolidate import RosterStatus, Status, consolidate
from behovxl.regional import regional_bytes

RETURNED_2026 = EXAMPLES / "returned" / "2026"
RETURNED_2027 = EXAMPLES / "returned" / "2027"
ROSTER = EXAMPLES / "roster.csv"


def saved_at(data: bytes, when: str) -> bytes:
    """A workbook as if its network saved it at `when` (the document's modified time)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body, n = re.subn(rb"(<dcterms:modified[^>]*>)[^<]*(<)", rb"\g<1>" + when.encode() + rb"\2", body)
                assert n == 1
            dst.writestr(info, body)
    return out.getvalue()


def by_name(c):
    return {s.name: s for s in c.files}


# ---------------------------------------------------------------- the roster


@pytest.fixture(scope="module")
def round_2027():
    return consolidate(RETURNED_2027, roster=ROSTER, deadline=date(2027, 2, 1), jobs=1)


def test_every_roster_network_is_accounted_for(round_2027):
    statuses = {line.network: line.status for line in round_2027.roster}
    assert statuses == {
        "Kompetansenettverk Ytre Helgeland": RosterStatus.RETURNED, "Kompetansenettverk Indre Helgeland": RosterStatus.RETURNED,
        "Kompetansenettverk Salten": RosterStatus.RETURNED, "Kompetansenettverk Lofoten": RosterStatus.RETURNED,
        "Kompetansenettverk Vesterålen": RosterStatus.LATE, "Kompetansenettverk Ofoten": RosterStatus.MISSING,
        "Kompetansenettverk Vefsnregionen": RosterStatus.MISSING,
    }
    assert round_2027.summary().splitlines()[-1] == (
        "7 nettverk i listen: 5 har levert, 1 for sent, 2 mangler: Kompetansenettverk Ofoten, Kompetansenettverk Vefsnregionen.")
    assert round_2027.exit_code == 1


def test_a_late_return_is_counted_and_says_when(round_2027):
    vesteralen = next(n for n in round_2027.counted if n.name == "Kompetansenettverk Vesterålen")
    late = [f for f in vesteralen.source.findings if f.code == "returned-late"]
    assert [f.message for f in late] == ["Levert 03.02.2027 kl. 12.00, etter fristen 01.02.2027 kl. 23.59."]


def test_a_word_file_in_the_inbox_is_listed_and_named(round_2027):
    word = by_name(round_2027)["2027-01-30 Behovsmelding Vefsnregionen.docx"]
    assert word.status == Status.REJECTED
    assert word.reason == "Dette er et Word-dokument. Be nettverket fylle ut Excel-skjemaet."


def test_a_return_not_on_the_roster_is_a_warning(tmp_path):
    (tmp_path / "x.xlsx").write_bytes(prefilled(example_report("salten")))
    roster = tmp_path / "liste.csv"
    roster.write_text("Nettverk\nKompetansenettverk Lofoten\n", encoding="utf-8")
    c = consolidate(tmp_path / "x.xlsx", roster=roster, jobs=1)
    assert [n.name for n in c.counted] == ["Kompetansenettverk Salten"]
    assert "not-on-roster" in {f.code for f in c.counted[0].source.findings}
    assert [(line.network, line.status) for line in c.roster] == [("Kompetansenettverk Lofoten", RosterStatus.MISSING)]


def test_mixed_definitions_in_one_round(round_2027):
    forms = {n.name: n.report.form_id for n in round_2027.counted}
    assert forms["Kompetansenettverk Indre Helgeland"] == "behovsmelding-lokal-kompetanseutvikling"
    assert forms["Kompetansenettverk Salten"] == "behovsmelding-kollektiv-kompetanseutvikling"
    assert round_2027.year == 2027


# ---------------------------------------------------------------- nothing in a folder is ignored

KINDS = [
    ("skjema.docx", None, "word-file", "Word-dokument"),
    ("skjema.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "pdf-file", "PDF"),
    ("skjema.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64 + "Workbook".encode("utf-16-le") + b"\0" * 400, "xls-file", ".xls"),
    ("skjema.ods", None, "ods-file", ".ods"),
    ("skjema.msg", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64 + "__substg1.0_0037001F".encode("utf-16-le") + b"\0" * 400,
     "email-file", "e-post"),
    ("svar.eml", b"From: a@b.no\r\nTo: c@d.no\r\nSubject: Behovsmelding\r\nMIME-Version: 1.0\r\n\r\nHei", "email-file", "e-post"),
    ("bilde.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "image-file", "bilde"),
    ("notat.txt", b"Vi sender skjemaet neste uke.\n", "not-xlsx", "Excel-arbeidsbok"),
]


def _ods() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", "<office:document-content/>")
    return out.getvalue()


def _docx() -> bytes:
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_examples", EXAMPLES / "make_examples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.word_document("Behovsmelding")


@pytest.mark.parametrize("name, data, code, words", KINDS)
def test_every_kind_of_file_is_listed_with_what_it_is(tmp_path, name, data, code, words):
    inbox = tmp_path / "innkommet"
    inbox.mkdir()
    (inbox / name).write_bytes(data if data is not None else (_docx() if name.endswith(".docx") else _ods()))
    (inbox / "salten.xlsx").write_bytes(prefilled(example_report("salten")))
    c = consolidate(inbox, jobs=1)
    source = by_name(c)[name]
    assert source.status == Status.REJECTED
    assert [f.code for f in source.findings] == [code]
    assert words in source.reason
    assert len(c.files) == 2 and len(c.counted) == 1


def test_lock_files_and_earlier_outputs_are_skipped_and_said_to_be(tmp_path):
    inbox = tmp_path / "innkommet"
    inbox.mkdir()
    (inbox / "salten.xlsx").write_bytes(prefilled(example_report("salten")))
    (inbox / "~$salten.xlsx").write_bytes(b"\0" * 162)
    result = CliRunner().invoke(main, ["consolidate", str(tmp_path / "innkommet"), "-o", str(tmp_path / "r.xlsx"),
                                       "--json", str(tmp_path / "r.json"), "--csv", str(tmp_path / "csv")])
    assert result.exit_code == 0, result.output
    for name in ("r.xlsx", "r.json"):
        (inbox / f"forrige-{name}").write_bytes((tmp_path / name).read_bytes())
    (inbox / "forrige-avvik.csv").write_bytes((tmp_path / "csv" / "avvik.csv").read_bytes())
    c = consolidate(inbox, jobs=1)
    skipped = {s.name: s.findings[0].code for s in c.files if s.status == Status.SKIPPED}
    assert skipped == {"~$salten.xlsx": "skipped-lock-file", "forrige-r.xlsx": "skipped-own-output",
                       "forrige-r.json": "skipped-own-output", "forrige-avvik.csv": "skipped-own-output"}
    assert c.exit_code == 0


def test_a_string_input_is_one_folder_not_its_characters():
    c = consolidate(str(RETURNED_2026), jobs=1)
    assert len(c.files) == 4 and len(c.counted) == 4


# ---------------------------------------------------------------- resubmissions


def test_a_later_submission_supersedes_the_earlier_with_info_on_each(tmp_path):
    salten = example_report("salten")
    (tmp_path / "a.xlsx").write_bytes(saved_at(typed(salten, {"declared_measures": 4}), "2027-01-20T09:00:00Z"))
    (tmp_path / "b.xlsx").write_bytes(saved_at(prefilled(salten), "2027-01-25T14:30:00+01:00"))
    c = consolidate(tmp_path, jobs=1)
    first, second = by_name(c)["a.xlsx"], by_name(c)["b.xlsx"]
    assert (first.status, second.status) == (Status.SUPERSEDED, Status.IMPORTED)
    assert [f.message for f in first.findings if f.code == "superseded"] == [
        "Erstattet av «b.xlsx», levert 25.01.2027 kl. 14.30. Denne filen er ikke telt med."]
    assert [f.message for f in second.findings] == ["Erstatter «a.xlsx», levert 20.01.2027 kl. 10.00."]
    assert c.counted[0].source is second and c.exit_code == 1  # the superseded file's own error still shows


def test_the_utc_offset_of_a_save_time_decides_which_is_later(tmp_path):
    salten = example_report("salten")
    # 10:30+02:00 is 08:30 UTC, earlier than 09:00 UTC: the second file is the later one.
    (tmp_path / "a.xlsx").write_bytes(saved_at(typed(salten, {"declared_measures": 4}), "2027-01-20T10:30:00+02:00"))
    (tmp_path / "b.xlsx").write_bytes(saved_at(prefilled(salten), "2027-01-20T09:00:00Z"))
    assert by_name(consolidate(tmp_path, jobs=1))["b.xlsx"].status == Status.IMPORTED


def test_the_same_save_time_with_different_content_is_an_error(tmp_path):
    salten = example_report("salten")
    (tmp_path / "a.xlsx").write_bytes(saved_at(typed(salten, {"declared_measures": 4}), "2027-01-20T09:00:00Z"))
    (tmp_path / "b.xlsx").write_bytes(saved_at(prefilled(salten), "2027-01-20T09:00:00Z"))
    c = consolidate(tmp_path, jobs=1)
    codes = {s.name: {f.code for f in s.findings} for s in c.files}
    assert "order-unknown" in codes["a.xlsx"] and "order-unknown" in codes["b.xlsx"]


def test_a_date_only_save_time_is_valid(tmp_path):
    (tmp_path / "a.xlsx").write_bytes(saved_at(prefilled(example_report("salten")), "2027-01-20"))
    c = consolidate(tmp_path, jobs=1)
    assert c.files[0].status == Status.IMPORTED and c.files[0].saved_at is not None


def test_the_same_file_twice_counts_once(tmp_path):
    data = prefilled(example_report("salten"))
    (tmp_path / "a.xlsx").write_bytes(data)
    (tmp_path / "kopi.xlsx").write_bytes(data)
    c = consolidate(tmp_path, jobs=1)
    assert [s.status for s in c.files] == [Status.IMPORTED, Status.DUPLICATE]


def test_an_invisible_character_does_not_make_a_second_network(tmp_path):
    salten = example_report("salten")
    (tmp_path / "a.xlsx").write_bytes(saved_at(prefilled(salten), "2027-01-20T09:00:00Z"))
    sneaky = salten.model_copy(deep=True)
    sneaky.network_id = "Kompetanse\u200bnettverk Salten"
    (tmp_path / "b.xlsx").write_bytes(saved_at(prefilled(sneaky), "2027-01-21T09:00:00Z"))
    c = consolidate(tmp_path, jobs=1)
    assert len(c.counted) == 1 and by_name(c)["a.xlsx"].status == Status.SUPERSEDED


def test_a_resend_with_the_same_name_for_another_network_is_an_error(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "skjema.xlsx").write_bytes(saved_at(prefilled(example_report("salten")), "2027-01-20T09:00:00Z"))
    (tmp_path / "b" / "skjema.xlsx").write_bytes(saved_at(prefilled(example_report("lofoten")), "2027-01-22T09:00:00Z"))
    c = consolidate(tmp_path, jobs=1)
    assert "resubmission-mismatch" in {f.code for f in by_name(c)["b/skjema.xlsx"].findings}


def test_an_owner_in_two_networks_splits_the_owner_list_one_way(tmp_path):
    a, b = example_report("salten"), example_report("lofoten")
    a.partnership.owners = "Bodø & Fauske"
    b.partnership.owners, b.measures[0].scheme = "Fauske kommune og Vågan", "dekom"
    (tmp_path / "a.xlsx").write_bytes(prefilled(a))
    (tmp_path / "b.xlsx").write_bytes(prefilled(b))
    c = consolidate(tmp_path, jobs=1)
    owners = {f.message.split("«")[1].split("»")[0] for s in c.files for f in s.findings if f.code == "owner-in-two-networks"}
    assert owners == {"Fauske kommune"}


# ---------------------------------------------------------------- received times, determinism


def test_received_time_comes_from_the_file_name_else_the_modification_time(tmp_path):
    data = prefilled(example_report("salten"))
    (tmp_path / "2027-01-28 salten.xlsx").write_bytes(data)
    (tmp_path / "lofoten.xlsx").write_bytes(prefilled(example_report("lofoten")))
    os.utime(tmp_path / "lofoten.xlsx", (1_800_000_000, 1_800_000_000))
    c = consolidate(tmp_path, jobs=1)
    received = {s.name: s.received.isoformat() for s in c.files}
    assert received["2027-01-28 salten.xlsx"].startswith("2027-01-28T12:00:00")
    assert received["lofoten.xlsx"] == "2027-01-15T08:00:00+00:00"


def test_the_regional_workbook_is_the_same_whatever_the_job_count():
    one = consolidate(RETURNED_2027, roster=ROSTER, deadline=date(2027, 2, 1), jobs=1)
    two = consolidate(RETURNED_2027, roster=ROSTER, deadline=date(2027, 2, 1), jobs=2)
    assert regional_bytes(one) == regional_bytes(two)


def test_consolidate_cli_reports_the_roster_and_exits_1(tmp_path):
    result = CliRunner().invoke(main, ["consolidate", str(RETURNED_2027), "-o", str(tmp_path / "r.xlsx"),
                                       "--roster", str(ROSTER), "--deadline", "2027-02-01", "--json", str(tmp_path / "r.json")])
    assert result.exit_code == 1, result.output
    assert "2 mangler: Kompetansenettverk Ofoten, Kompetansenettverk Vefsnregionen." in result.output
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert data["behovxl"] == "consolidation"
