"""Who the owners of a report are: one rule, used by every check that counts or compares owners.

The owners field is free text: «Træna, Lurøy, Leirfjord og Alstahaug kommuner»,
«Bodø & Fauske», one per line. It is split on commas, semicolons, line breaks, «&»,
«/» and the words «og»/«and», then the partners listed as owners are added. The split
is a single pass over the text (no regular expression that could backtrack), and the
text is cut to a sane length first.
"""

from __future__ import annotations

from .models import Report

_SEPARATORS = ",;\n&/+"
_WORDS = {"og", "and"}
_GENERIC = {"kommune", "kommuner", "kommunar", "kommunene", "kommunane"}
#: Nobody lists owners in more characters than this.
MAX_OWNERS_TEXT = 2_000

#: The kinds of partner a report names.
PARTNER_KINDS = ("owner", "uh", "fagskole")

# ---------------------------------------------------------------- public API


def split_owners(text: str | None) -> list[str]:
    """The owner names in an owners field, in order, spacing collapsed."""
    if not text:
        return []
    parts: list[str] = []
    words: list[str] = []
    for token in _tokens(text[:MAX_OWNERS_TEXT]):
        if token is None or token.casefold() in _WORDS:
            if words:
                parts.append(" ".join(words))
            words = []
        else:
            words.append(token)
    if words:
        parts.append(" ".join(words))
    return [p for p in parts if owner_key(p)]


def owner_names(report: Report) -> list[str]:
    """The owners of a report: the owners field, then the partners listed as owners; each once."""
    names = split_owners(report.partnership.owners)
    names += [" ".join((p.name or "").split()) for p in report.partners if p.kind == "owner" and p.name]
    seen: set[str] = set()
    out = []
    for name in names:
        key = owner_key(name)
        if key and key not in seen:
            seen.add(key)
            out.append(name)
    return out


def owner_key(name: str) -> str:
    """An owner compared without case, spacing or the words «kommune», «kommuner»."""
    return " ".join(w for w in name.casefold().split() if w not in _GENERIC)


# ---------------------------------------------------------------- helpers


def _tokens(text: str) -> list[str | None]:
    """Words, with None where a separator stands."""
    out: list[str | None] = []
    word: list[str] = []
    for ch in text:
        if ch in _SEPARATORS or ch.isspace():
            if word:
                out.append("".join(word))
                word = []
            if ch in _SEPARATORS:
                out.append(None)
        else:
            word.append(ch)
    if word:
        out.append("".join(word))
    return out


def uh_partners(report: Report) -> list[tuple[str, str]]:
    """The UH and fagskole partners of a report, (name, kind): the partnership's, then the partners'; each once."""
    found = [(report.partnership.uh or "", report.partnership.uh_kind or "uh")]
    found += [(p.name or "", p.kind or "uh") for p in report.partners if p.kind in ("uh", "fagskole")]
    out: dict[str, tuple[str, str]] = {}
    for name, kind in found:
        name = " ".join(name.split())
        if owner_key(name):
            out.setdefault(owner_key(name), (name, kind if kind in PARTNER_KINDS else "uh"))
    return list(out.values())
