"""A loopback HTTP proxy in front of a real store that records when each request starts and
when the store has answered it, so a test can tell which object was in the store before which.

Requests are forwarded unchanged (S3 signatures cover the Host header the client sent, and
`Expect`, which is dropped here, is never signed), one upstream connection per request.
"""

from __future__ import annotations

import http.client
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "expect", "content-length"}


@dataclass(frozen=True, slots=True)
class Event:
    """A request that started, or that the store answered (`done`), in the order they happened."""

    done: bool
    method: str
    key: str  # the object key (path-style: the bucket left out), "" for the bucket itself
    status: int = 0


class Recorder:
    """The events seen so far, in order."""

    def __init__(self, upstream: str) -> None:
        self.upstream = urlsplit(upstream)
        self.events: list[Event] = []
        self.lock = threading.Lock()

    def record(self, event: Event) -> None:
        """Append `event`."""
        with self.lock:
            self.events.append(event)


def _handler(recorder: Recorder) -> type[BaseHTTPRequestHandler]:
    class Forward(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as the client expects of a store

        def _forward(self) -> None:
            key = unquote(urlsplit(self.path).path).lstrip("/").partition("/")[2]
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            recorder.record(Event(False, self.command, key))
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            if body is not None:
                headers["Content-Length"] = str(len(body))
            upstream = recorder.upstream
            connection = http.client.HTTPConnection(upstream.hostname or "", upstream.port)
            try:
                connection.request(self.command, self.path, body, headers)
                answer = connection.getresponse()
                data = answer.read()
            finally:
                connection.close()
            recorder.record(Event(True, self.command, key, answer.status))
            self.send_response(answer.status, answer.reason)
            for name, value in answer.getheaders():
                if name.lower() not in HOP_BY_HOP:
                    self.send_header(name, value)
            length_header = answer.getheader("Content-Length")
            sent_length = length_header if self.command == "HEAD" and length_header else len(data)
            self.send_header("Content-Length", str(sent_length))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _forward

        def log_message(self, *args: object) -> None:
            """Quiet."""

    return Forward


@contextmanager
def recording_proxy(upstream: str) -> Iterator[tuple[str, Recorder]]:
    """(the proxy's endpoint URL, its recorder) for a store at `upstream`, while in use."""
    recorder = Recorder(upstream)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(recorder))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", recorder
    finally:
        server.shutdown()
        server.server_close()
