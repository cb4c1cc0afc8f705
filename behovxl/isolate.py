"""Running one function over many items in worker processes, each item with its own limits.

One returned workbook may be built to hang a parser, eat all memory or crash it; that must
cost that one item only. `run_isolated` runs `func` on each item in a small pool of worker
processes of its own (a `ProcessPoolExecutor` can neither kill one hung task nor survive a
dead worker): the parent sends one item at a time to each worker over a pipe and waits on
the pipes and the process sentinels together, with a timeout from the earliest deadline.
A worker past its deadline is killed and replaced; a worker that dies is replaced; the
item it held becomes a `Failure` that `on_failure` turns into a result. Results come back
in the order of the items, whatever the number of workers.

Decisions:

* Start method "fork" on Linux: a worker starts in about a millisecond and inherits the
  parent's state (registered form definitions, imported modules) without pickling.
  Elsewhere the platform's default (spawn on Windows and macOS, where fork is missing or
  not safe with the system libraries); there `func` and the items must pickle.
* Memory: RLIMIT_AS, soft limit only, set in the worker where `resource` exists (Linux,
  macOS). The hard limit is left alone: the code in the worker is ours, the danger is
  hostile data, and data cannot raise a soft limit. It bounds address space, not resident
  memory, and a forked worker starts with the parent's address space already counted.
  A worker whose item ran out of memory reports it and is replaced, so its swollen heap
  does not carry over to the next item.
* jobs=1 runs each item in this process: no isolation from crashes and no memory limit
  (MemoryError is still caught), and a time limit by SIGALRM only in the main thread of a
  platform with `signal.setitimer` (not Windows); otherwise none. A C call that never
  returns to Python (a catastrophic regex, say) is not interrupted in-process.
* At most `jobs × 32` items are sent ahead of the next result the caller has not received,
  so the results waiting behind one slow item stay bounded.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.context import BaseContext
from multiprocessing.process import BaseProcess
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# ---------------------------------------------------------------- public API

FAILURE_KINDS = ("timeout", "memory", "crashed", "internal-error")


@dataclass(frozen=True)
class Failure:
    """Why an item has no result. For a log, not for a user."""

    #: One of FAILURE_KINDS.
    kind: str
    #: internal-error: the worker's formatted traceback; otherwise a short English note.
    detail: str


def run_isolated(
    func: Callable[[T], R],
    items: Sequence[T],
    *,
    jobs: int | None = None,
    seconds: float,
    memory_bytes: int | None,
    on_failure: Callable[[T, Failure], R],
    progress: Callable[[], None] | None = None,
) -> Iterator[R]:
    """`func(item)` for each item, in the order of `items`, each as soon as it and all before it are done.

    `func` must be a module-level function. jobs: worker processes (None: one per CPU this
    process may use; 1: run here, no workers). seconds: wall-clock limit per item.
    memory_bytes: address-space limit per worker (None: none). on_failure and progress run
    in this process, progress once per finished item. Workers start at the first `next()`,
    at most min(jobs, len(items)), and are all stopped when the iterator ends, is closed,
    or an exception (KeyboardInterrupt too) passes through it.
    """
    count = _default_jobs() if jobs is None else jobs
    if count < 1:
        raise ValueError(f"jobs must be at least 1, not {count}")
    if seconds <= 0:
        raise ValueError(f"seconds must be positive, not {seconds}")
    if count == 1:
        return _run_here(func, items, seconds, on_failure, progress)
    return _Pool(func, items, count, seconds, memory_bytes, on_failure, progress).results()


# ---------------------------------------------------------------- in this process

_OK = "ok"


class _Timeout(BaseException):
    """Raised by SIGALRM inside an item; a BaseException so `except Exception` in it lets it pass."""


def _run_here(
    func: Callable[[T], R],
    items: Sequence[T],
    seconds: float,
    on_failure: Callable[[T, Failure], R],
    progress: Callable[[], None] | None,
) -> Iterator[R]:
    for item in items:
        kind, payload = _call_here(func, item, seconds)
        result = payload if kind == _OK else on_failure(item, Failure(kind, payload))
        if progress is not None:
            progress()
        yield result


def _call_here(func: Callable[[T], R], item: T, seconds: float) -> tuple[str, Any]:
    alarm = _Alarm(seconds)
    try:
        try:
            alarm.start()
            return _OK, func(item)
        finally:
            alarm.stop()
    except _Timeout:
        alarm.stop()  # the alarm may have rung inside stop() itself
        return "timeout", f"no result after {seconds:g} s; interrupted"
    except MemoryError:
        return "memory", "MemoryError raised"
    except (Exception, SystemExit):  # noqa: BLE001 - any bug in one item costs that item only
        return "internal-error", traceback.format_exc()


class _Alarm:
    """A one-shot SIGALRM that raises _Timeout; does nothing where it cannot work."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.armed = False
        self.saved: tuple[Any, tuple[float, float], float] | None = None

    def start(self) -> None:
        if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
            return
        self.armed = True
        handler = signal.signal(signal.SIGALRM, self._ring)
        self.saved = (handler, signal.setitimer(signal.ITIMER_REAL, self.seconds), time.monotonic())

    def stop(self) -> None:
        self.armed = False
        if self.saved is None:
            return
        handler, (delay, interval), started = self.saved
        self.saved = None
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, signal.SIG_DFL if handler is None else handler)
        if delay > 0:  # someone else's alarm was pending: give it back what is left of it
            signal.setitimer(signal.ITIMER_REAL, max(delay - (time.monotonic() - started), 1e-3), interval)

    def _ring(self, signum: int, frame: object) -> None:
        if self.armed:
            self.armed = False
            raise _Timeout


