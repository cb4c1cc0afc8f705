"""What the operating system said, in Bokmål: the one place an OSError becomes words for a user."""

from __future__ import annotations

import errno
import os

_REASONS = {
    errno.ENOENT: "filen eller mappen finnes ikke",
    errno.ENOTDIR: "en del av stien er ikke en mappe",
    errno.EACCES: "ingen tilgang",
    errno.EPERM: "ingen tilgang",
    errno.EROFS: "filsystemet er skrivebeskyttet",
    errno.ENOSPC: "disken er full",
    errno.EISDIR: "det er en mappe",
    errno.EEXIST: "finnes allerede",
    errno.ELOOP: "en lenke peker i ring",
    errno.ENAMETOOLONG: "navnet er for langt",
    errno.EBUSY: "filen er i bruk",
    errno.EIO: "lese- eller skrivefeil på disken",
    errno.EXDEV: "kan ikke flytte mellom to disker",
    errno.EMFILE: "for mange åpne filer",
    errno.EINVAL: "ugyldig navn eller sti",
}


def reason(exc: OSError) -> str:
    """«ingen tilgang», «disken er full» …; never the system's English text."""
    text = _REASONS.get(exc.errno or 0)
    if text is None and getattr(exc, "winerror", None) == 32:  # Windows: in use by another program
        text = "filen er i bruk av et annet program"
    return text or f"feil fra operativsystemet (kode {exc.errno})"


def shown(path: object) -> str:
    """A path as a user can read it, also when its name is not valid UTF-8."""
    text = os.fsdecode(os.fspath(path)) if isinstance(path, (str, bytes, os.PathLike)) else str(path)
    return text.encode("utf-8", "replace").decode("utf-8")
