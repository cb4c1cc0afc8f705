"""The Nynorsk is real Nynorsk: every word checked against the official spelling.

Every Nynorsk text behovxl shows (the form definitions, the catalogue of findings, the
feedback messages) is split into words, and each word must be known to Norsk ordbank's
Nynorsk lexicon (the 2012 norm, as Debian's apertium-nno-nob ships it; `lt-proc`
analyses each word, compounds included). The lexicon also knows some forms that are
Bokmål only in practice, so a list of those is refused outright.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from behovxl.definition import Text
from behovxl.findings import CATALOGUE
from behovxl.registry import Registry

LEXICON = Path("/usr/share/apertium/apertium-nno-nob/nno-nob.automorf.bin")
REQUIRE_ENV = "BEHOVXL_REQUIRE_NYNORSK"

#: Forms that the lexicon tolerates but that are Bokmål, with the Nynorsk word to write instead.
BOKMAL_ONLY = {
    "ikke": "ikkje", "hva": "kva", "hvem": "kven", "hvis": "dersom", "hvordan": "korleis", "hvor": "kvar",
    "hver": "kvar", "hvert": "kvart", "bare": "berre", "noe": "noko", "mye": "mykje", "fra": "frå", "jeg": "eg",
    "dere": "de", "deres": "dykkar", "være": "vere", "vært": "vore", "egen": "eigen", "eget": "eige",
    "egne": "eigne", "tilskudd": "tilskot", "eier": "eigar", "eiere": "eigarar", "skole": "skule",
    "høgskole": "høgskule", "navn": "namn", "antall": "tal", "enhet": "eining", "enheter": "einingar",
    "veiledning": "rettleiing", "begrunnelse": "grunngiving", "lønnsmidler": "lønsmidlar", "midler": "midlar",
    "tjenester": "tenester", "ansatte": "tilsette", "videreføring": "vidareføring", "varighet": "varigheit",
    "partnerskap": "partnarskap", "egenandel": "eigendel", "trenger": "treng", "mangler": "manglar",
    "kommer": "kjem", "gjelder": "gjeld", "krever": "krev", "ble": "vart", "lest": "lesen", "skrevet": "skrive",
}
#: Names, abbreviations and technical words that are not in a dictionary.
NAMES = {"behovxl", "uh", "sfo", "rekom", "dekom", "pp", "ppt", "ok", "pdf", "xlsx", "xls", "xlsb", "ods", "msg", "eml",
         "excel", "word", "libreoffice", "openoffice", "office", "zip", "xml", "dtd", "mb", "kr", "nn", "nb",
         "statsforvaltaren", "nordland", "sfnopost", "statsforvalteren", "no", "kommune", "uit", "hvl", "nord",
         "forskrift", "utdanningsavdelinga", "kompetanseløftet", "oppsummering", "skjemainfo", "e", "post",
         "namn@kommune", "namn@uh", "desentralisert", "regional", "kollektiv", "xlsm", "inkl"}
#: Compounds the lexicon does not list whole: each is checked by its parts.
COMPOUNDS = {"låsefil": ("lås", "fil"), "totalsummen": ("total", "summen"), "fagdagar": ("fag", "dagar")}


def _texts_of(value: Any) -> list[str]:
    """Every Nynorsk text inside a definition model."""
    if isinstance(value, Text):
        return [value.nn]
    if isinstance(value, BaseModel):
        return [t for name in type(value).model_fields for t in _texts_of(getattr(value, name))]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _texts_of(v)]
    if isinstance(value, (list, tuple)):
        return [t for v in value for t in _texts_of(v)]
    return []


def nynorsk_texts() -> list[str]:
    from behovxl import feedback

    texts = [t for d in Registry.default().definitions for t in _texts_of(d)]
    texts += [e.nn for e in CATALOGUE]
    texts += [v for v in _texts_in(feedback._TEXTS["nn"])]
    return texts


def _texts_in(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _texts_in(v)]
    if isinstance(value, (list, tuple)):
        return [t for v in value for t in _texts_in(v)]
    return []


def words(texts: list[str]) -> set[str]:
    found: set[str] = set()
    for text in texts:
        text = re.sub(r"\{[^}]*\}|&[A-Z]|\S+@\S+|\S+\.(no|xlsx|toml|csv)\b", " ", text)
        for token in re.findall(r"[A-Za-zÆØÅæøåÉéÈèÔô]+(?:-[A-Za-zÆØÅæøå]+)*", text):
            for part in token.split("-"):
                if part and not (part.isupper() and len(part) <= 6):
                    found.add(part.lower())
    return found - NAMES


def _lexicon() -> Path:
    if shutil.which("lt-proc") is None or not LEXICON.exists():
        message = "Norsk ordbank's Nynorsk lexicon is needed (apt-get install apertium-nno-nob)"
        if os.environ.get(REQUIRE_ENV) == "1":
            pytest.fail(message)
        pytest.skip(message)
    return LEXICON


def unknown(forms: set[str]) -> set[str]:
    lexicon = _lexicon()
    ordered = sorted(forms)
    out = subprocess.run(["lt-proc", "-e", str(lexicon)], input="\n".join(ordered) + "\n", capture_output=True,
                         text=True, check=True).stdout
    analysed = dict(re.findall(r"\^([^/$]*)/([^$]*)\$", out))
    return {f for f in ordered if analysed.get(f, "*").startswith("*")}


def test_every_nynorsk_word_is_in_the_official_spelling():
    forms = words(nynorsk_texts())
    assert len(forms) > 400
    missing = unknown(forms)
    assert missing - set(COMPOUNDS) == set()
    assert unknown({part for word in missing for part in COMPOUNDS[word]}) == set()


def test_no_bokmal_only_forms_in_the_nynorsk():
    forms = words(nynorsk_texts())
    wrong = {f: BOKMAL_ONLY[f] for f in forms if f in BOKMAL_ONLY}
    assert wrong == {}


def test_the_check_itself_catches_bokmal():
    assert words(["Skjemaet er ikke fylt ut"]) & set(BOKMAL_ONLY) == {"ikke"}
    assert unknown({"vidareføring", "xyzzyvord"}) == {"xyzzyvord"}
