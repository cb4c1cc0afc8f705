"""Writing files safely: every output of a run is replaced together, or none is; no input is ever written.

Each output is first written to a temporary file in its own folder, named
`.behovxl-tmp-<pid>-<name>` so that it is recognisable; only when all of them are
complete are they renamed into place, the old files kept aside until every rename has
succeeded and put back if one fails. A run removes temporary files left behind by an
earlier run that was killed (whose process no longer exists).

`refuse_inputs` is called before anything is read: no output path may be an input
file, or lie inside an input folder the run reads.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from .errors import OutputError
from .oserror import reason

TEMP_PREFIX = ".behovxl-tmp-"

# ---------------------------------------------------------------- public API


#: An output's content: the bytes, or a function that writes them to an open file. A function
#: lets a big output be made while it is written, one output at a time, so that the outputs of
#: a run are never all in memory together.
Content = bytes | Callable[[BinaryIO], None]


@dataclass(frozen=True)
class Output:
    path: Path
    data: Content


@dataclass(frozen=True)
class FolderOutput:
    """A folder of files (the CSV export) replaced as a whole."""

    path: Path
    files: Mapping[str, Content]


def check_output_path(path: Path, kind: str = "file") -> None:
    """A clear Bokmål error for a path we cannot or must not write, before any work is done.

    `kind`: "file"; "folder", a folder replaced as a whole (the CSV files); or "into", a folder
    that files are written into, which may hold other files.
    """
    path = Path(path)
    what = "filen" if kind == "file" else "mappen"
    shown = _shown(path)
    if kind == "file" and path.is_dir():
        raise OutputError(f"Kan ikke skrive {what} {shown}: det finnes allerede en mappe med det navnet. Velg et filnavn.")
    if kind in ("folder", "into") and path.exists() and not path.is_dir():
        raise OutputError(f"Kan ikke skrive {what} {shown}: det finnes allerede en fil med det navnet. Velg et mappenavn.")
    if path.exists() and not path.is_dir() and not path.is_file():
        raise OutputError(f"Kan ikke skrive {what} {shown}: det er ikke en vanlig fil (for eksempel en enhet).")
    parent = _existing_parent(path)
    if parent is None or not parent.is_dir():
        raise OutputError(f"Kan ikke skrive {what} {shown}: mappen den skal ligge i, finnes ikke.")
    if str(parent.resolve()).startswith(("/proc", "/sys", "/dev")):
        raise OutputError(f"Kan ikke skrive {what} {shown}: det er en systemmappe, ikke en vanlig mappe.")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(f"Kan ikke skrive {what} {shown}: ingen skrivetilgang til mappen {_shown(parent)}.")
    if path.exists() and not os.access(path, os.W_OK) and kind == "file":
        raise OutputError(f"Kan ikke skrive {what} {shown}: filen er skrivebeskyttet.")
    if kind == "folder" and path.is_dir():
        foreign = _foreign_files(path)
        if foreign:
            raise OutputError(f"Kan ikke skrive {what} {shown}: den inneholder andre filer enn behovxls egne CSV-filer "
                              f"(for eksempel «{foreign}»), og hele mappen blir erstattet. Velg en ny eller tom mappe.")


def refuse_inputs(outputs: Iterable[Path], inputs: Iterable[Path], folders: Iterable[Path] = ()) -> None:
    """No output may be an input file, or lie inside an input folder: a returned workbook is never written."""
    files = {_real(p) for p in inputs}
    roots = [_real(p) for p in folders]
    for out in outputs:
        target = _real(out)
        if target in files:
            raise OutputError(f"{_shown(out)} er en av filene som skal leses. Innsendte filer blir aldri skrevet over; "
                              "velg et annet navn for utdata.")
        for root in roots:
            if target == root or root in target.parents:
                raise OutputError(f"{_shown(out)} ligger i mappen {_shown(root)}, som skal leses. Legg utdata i en annen "
                                  "mappe, slik at ingen innsendt fil kan bli skrevet over.")
        for inside in [*files, *roots]:
            if target in inside.parents:
                raise OutputError(f"{_shown(out)} er en mappe som inneholder filer som skal leses ({_shown(inside)}). "
                                  "Legg utdata i en annen mappe, slik at ingen innsendt fil kan bli skrevet over.")


def write_outputs(outputs: Sequence[Output | FolderOutput], folder: Path | None = None) -> None:
    """Write every output, or none of them; OutputError says which and why."""
    if folder is not None:
        _make_folder(Path(folder))
    for out in outputs:
        check_output_path(out.path, "folder" if isinstance(out, FolderOutput) else "file")
    for parent in {Path(o.path).absolute().parent for o in outputs}:
        clean_stale(parent)
    staged: list[tuple[Path, Path]] = []
    try:
        for out in outputs:
            staged.append((_stage(out), Path(out.path).absolute()))
        _swap_all(staged)
    except BaseException as exc:  # whatever fails, even a content function, leaves no temporary file
        for temp, _ in staged:
            _remove(temp)
        if isinstance(exc, OSError):
            raise OutputError(f"Kan ikke skrive utdata: {_reason(exc)}. Ingen filer er endret.") from None
        raise


def clean_stale(folder: Path) -> None:
    """Finish or undo what an earlier run that was killed left in `folder`, then remove its temporary files.

    A journal that is not marked done means the run was killed while it swapped its outputs
    in: the old outputs are put back, so the set stays whole (all old). A done journal only
    leaves old copies to remove.
    """
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith(TEMP_PREFIX) and entry.name.endswith(_JOURNAL) and not _alive(_pid_of(entry.name)):
            _recover(Path(entry.path))
    for entry in entries:
        if entry.name.startswith(TEMP_PREFIX) and not _alive(_pid_of(entry.name)):
            _remove(Path(entry.path))


# ---------------------------------------------------------------- helpers


def _temp_name(target: Path) -> Path:
    return target.parent / f"{TEMP_PREFIX}{os.getpid()}-{target.name}"


def _stage(out: Output | FolderOutput) -> Path:
    target = Path(out.path).absolute()
    temp = _temp_name(target)
    _remove(temp)
    try:
        if isinstance(out, FolderOutput):
            temp.mkdir()
            for name, data in out.files.items():
                _write_file(temp / name, data)
        else:
            _write_file(temp, out.data)
    except BaseException:
        _remove(temp)  # a half-written temporary is never left behind
        raise
    return temp


def _write_file(path: Path, data: Content) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    with os.fdopen(fd, "wb") as fh:
        if isinstance(data, bytes):
            fh.write(data)
        else:
            data(fh)
        fh.flush()
        os.fsync(fh.fileno())


_JOURNAL = "-journal.json"


def _swap_all(staged: list[tuple[Path, Path]]) -> None:
    """Move the old outputs aside and the new ones in, under a journal a later run can finish or undo."""
    if not staged:
        return
    moves = [{"target": str(target), "temp": str(temp),
              "backup": str(target.parent / f"{TEMP_PREFIX}{os.getpid()}-old-{target.name}")} for temp, target in staged]
    journal = staged[0][1].parent / f"{TEMP_PREFIX}{os.getpid()}{_JOURNAL}"
    _write_journal(journal, moves, done=False)
    try:
        for move in moves:
            target, backup = Path(move["target"]), Path(move["backup"])
            _remove(backup)
            if target.exists() or target.is_symlink():
                os.replace(target, backup) if not target.is_dir() else target.rename(backup)
            temp = Path(move["temp"])
            os.replace(temp, target) if not temp.is_dir() else temp.rename(target)
    except OSError:
        _undo(moves)
        _remove(journal)
        raise
    _write_journal(journal, moves, done=True)
    for move in moves:
        _remove(Path(move["backup"]))
    _remove(journal)


def _write_journal(path: Path, moves: list[dict[str, str]], done: bool) -> None:
    temp = path.with_name(path.name + ".new")
    _remove(temp)
    _write_file(temp, json.dumps({"done": done, "moves": moves}, ensure_ascii=False).encode("utf-8"))
    os.replace(temp, path)


def _recover(journal: Path) -> None:
    try:
        data = json.loads(journal.read_text(encoding="utf-8"))
        moves = [{k: str(v) for k, v in m.items()} for m in data["moves"]]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return
    if not data.get("done"):
        _undo(moves)
    for move in moves:
        _remove(Path(move["backup"]))
        _remove(Path(move["temp"]))
    _remove(journal)


def _undo(moves: list[dict[str, str]]) -> None:
    """Put every old output back where a new one may already stand."""
    for move in reversed(moves):
        target, backup = Path(move["target"]), Path(move["backup"])
        if backup.exists() or backup.is_symlink():
            with contextlib.suppress(OSError):
                _remove(target)
                backup.rename(target)


def _foreign_files(folder: Path) -> str:
    """A file in an output folder that is not one of behovxl's own CSV files ("" if none)."""
    from .ownfiles import own_output

    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return ""
    for entry in entries:
        if entry.name.startswith(TEMP_PREFIX):
            continue
        if not entry.is_file(follow_symlinks=False):
            return entry.name
        try:
            with open(entry.path, "rb") as fh:
                head = fh.read(4096)
        except OSError:
            return entry.name
        if own_output(entry.name, head) != "CSV-fil":
            return entry.name
    return ""


def _make_folder(folder: Path) -> None:
    check_output_path(folder, "into")
    try:
        folder.mkdir(exist_ok=True)
    except OSError as exc:
        raise OutputError(f"Kan ikke lage mappen {_shown(folder)}: {_reason(exc)}.") from None


def _remove(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()


def _pid_of(name: str) -> int:
    rest = name[len(TEMP_PREFIX) :]
    head = rest.split("-", 1)[0]
    return int(head) if head.isdigit() else -1


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def _existing_parent(path: Path) -> Path | None:
    parent = path.absolute().parent
    return parent if parent.exists() else None


def _real(path: Path) -> Path:
    try:
        return Path(os.path.realpath(path))
    except (OSError, ValueError):
        return Path(path).absolute()


def _shown(path: Path) -> str:
    text = os.fsdecode(os.fspath(path))
    return text.encode("utf-8", "replace").decode("utf-8")


def _reason(exc: OSError) -> str:
    where = f" ({_shown(Path(exc.filename))})" if exc.filename else ""
    return reason(exc) + where


def temp_dir() -> str:
    return tempfile.gettempdir()
