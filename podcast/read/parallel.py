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
    """

    def __init__(
        self, function: Callable[[T], R], items: Sequence[T], keys: Sequence[str], workers: int
    ) -> None:
        self._pool = forked_pool(workers)
        self._where: dict[str, tuple[Future[list[R]], int]] = {}
        chunk = max(1, len(items) // (workers * 8))  # small: the caller waits for whole chunks
        for start in range(0, len(items), chunk):
            future = self._pool.submit(_apply, function, list(items[start : start + chunk]))
            for offset, key in enumerate(keys[start : start + chunk]):
                self._where[key] = (future, offset)

    def __contains__(self, key: str) -> bool:
        return key in self._where

    def result(self, key: str) -> R | None:
        """The result for `key` (once), or None if its worker failed in any way."""
        future, offset = self._where.pop(key)
        try:
            return future.result()[offset]
        except Exception:  # a crashed or killed worker: the caller does the work itself
            return None

    def close(self) -> None:
        """Stop: chunks not started are dropped, the workers are reaped."""
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._where.clear()


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
