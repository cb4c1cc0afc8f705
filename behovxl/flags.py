"""Which figures rest on flagged cells: a finding's cell path, as the figures it concerns.

A figure of the regional round (a measure's owner money, a scheme's sum, a continuation
estimate) carries the warnings and errors of every cell it is computed from, so the
regional workbook can mark it and the records can list the codes. The figure itself is
never corrected: it is what the network wrote.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from .findings import Finding, Severity

PARTS = ("owner", "coordinator", "uh")


class Flags:
    """A network's warnings and errors, by the figures they concern (see `targets`)."""

    def __init__(self, findings: Iterable[Finding]) -> None:
        self.by: dict[str, list[Finding]] = {}
        for f in findings:
            if f.severity in (Severity.ERROR, Severity.WARNING) and f.path:
                for t in targets(f.path):
                    self.by.setdefault(t, []).append(f)

    def get(self, *names: str) -> tuple[Finding, ...]:
        return union(*(tuple(self.by.get(n, ())) for n in names))

    def any(self, *names: str) -> bool:
        return any(n in self.by for n in names)


_PARTS_OF: dict[str, tuple[str, ...]] = {
    "owner": ("owner",), "coordinator": ("coordinator",), "owner_incl": ("owner", "coordinator"), "uh": ("uh",),
    "total": PARTS,
}
_PATHS: list[tuple[re.Pattern[str], Any]] = [
    (re.compile(r"measures\.(\d+)\.(owner|uh)_lines\.\d+\.amount"), lambda m: [f"m{m[1]}.{m[2]}"]),
    (re.compile(r"(?:summary\.)?measures\.(\d+)\.(owner|uh|cofunding|scheme)(?:_amount)?"),
     lambda m: [f"m{m[1]}.{m[2]}"]),
    (re.compile(r"(?:summary\.)?measures\.(\d+)\.total"), lambda m: [f"m{m[1]}.owner", f"m{m[1]}.uh"]),
    (re.compile(r"measures\.(\d+)\.continuation\.([123])\.(owner|uh)"), lambda m: [f"m{m[1]}.c{m[2]}.{m[3]}"]),
    (re.compile(r"coordinator\.([a-z0-9_]+)\.amount"), lambda m: [f"coord.{m[1]}"]),
    (re.compile(r"summary\.schemes\.([a-z0-9_]+)\.(owner|coordinator|owner_incl|uh|total)"),
     lambda m: [f"{'all' if m[1] == 'sum' else 'scheme.' + m[1]}.{p}" for p in _PARTS_OF[m[2]]]),
]


def targets(path: str) -> list[str]:
    """The figures a cell path concerns: `m3.owner` (measure 3's owner money), `m3.c1.uh` (its first
    continuation estimate for UH), `coord.dekom`, `scheme.dekom.uh` (the form's sum for the scheme),
    `all.owner` (the form's sum over all schemes)."""
    for pattern, make in _PATHS:
        m = pattern.fullmatch(path)
        if m:
            return list(make(m))
    return []


def union(*groups: tuple[Finding, ...]) -> tuple[Finding, ...]:
    seen: set[int] = set()
    out = []
    for group in groups:
        for f in group:
            if id(f) not in seen:
                seen.add(id(f))
                out.append(f)
    return tuple(out)
