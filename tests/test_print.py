"""How the forms print, measured in LibreOffice's PDF: A4 portrait, body text at least 9 pt, no empty measure pages.

pdftotext's word boxes are about as tall as the printed font size (11 pt text at 100 % gives
boxes of about 11.2 pt), so the most common box height on a page is its body text size.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from helpers import NEW_FORM, blank_form, example_report, prefilled
from libreoffice import convert

from behovxl.writer import workbook_bytes

pytestmark = pytest.mark.libreoffice

_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')


def pages(pdf: Path) -> list[list[tuple[float, str]]]:
    """Each page: its words as (box height, text), in reading order."""
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext (poppler-utils) is needed to measure the printed pages")
    html = pdf.with_suffix(".html")
    subprocess.run(["pdftotext", "-bbox", str(pdf), str(html)], check=True)
    return [[(float(w[3]) - float(w[1]), w[4]) for w in _WORD.findall(page)]
            for page in html.read_text(encoding="utf-8").split("<page ")[1:]]


def page_size(pdf: Path) -> tuple[float, float]:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    w, h = re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups()
    return float(w), float(h)


def _printed(tmp_path: Path, data: bytes, name: str) -> Path:
    src = tmp_path / f"{name}.xlsx"
    src.write_bytes(data)
    return convert(src, tmp_path / "pdf", "pdf")


def _body(words: list[tuple[float, str]]) -> float:
    return Counter(round(h, 1) for h, _ in words).most_common(1)[0][0]


@pytest.mark.parametrize("language, form_id, year", [("nb", None, 2026), ("nn", NEW_FORM, 2027)])
def test_form_sheets_print_on_a4_portrait_at_full_size(tmp_path, language, form_id, year):
    report = example_report("salten")
    data = prefilled(report, language=language) if language == "nb" else workbook_bytes(
        blank_form(year, 3, language, form_id, network="Kompetansenettverk Salten"))
    pdf = _printed(tmp_path, data, f"salten-{language}")
    width, height = page_size(pdf)
    assert (round(width), round(height)) == (595, 842)  # A4 portrait
    sheets = {"nb": ("Partnerskap", "Tiltak 1"), "nn": ("Partnarskap", "Tiltak 1")}[language]
    measured = {}
    for words in pages(pdf):
        header = " ".join(text for _, text in words[:6])
        for sheet in sheets:
            if f"Salten {sheet} " in header + " " and sheet not in measured:
                measured[sheet] = _body(words)
    assert set(measured) == set(sheets), measured
    for sheet, size in measured.items():
        assert 9.9 <= size <= 11.6, (sheet, size)  # 11 pt body text at 90–100 %


def test_a_returned_form_prints_no_empty_measure_pages(tmp_path):
    report = example_report("indre-helgeland-rana")
    pdf = _printed(tmp_path, prefilled(report), "rana")
    measure_pages = [words for words in pages(pdf) if any(text.startswith("Tiltak") for _, text in words[:4])]
    assert measure_pages and all(len(words) > 20 for words in measure_pages)
    assert {text for words in measure_pages for _, text in words[:6] if re.fullmatch(r"\d", text)} <= {"1", "2", "3", "4"}
