"""After the feed is live, deploy tells WebSub hubs, the Podcast Index and Podping (loopback)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner
from lxml import etree

from podcast.cli import cli

BASE = "https://listen.example.org"


class Receiver(BaseHTTPRequestHandler):
    """Records every request; /down answers 404 (a refused ping)."""

    seen: list[tuple[str, str, dict[str, str], bytes]] = []

    def _record(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        self.seen.append((self.command, self.path, dict(self.headers.items()), body))
        self.send_response(404 if self.path.startswith("/down") else 202)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_POST = _record

    def log_message(self, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def receiver() -> Iterator[str]:
    """A real HTTP server on loopback in a thread."""
    Receiver.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_pings_arrive_after_the_feed_and_a_failed_ping_is_a_warning(
    receiver: str, show_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("PODPING_TOKEN", "secret-token")
    with (show_dir / "show.yaml").open("a") as show:
        show.write(
            f"hubs:\n  - {receiver}/hub\n  - {receiver}/down\n"
            f"pubnotify: {receiver}/pubnotify\npodping: {receiver}/podping\n"
        )
    out = tmp_path / "webroot"
    result = CliRunner().invoke(
        cli, ["deploy", str(out), "--root", str(show_dir), "--base-url", BASE]
    )
    assert result.exit_code == 0, result.output
    assert "ping to" in result.output and "/down failed (HTTP 404)" in result.output
    feed_url = f"{BASE}/feed.xml"
    by_path = {
        urlsplit(path).path: (method, path, headers, body)
        for method, path, headers, body in Receiver.seen
    }
    method, _, _, body = by_path["/hub"]
    assert method == "POST" and parse_qs(body.decode()) == {
        "hub.mode": ["publish"],
        "hub.url": [feed_url],
    }
    assert parse_qs(urlsplit(by_path["/pubnotify"][1]).query) == {"url": [feed_url]}
    assert by_path["/podping"][2]["Authorization"] == "secret-token"
    assert [p for _, p, _, _ in Receiver.seen].count("/down") == 1  # a 404 is not retried
    feed = etree.parse(str(out / "feed.xml")).getroot()
    ns = {
        "atom": "http://www.w3.org/2005/Atom",
        "podcast": "https://podcastindex.org/namespace/1.0",
    }
    hubs = feed.xpath("channel/atom:link[@rel='hub']/@href", namespaces=ns)
    assert hubs == [f"{receiver}/hub", f"{receiver}/down"]
    assert feed.xpath("channel/podcast:podping/@usesPodping", namespaces=ns) == ["true"]
    Receiver.seen = []
    again = CliRunner().invoke(
        cli, ["deploy", str(out), "--root", str(show_dir), "--base-url", BASE]
    )
    assert again.exit_code == 0 and Receiver.seen == []  # no new feed, no pings
