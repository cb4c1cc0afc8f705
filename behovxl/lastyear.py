"""Last round, to compare with: last year's `consolidate --json` or `innstilling --json`.

Which of the two a file is, its top-level `"behovxl"` key says. From a consolidation it
takes each network's estimates for this round (the first continuation row of each
measure, «høst Y+1», which is also what next year's form carries as *fjorårets anslag*)
and its request; from an innstilling it takes the recommendation per network and scheme,
the request, and the estimates the innstilling carried along. Networks are matched by
name the way the roster matches them; schemes by key (the caller maps old keys to the
schemes that replace them).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import UsageError
from .limits import DEFAULT_LIMITS, Limits
from .roster import network_key

__all__ = ["LastYear", "read_last_year"]

# ---------------------------------------------------------------- public API

Key = tuple[str, str]  # (network key, scheme key)


@dataclass(frozen=True)
class LastYear:
    kind: str                                    # "consolidation" or "innstilling"
    year: int | None
    file: str
    names: dict[str, str] = field(default_factory=dict)               # network key -> name as written then
    estimates: dict[Key, tuple[int, int]] = field(default_factory=dict)  # estimate for this round: (owner, UH)
    requested: dict[Key, int] = field(default_factory=dict)          # last year's request, coordinator included
    allocated: dict[Key, int] = field(default_factory=dict)          # the innstilling; empty for a consolidation

    @property
    def label(self) -> str:
        return str(self.year) if self.year else "i fjor"


def read_last_year(path: Path, limits: Limits = DEFAULT_LIMITS) -> LastYear:
    """Read last round's JSON; UsageError in Bokmål if it is not one of behovxl's two kinds."""
    from .inputs import InputError, read_bytes

    path = Path(path)
    try:
        data = json.loads(read_bytes(path, limits).decode("utf-8-sig"))
    except InputError as exc:
        raise UsageError(f"{path}: {exc.detail}") from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise UsageError(f"{path}: filen er ikke JSON. --last-year skal være fjorårets JSON fra "
                         "«behovxl consolidate --json» eller «behovxl innstilling --json».") from None
    kind = data.get("behovxl") if isinstance(data, dict) else None
    if kind == "consolidation":
        return _from_consolidation(path, data)
    if kind == "innstilling":
        return _from_innstilling(path, data)
    raise UsageError(f"{path}: dette er ikke en JSON-fil fra «behovxl consolidate» eller «behovxl innstilling» "
                     "(nøkkelen «behovxl» mangler eller er ukjent). Bruk fjorårets fil fra en av dem.")


# ---------------------------------------------------------------- helpers


def _from_consolidation(path: Path, data: dict[str, Any]) -> LastYear:
    from pydantic import ValidationError

    from .models import Report

    out = LastYear("consolidation", _year(data), str(path))
    for n, raw in enumerate(_list(path, data, "networks"), start=1):
        try:
            report = Report.model_validate(raw)
        except ValidationError:
            raise UsageError(f"{path}: nettverk nr. {n} i «networks» er ikke en gyldig rapport. Bruk fila slik "
                             "«behovxl consolidate --json» skrev den.") from None
        key = network_key(report.network_name)
        if not key:
            continue
        out.names.setdefault(key, report.network_name)
        for m in report.measures:
            scheme = m.scheme or ""
            first = m.continuation[0]
            if first.owner is not None or first.uh is not None:
                owner, uh = out.estimates.get((key, scheme), (0, 0))
                out.estimates[(key, scheme)] = (owner + (first.owner or 0), uh + (first.uh or 0))
            out.requested[(key, scheme)] = out.requested.get((key, scheme), 0) + m.total
        for scheme, req in report.coordinator.items():
            if req.amount:
                out.requested[(key, scheme)] = out.requested.get((key, scheme), 0) + req.amount
    return out


def _from_innstilling(path: Path, data: dict[str, Any]) -> LastYear:
    out = LastYear("innstilling", _year(data), str(path))
    for n, raw in enumerate(_list(path, data, "networks"), start=1):
        name = raw.get("network") if isinstance(raw, dict) else None
        schemes = raw.get("schemes") if isinstance(raw, dict) else None
        if not isinstance(name, str) or not isinstance(schemes, dict):
            raise UsageError(f"{path}: nettverk nr. {n} i «networks» mangler «network» eller «schemes». Bruk fila "
                             "slik «behovxl innstilling --json» skrev den.")
        key = network_key(name)
        out.names.setdefault(key, name)
        for scheme, fig in schemes.items():
            if not isinstance(fig, dict):
                continue
            out.allocated[(key, scheme)] = _whole(fig.get("total"))
            out.requested[(key, scheme)] = _whole(fig.get("requested"))
            est = fig.get("estimate_next_round")
            if isinstance(est, dict):
                out.estimates[(key, scheme)] = (_whole(est.get("owner")), _whole(est.get("uh")))
    return out


def _list(path: Path, data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key)
    if not isinstance(value, list):
        raise UsageError(f"{path}: «{key}» mangler eller er ikke en liste.")
    return value


def _year(data: dict[str, Any]) -> int | None:
    year = data.get("year")
    return year if isinstance(year, int) and not isinstance(year, bool) else None


def _whole(value: Any) -> int:
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return 0
