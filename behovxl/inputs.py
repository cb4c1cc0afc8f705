"""Finding and reading input files safely: every path given is accounted for, none can hang us.

Returned workbooks arrive by e-mail and are saved by hand into folders, so a folder may
hold anything: links that point nowhere or in a ring, pipes, device files, folders named
like workbooks, files we may not read, names that are not valid UTF-8. `discover` turns
the paths a user gives into one flat, deterministic list in which each file, and each
thing that is not a readable file, appears as an `InputFile`; it never raises.
`read_bytes` reads one file with a size limit and never blocks on a pipe or a device.

Decisions:

* A folder, given or found inside one, is always walked, whatever its name (a folder
  named ``x.xlsx`` is walked too). So `discover` never yields "is-directory"; that code
  comes only from `read_bytes`, for a path that is a folder when it is read.
* Each real folder (st_dev, st_ino) is walked once per `discover` call. A folder link
  that leads back to a folder on the way down is a "symlink-loop"; a folder reached a
  second time any other way (given twice, given inside another one given, two links to
  it) is a "repeated-folder". Either way it is one entry named ``<shown name>/``.
* A file reached twice is listed each time: the layer above tells duplicates by content.
* "read-error" is any other OS error (an I/O error, say); its detail carries the OS reason.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import unicodedata
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .limits import DEFAULT_LIMITS, KiB, Limits, MiB

# ---------------------------------------------------------------- public API

INPUT_PROBLEMS = (
    "not-found",  # a path given that does not exist, or a link that points to nothing
    "permission-denied",  # a file we may not read
    "is-directory",  # only from read_bytes: discover walks every folder
    "not-regular-file",  # a pipe (FIFO), socket or device, also behind a link
    "symlink-loop",  # links in a ring (ELOOP), or a folder link back to a folder being walked
    "unreadable-folder",  # a folder whose entries cannot be listed
    "repeated-folder",  # a real folder already walked in this call, reached again
    "read-error",  # any other OS error; the detail carries the OS reason
    "empty-folder",  # a folder with nothing in it (listed, so that nothing given goes unmentioned)
)


@dataclass(frozen=True)
class InputFile:
    """One file found, or one thing found that is not a readable file."""

    #: The path as found (not resolved); opens the file, also for names that are not UTF-8.
    path: Path
    #: As shown to a user: the file name of a path given, or the POSIX-style path relative
    #: to the folder given ("sub/x.xlsx"); folder problems end in "/". Always printable.
    name: str
    #: None: a regular file we may read. Otherwise one of INPUT_PROBLEMS.
    problem: str | None
    #: Bokmål, for a user: what is wrong and what would be right.
    detail: str = ""


class InputError(Exception):
    """A file that cannot be read: `code` is one of INPUT_PROBLEMS or "too-large"."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


def discover(inputs: Iterable[str | os.PathLike[str]] | str | os.PathLike[str]) -> list[InputFile]:
    """Every file given, and every entry below every folder given, in a deterministic order.

    Inputs keep the order given; the entries of a folder given are sorted by shown name.
    A single str or path means one input. Never raises for a bad path.
    """
    if isinstance(inputs, (str, bytes, os.PathLike)):
        inputs = [inputs]
    walk = _Walk()
    found: list[InputFile] = []
    for given in inputs:
        found.extend(walk.given(os.fsdecode(given)))
    return found


def read_bytes(path: Path, limits: Limits = DEFAULT_LIMITS) -> bytes:
    """The whole content of a regular file of at most `limits.file_bytes` bytes, or InputError.

    The descriptor is opened non-blocking and checked with fstat before any read, so a pipe
    or a device is refused at once, and the bytes are counted as they arrive, so a file that
    grows while read, or that reports a size of 0 (/proc), stops at the limit.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise _read_failure(exc, path) from None
    except ValueError:  # a NUL character in the path: no file can have that name
        raise InputError("not-found", _MESSAGES["not-found"]) from None
    try:
        return _read_open(fd, limits.file_bytes)
    except OSError as exc:
        raise _read_failure(exc, path) from None
    finally:
        os.close(fd)


def sha256_file(path: Path, limits: Limits = DEFAULT_LIMITS) -> str | None:
    """The SHA-256 hex digest of a file's content, or None where `read_bytes` refuses it."""
    try:
        return hashlib.sha256(read_bytes(path, limits)).hexdigest()
    except InputError:
        return None


