"""behovxl.isolate: one bad item costs that item only, and results do not depend on the job count."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from isolate_targets import act

from behovxl.isolate import FAILURE_KINDS, Failure, run_isolated

GiB = 1024**3


def failed(item: Any, failure: Failure) -> tuple[str, str]:
    assert failure.kind in FAILURE_KINDS
    return ("failed", failure.kind)


def run(items: list[tuple[str, Any]], jobs: int, seconds: float = 5.0, **kwargs: Any) -> list[Any]:
    kwargs.setdefault("on_failure", failed)
    kwargs.setdefault("memory_bytes", 1 * GiB)
    return list(run_isolated(act, items, jobs=jobs, seconds=seconds, **kwargs))


def child_pids() -> set[int]:
    """Zombie children of this process (on Linux, from /proc), and every live worker process.

    /proc is read first, because `active_children()` reaps the workers that have ended.
    Other live children (multiprocessing's resource tracker under spawn) do not count.
    """
    pids = set()
    if sys.platform == "linux":
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                        fields = fh.read().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[1]) == os.getpid() and fields[0] == "Z":
                    pids.add(int(entry))
    return pids | {p.pid for p in multiprocessing.active_children() if p.pid is not None}


@pytest.fixture
def no_leftovers() -> Iterator[None]:
    """The test must leave no worker process behind, alive or zombie."""
    before = child_pids()
    yield
    assert child_pids() - before == set()


posix_only = pytest.mark.skipif(os.name != "posix", reason="needs POSIX signals")
needs_rlimit = pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS is enforced on Linux")


# ---------------------------------------------------------------- same results whatever the job count

# Everything that behaves the same in this process and in a worker.
MIXED = [
    ("value", 1),
    ("raise", 2),
    ("value", 3),
    ("memory-error", 0),
    ("sleep", 60),
    ("value", 6),
]
MIXED_RESULTS = [1, ("failed", "internal-error"), 9, ("failed", "memory"), ("failed", "timeout"), 36]


@posix_only
@pytest.mark.parametrize("jobs", [1, 2, 4])
def test_results_and_failures_in_order_whatever_the_jobs(no_leftovers: None, jobs: int) -> None:
    assert run(MIXED, jobs, seconds=0.5) == MIXED_RESULTS


@pytest.mark.parametrize("jobs", [1, 2, 4])
def test_many_results_in_order(no_leftovers: None, jobs: int) -> None:
    items = [("value", n) for n in range(300)]
    assert run(items, jobs) == [n * n for n in range(300)]


@pytest.mark.parametrize("jobs", [1, 2])
def test_no_items_start_nothing(no_leftovers: None, jobs: int) -> None:
    calls = []
    assert run([], jobs, progress=lambda: calls.append(1)) == []
    assert calls == []


# ---------------------------------------------------------------- what goes wrong costs one item


@pytest.mark.parametrize(
    ("bad", "kind", "note"),
    [
        pytest.param(("sleep", 60), "timeout", "no result after 0.5 s", id="hangs"),
        pytest.param(("allocate", 0), "memory", "MemoryError", id="allocates too much", marks=needs_rlimit),
        pytest.param(("memory-error", 0), "memory", "MemoryError", id="raises MemoryError"),
        pytest.param(("exit", 3), "crashed", "status 3", id="os._exit(3)"),
        pytest.param(("segfault", 0), "crashed", "SIGSEGV", id="segfault", marks=posix_only),
        pytest.param(("raise", 7), "internal-error", "ValueError: boom 7", id="raises"),
        pytest.param(("unpicklable", 0), "internal-error", "pickle", id="result does not pickle"),
        pytest.param(("value", lambda: 0), "internal-error", "pickle", id="item does not pickle"),
    ],
)
def test_one_bad_item_in_a_worker(no_leftovers: None, bad: tuple[str, Any], kind: str, note: str) -> None:
    items = [("value", 1), bad, ("value", 2), ("value", 3), bad, ("value", 4)]
    failures: list[Failure] = []

    def keep(item: Any, failure: Failure) -> str:
        failures.append(failure)
        return f"failed {os.getpid()}"  # on_failure runs here, in the parent

    started = time.monotonic()
    results = run(items, 2, seconds=0.5, on_failure=keep)
    assert time.monotonic() - started < 30  # the hung items were killed, not waited for (60 s each)
    parent = f"failed {os.getpid()}"
    assert results == [1, parent, 4, 9, parent, 16]
    assert [f.kind for f in failures] == [kind, kind]
    assert all(note in f.detail for f in failures), failures


@posix_only
def test_in_process_time_limit_cannot_be_swallowed(no_leftovers: None) -> None:
    items = [("swallow", 60), ("value", 2)]
    started = time.monotonic()
    assert run(items, 1, seconds=0.5) == [("failed", "timeout"), 4]
    assert time.monotonic() - started < 30


def test_traceback_of_an_internal_error_in_process() -> None:
    failures: list[Failure] = []
    run([("raise", 7)], 1, on_failure=lambda item, f: failures.append(f))
    assert failures[0].kind == "internal-error"
    assert "Traceback" in failures[0].detail and "ValueError: boom 7" in failures[0].detail


# ---------------------------------------------------------------- workers: how many, and stopped


@pytest.mark.parametrize(("jobs", "items", "most"), [(4, 2, 2), (2, 20, 2), (3, 3, 3)])
def test_at_most_min_jobs_items_workers(no_leftovers: None, jobs: int, items: int, most: int) -> None:
    pids = set(run([("pid", 0)] * items, jobs))
    assert 1 <= len(pids) <= most
    assert os.getpid() not in pids


def test_jobs_1_runs_in_this_process() -> None:
    assert run([("pid", 0)], 1) == [os.getpid()]


def test_crashed_and_hung_workers_are_replaced(no_leftovers: None) -> None:
    items = [("exit", 1), ("exit", 2), ("sleep", 60), ("sleep", 60)] + [("value", n) for n in range(6)]
    results = run(items, 2, seconds=0.5)
    assert results[:4] == [("failed", "crashed")] * 2 + [("failed", "timeout")] * 2
    assert results[4:] == [n * n for n in range(6)]


def test_progress_once_per_item(no_leftovers: None) -> None:
    items = [("value", 1), ("raise", 0), ("exit", 3), ("sleep", 60), ("value", 2)]
    calls: list[int] = []
    run(items, 2, seconds=0.5, progress=lambda: calls.append(1))
    assert len(calls) == len(items)


def test_early_close_stops_every_worker(no_leftovers: None) -> None:
    items = [("value", 1)] + [("sleep", 60)] * 4
    results = run_isolated(act, items, jobs=2, seconds=120, memory_bytes=None, on_failure=failed)
    assert next(results) == 1
    results.close()  # type: ignore[attr-defined]


def test_taking_the_last_result_stops_every_worker() -> None:
    before = child_pids()
    results = run_isolated(act, [("value", n) for n in range(5)], jobs=2, seconds=5, memory_bytes=None, on_failure=failed)
    assert [next(results) for _ in range(5)] == [0, 1, 4, 9, 16]
    assert child_pids() - before == set()  # before the iterator is asked for more, or closed
    assert list(results) == []


def test_keyboard_interrupt_stops_every_worker(no_leftovers: None) -> None:
    def interrupt() -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run([("value", 1)] + [("sleep", 60)] * 3, 2, seconds=120, progress=interrupt)


_KILLED_PARENT = """
import multiprocessing, os, signal, sys
sys.path.insert(0, sys.argv[1])
from isolate_targets import act
from behovxl.isolate import run_isolated
results = run_isolated(act, [("value", 1), ("sleep", 20), ("sleep", 20)], jobs=2, seconds=120,
                       memory_bytes=None, on_failure=lambda item, failure: None)
next(results)
print(" ".join(str(p.pid) for p in multiprocessing.active_children()), flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


@pytest.mark.skipif(sys.platform != "linux", reason="needs /proc")
def test_workers_of_a_killed_parent_do_not_live_on(tmp_path: Path) -> None:
    script = tmp_path / "killed_parent.py"
    script.write_text(_KILLED_PARENT, encoding="utf-8")
    tests = str(Path(__file__).resolve().parent)
    done = subprocess.run([sys.executable, str(script), tests], check=False, capture_output=True, text=True, timeout=60)
    assert done.returncode == -signal.SIGKILL, done.stderr
    workers = [int(pid) for pid in done.stdout.split()]
    assert len(workers) == 2
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_running(pid) for pid in workers):
        time.sleep(0.05)
    assert not any(_running(pid) for pid in workers)


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.parametrize(("jobs", "seconds"), [(0, 1.0), (-1, 1.0), (2, 0.0)])
def test_bad_arguments(jobs: int, seconds: float) -> None:
    with pytest.raises(ValueError):
        run_isolated(act, [], jobs=jobs, seconds=seconds, memory_bytes=None, on_failure=failed)
