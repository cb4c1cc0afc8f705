"""Module-level functions for tests/test_isolate.py, importable (so picklable) by worker processes.

Each takes one item, a tuple (what, argument), and behaves as `what` says.
"""

from __future__ import annotations

import ctypes
import faulthandler
import os
import time
from typing import Any

#: Bytes that `allocate` asks for: far above any limit the tests set, harmless without one
#: (untouched zero pages).
HUGE = 4 * 1024**3


def act(item: tuple[str, Any]) -> Any:
    what, argument = item
    if what == "value":
        return argument * argument
    if what == "sleep":
        time.sleep(argument)
        return "woke"
    if what == "allocate":
        return len(bytearray(HUGE))
    if what == "memory-error":
        raise MemoryError
    if what == "exit":
        os._exit(argument)
    if what == "segfault":
        faulthandler.disable()  # pytest's would print the stack of the crash on the test output
        ctypes.string_at(0)
    if what == "raise":
        raise ValueError(f"boom {argument}")
    if what == "unpicklable":
        return lambda: argument
    if what == "pid":
        return os.getpid()
    if what == "swallow":
        # Code that catches every Exception must not swallow the in-process time limit.
        try:
            time.sleep(argument)
        except Exception:  # noqa: BLE001 - the point of the test
            return "swallowed"
        return "woke"
    raise AssertionError(f"unknown action {what!r}")


def square(n: int) -> int:
    return n * n
