"""Recognise behovxl's own outputs by their content, so that a later run into the same folder skips them.

The regional workbook carries a marker in its document properties (keywords), the
JSON a top-level `"behovxl"` key, and the CSV files and feedback messages a header
line of their own. File names are never trusted for this: an adviser renames files.
"""

from __future__ import annotations

import io
import zipfile

#: The marker in the regional workbook's document properties (docProps/core.xml, cp:keywords).
REGIONAL_MARKER = "behovxl:regional"
#: The marker in every JSON file behovxl writes: {"behovxl": "<kind>", ...}.
JSON_KEY = "behovxl"

# ---------------------------------------------------------------- public API


def own_output(name: str, data: bytes) -> str:
    """Which of behovxl's outputs this is ("" if none): regional workbook, JSON, CSV or message."""
    head = data[:4096]
    if head.startswith(b"PK") and _is_regional(data):
        return "regional arbeidsbok"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"{") and f'"{JSON_KEY}"'.encode() in head[:200]:
        return "JSON-fil"
    if head.startswith(BOM) and any(head[len(BOM) :].startswith(h.encode()) for h in CSV_HEADS.values()):
        return "CSV-fil"
    return ""


BOM = "\ufeff".encode()
#: How each CSV file behovxl writes begins (after the BOM): its first columns. tests/test_regional.py and
#: tests/test_innstilling.py check every CSV file against them.
CSV_HEADS = {
    "oversikt": "Nettverk;Levert;Status;Eiere;",
    "ordninger": "Ordning;Nettverk;Eier (tiltak);",
    "tiltak": "Nettverk;Nr.;Prioritet;Tiltak;",
    "videreforing": "Ordning;Nettverk;Tiltak;",
    "eiere-og-uh": "Eier/UH;Type;Nettverk;",
    "sammenligning": "Ordning;Nettverk;Anslag fra ",
    "enheter": "Nettverk;Kommunale barnehager;",
    "kontakter": "Nettverk;Rolle;Navn;",
    "avvik": "Fil;Nettverk;Ark;Celle;Alvorlighet;",
    "kilder": "Fil;Status;Nettverk;",
    # written by `behovxl innstilling`
    "innstilling": "Nettverk;Nr.;Tiltak;Ordning;",
    "fordeling": "Nettverk;Ordning;Anbefalt eier;",
    "innstilling-avvik": "Ark;Celle;Alvorlighet;Kode;",
}


def is_lock_file(name: str) -> bool:
    """Office's lock file beside an open workbook: «~$skjema.xlsx»."""
    base = name.rsplit("/", 1)[-1]
    return base.startswith("~$")


# ---------------------------------------------------------------- helpers


def _is_regional(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            info = zf.getinfo("docProps/core.xml")
            if info.file_size > 64 * 1024:
                return False
            return REGIONAL_MARKER.encode() in zf.read(info)
    except (KeyError, zipfile.BadZipFile, OSError, ValueError, RuntimeError, EOFError):
        return False