# ---------------------------------------------------------------- the pool

#: Items sent ahead of the next result not yet handed to the caller, per worker.
_LOOKAHEAD_PER_JOB = 32
#: Seconds an idle worker gets to leave on its own at shutdown before it is killed.
_GRACE = 2.0
#: Exit status of a worker that ran out of memory and could not even say so.
_EXIT_MEMORY = 86
#: Seconds between an idle worker's checks that its parent is still there.
_PARENT_CHECK = 1.0
#: prctl(2) option: the signal this process gets when its parent dies (Linux).
_PR_SET_PDEATHSIG = 1


@dataclass(eq=False)  # workers are told apart by identity
class _Worker:
    process: BaseProcess
    conn: Connection
    index: int | None = None  # the item it holds; None when idle
    deadline: float = 0.0


class _Pool(Generic[T, R]):
    def __init__(
        self,
        func: Callable[[T], R],
        items: Sequence[T],
        jobs: int,
        seconds: float,
        memory_bytes: int | None,
        on_failure: Callable[[T, Failure], R],
        progress: Callable[[], None] | None,
    ) -> None:
        self.func, self.items, self.seconds, self.memory_bytes = func, items, seconds, memory_bytes
        self.on_failure, self.progress = on_failure, progress
        self.size = min(jobs, len(items))
        self.window = jobs * _LOOKAHEAD_PER_JOB
        self.context = _context()
        self.workers: list[_Worker] = []
        self.done: dict[int, R] = {}
        self.next_send = 0
        self.next_yield = 0
        self.lost_sends = 0

    def results(self) -> Iterator[R]:
        try:
            while self.next_yield < len(self.items):
                self._fill()
                if self.next_yield not in self.done:
                    self._collect()
                self._fill()  # so the workers go on while the caller handles what is yielded
                while self.next_yield in self.done:
                    result = self.done.pop(self.next_yield)
                    self.next_yield += 1
                    if self.next_yield == len(self.items):
                        self._shutdown()  # a caller that stops after the last item leaves nothing running
                    yield result
        finally:
            self._shutdown()

    # -- sending

    def _fill(self) -> None:
        limit = min(len(self.items), self.next_yield + self.window)
        while self.next_send < limit:
            worker = self._idle_worker()
            if worker is None:
                return
            if self._send(worker, self.next_send):
                self.next_send += 1

    def _idle_worker(self) -> _Worker | None:
        for worker in self.workers:
            if worker.index is None:
                return worker
        if len(self.workers) < self.size:
            self.workers.append(self._start())
            return self.workers[-1]
        return None

    def _start(self) -> _Worker:
        ours, theirs = self.context.Pipe()
        process = self.context.Process(  # type: ignore[attr-defined]
            target=_worker_main,
            args=(theirs, self.func, self.memory_bytes, os.getpid()),
            daemon=True,
            name="behovxl-worker",
        )
        process.start()
        theirs.close()
        return _Worker(process, ours)

    def _send(self, worker: _Worker, index: int) -> bool:
        """Hand one item to an idle worker; False if the worker was gone (the item is not used up)."""
        try:
            worker.conn.send((index, self.items[index]))
        except OSError:
            # An idle worker died between items (killed from outside): not the item's fault.
            self._discard(worker)
            self.lost_sends += 1
            if self.lost_sends > 2 * self.size + 2:
                raise RuntimeError("worker processes die before they can take an item") from None
            return False
        except Exception:  # noqa: BLE001 - the item does not pickle; nothing was written
            self._fail(index, Failure("internal-error", traceback.format_exc()))
            return True
        self.lost_sends = 0
        worker.index, worker.deadline = index, time.monotonic() + self.seconds
        return True

    # -- receiving

    def _collect(self) -> None:
        """Wait for at least one result, death or deadline, and handle all that are ready."""
        busy = [worker for worker in self.workers if worker.index is not None]
        if not busy:  # the next item is neither done nor held: a bug here, not in an item
            raise RuntimeError(f"item {self.next_yield} was lost by the worker pool")
        timeout = max(0.0, min(worker.deadline for worker in busy) - time.monotonic())
        ready = set(wait([w.conn for w in busy] + [w.process.sentinel for w in self.workers], timeout))
        for worker in list(self.workers):
            # Results first: a worker that answered in time and then died keeps its answer.
            if worker.index is not None and (worker.conn in ready or worker.process.sentinel in ready):
                self._receive(worker)
            if worker in self.workers and worker.process.sentinel in ready:
                self._discard(worker)
        now = time.monotonic()
        for worker in list(self.workers):
            if worker.index is not None and now >= worker.deadline:
                index = worker.index
                self._discard(worker)
                self._fail(index, Failure("timeout", f"no result after {self.seconds:g} s; worker killed"))

    def _receive(self, worker: _Worker) -> None:
        index = worker.index
        assert index is not None
        try:
            if not worker.conn.poll():
                raise EOFError
            got, kind, payload = worker.conn.recv()
        except (EOFError, OSError):
            self._fail(index, self._death(worker))
            return
        except Exception:  # noqa: BLE001 - the result did not unpickle here; the message was read whole
            worker.index = None
            self._fail(index, Failure("internal-error", traceback.format_exc()))
            return
        assert got == index
        worker.index = None
        if kind == _OK:
            self._succeed(index, payload)
            return
        if kind == "memory":
            self._discard(worker)  # it is leaving anyway, and must get no new item
        self._fail(index, Failure(kind, payload))

    def _death(self, worker: _Worker) -> Failure:
        worker.process.join(_GRACE)  # its pipe closed: it is dead or dying
        code = worker.process.exitcode
        self._discard(worker)
        if code == _EXIT_MEMORY:
            return Failure("memory", "worker ran out of memory and exited")
        if code is not None and code < 0:
            return Failure("crashed", f"worker killed by signal {_signal_name(-code)}")
        return Failure("crashed", f"worker exited with status {code}")

    def _succeed(self, index: int, result: R) -> None:
        self.done[index] = result
        if self.progress is not None:
            self.progress()

    def _fail(self, index: int, failure: Failure) -> None:
        self._succeed(index, self.on_failure(self.items[index], failure))

    # -- stopping

    def _discard(self, worker: _Worker) -> None:
        self.workers.remove(worker)
        worker.process.kill()
        worker.process.join()
        worker.conn.close()
        worker.process.close()

    def _shutdown(self) -> None:
        workers, self.workers = self.workers, []
        for worker in workers:
            if worker.index is None:
                try:
                    worker.conn.send(None)
                except OSError:
                    worker.process.kill()
            else:
                worker.process.kill()
        deadline = time.monotonic() + _GRACE
        for worker in workers:
            worker.process.join(max(0.0, deadline - time.monotonic()))
            if worker.process.exitcode is None:
                worker.process.kill()
                worker.process.join()
            worker.conn.close()
            worker.process.close()


