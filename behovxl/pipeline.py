"""Read one returned file: the one function that composes the workbook layer, the reader and the checks.

`read(path)` never raises for a bad file: whatever is wrong with it becomes a finding,
and the result says whether the file could be read at all. The file is opened for
reading only; its bytes are never written anywhere.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from .checks import check
from .findings import Finding, Severity, count, finding, sort_findings
from .inputs import InputError, read_bytes
from .isolate import Failure, run_isolated
from .limits import DEFAULT_LIMITS, Limits
from .models import Report
from .reader import read_report
from .registry import Registry
from .workbook import NotAForm, Opener, open_workbook

# ---------------------------------------------------------------- public API


@dataclass
class ReadResult:
    """What became of one file: its report (None if unreadable) and every finding, in workbook order."""

    file: Path
    sha256: str
    status: str  # "ok" | "errors" | "unreadable"
    report: Report | None
    findings: list[Finding] = field(default_factory=list)
    saved_at: datetime | None = None
    language: str = "nb"
    sheets: list[str] = field(default_factory=list)  # the file's own sheet order

    @property
    def errors(self) -> int:
        return count(self.findings, Severity.ERROR)

    @property
    def warnings(self) -> int:
        return count(self.findings, Severity.WARNING)


def read(path: str | Path, *, registry: Registry | None = None, limits: Limits = DEFAULT_LIMITS,
         opener: Opener | None = None) -> ReadResult:
    """Read and check one returned workbook. Never raises for a bad file."""
    path = Path(path)
    try:
        data = read_bytes(path, limits)
    except InputError as exc:
        return unreadable(path, "", input_finding(exc.code, exc.detail))
    return read_data(path, data, registry=registry, limits=limits, opener=opener)


def read_data(path: Path, data: bytes, *, registry: Registry | None = None, limits: Limits = DEFAULT_LIMITS,
              opener: Opener | None = None) -> ReadResult:
    digest = hashlib.sha256(data).hexdigest()
    try:
        book = open_workbook(data, registry or Registry.default(), limits, opener)
    except NotAForm as exc:
        return unreadable(path, digest, exc.finding)
    report, findings = read_report(book)
    findings += check(book, report)
    sheets = [s.name for s in book.layout.sheets]
    status = "errors" if any(f.severity == Severity.ERROR for f in findings) else "ok"
    return ReadResult(path, digest, status, report, sort_findings(findings, sheets), book.saved_at,
                      book.form.language, sheets)


def unreadable(path: Path, digest: str, problem: Finding) -> ReadResult:
    return ReadResult(path, digest, "unreadable", None, [problem])


def input_finding(code: str, detail: str) -> Finding:
    """A file that could not even be read from disk."""
    if code == "not-regular-file":
        return finding("not-regular-file")
    if code == "too-large":
        return finding("too-large", detail=detail)
    return finding("cannot-open", detail=detail.rstrip("."))


# ---------------------------------------------------------------- many files, each in isolation


@dataclass(frozen=True)
class ReadJob:
    path: Path
    forms: tuple[Path, ...] = ()         # extra definition files or folders (`--forms`)
    limits: Limits = DEFAULT_LIMITS


def read_many(paths: list[Path], *, forms: tuple[Path, ...] = (), jobs: int | None = None,
              limits: Limits = DEFAULT_LIMITS, progress: Callable[[], None] | None = None) -> Iterator[ReadResult]:
    """Read every file, each in a worker of its own with a time and a memory limit, results in order.

    A file that hangs, exhausts memory, crashes its worker or meets a bug in behovxl costs that
    file only: it becomes an unreadable result with the reason, and the others go on.
    """
    items = [ReadJob(Path(p), tuple(forms), limits) for p in paths]
    return run_isolated(_read_job, items, jobs=jobs, seconds=limits.seconds, memory_bytes=limits.memory_bytes,
                        on_failure=_failed, progress=progress)


def registry_for(forms: tuple[Path, ...]) -> Registry:
    return _registry(tuple(str(f) for f in forms))


LOG_NAME = "behovxl-intern-feil.log"


def log_internal_error(text: str) -> Path:
    """Keep a traceback where the user's message can name it."""
    path = Path(tempfile.gettempdir()) / LOG_NAME
    with contextlib.suppress(OSError):
        with path.open("a", encoding="utf-8") as fh:
            fh.write(f"--- {datetime.now().isoformat(timespec='seconds')}\n{text}\n")
    return path


def _read_job(job: ReadJob) -> ReadResult:
    return read(job.path, registry=registry_for(job.forms), limits=job.limits)


@functools.lru_cache(maxsize=8)
def _registry(forms: tuple[str, ...]) -> Registry:
    registry = Registry.default()
    return registry.with_files(Path(f) for f in forms) if forms else registry


def _failed(job: ReadJob, failure: Failure) -> ReadResult:
    if failure.kind == "timeout":
        problem = finding("timeout", detail=f"{job.limits.seconds:g}")
    elif failure.kind == "memory":
        problem = finding("out-of-memory")
    else:
        problem = finding("internal-error", detail=str(log_internal_error(f"{job.path}\n{failure.detail}")))
    digest = ""
    with contextlib.suppress(InputError):
        digest = hashlib.sha256(read_bytes(job.path, job.limits)).hexdigest()
    return unreadable(job.path, digest, problem)
