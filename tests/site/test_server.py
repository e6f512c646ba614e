"""A real gunicorn on 127.0.0.1, as podcast apps meet it: validators, gzip, ranges, reload."""

from __future__ import annotations

import gzip
import http.client
import io
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import podcastparser
import pytest
from lxml import etree
from support.servers import Gunicorn, factory

from podcast.read.catalog import default_root

pytestmark = pytest.mark.slow  # run by CI; skipped by `pytest -m "not slow"`
WAIT = 60.0  # seconds: a generous bound for a loaded CI machine, never a speed assertion


@dataclass
class Server:
    """A gunicorn process serving a scratch show, spoken to the way http.client speaks."""

    gunicorn: Gunicorn
    show: Path

    @property
    def port(self) -> int:
        """The loopback port gunicorn listens on."""
        return self.gunicorn.port

    def request(
        self, method: str, path: str, headers: dict[str, str] | None = None
    ) -> tuple[http.client.HTTPResponse, bytes]:
        """One request on a fresh connection; the path is sent exactly as given."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.putrequest(method, path, skip_accept_encoding=True)
            for name, value in (headers or {}).items():
                connection.putheader(name, value)
            connection.endheaders()
            response = connection.getresponse()
            return response, response.read()
        finally:
            connection.close()

    def get(self, path: str, **headers: str) -> tuple[http.client.HTTPResponse, bytes]:
        """GET with headers given as keyword arguments (underscores become dashes)."""
        return self.request("GET", path, {k.replace("_", "-"): v for k, v in headers.items()})

    def logged(self) -> str:
        """Everything gunicorn and the app wrote so far."""
        return self.gunicorn.logged()


def copy_show(target: Path) -> Path:
    """A writable copy of the shipped show."""
    shutil.copytree(default_root(), target)
    return target


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The documented recipe, `gunicorn -c gunicorn.conf.py wsgi:app`, on a scratch show."""
    work = tmp_path_factory.mktemp("server")
    show = copy_show(work / "episodes")
    with Gunicorn(show, work / "gunicorn.log") as running:
        yield Server(running, show)


@pytest.fixture
def reloading(tmp_path: Path) -> Iterator[Server]:
    """A server of its own (the test changes its show) that sweeps every 0.2 s."""
    show = copy_show(tmp_path / "episodes")
    app = factory({"EPISODES_ROOT": show, "RELOAD_INTERVAL": 0.2})
    with Gunicorn(show, tmp_path / "gunicorn.log", app) as running:
        yield Server(running, show)


def enclosures(feed: bytes) -> dict[str, int]:
    """Enclosure path → length, read with lxml."""
    items = etree.fromstring(feed).findall("channel/item/enclosure")
    return {urlsplit(e.get("url")).path: int(e.get("length")) for e in items}


