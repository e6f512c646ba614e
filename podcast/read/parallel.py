"""Run one pure function over many files in worker processes, when that can help.

Probing a cold folder of a thousand episodes is CPU-bound Python: threads would share one
core, processes use them all. Workers are forked (they inherit the imported modules, so
starting one costs milliseconds, not an interpreter start); where forking is not safe (no
fork on this platform, or threads already running in this process) the caller does the work.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor
# multiprocessing and concurrent.futures are imported when a pool starts (a cold load of many
# files): a warm `check` never starts one, and they cost it 30-60 ms of start-up.

CHUNK = 16  # items at most a worker is given at a time
T = TypeVar("T")
R = TypeVar("R")


def cpus() -> int:
    """How many CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on every platform
        return os.cpu_count() or 1


class Background(Generic[R]):
    """`function(item)` for many items, computed by forked worker processes while the caller
    goes on with other work; `result(key)` waits for one of them.

    `function` must be a module-level function of picklable arguments and results. Items go
    out in chunks, in the order given, so a caller asking in that order rarely waits long.
    When it would wait, the caller takes the last chunk no worker has started and computes it
    itself: on two cores, one worker beside a caller with work of its own, neither sits idle
    while the other still has work. `local`, if given, is what the caller computes such an
    item with instead of `function` (the caller may keep its own result in its own form).
    """

    def __init__(
        self,
        function: Callable[[T], R],
        items: Sequence[T],
        keys: Sequence[str],
        workers: int,
        local: Callable[[T], R | None] | None = None,
    ) -> None:
        self._function = function
        self._local = local or function
        self._pool = forked_pool(workers)
        self._where: dict[str, tuple[Future[list[R]], int]] = {}
        self._chunks: list[tuple[Future[list[R]], list[T], Sequence[str]]] = []
        self._taken: dict[str, R | None] = {}
        # Small: the caller waits for whole chunks, and at the end one side waits for the
        # other's last one (at a few ms an item, CHUNK items are a few tens of ms).
        chunk = max(1, min(CHUNK, len(items) // (workers * 16)))
        for start in range(0, len(items), chunk):
            part = list(items[start : start + chunk])
            future = self._pool.submit(_apply, function, part)
            self._chunks.append((future, part, keys[start : start + chunk]))
            for offset, key in enumerate(keys[start : start + chunk]):
                self._where[key] = (future, offset)

    def __contains__(self, key: str) -> bool:
        return key in self._where or key in self._taken

    def result(self, key: str) -> R | None:
        """The result for `key` (once), or None if its worker failed in any way."""
        if key not in self._taken:
            future = self._where[key][0]
            while not future.done() and self._take_last():
                pass
        if key in self._taken:  # computed here, its chunk perhaps the one waited for
            return self._taken.pop(key)
        future, offset = self._where.pop(key)
        try:
            return future.result()[offset]
        except Exception:  # a crashed or killed worker: the caller does the work itself
            return None

    def _take_last(self) -> bool:
        """Compute the last chunk no worker has started here, rather than wait; False if every
        chunk is started."""
        while self._chunks:
            future, items, keys = self._chunks.pop()
            if not future.cancel():
                continue  # a worker has it (or had it): its result comes from there
            for key, item in zip(keys, items, strict=True):
                self._where.pop(key, None)
                self._taken[key] = _quietly(self._local, item)
            return True
        return False

    def close(self) -> None:
        """Stop: chunks not started are dropped, the workers are reaped."""
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._where.clear()
        self._taken.clear()
        self._chunks.clear()


def _quietly(function: Callable[[T], R | None], item: T) -> R | None:
    """`function(item)`, or None where it fails: as a failed worker's result reads."""
    try:
        return function(item)
    except Exception:
        return None


def forked_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of `workers` processes forked from this one (only where `can_fork()`): they
    start with everything this process has loaded, so a task can read module globals."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))


def _apply(function: Callable[[T], R], items: list[T]) -> list[R]:
    return [function(item) for item in items]


def can_fork() -> bool:
    """Whether workers can be forked safely here (see the module's docstring)."""
    return _can_fork()


def _can_fork() -> bool:
    # A fork copies only the calling thread: another thread's held locks would stay held.
    # Forking is a POSIX system call; Windows has none (macOS has it, as Linux does).
    return hasattr(os, "fork") and sys.platform != "win32" and threading.active_count() == 1
