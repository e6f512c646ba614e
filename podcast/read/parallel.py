"""Run one pure function over many files in worker processes, when that can help.

Probing a cold folder of a thousand episodes is CPU-bound Python: threads would share one
core, processes use them all. Workers are forked (they inherit the imported modules, so
starting one costs milliseconds, not an interpreter start); where forking is not safe (no
fork on this platform, or threads already running in this process) the map runs here.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def cpus() -> int:
    """How many CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on every platform
        return os.cpu_count() or 1


def map_processes(
    function: Callable[[T], R], items: Sequence[T], workers: int
) -> Iterator[tuple[T, R]]:
    """(item, function(item)) for every item, in order, computed by `workers` processes.

    `function` must be a module-level function of picklable arguments and results.
    """
    if workers < 2 or not _can_fork():
        yield from ((item, function(item)) for item in items)
        return
    context = multiprocessing.get_context("fork")
    chunk = max(1, len(items) // (workers * 4))  # a few chunks each, so no worker idles long
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        yield from zip(items, pool.map(function, items, chunksize=chunk), strict=True)


def _can_fork() -> bool:
    # A fork copies only the calling thread: another thread's held locks would stay held.
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1