# ---------------------------------------------------------------- walking

_DirKey = tuple[int, int]
#: A folder to walk: its path, its path relative to the folder given, and the real folders
#: on the way down to it, itself included.
_Folder = tuple[str, str, frozenset[_DirKey]]
#: A folder link to walk later: path, relative path, the real folders above it, its target's stat.
_Link = tuple[str, str, frozenset[_DirKey], os.stat_result]


class _Walk:
    """The state of one `discover` call: which real folders were walked, and as what."""

    def __init__(self) -> None:
        self.walked: dict[_DirKey, str] = {}

    def given(self, raw: str) -> list[InputFile]:
        shown = _shown(os.path.basename(raw.rstrip("/" + os.sep)) or raw)
        looked = _look(raw)
        if not isinstance(looked, os.stat_result):
            return [looked.at(Path(raw), shown)]
        if not stat.S_ISDIR(looked.st_mode):
            return [_file_entry(raw, shown, looked)]
        repeat = self._enter(looked, frozenset(), shown)
        if repeat is not None:
            return [repeat.at(Path(raw), shown + "/")]
        return sorted(self._below(raw, shown, _key(looked)), key=_order)

    def _below(self, root: str, label: str, root_key: _DirKey | None) -> list[InputFile]:
        """Entries below a folder, with an explicit stack (no depth limit).

        Folder links wait until every real folder is taken, so a folder reached both ways
        is listed where it really is, and the link is the one reported as repeated.
        """
        found: list[InputFile] = []
        stack: list[_Folder] = [(root, "", _keys(root_key))]
        links: deque[_Link] = deque()
        while stack or links:
            if stack:
                found.extend(self._visit(stack.pop(), label, stack, links))
                continue
            path, rel, ancestors, st = links.popleft()
            problem = self._enter(st, ancestors, f"{label}/{rel}")
            if problem is None:
                stack.append((path, rel, ancestors | _keys(_key(st))))
            else:
                found.append(problem.at(Path(path), _shown(rel) + "/"))
        return found

    def _visit(self, folder: _Folder, label: str, stack: list[_Folder], links: deque[_Link]) -> list[InputFile]:
        """The files and problems in one folder; its subfolders go on `stack`, its folder links on `links`."""
        path, rel, ancestors = folder
        listed = _list(path)
        if isinstance(listed, _Problem):
            return [listed.at(Path(path), (_shown(rel) if rel else label) + "/")]
        found: list[InputFile] = []
        subfolders: list[_Folder] = []
        if not listed:
            return [InputFile(Path(path), (_shown(rel) if rel else label) + "/", "empty-folder", _EMPTY_FOLDER)]
        for entry_name, entry_path in listed:
            entry_rel = f"{rel}/{entry_name}" if rel else entry_name
            looked = _look(entry_path)
            if not isinstance(looked, os.stat_result):
                found.append(looked.at(Path(entry_path), _shown(entry_rel)))
            elif not stat.S_ISDIR(looked.st_mode):
                found.append(_file_entry(entry_path, _shown(entry_rel), looked))
            elif os.path.islink(entry_path):
                links.append((entry_path, entry_rel, ancestors, looked))
            elif (problem := self._enter(looked, ancestors, f"{label}/{entry_rel}")) is not None:
                found.append(problem.at(Path(entry_path), _shown(entry_rel) + "/"))
            else:
                subfolders.append((entry_path, entry_rel, ancestors | _keys(_key(looked))))
        stack.extend(reversed(subfolders))
        return found

    def _enter(self, st: os.stat_result, ancestors: frozenset[_DirKey], label: str) -> _Problem | None:
        """None if the folder is new (and now taken); otherwise why it is not walked."""
        key = _key(st)
        if key is None:
            return None
        if key in ancestors:
            return _Problem("symlink-loop", _LOOP_FOLDER.format(first=_shown(self.walked[key])))
        if key in self.walked:
            return _Problem("repeated-folder", _REPEATED_FOLDER.format(first=_shown(self.walked[key])))
        self.walked[key] = label
        return None


