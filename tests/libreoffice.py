"""LibreOffice (soffice) helpers for the test suite. Not a test module.

Import it as ``from libreoffice import recalc`` (``tests/`` is on sys.path
through ``tests/conftest.py``) or use the ``lo_recalc`` fixture.

Every call runs ``soffice --headless`` with a throw-away user profile, so
runs never share state, never touch the real ``~/.config/libreoffice`` and
can run in parallel.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

__all__ = [
    "REQUIRE_ENV",
    "SKIP_REASON",
    "TIMEOUT_S",
    "convert",
    "recalc",
    "require_libreoffice",
    "save_as_libreoffice",
    "soffice_path",
]

REQUIRE_ENV = "BEHOVXL_REQUIRE_LIBREOFFICE"
SKIP_REASON = (
    "LibreOffice (soffice) not found; install libreoffice-calc-nogui or set "
    "BEHOVXL_REQUIRE_LIBREOFFICE=1 to make this a failure"
)
TIMEOUT_S = 600

# The shell form is --convert-to xlsx:"Calc MS Excel 2007 XML"; as one argv
# element (no shell) the filter name must NOT carry the quotes.
XLSX_FILTER = "xlsx:Calc MS Excel 2007 XML"

# OOXMLRecalcMode 0 = "always recalculate" when loading an xlsx file, so the
# values LibreOffice writes back are its own, not the cached ones.
PROFILE_XCU = """\
<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""

_FALLBACK_PATHS = (
    "/usr/bin/soffice",
    "/usr/lib/libreoffice/program/soffice",
    "/opt/libreoffice/program/soffice",
    "/Applications/LibreOffice.app/Contents/MacOS/soffice",
)


def soffice_path() -> str | None:
    """Path of the soffice executable, or None if LibreOffice is missing."""
    found = shutil.which("soffice")
    if found:
        return found
    for candidate in _FALLBACK_PATHS:
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def libreoffice_required() -> bool:
    """True if BEHOVXL_REQUIRE_LIBREOFFICE asks for a failure, not a skip."""
    return os.environ.get(REQUIRE_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


def require_libreoffice() -> str:
    """Return the soffice path; otherwise skip (or fail if required)."""
    import pytest

    path = soffice_path()
    if path is None:
        if libreoffice_required():
            pytest.fail(SKIP_REASON, pytrace=False)
        pytest.skip(SKIP_REASON)
    return path


def _run_soffice(args: list[str], *, cwd: Path) -> subprocess.CompletedProcess[str]:
    # Own session/process group so a timeout can kill soffice.bin too, not
    # just the shell wrapper /usr/bin/soffice.
    proc = subprocess.Popen(
        args,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = proc.communicate(timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        stdout, stderr = proc.communicate()
        raise RuntimeError(
            f"soffice timed out after {TIMEOUT_S} s: {' '.join(args)}\n"
            f"stdout:\n{stdout}\nstderr:\n{stderr}"
        ) from None
    return subprocess.CompletedProcess(args, proc.returncode, stdout, stderr)


def convert(src: Path, dst_dir: Path, convert_to: str) -> Path:
    """Convert ``src`` with headless LibreOffice; return the output path.

    ``convert_to`` is the ``--convert-to`` argument, e.g. ``"csv"``,
    ``"pdf"`` or ``"xlsx:Calc MS Excel 2007 XML"`` (one argv element, no
    shell quoting). The output is
    ``dst_dir/<src stem>.<extension>``, replacing an existing file. ``src``
    is never modified: soffice works on a copy in a temporary directory.
    The profile used always recalculates formulas on load.
    """
    soffice = soffice_path()
    if soffice is None:
        raise RuntimeError(SKIP_REASON)
    src = Path(src).resolve()
    dst_dir = Path(dst_dir).resolve()
    if not src.is_file():
        raise FileNotFoundError(src)
    ext = convert_to.split(":", 1)[0]
    target = dst_dir / f"{src.stem}.{ext}"
    if target == src:
        raise ValueError(
            f"output {target} would overwrite the source file; use another dst_dir"
        )
    dst_dir.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory(prefix="behovxl-lo-") as tmp:
        tmp_path = Path(tmp)
        profile = tmp_path / "profile"
        (profile / "user").mkdir(parents=True)
        (profile / "user" / "registrymodifications.xcu").write_text(
            PROFILE_XCU, encoding="utf-8"
        )
        work_in = tmp_path / "in"
        work_out = tmp_path / "out"
        work_in.mkdir()
        work_out.mkdir()
        copy = work_in / src.name
        shutil.copyfile(src, copy)

        args = [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--nologo",
            "--nolockcheck",
            "--convert-to",
            convert_to,
            "--outdir",
            str(work_out),
            str(copy),
        ]
        result = _run_soffice(args, cwd=tmp_path)
        # soffice exits 0 even when the export fails, so check the file.
        produced = work_out / target.name
        if not produced.is_file():
            raise RuntimeError(
                f"LibreOffice did not produce {target.name} "
                f"(exit code {result.returncode}).\n"
                f"command: {' '.join(args)}\n"
                f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
            )
        shutil.move(str(produced), target)
    return target


def recalc(src: Path, dst_dir: Path) -> Path:
    """Open ``src`` in LibreOffice, recalculate everything, save as xlsx.

    Returns ``dst_dir/<src stem>.xlsx``, whose cached cell values are the
    ones LibreOffice computed (read them with openpyxl ``data_only=True``).
    The same call also serves as "a file saved by LibreOffice", see
    :func:`save_as_libreoffice`. ``src`` is not modified; ``dst_dir`` must
    not be the directory holding ``src`` if ``src`` is itself an ``.xlsx``.
    """
    return convert(src, dst_dir, XLSX_FILTER)


#: A file "saved by LibreOffice" is exactly the output of :func:`recalc`.
save_as_libreoffice = recalc


def recalc_many(sources: list[Path], dst_dir: Path, batch: int = 40) -> list[Path]:
    """Recalculate and save many workbooks, starting LibreOffice once per `batch` files.

    Returns the outputs in the order of `sources` (dst_dir/<stem>.xlsx); stems must be unique.
    """
    soffice = soffice_path()
    if soffice is None:
        raise RuntimeError(SKIP_REASON)
    dst_dir = Path(dst_dir).resolve()
    dst_dir.mkdir(parents=True, exist_ok=True)
    out: list[Path] = []
    for start in range(0, len(sources), batch):
        chunk = [Path(s).resolve() for s in sources[start : start + batch]]
        with tempfile.TemporaryDirectory(prefix="behovxl-lo-") as tmp:
            tmp_path = Path(tmp)
            profile = tmp_path / "profile"
            (profile / "user").mkdir(parents=True)
            (profile / "user" / "registrymodifications.xcu").write_text(PROFILE_XCU, encoding="utf-8")
            work_in = tmp_path / "in"
            work_in.mkdir()
            copies = []
            for src in chunk:
                copies.append(work_in / src.name)
                shutil.copyfile(src, copies[-1])
            args = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore", "--nologo",
                    "--nolockcheck", "--convert-to", XLSX_FILTER, "--outdir", str(tmp_path / "out"),
                    *map(str, copies)]
            result = _run_soffice(args, cwd=tmp_path)
            for src in chunk:
                produced = tmp_path / "out" / f"{src.stem}.xlsx"
                if not produced.is_file():
                    raise RuntimeError(f"LibreOffice did not produce {produced.name}: {result.stderr}")
                target = dst_dir / produced.name
                shutil.move(str(produced), target)
                out.append(target)
    return out
