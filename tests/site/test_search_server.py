"""Search under gunicorn: no request waits for the index, and every worker shares one index file."""

from __future__ import annotations

import fcntl
import os
import shutil
import time
from pathlib import Path

import pytest
from support.servers import WAIT, Gunicorn, RawResponse

from podcast.files import cache_dir
from podcast.read.catalog import default_root
from podcast.render import search_cache

pytestmark = pytest.mark.slow  # a real gunicorn; run by CI, skipped by `pytest -m "not slow"`


def shipped_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the shipped show, with a cache directory of its own (gunicorn inherits it)."""
    root = tmp_path / "episodes"
    shutil.copytree(default_root(), root)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return root


def index_files(folder: Path) -> list[Path]:
    return sorted(folder.glob(f"*{search_cache.SUFFIX}"))


def open_by(pid: int, path: Path) -> bool:
    """True if process `pid` has `path` open (its /proc/PID/fd links)."""
    try:
        links = [os.readlink(entry) for entry in Path(f"/proc/{pid}/fd").iterdir()]
    except OSError:
        return False
    return str(path) in links


def test_the_first_search_is_answered_at_once_and_two_workers_share_one_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = shipped_copy(tmp_path, monkeypatch)
    folder = cache_dir("search", root)
    folder.mkdir(parents=True)
    # Another process (this test) is building the index: the server must not wait for it.
    lock = os.open(folder / search_cache.LOCK, os.O_RDWR | os.O_CREAT)
    fcntl.lockf(lock, fcntl.LOCK_EX)
    with Gunicorn(root, tmp_path / "gunicorn.log", workers=2) as server:
        try:
            first = server.get(b"/search/?q=trust")
            assert first.status == 503, first.body[:300]
            assert b"Search is being prepared. Try again in a moment." in first.body
            assert first.headers["retry-after"] == "5"
            assert first.headers["cache-control"] == "no-store"
            assert index_files(folder) == []
        finally:
            os.close(lock)  # the other builder is gone: the server builds the index itself
        workers = server.worker_pids()
        assert len(workers) == 2
        answer = until_both_workers_searched(server, folder, workers)
        assert b"Trust in medicine" in answer.body
        (index,) = index_files(folder)
        assert all(open_by(pid, index) for pid in workers)  # one file, opened by both
        assert server.logged().count("search index of 7 episodes built") == 1
        assert not list(root.rglob(f"*{search_cache.SUFFIX}"))  # the episodes folder is left alone


def until_both_workers_searched(server: Gunicorn, folder: Path, workers: list[int]) -> RawResponse:
    """Search until the index answers and each worker has it open (bounded by WAIT)."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        answer = server.get(b"/search/?q=trust")
        assert answer.status in (200, 503), answer.status
        files = index_files(folder)
        if answer.status == 200 and files and all(open_by(pid, files[0]) for pid in workers):
            return answer
        time.sleep(0.05)
    raise AssertionError(f"the workers never both opened the index:\n{server.logged()}")


def test_once_search_answers_no_worker_says_it_is_preparing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = shipped_copy(tmp_path, monkeypatch)
    with Gunicorn(root, tmp_path / "gunicorn.log", workers=2) as server:
        deadline = time.monotonic() + WAIT
        while server.get(b"/search/?q=trust").status != 200:
            assert time.monotonic() < deadline, server.logged()
            time.sleep(0.05)
        # The index file is built: a worker no search has reached yet opens it on its first.
        statuses = [server.get(b"/search/?q=care").status for _ in range(40)]
        assert statuses == [200] * 40, server.logged()
