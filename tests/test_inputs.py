"""behovxl.inputs: every path given is accounted for, and no file can hang or flood a read."""

from __future__ import annotations

import errno
import hashlib
import os
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from behovxl.inputs import (
    INPUT_PROBLEMS,
    InputError,
    InputFile,
    discover,
    read_bytes,
    sha256_file,
)
from behovxl.limits import Limits


def _can_symlink() -> bool:
    with tempfile.TemporaryDirectory() as tmp:
        try:
            os.symlink("target", os.path.join(tmp, "link"))
        except (OSError, NotImplementedError):
            return False
    return True


needs_symlinks = pytest.mark.skipif(not _can_symlink(), reason="this system cannot make symbolic links")
needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes (FIFO) on this system")
linux_only = pytest.mark.skipif(sys.platform != "linux", reason="needs Linux (/dev, /proc, byte file names)")
posix_only = pytest.mark.skipif(os.name != "posix", reason="control characters are not allowed in Windows file names")


class Deny:
    """Makes a file or folder unreadable: by chmod, or, where that does not stop us (root), by faking the OS."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
        self.monkeypatch = monkeypatch
        self.request = request

    def listing(self, folder: Path) -> None:
        if self._chmod_works(folder):
            return
        real = os.scandir

        def scandir(path: str | os.PathLike[str] = ".") -> object:
            if _same(path, folder):
                raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
            return real(path)

        self.monkeypatch.setattr(os, "scandir", scandir)

    def reading(self, file: Path) -> None:
        if self._chmod_works(file):
            return
        real_access, real_open = os.access, os.open

        def access(path: str | os.PathLike[str], mode: int, **kwargs: object) -> bool:
            return False if _same(path, file) else real_access(path, mode, **kwargs)  # type: ignore[arg-type]

        def open_(path: str | os.PathLike[str], flags: int, *args: object, **kwargs: object) -> int:
            if _same(path, file):
                raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
            return real_open(path, flags, *args, **kwargs)  # type: ignore[arg-type]

        self.monkeypatch.setattr(os, "access", access)
        self.monkeypatch.setattr(os, "open", open_)

    def _chmod_works(self, path: Path) -> bool:
        mode = path.stat().st_mode
        path.chmod(0)
        self.request.addfinalizer(lambda: path.chmod(mode))
        return not os.access(path, os.R_OK)


def _same(path: object, target: Path) -> bool:
    try:
        return os.path.samefile(path, target)  # type: ignore[arg-type]
    except (OSError, TypeError, ValueError):
        return False


@pytest.fixture
def deny(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Deny:
    return Deny(monkeypatch, request)


def row(name: str, *values: object, marks: object = ()) -> object:
    """One row of a parametrised table, named."""
    return pytest.param(*values, id=name, marks=marks)  # type: ignore[arg-type]


def write(path: Path, data: bytes = b"PK") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def seen(found: list[InputFile]) -> list[tuple[str, str | None]]:
    return [(f.name, f.problem) for f in found]


def assert_good_details(found: list[InputFile]) -> None:
    for f in found:
        assert (f.problem is None) == (f.detail == ""), f
        assert f.problem is None or f.problem in INPUT_PROBLEMS
        assert f.name.isprintable(), f.name
        assert_user_text(f.detail)


def assert_user_text(text: str) -> None:
    """Bokmål for a user: no exception name, no errno, no traceback."""
    for word in ("Error", "errno", "Errno", "Traceback", "Exception"):
        assert word not in text, text


# ---------------------------------------------------------------- discover: inside a folder given

Build = Callable[[Path, Deny], object]


def _links(*pairs: tuple[str, str]) -> Build:
    def build(d: Path, deny: Deny) -> None:
        for name, target in pairs:
            (d / name).parent.mkdir(parents=True, exist_ok=True)
            os.symlink(target, d / name)

    return build


def _files(*names: str) -> Build:
    def build(d: Path, deny: Deny) -> None:
        for name in names:
            if name.endswith("/"):
                (d / name).mkdir(parents=True)
            else:
                write(d / name)

    return build


def _both(*builds: Build) -> Build:
    def build(d: Path, deny: Deny) -> None:
        for b in builds:
            b(d, deny)

    return build


def _fifo(name: str) -> Build:
    return lambda d, deny: os.mkfifo(d / name)


def _raw_name(raw: bytes) -> Build:
    return lambda d, deny: write(Path(os.fsdecode(os.fsencode(d) + b"/" + raw)))


def _locked_folder(d: Path, deny: Deny) -> None:
    write(d / "låst" / "inne.xlsx")
    write(d / "åpen.xlsx")
    deny.listing(d / "låst")


def _locked_file(d: Path, deny: Deny) -> None:
    deny.reading(write(d / "hemmelig.xlsx"))


FOLDER_CASES = [
    row("regular file", _files("a.xlsx"), [("a.xlsx", None)]),
    row("empty folder", _files(), [("innkommet/", "empty-folder")]),
    row("empty subfolder", _files("tom/"), [("tom/", "empty-folder")]),
    row("hidden and lock files", _files(".skjult.xlsx", "~$a.xlsx"), [(".skjult.xlsx", None), ("~$a.xlsx", None)]),
    row(
        "sorted by shown name, at every depth",
        _files("b.xlsx", "a/z.xlsx", "a.xlsx", "A.xlsx", "a/b/c.xlsx"),
        [("A.xlsx", None), ("a.xlsx", None), ("a/b/c.xlsx", None), ("a/z.xlsx", None), ("b.xlsx", None)],
    ),
    row("folder named like a workbook is walked", _files("x.xlsx/inne.xlsx"), [("x.xlsx/inne.xlsx", None)]),
    row("unreadable subfolder", _locked_folder, [("låst/", "unreadable-folder"), ("åpen.xlsx", None)]),
    row("unreadable file", _locked_file, [("hemmelig.xlsx", "permission-denied")]),
    row("fifo", _fifo("rør.xlsx"), [("rør.xlsx", "not-regular-file")], marks=needs_fifo),
    row(
        "latin-1 file name",
        _raw_name(b"s\xf8knad.xlsx"),
        [("s\ufffdknad.xlsx", None)],
        marks=linux_only,
    ),
    row(
        "control and direction characters in a name",
        _both(_files("a\x1b[31mb.xlsx", "\u202egnp.xlsx")),
        [("a\ufffd[31mb.xlsx", None), ("\ufffdgnp.xlsx", None)],
        marks=posix_only,
    ),
    row(
        "dangling symlink", _links(("borte.xlsx", "finnes-ikke.xlsx")), [("borte.xlsx", "not-found")], marks=needs_symlinks
    ),
    row(
        "symlink to /dev/zero",
        _links(("null.xlsx", "/dev/zero")),
        [("null.xlsx", "not-regular-file")],
        marks=[needs_symlinks, linux_only],
    ),
    row(
        "symlink loop",
        _links(("a.xlsx", "b.xlsx"), ("b.xlsx", "a.xlsx")),
        [("a.xlsx", "symlink-loop"), ("b.xlsx", "symlink-loop")],
        marks=needs_symlinks,
    ),
    row(
        "folder symlink to its own parent",
        _both(_files("sub/fil.xlsx"), _links(("sub/opp", ".."))),
        [("sub/fil.xlsx", None), ("sub/opp/", "symlink-loop")],
        marks=needs_symlinks,
    ),
    row("folder symlink to itself", _links(("selv", ".")), [("selv/", "symlink-loop")], marks=needs_symlinks),
    row(
        "folder reached twice: walked where it really is",
        _both(_files("ekte/r.xlsx"), _links(("a-lenke", "ekte"), ("b-lenke", "ekte"))),
        [("a-lenke/", "repeated-folder"), ("b-lenke/", "repeated-folder"), ("ekte/r.xlsx", None)],
        marks=needs_symlinks,
    ),
    row(
        "folder link out of the tree is walked",
        _both(_files("../utenfor/u.xlsx"), _links(("inn", "../utenfor"))),
        [("inn/u.xlsx", None)],
        marks=needs_symlinks,
    ),
    row(
        "same file twice is listed twice",
        _both(_files("a.xlsx"), _links(("b.xlsx", "a.xlsx"))),
        [("a.xlsx", None), ("b.xlsx", None)],
        marks=needs_symlinks,
    ),
]


@pytest.mark.parametrize(("build", "expected"), FOLDER_CASES)
def test_discover_accounts_for_every_entry_of_a_folder(
    tmp_path: Path, deny: Deny, build: Build, expected: list[tuple[str, str | None]]
) -> None:
    folder = tmp_path / "innkommet"
    folder.mkdir()
    build(folder, deny)
    found = discover([folder])
    assert seen(found) == expected
    assert_good_details(found)
    for f in found:
        assert f.path == folder or folder in f.path.parents  # as found, not resolved (the folder itself when empty)
        if f.problem is None:
            assert read_bytes(f.path) == b"PK"
    assert discover([folder]) == found  # deterministic


# ---------------------------------------------------------------- discover: the paths given


def _given_setup(d: Path) -> None:
    write(d / "a.xlsx")
    write(d / "b.xlsx")
    write(d / "mappe" / "m.xlsx")
    write(d / "mappe" / "sub" / "s.xlsx")


GIVEN_CASES = [
    row("missing file", ["mangler.xlsx"], [("mangler.xlsx", "not-found")]),
    row("missing folder", ["borte/mangler.xlsx"], [("mangler.xlsx", "not-found")]),
    row("path through a file", ["a.xlsx/x.xlsx"], [("x.xlsx", "not-found")]),
    row("order given is kept", ["b.xlsx", "a.xlsx"], [("b.xlsx", None), ("a.xlsx", None)]),
    row(
        "files and a folder",
        ["b.xlsx", "mappe", "a.xlsx"],
        [("b.xlsx", None), ("m.xlsx", None), ("sub/s.xlsx", None), ("a.xlsx", None)],
    ),
    row("trailing slash", ["mappe/sub/"], [("s.xlsx", None)]),
    row("same file twice", ["a.xlsx", "a.xlsx"], [("a.xlsx", None), ("a.xlsx", None)]),
    row(
        "same folder twice",
        ["mappe", "mappe"],
        [("m.xlsx", None), ("sub/s.xlsx", None), ("mappe/", "repeated-folder")],
    ),
    row(
        "a folder inside one given before",
        ["mappe", "mappe/sub"],
        [("m.xlsx", None), ("sub/s.xlsx", None), ("sub/", "repeated-folder")],
    ),
    row(
        "a folder given before its parent",
        ["mappe/sub", "mappe"],
        [("s.xlsx", None), ("m.xlsx", None), ("sub/", "repeated-folder")],
    ),
    row(
        "the current folder",
        ["."],
        [("a.xlsx", None), ("b.xlsx", None), ("mappe/m.xlsx", None), ("mappe/sub/s.xlsx", None)],
    ),
]


@pytest.mark.parametrize(("given", "expected"), GIVEN_CASES)
def test_discover_accounts_for_every_path_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, given: list[str], expected: list[tuple[str, str | None]]
) -> None:
    _given_setup(tmp_path)
    monkeypatch.chdir(tmp_path)
    found = discover(given)
    assert seen(found) == expected
    assert_good_details(found)


def test_a_single_str_or_path_is_one_input(tmp_path: Path) -> None:
    write(tmp_path / "mappe" / "m.xlsx")
    expected = [("m.xlsx", None)]
    assert seen(discover(str(tmp_path / "mappe"))) == expected
    assert seen(discover(tmp_path / "mappe")) == expected
    assert seen(discover(str(tmp_path / "mappe" / "m.xlsx"))) == expected


def test_a_nul_character_in_a_path_is_not_found(tmp_path: Path) -> None:
    path = tmp_path / "a\x00b.xlsx"
    assert seen(discover([path])) == [("a\ufffdb.xlsx", "not-found")]
    with pytest.raises(InputError) as caught:
        read_bytes(path)
    assert caught.value.code == "not-found"


@linux_only
def test_a_bytes_path_is_one_input(tmp_path: Path) -> None:
    raw = os.fsencode(tmp_path) + b"/s\xf8knad.xlsx"
    with open(raw, "wb") as fh:
        fh.write(b"x")
    assert seen(discover(raw)) == [("s\ufffdknad.xlsx", None)]  # type: ignore[arg-type]


def test_an_unreadable_folder_given_is_one_entry(tmp_path: Path, deny: Deny) -> None:
    write(tmp_path / "låst" / "inne.xlsx")
    deny.listing(tmp_path / "låst")
    found = discover([tmp_path / "låst"])
    assert seen(found) == [("låst/", "unreadable-folder")]
    assert found[0].path == tmp_path / "låst"
    assert_good_details(found)


@needs_fifo
def test_a_fifo_given_by_name_is_not_a_regular_file(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "rør")
    assert seen(discover([tmp_path / "rør"])) == [("rør", "not-regular-file")]


@needs_symlinks
@pytest.mark.parametrize(
    ("links", "given", "expected"),
    [
        ([("død.xlsx", "borte.xlsx")], "død.xlsx", [("død.xlsx", "not-found")]),
        ([("a", "b"), ("b", "a")], "a", [("a", "symlink-loop")]),
        ([("lenke", "mappe")], "lenke", [("m.xlsx", None)]),
    ],
)
def test_links_given_by_name(
    tmp_path: Path, links: list[tuple[str, str]], given: str, expected: list[tuple[str, str | None]]
) -> None:
    write(tmp_path / "mappe" / "m.xlsx")
    for name, target in links:
        os.symlink(target, tmp_path / name)
    assert seen(discover([tmp_path / given])) == expected


@needs_symlinks
def test_a_dangling_link_is_told_from_a_missing_file(tmp_path: Path) -> None:
    os.symlink("borte.xlsx", tmp_path / "lenke.xlsx")
    dangling, missing = discover([tmp_path / "lenke.xlsx", tmp_path / "mangler.xlsx"])
    assert (dangling.problem, missing.problem) == ("not-found", "not-found")
    assert "snarvei" in dangling.detail and "snarvei" not in missing.detail
    with pytest.raises(InputError, match="snarvei"):
        read_bytes(tmp_path / "lenke.xlsx")


@linux_only
def test_a_latin1_name_given_by_name_is_shown_printable_and_opens(tmp_path: Path) -> None:
    raw = os.fsencode(tmp_path) + b"/s\xf8knad.xlsx"
    with open(raw, "wb") as fh:
        fh.write(b"innhold")
    found = discover([os.fsdecode(raw)])
    assert seen(found) == [("s\ufffdknad.xlsx", None)]
    assert read_bytes(found[0].path) == b"innhold"


# Lower case only, and no name ending in a dot or a space: the same on every file system.
_NAME = st.text(alphabet="abcæøå019 .-_~$", min_size=1, max_size=8).filter(lambda n: n[-1] not in ". ")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sets(st.lists(_NAME, min_size=1, max_size=3).map("/".join), max_size=12))
def test_every_file_created_is_found_once_in_sorted_order(paths: set[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        made = set()
        for rel in paths:
            target = Path(tmp, rel)
            try:
                write(target)
            except OSError:  # a prefix of it is already a file, or it is already a folder
                continue
            made.add(rel)
        found = [f for f in discover(tmp) if f.problem != "empty-folder"]  # an empty folder is listed as such
        names = [f.name for f in found]
        assert all(f.problem is None for f in found)
        assert sorted(names) == names
        assert set(names) == made and len(names) == len(made)


# ---------------------------------------------------------------- read_bytes

Reader = Callable[[Path, Deny], Path]


def _regular(data: bytes) -> Reader:
    return lambda d, deny: write(d / "fil.xlsx", data)


def _symlink(target: str) -> Reader:
    def build(d: Path, deny: Deny) -> Path:
        os.symlink(target, d / "lenke")
        return d / "lenke"

    return build


def _made_fifo(d: Path, deny: Deny) -> Path:
    os.mkfifo(d / "rør")
    return d / "rør"


def _loop(d: Path, deny: Deny) -> Path:
    os.symlink("b", d / "a")
    os.symlink("a", d / "b")
    return d / "a"


def _folder(d: Path, deny: Deny) -> Path:
    (d / "mappe.xlsx").mkdir()
    return d / "mappe.xlsx"


def _unreadable(d: Path, deny: Deny) -> Path:
    path = write(d / "hemmelig.xlsx")
    deny.reading(path)
    return path


def _latin1(d: Path, deny: Deny) -> Path:
    return write(Path(os.fsdecode(os.fsencode(d) + b"/s\xf8knad.xlsx")), b"latin")


READ_CASES = [
    row("regular", _regular(b"abc"), Limits(), b"abc"),
    row("empty", _regular(b""), Limits(), b""),
    row("exactly the limit", _regular(b"0123456789"), Limits(file_bytes=10), b"0123456789"),
    row("one byte over the limit", _regular(b"0123456789X"), Limits(file_bytes=10), "too-large"),
    row("missing", lambda d, deny: d / "mangler.xlsx", Limits(), "not-found"),
    row("a folder", _folder, Limits(), "is-directory"),
    row("unreadable", _unreadable, Limits(), "permission-denied"),
    row("dangling symlink", _symlink("borte"), Limits(), "not-found", marks=needs_symlinks),
    row("symlink loop", _loop, Limits(), "symlink-loop", marks=needs_symlinks),
    row("symlink to /dev/zero", _symlink("/dev/zero"), Limits(), "not-regular-file", marks=[needs_symlinks, linux_only]),
    row("fifo, nobody writing", _made_fifo, Limits(), "not-regular-file", marks=needs_fifo),
    row("latin-1 name", _latin1, Limits(), b"latin", marks=linux_only),
    row("/proc file of size 0", lambda d, deny: Path("/proc/self/status"), Limits(file_bytes=16), "too-large", marks=linux_only),
]


@pytest.mark.parametrize(("build", "limits", "expected"), READ_CASES)
def test_read_bytes(tmp_path: Path, deny: Deny, build: Reader, limits: Limits, expected: bytes | str) -> None:
    path = build(tmp_path, deny)
    outcome = read_within(path, limits)
    if isinstance(expected, bytes):
        assert outcome == expected
        assert sha256_file(path, limits) == hashlib.sha256(expected).hexdigest()
    else:
        assert isinstance(outcome, InputError), outcome
        assert (outcome.code, str(outcome)) == (expected, outcome.detail)
        assert expected in INPUT_PROBLEMS + ("too-large",)
        assert outcome.detail
        assert_user_text(outcome.detail)
        assert sha256_file(path, limits) is None


def read_within(path: Path, limits: Limits, seconds: float = 10.0) -> bytes | InputError:
    """read_bytes in a thread, so a read that blocks fails the test instead of hanging it."""
    outcome: list[bytes | InputError] = []

    def run() -> None:
        try:
            outcome.append(read_bytes(path, limits))
        except InputError as exc:
            outcome.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        if path.is_fifo():  # let the blocked open return before failing
            os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
        pytest.fail(f"read_bytes({path}) blocked")
    return outcome[0]


def test_a_file_growing_while_read_stops_at_the_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path / "vokser.xlsx", b"12345678")
    real_read = os.read
    calls = []

    def read_while_growing(fd: int, n: int) -> bytes:
        # Another program appends 8 bytes before every read of ours: fstat said 8 bytes.
        calls.append(n)
        if len(calls) < 100:
            with open(path, "ab") as fh:
                fh.write(b"abcdefgh")
        return real_read(fd, n)

    monkeypatch.setattr(os, "read", read_while_growing)
    with pytest.raises(InputError) as caught:
        read_bytes(path, Limits(file_bytes=20))
    assert caught.value.code == "too-large"
    assert sum(calls) <= 21 + 21  # never asks for much more than one byte past the limit


def test_too_large_says_the_limit_in_bokmal(tmp_path: Path) -> None:
    path = write(tmp_path / "stor.xlsx", b"x" * (2 * 1024 + 1))
    with pytest.raises(InputError) as caught:
        read_bytes(path, Limits(file_bytes=2 * 1024))
    assert "2 KB" in caught.value.detail
