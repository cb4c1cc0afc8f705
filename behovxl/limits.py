"""Every limit on input, in one place.

Returned workbooks come from outside, by e-mail, from many machines and tools. Each
limit below is checked before parsing or while streaming, never taken on trust from a
header. The defaults are generous for real forms: a real return is under 1 MB on disk
and a few MB unpacked, so every limit is at least ten times what a real return needs.
"""

from __future__ import annotations

from dataclasses import dataclass

KiB = 1024
MiB = 1024 * KiB
GiB = 1024 * MiB


@dataclass(frozen=True)
class Limits:
    """What one input file may cost. Passed explicitly; `DEFAULT_LIMITS` is the default."""

    #: Size of the file on disk.
    file_bytes: int = 25 * MiB
    #: Entries in the zip package.
    entries: int = 2_000
    #: Decompressed bytes of one entry, counted while it inflates.
    entry_bytes: int = 64 * MiB
    #: Decompressed bytes of all entries read, counted while they inflate.
    total_bytes: int = 256 * MiB
    #: Largest decompressed/compressed ratio of one entry, checked once it passes `ratio_grace` bytes.
    ratio: int = 100
    ratio_grace: int = 1 * MiB
    #: Shared strings in the workbook.
    shared_strings: int = 1_000_000
    #: Characters of one cell's text or one shared string. Excel's cell holds 32 767, but LibreOffice
    #: saves longer texts; they are read, flagged (text-too-long) and cut only where a cell must hold them.
    text_chars: int = 1_000_000
    #: Cells in one sheet.
    cells: int = 2_000_000
    #: Excel's largest row and column (1-based counts).
    rows: int = 1_048_576
    cols: int = 16_384
    #: Wall-clock seconds to read and check one file, enforced by the worker pool.
    seconds: float = 60.0
    #: Address space of one worker process (RLIMIT_AS where the platform has it).
    memory_bytes: int = 2 * GiB
    #: Characters of user text that any regular expression sees (longer text is cut first).
    regex_chars: int = 10_000


DEFAULT_LIMITS = Limits()
