"""The preview tells the producer what is wrong; the live site drops an episode whose audio went.

`podcast serve` (the dev server, a real process) logs each reload and each problem and lists
the problems in a banner on every page; the public app never shows one. gunicorn serving a
show whose audio file is deleted takes that episode out of the feed and keeps the rest.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from io import BytesIO
from pathlib import Path

import feedparser
import pytest
from bs4 import BeautifulSoup
from support.clock import NOW
from support.scratch import DATA, Scratch, dump
from support.scratch import EPISODE as FIRST_EPISODE
from support.servers import Gunicorn

from podcast.site.app import create_app

EPISODE = "season-1/01-why-we-call-it-an-emergency.yaml"
WAIT = 30.0  # seconds: a bound for a loaded machine, not a speed claim


def typo(show_dir: Path) -> Path:
    """`sumary:` for `summary:`, the typo that made a summary vanish without a word."""
    path = show_dir / EPISODE
    text = path.read_text("utf-8")
    assert "\nsummary:" in text
    path.write_text(text.replace("\nsummary:", "\nsumary:", 1), "utf-8")
    return path


def banner(html: str) -> list[str]:
    """The items of the preview's problem banner (empty when there is none)."""
    found = BeautifulSoup(html, "html.parser").select_one("section.problems")
    return [" ".join(li.get_text().split()) for li in found.select("li")] if found else []


def until(condition: Callable[[], object], what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.2)


def test_the_preview_lists_problems_and_the_public_site_does_not(show_dir: Path) -> None:
    def page(preview: bool) -> str:
        config = {"EPISODES_ROOT": show_dir, "CLOCK": lambda: NOW, "PREVIEW": preview}
        response = create_app(config).test_client().get("/")
        assert response.status_code == 200
        return response.get_data(as_text=True)

    assert banner(page(preview=True)) == []  # the shipped show has only a notice
    path = typo(show_dir)
    (item,) = banner(page(preview=True))
    assert f"{path}:" in item and "unknown key 'sumary'" in item
    assert banner(page(preview=False)) == []
    assert "problems" not in page(preview=False)


def free_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        return int(probe.getsockname()[1])


@pytest.fixture
def dev_server(show_dir: Path, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """`podcast serve` on the scratch show: its URL and the file its stderr goes to."""
    port, log = free_port(), tmp_path / "serve.log"
    command = [sys.executable, "-m", "podcast", "serve", "--root", str(show_dir)]
    with log.open("wb") as sink:
        server = subprocess.Popen(
            [*command, "--port", str(port)], stdout=sink, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}"
    try:
        until(lambda: _get(url + "/") is not None, "the dev server to answer")
        yield url, log
    finally:
        server.terminate()
        server.wait(timeout=30)


def _get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return str(response.read().decode("utf-8"))
    except OSError:
        return None


@pytest.mark.slow
def test_the_dev_server_logs_reloads_and_problems_and_shows_them(
    dev_server: tuple[str, Path], show_dir: Path
) -> None:
    url, log = dev_server
    assert banner(_get(url + "/") or "") == []
    path = typo(show_dir)
    until(lambda: banner(_get(url + "/") or ""), "the banner")
    (item,) = banner(_get(url + f"/episodes/s1-{path.stem}/") or "")
    assert "unknown key 'sumary'" in item
    logged = log.read_text("utf-8")
    assert re.search(r"INFO: .*reloaded 7 episodes", logged), logged
    assert re.search(rf"WARNING: {re.escape(str(path))}:\d+: warning: unknown key 'sumary'", logged)


def _guids(server: Gunicorn) -> list[str]:
    response = server.get(b"/feed.xml")
    assert response.status == 200
    return [entry.id for entry in feedparser.parse(BytesIO(response.body)).entries]


@pytest.mark.slow
def test_an_episode_whose_audio_is_deleted_leaves_the_live_feed(tmp_path: Path) -> None:
    scratch = Scratch.create(tmp_path / "show")
    second = {"title": "Second light", "episode": 2, "guid": "second-guid"}
    scratch.write("season-1/02-second.yaml", dump({**FIRST_EPISODE, **second}))
    scratch.audio("season-1/02-second.mp3", "vbr-xing.mp3")
    with Gunicorn(scratch.root, tmp_path / "gunicorn.log", workers=1) as server:
        first = _guids(server)
        assert sorted(first) == ["11111111-1111-4111-8111-111111111111", "second-guid"]
        os.unlink(scratch.path("season-1/02-second.mp3"))
        until(lambda: "second-guid" not in _guids(server), "the episode to leave the feed")
        assert _guids(server) == ["11111111-1111-4111-8111-111111111111"]
        assert server.get(b"/audio/season-1/01-first.mp3").status == 200
        assert server.get(b"/audio/season-1/02-second.mp3").status == 404
        logged = server.logged()
        assert "02-second.yaml: its audio" in logged and "is gone" in logged, logged
        shutil.copyfile(DATA / "vbr-xing.mp3", scratch.path("season-1/02-second.mp3"))
        until(lambda: "second-guid" in _guids(server), "the episode to come back")
