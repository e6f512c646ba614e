"""A live server under load while episode files are added, changed and broken.

gunicorn serves a scratch show while client threads fetch the feed, pages and audio ranges and
a producer adds episodes, edits titles in place, breaks a YAML file and mends it, and removes
an episode. No request may fail, every feed must parse, and its episode count must be one of
the states the folder actually passed through (a broken file keeps the last good catalog).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import feedparser
import pytest
from lxml import etree
from support.scratch import DATA, EPISODE_YAML, Scratch, dump
from support.servers import Gunicorn

from podcast.errors import CatalogError
from podcast.read.catalog import load

pytestmark = pytest.mark.slow  # run by CI; skipped by `pytest -m "not slow"`
RELOAD_WAIT = 12.0  # seconds to wait for a new file to show; issue 5 asks for a few seconds
CLIENTS = 6


def _feed_guids(server: Gunicorn) -> list[str]:
    response = server.get(b"/feed.xml")
    assert response.status == 200, response.raw[:300]
    root = etree.parse(BytesIO(response.body)).getroot()
    return [item.findtext("guid") or "" for item in root.iter("item")]


def _atomic(path: Path, data: bytes) -> None:
    """Write as a careful tool would: a hidden temporary file, then a rename."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def _add_episode(scratch: Scratch, number: int) -> Path:
    folder = scratch.path("season-2")
    folder.mkdir(exist_ok=True)
    _atomic(folder / f"{number:02d}-live.mp3", (DATA / "cbr.mp3").read_bytes())
    fields = {
        "title": f"Live {number}",
        "season": 2,
        "episode": number,
        "published": "2025-06-01T06:00:00-05:00",
        "guid": f"live-{number}",
        "summary": "Added while the server ran.",
    }
    path = folder / f"{number:02d}-live.yaml"
    _atomic(path, dump(fields).encode())
    return path


def _wait_for(server: Gunicorn, count: int) -> bool:
    """True once eight fetches in a row (any worker) show `count` episodes."""
    deadline = time.monotonic() + RELOAD_WAIT
    streak = 0
    while time.monotonic() < deadline and streak < 8:
        streak = streak + 1 if len(_feed_guids(server)) == count else 0
        time.sleep(0.1)
    return streak >= 8


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[Scratch, Gunicorn, set[int]]]:
    """gunicorn (2 workers) on a scratch show that has shown one episode added live.

    Also yields the episode counts the folder has passed through: a worker that no request
    reached while the episode was added still holds the catalog from before it until its
    first sweep loads the change, and serves it to the requests that come meanwhile.
    """
    scratch = Scratch.create(tmp_path / "show")
    server = Gunicorn(scratch.root, tmp_path / "gunicorn.log")
    try:
        time.sleep(2)  # every worker has read the catalog (they boot one after the other)
        before = len(_feed_guids(server))
        _add_episode(scratch, 1)
        assert _wait_for(server, before + 1), (
            f"the server did not show a new episode file within {RELOAD_WAIT:.0f} s: "
            f"live reload is broken\n{server.logged()}"
        )
        yield scratch, server, {before, before + 1}
    finally:
        server.stop()
    log = server.log.read_text(errors="replace")
    assert "Traceback" not in log, log


class Clients:
    """Threads fetching the feed, pages and audio ranges until told to stop."""

    def __init__(self, server: Gunicorn) -> None:
        self.server = server
        self.stop = threading.Event()
        self.failures: list[str] = []
        self.counts: list[int] = []
        self.requests = 0
        self._lock = threading.Lock()
        self.threads = [threading.Thread(target=self._run, args=(i,)) for i in range(CLIENTS)]

    def __enter__(self) -> Clients:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=120)

    def _run(self, index: int) -> None:
        targets = [b"/feed.xml", b"/", b"/seasons/1/", b"/episodes/s1-01-first/"]
        turn = index
        while not self.stop.is_set():
            target = targets[turn % len(targets)]
            turn += 1
            try:
                self._fetch(target)
            except Exception as exc:  # any failure is a finding, reported by the test
                with self._lock:
                    self.failures.append(f"{target!r}: {exc!r}")

    def _fetch(self, target: bytes) -> None:
        if target == b"/feed.xml":
            response = self.server.get(target)
            parsed = feedparser.parse(response.body)
            assert response.status == 200 and not parsed.bozo, response.raw[:200]
            with self._lock:
                self.counts.append(len(parsed.entries))
        else:
            response = self.server.get(target)
            assert response.status == 200, (target, response.status)
        audio = self.server.get(b"/audio/season-1/01-first.mp3", {b"Range": b"bytes=0-1023"})
        assert audio.status == 206 and len(audio.body) == 1024, audio.status
        with self._lock:
            self.requests += 2


def _visible_count(root: Path) -> int | None:
    """Episodes the feed may show for this folder state; None when it does not load."""
    try:
        return len(load(root).episodes)
    except CatalogError:
        return None


def test_a_live_server_under_load_never_serves_a_half_loaded_catalog(
    live: tuple[Scratch, Gunicorn, set[int]],
) -> None:
    scratch, server, valid = live
    steps = []

    def step(name: str) -> None:
        count = _visible_count(scratch.root)
        if count is not None:
            valid.add(count)
        steps.append((name, count))
        time.sleep(1.0)  # let the server sweep and the clients see this state

    with Clients(server) as clients:
        for number in (2, 3, 4):
            _add_episode(scratch, number)
            step(f"add {number}")
        episode = scratch.path(EPISODE_YAML)
        original = episode.read_text("utf-8")
        episode.write_text(original.replace("First light", "First light, edited"), "utf-8")
        step("edit a title in place")
        episode.write_text(original + "title: [unclosed\n", "utf-8")
        step("break the YAML")
        broken_audio = scratch.path("season-2/09-broken.mp3")
        _atomic(broken_audio, (DATA / "truncated.mp3").read_bytes())
        _atomic(
            broken_audio.with_suffix(".yaml"),
            dump(
                {
                    "title": "Broken",
                    "season": 2,
                    "episode": 9,
                    "guid": "broken",
                    "published": "2025-06-01T06:00:00-05:00",
                }
            ).encode(),
        )
        step("add an episode with corrupt audio")
        broken_audio.unlink()
        broken_audio.with_suffix(".yaml").unlink()
        episode.write_text(original, "utf-8")
        step("mend everything")
        scratch.path("season-2/03-live.yaml").unlink()
        step("remove an episode")
        time.sleep(RELOAD_WAIT / 2)
    assert not clients.failures, "\n".join(clients.failures[:20])
    assert clients.requests > 0
    assert set(clients.counts) <= valid, (sorted(set(clients.counts)), sorted(valid), steps)
    final = _visible_count(scratch.root)
    assert len(_feed_guids(server)) == final, steps