def wait_for(condition: Callable[[], bool], what: str, server: Server) -> None:
    """Poll until `condition` holds; fail with the server's log after WAIT seconds."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"{what} did not happen within {WAIT:.0f} s:\n{server.logged()}")


# --- the feed --------------------------------------------------------------------------------


def test_feed_parses_as_apps_read_it(server: Server) -> None:
    response, body = server.get("/feed.xml")
    assert response.status == 200
    assert response.getheader("Content-Type") == "application/rss+xml; charset=utf-8"
    parsed = feedparser.parse(body)
    assert not parsed.bozo and len(parsed.entries) == 7
    podcast = podcastparser.parse(f"http://127.0.0.1:{server.port}/feed.xml", io.BytesIO(body))
    assert len(podcast["episodes"]) == 7


def test_one_date_header(server: Server) -> None:
    for path in ("/feed.xml", "/feed.xml", "/audio/season-1/01-why-we-call-it-an-emergency.mp3"):
        response, _ = server.get(path)
        assert len(response.headers.get_all("Date") or []) == 1, path


def test_304_on_each_validator(server: Server) -> None:
    first, _ = server.get("/feed.xml")
    etag, modified = first.getheader("ETag"), first.getheader("Last-Modified")
    for headers in (
        {"If-None-Match": etag},
        {"If-Modified-Since": modified},
        {"If-None-Match": f'"x", {etag}'},
    ):
        response, body = server.request("GET", "/feed.xml", headers)
        assert response.status == 304, headers
        assert body == b"" and response.getheader("ETag") == etag
        assert response.getheader("Vary") == "Accept-Encoding"
        assert response.getheader("Cache-Control") == "public, max-age=300"


def test_gzip_round_trip(server: Server) -> None:
    plain = server.get("/feed.xml")
    for _ in range(2):  # rendered, then answered from memory
        response, body = server.get("/feed.xml", Accept_Encoding="gzip")
        assert response.getheader("Content-Encoding") == "gzip"
        assert int(response.getheader("Content-Length")) == len(body) < len(plain[1])
        assert gzip.decompress(body) == plain[1]
        again, empty = server.get(
            "/feed.xml", Accept_Encoding="gzip", If_None_Match=response.getheader("ETag")
        )
        assert again.status == 304 and empty == b""


def test_head_lengths_equal_the_feed_enclosures(server: Server) -> None:
    _, feed = server.get("/feed.xml")
    lengths = enclosures(feed)
    assert len(lengths) == 7
    for path, length in lengths.items():
        response, body = server.request("HEAD", path)
        assert response.status == 200 and body == b""
        assert int(response.getheader("Content-Length")) == length, path
        assert response.getheader("Accept-Ranges") == "bytes"
        assert response.getheader("Content-Type") in ("audio/mpeg", "audio/x-m4a")
        ranged, _ = server.request("HEAD", path, {"Range": "bytes=0-1"})  # Range ignored
        assert ranged.status == 200 and int(ranged.getheader("Content-Length")) == length


def test_page_head_equals_get(server: Server) -> None:
    for path in ("/", "/episodes/s1-01-why-we-call-it-an-emergency/", "/feed.xml"):
        got, body = server.get(path)
        head, empty = server.request("HEAD", path)
        assert empty == b"" and head.getheader("Content-Length") == str(len(body))
        assert head.getheader("ETag") == got.getheader("ETag")


# --- ranges ----------------------------------------------------------------------------------

AUDIO = "/audio/season-1/00-trailer-a-conversation-starts-here.mp3"
AUDIO_FILE = "season-1/00-trailer-a-conversation-starts-here.mp3"


@pytest.mark.parametrize(
    ("header", "status", "start", "stop"),
    [
        ("bytes=0-1", 206, 0, 2),  # what iOS asks first
        ("bytes=0-65535", 206, 0, 65536),
        ("bytes=1000-", 206, 1000, None),
        ("bytes=-1000", 206, -1000, None),
        ("bytes=0-99999999", 206, 0, None),  # an end past the file is cut to it
        ("bytes=0-1, 10-19", 200, 0, None),  # several ranges: RFC 9110 lets us send the whole
        ("items=0-1", 200, 0, None),  # an unknown unit MUST be ignored
    ],
)
def test_every_range_form(
    server: Server, header: str, status: int, start: int, stop: int | None
) -> None:
    whole = (server.show / AUDIO_FILE).read_bytes()
    response, body = server.get(AUDIO, Range=header)
    assert response.status == status
    assert body == whole[start:stop]
    assert int(response.getheader("Content-Length")) == len(body)
    if status == 206:
        first = start % len(whole)
        assert response.getheader("Content-Range") == (
            f"bytes {first}-{first + len(body) - 1}/{len(whole)}"
        )
    assert response.getheader("Content-Encoding") is None


def test_416_past_the_end(server: Server) -> None:
    size = (server.show / AUDIO_FILE).stat().st_size
    for header in (f"bytes={size}-", f"bytes={size + 10}-{size + 20}"):
        response, _ = server.get(AUDIO, Range=header)
        assert response.status == 416
        assert response.getheader("Content-Range") == f"bytes */{size}"


def test_if_range(server: Server) -> None:
    etag = server.request("HEAD", AUDIO)[0].getheader("ETag")
    current, body = server.get(AUDIO, Range="bytes=0-1", If_Range=etag)
    assert current.status == 206 and len(body) == 2
    stale, whole = server.get(AUDIO, Range="bytes=0-1", If_Range='"changed"')
    assert stale.status == 200 and len(whole) == (server.show / AUDIO_FILE).stat().st_size
    cached, _ = server.get(AUDIO, If_None_Match=etag)
    assert cached.status == 304


# --- what must not be served -------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/audio/../episodes/show.yaml",
        "/audio/..%2fshow.yaml",
        "/audio/%2e%2e/show.yaml",
        "/audio/%2e%2e%2fshow.yaml",
        "/audio/%252e%252e%252fshow.yaml",
        "/audio/season-1%5c..%5c..%5cshow.yaml",
        "/audio/season-1\\..\\show.yaml",
        "/audio/%00",
        "/audio/season-1/00-trailer-a-conversation-starts-here.mp3%00",
        "/audio/season-1/00-trailer-a-conversation-starts-here.yaml",
        "/audio/%c0%ae%c0%ae/show.yaml",
        "/audio/season-1/",
        "/audio/",
        "/show.yaml",
        "/static/",
        "/static/..%2f..%2fpyproject.toml",
        "/..%2fpyproject.toml",
    ],
)
def test_traversal_attempts_get_404(server: Server, path: str) -> None:
    response, body = server.get(path)
    assert response.status in (404, 400), path  # 400: gunicorn refuses some forms itself
    assert b"title:" not in body and b"[project]" not in body


def test_a_symlink_out_of_the_show_is_not_served(server: Server, tmp_path: Path) -> None:
    secret = tmp_path / "secret.mp3"
    secret.write_bytes(b"ID3 not for listeners")
    link = server.show / "season-1" / "leak.mp3"
    link.symlink_to(secret)
    try:
        response, body = server.get("/audio/season-1/leak.mp3")
        assert response.status == 404 and b"not for listeners" not in body
    finally:
        link.unlink()


# --- live reload -----------------------------------------------------------------------------

EPISODE = """\
title: Added while the server runs
season: 3
episode: {number}
published: 2026-02-01T06:00:00Z
type: full
guid: {guid}
summary: It appears without a restart.
"""


def test_a_file_added_while_running_appears_in_the_feed(reloading: Server, data_dir: Path) -> None:
    before, feed = reloading.get("/feed.xml")
    assert "/audio/season-3/03-added.mp3" not in enclosures(feed)
    season = reloading.show / "season-3"
    shutil.copy(data_dir / "cbr.mp3", season / "03-added.mp3")
    (season / "03-added.yaml").write_text(
        EPISODE.format(number=3, guid=uuid.uuid4()), encoding="utf-8"
    )
    seen: list[http.client.HTTPResponse] = []

    def added() -> bool:
        response, body = reloading.get("/feed.xml", If_None_Match=before.getheader("ETag"))
        if response.status == 200 and "/audio/season-3/03-added.mp3" in enclosures(body):
            seen.append(response)
        return bool(seen)

    wait_for(added, "the new episode in the feed", reloading)
    assert seen[0].getheader("ETag") != before.getheader("ETag")
    lengths: list[int] = []

    def served() -> bool:  # by both workers: each sweeps on its own
        head, _ = reloading.request("HEAD", "/audio/season-3/03-added.mp3")
        lengths.append(int(head.getheader("Content-Length")) if head.status == 200 else -1)
        return lengths[-4:] == [(data_dir / "cbr.mp3").stat().st_size] * 4

    wait_for(served, "the new audio served", reloading)


def test_a_worker_that_slept_shows_a_change_already_written_on_its_first_request(
    tmp_path: Path, data_dir: Path
) -> None:
    """gunicorn preloads the catalog and forks: a worker no request reached since holds the
    catalog from the server's start. A change that has held still is loaded by the first
    request to reach it, not served stale until one more sweep."""
    show = copy_show(tmp_path / "episodes")
    with Gunicorn(show, tmp_path / "gunicorn.log") as running:  # the shipped configuration
        server = Server(running, show)
        season = show / "season-3"
        shutil.copy(data_dir / "cbr.mp3", season / "03-added.mp3")
        (season / "03-added.yaml").write_text(
            EPISODE.format(number=3, guid=uuid.uuid4()), encoding="utf-8"
        )
        time.sleep(2.5)  # no request meanwhile: the change holds still, each worker's sweep due
        for _ in range(8):  # both workers, whichever answers
            _, feed = server.get("/feed.xml")
            assert "/audio/season-3/03-added.mp3" in enclosures(feed), server.logged()


def test_a_broken_file_added_while_running_leaves_the_feed_unchanged(
    reloading: Server, data_dir: Path
) -> None:
    before, feed = reloading.get("/feed.xml")
    etag = before.getheader("ETag")
    broken = reloading.show / "season-3" / "03-broken.yaml"
    shutil.copy(data_dir / "cbr.mp3", broken.with_suffix(".mp3"))
    broken.write_text(
        "title: Broken\nseason: 3\nepisode: 3\npublished: not a date\n"
        "type: full\nguid: 5b0f1c9e-3f55-4c59-9a57-1f3c3c0e6a12\n",
        encoding="utf-8",
    )

    def logged() -> bool:
        reloading.get("/")  # requests drive the sweep
        return f"{broken}:4:" in reloading.logged()

    wait_for(logged, "the problem logged with file and line", reloading)
    assert "still serving the last good catalog" in reloading.logged()
    for _ in range(4):  # both workers, whichever answers
        response, body = reloading.get("/feed.xml")
        assert response.getheader("ETag") == etag and body == feed
        assert reloading.get("/feed.xml", If_None_Match=etag)[0].status == 304