# ---------------------------------------------------------------- in the worker


def _worker_main(conn: Connection, func: Callable[[Any], Any], memory_bytes: int | None, parent: int) -> None:
    # Ctrl-C reaches the whole process group; the parent handles it and stops the workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent(parent)
    _limit_memory(memory_bytes)
    while True:
        try:
            # Forked workers hold copies of the parent's end of this pipe (this one from before
            # its own fork, siblings from theirs), so a parent killed outright may never show
            # up as EOF here: look at who the parent is instead.
            while not conn.poll(_PARENT_CHECK):
                if os.getppid() != parent:
                    return
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        index, item = task
        if not _serve(conn, func, index, item):
            return


def _serve(conn: Connection, func: Callable[[Any], Any], index: int, item: Any) -> bool:
    """Run one item and send the outcome; False when this worker should end (memory ran out)."""
    try:
        reply = (index, _OK, func(item))
    except MemoryError:
        reply = (index, "memory", "MemoryError raised in the worker")
    except (Exception, SystemExit):  # noqa: BLE001 - any bug in one item costs that item only
        reply = (index, "internal-error", traceback.format_exc())
    try:
        conn.send(reply)
    except MemoryError:
        os._exit(_EXIT_MEMORY)
    except OSError:
        return False  # the parent is gone
    except Exception:  # noqa: BLE001 - the result does not pickle; nothing was written
        conn.send((index, "internal-error", traceback.format_exc()))
    return reply[1] != "memory"


def _die_with_parent(parent: int) -> None:
    """Linux: have the kernel kill this worker when the parent dies, even in the middle of an item.

    Strictly, when the parent's thread that started it ends: `run_isolated` is consumed on one thread.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # it died before the request was made
        os._exit(1)


def _limit_memory(memory_bytes: int | None) -> None:
    if memory_bytes is None:
        return
    try:
        import resource
    except ImportError:  # Windows
        return
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = memory_bytes if hard == resource.RLIM_INFINITY else min(memory_bytes, hard)
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ValueError, OSError):  # macOS refuses some RLIMIT_AS values: run without the limit
        pass


# ---------------------------------------------------------------- helpers


def _context() -> BaseContext:
    if sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


def _default_jobs() -> int:
    # The CPUs this process may run on (a container's cpuset), where the platform says.
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return str(number)