# ---------------------------------------------------------------- looking at one path


@dataclass(frozen=True)
class _Problem:
    code: str
    detail: str

    def at(self, path: Path, name: str) -> InputFile:
        return InputFile(path=path, name=name, problem=self.code, detail=self.detail)


def _look(path: str) -> os.stat_result | _Problem:
    """The stat of what a path leads to (links followed), or why there is nothing to look at."""
    try:
        return os.stat(path)
    except OSError as exc:
        if _is_missing(exc) and os.path.lexists(path):
            return _Problem("not-found", _DANGLING)
        code = _code_of(exc)
        return _Problem(code, _detail(code, exc))
    except ValueError:  # a NUL character in the path: no file can have that name
        return _Problem("not-found", _MESSAGES["not-found"])


def _file_entry(path: str, shown: str, st: os.stat_result) -> InputFile:
    if not stat.S_ISREG(st.st_mode):
        return InputFile(Path(path), shown, "not-regular-file", _NOT_REGULAR.format(kind=_kind(st.st_mode)))
    if not os.access(path, os.R_OK):
        return InputFile(Path(path), shown, "permission-denied", _MESSAGES["permission-denied"])
    return InputFile(Path(path), shown, None)


def _list(folder: str) -> list[tuple[str, str]] | _Problem:
    """A folder's (name, path) pairs sorted by shown name, ties by the raw name."""
    try:
        with os.scandir(folder) as it:
            entries = [(entry.name, entry.path) for entry in it]
    except OSError as exc:
        why = _UNLISTABLE if isinstance(exc, PermissionError) else _UNLISTABLE_OS.format(reason=_reason(exc))
        return _Problem("unreadable-folder", why)
    return sorted(entries, key=lambda pair: (_shown(pair[0]), os.fsencode(pair[0])))


def _key(st: os.stat_result) -> _DirKey | None:
    # Some file systems (FAT, some network shares on Windows) report inode 0 for everything:
    # then folders cannot be told apart, and tracking them would merge them all.
    return (st.st_dev, st.st_ino) if st.st_ino else None


def _keys(key: _DirKey | None) -> frozenset[_DirKey]:
    return frozenset() if key is None else frozenset([key])


def _order(found: InputFile) -> tuple[str, bytes]:
    # Two raw names can show alike (both with U+FFFD); their bytes keep the order fixed.
    return (found.name, os.fsencode(found.path))


# ---------------------------------------------------------------- reading


_CHUNK = 1 * MiB


def _read_open(fd: int, limit: int) -> bytes:
    st = os.fstat(fd)
    if stat.S_ISDIR(st.st_mode):
        raise InputError("is-directory", _MESSAGES["is-directory"])
    if not stat.S_ISREG(st.st_mode):
        raise InputError("not-regular-file", _NOT_REGULAR.format(kind=_kind(st.st_mode)))
    if st.st_size > limit:
        raise InputError("too-large", _TOO_LARGE.format(limit=_size_text(limit)))
    chunks: list[bytes] = []
    total = 0
    while True:
        # One byte past the limit is enough to know it is too large.
        chunk = os.read(fd, min(_CHUNK, limit + 1 - total))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        total += len(chunk)
        if total > limit:
            raise InputError("too-large", _TOO_LARGE.format(limit=_size_text(limit)))


def _read_failure(exc: OSError, path: Path) -> InputError:
    code = _code_of(exc)
    if code == "permission-denied" and os.path.isdir(path):
        code = "is-directory"  # Windows refuses to open a folder with "access denied"
    elif code == "not-found" and os.path.lexists(path):
        return InputError("not-found", _DANGLING)
    return InputError(code, _detail(code, exc))


