"""Background work in forked processes, with the caller taking over what no worker started.

Each test runs in a process of its own, as `podcast check` does: pytest's process may hold
threads left by earlier tests, and nothing forks where a thread runs.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

SETUP = """
import os, time
from podcast.read import parallel
assert parallel.can_fork()

def slow(item):
    # The square of `item` and the process that computed it, slowly; 13 fails.
    if item == 13:
        raise ValueError("unlucky")
    time.sleep(0.02)
    return item * item, os.getpid()
"""


def _run(body: str) -> None:
    code = SETUP + textwrap.dedent(body)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_the_caller_computes_chunks_no_worker_started_instead_of_waiting() -> None:
    _run("""
        items = list(range(64))
        background = parallel.Background(slow, items, [str(i) for i in items], workers=1)
        try:
            found = {i: background.result(str(i)) for i in items}
        finally:
            background.close()
        # A failure reads as None, as a failed worker's chunk does (each of its items): the
        # caller then does that work itself.
        assert found[13] is None
        assert all(r[0] == i * i for i, r in found.items() if r)
        assert sum(r is None for r in found.values()) <= 64 // 16  # at most 13's chunk
        pids = {r[1] for r in found.values() if r}
        assert os.getpid() in pids and len(pids) == 2, pids  # both did part of the work
    """)


def test_results_asked_out_of_order_are_each_given_once() -> None:
    _run("""
        background = parallel.Background(slow, [1, 2, 3], ["a", "b", "c"], workers=1)
        try:
            assert [background.result(key)[0] for key in ("c", "a", "b")] == [9, 1, 4]
            assert not any(key in background for key in ("a", "b", "c"))
        finally:
            background.close()
    """)