# ---------------------------------------------------------------- errors and texts

# Windows' own code for a link that cannot be resolved (its ELOOP).
_WINERROR_CANT_RESOLVE = 1921

_CODES = {
    errno.ENOENT: "not-found",
    errno.ENOTDIR: "not-found",
    errno.ENAMETOOLONG: "not-found",
    errno.EACCES: "permission-denied",
    errno.EPERM: "permission-denied",
    errno.EISDIR: "is-directory",
    errno.ELOOP: "symlink-loop",
}


def _code_of(exc: OSError) -> str:
    if getattr(exc, "winerror", None) == _WINERROR_CANT_RESOLVE:
        return "symlink-loop"
    return _CODES.get(exc.errno or 0, "read-error")


def _is_missing(exc: OSError) -> bool:
    return exc.errno in (errno.ENOENT, errno.ENOTDIR)


def _detail(code: str, exc: OSError) -> str:
    if code == "read-error":
        return _READ_ERROR.format(reason=_reason(exc))
    return _MESSAGES[code]


def _reason(exc: OSError) -> str:
    from .oserror import reason

    return reason(exc)


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "en navngitt rørledning (FIFO)"
    if stat.S_ISSOCK(mode):
        return "en socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "en enhetsfil (for eksempel /dev/zero)"
    return "en spesialfil"


def _size_text(n: int) -> str:
    for unit, size in (("MB", MiB), ("KB", KiB)):
        if n >= size and n % size == 0:
            return f"{n // size} {unit}"
    return f"{n} byte"


_MESSAGES = {
    "not-found": "Filen finnes ikke. Kontroller at navnet og mappen er skrevet riktig.",
    "permission-denied": (
        "Du har ikke tilgang til å lese filen. Be om lesetilgang, "
        "eller lagre en kopi av filen i en mappe du selv eier."
    ),
    "is-directory": "Dette er en mappe, ikke en fil. Oppgi mappen som mappe, så leses filene i den.",
    "symlink-loop": (
        "Snarveien (symbolsk lenke) peker i ring og fører ikke fram til noen fil. "
        "Erstatt den med selve filen."
    ),
}
_DANGLING = (
    "Dette er en snarvei (symbolsk lenke) til noe som ikke finnes. "
    "Lagre selve filen i mappen i stedet for en snarvei."
)
_NOT_REGULAR = "Dette er ikke en vanlig fil, men {kind}. Bare vanlige filer, som .xlsx-filer, kan leses."
_LOOP_FOLDER = (
    "Denne mappesnarveien peker tilbake til mappen «{first}», som allerede leses, "
    "og ville ført i ring. Den er hoppet over; filene i «{first}» er tatt med der."
)
_EMPTY_FOLDER = "Mappen er tom."
_REPEATED_FOLDER = "Denne mappen er allerede lest som «{first}». Filene i den er tatt med der, ikke én gang til."
_UNLISTABLE = (
    "Mappen kan ikke åpnes: du har ikke tilgang til å se hva den inneholder. "
    "Be om tilgang, eller flytt filene til en mappe du selv eier."
)
_UNLISTABLE_OS = "Mappen kan ikke leses (svar fra operativsystemet: {reason}). Flytt filene til en annen mappe."
_READ_ERROR = (
    "Filen kan ikke leses (svar fra operativsystemet: {reason}). "
    "Lagre filen på nytt, eller be om å få den tilsendt igjen."
)
_TOO_LARGE = (
    "Filen er større enn {limit}, som er grensen for én fil. Et utfylt skjema er vanligvis "
    "under 1 MB; kontroller at det er riktig fil."
)

# Characters that would let a file name move the cursor, change colours or reverse the
# text around it when shown in a terminal or a report.
_BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _shown(raw: str) -> str:
    """A name as shown: undecodable bytes (surrogate escapes), control and direction codes → U+FFFD."""
    if raw.isprintable():
        return raw
    return "".join(
        "\ufffd" if c in _BIDI_CONTROLS or unicodedata.category(c) in ("Cc", "Cs") else c for c in raw
    )
