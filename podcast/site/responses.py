"""HTTP for podcast apps: representations rendered once, conditional GET, gzip, byte ranges.

Apps poll the feed every few minutes and fetch audio in ranges, so the feed's bytes, ETag and
gzip variant are computed once per catalog version and visible set and then answered from
memory; files are served by Werkzeug with the few corrections RFC 9110 asks for.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, cast
from urllib.parse import urlsplit

from flask import Request, Response, abort
from werkzeug.exceptions import RequestedRangeNotSatisfiable
from werkzeug.http import (
    http_date,
    is_resource_modified,
    parse_accept_header,
    parse_date,
    parse_etags,
    parse_range_header,
    quote_etag,
)
from werkzeug.utils import send_file
from werkzeug.wsgi import get_current_url

from podcast.render.chapters import JSON_TYPE as JSON_CHAPTERS

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

# Text worth compressing; audio and images are compressed already.
COMPRESSIBLE = frozenset(
    {
        "application/javascript",
        "application/json",
        JSON_CHAPTERS,
        "application/rss+xml",
        "application/xml",
        "application/x-subrip",
        "image/svg+xml",
        "text/css",
        "text/html",
        "text/javascript",
        "text/plain",
        "text/vtt",
        "text/xml",
    }
)
Headers = list[tuple[str, str]]
GZIP_LEVEL = 6  # per request: zlib's default
GZIP_LEVEL_ONCE = 9  # once per catalog version: 4% smaller than 6 on a 1,000-episode feed
LARGEST_TO_COMPRESS = 8 * 1024 * 1024  # a bigger text file is not a page: leave it to nginx


SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def compressible(mimetype: str) -> bool:
    """True for text types a client may receive gzipped."""
    return mimetype in COMPRESSIBLE or mimetype.endswith(("+xml", "+json"))


def accepts_gzip(environ: WSGIEnvironment) -> bool:
    """True if the request's Accept-Encoding allows gzip (q=0 refuses it)."""
    return _gzip_quality(environ.get("HTTP_ACCEPT_ENCODING")) > 0


@lru_cache(maxsize=64)  # clients send a handful of distinct values
def _gzip_quality(header: str | None) -> float:
    return float(parse_accept_header(header)["gzip"])


@dataclass(frozen=True, slots=True)
class Representation:
    """A response body rendered once, with its validators and its gzip variant."""

    body: bytes
    gzipped: bytes | None  # None when the type is not text or gzip would not shrink it
    content_type: str
    etag: str  # a hash of `body`: equal bytes, equal ETag, in every worker
    modified: datetime
    max_age: int
    headers: tuple[tuple[str, str], ...] = ()  # a view's own, e.g. Access-Control-Allow-Origin

    @property
    def last_modified(self) -> str:
        """The Last-Modified header's value."""
        return http_date(self.modified)


def represent(body: bytes, content_type: str, modified: datetime, max_age: int) -> Representation:
    """Hash and compress `body` once, for every request that will ask for it."""
    mimetype = content_type.partition(";")[0].strip().lower()
    gzipped = gzip.compress(body, GZIP_LEVEL_ONCE, mtime=0) if compressible(mimetype) else None
    if gzipped is not None and len(gzipped) >= len(body):
        gzipped = None
    etag = hashlib.blake2b(body, digest_size=16).hexdigest()
    return Representation(
        body, gzipped, content_type, etag, modified.replace(microsecond=0), max_age
    )


def answer(rep: Representation, environ: WSGIEnvironment) -> tuple[int, Headers, bytes]:
    """Status, headers and body for a GET or HEAD of `rep`: gzip if accepted, 304 if current.

    A pure function of the request's headers, so the WSGI fast path and the Flask views answer
    alike. The headers it sets are in ANSWER_HEADERS; the representation's own follow them.
    Range is ignored (RFC 9110 lets a server send the whole representation).
    """
    use_gzip = rep.gzipped is not None and accepts_gzip(environ)
    # The gzip variant's ETag is weak, as nginx makes it: the same content, other bytes.
    etag = quote_etag(rep.etag, weak=use_gzip)
    headers = [("ETag", etag), ("Cache-Control", f"public, max-age={rep.max_age}")]
    if rep.gzipped is not None:
        headers.append(("Vary", "Accept-Encoding"))
    headers += rep.headers
    if _precondition_failed(environ, rep, use_gzip):
        return 412, headers, b""
    if not is_resource_modified(environ, etag, last_modified=rep.modified):
        return 304, headers, b""
    body = rep.gzipped if use_gzip and rep.gzipped is not None else rep.body
    headers += [
        ("Content-Type", rep.content_type),
        ("Content-Length", str(len(body))),
        ("Last-Modified", rep.last_modified),
    ]
    if use_gzip:
        headers.append(("Content-Encoding", "gzip"))
    return 200, headers, body


ANSWER_HEADERS = frozenset(
    {
        "etag",
        "cache-control",
        "vary",
        "content-type",
        "content-length",
        "last-modified",
        "content-encoding",
        "date",
    }
)


def _precondition_failed(environ: WSGIEnvironment, rep: Representation, weak: bool) -> bool:
    """If-Match (strong comparison) or else If-Unmodified-Since is not met: RFC 9110 §13.2.2."""
    if_match = environ.get("HTTP_IF_MATCH")
    if if_match:
        return weak or not parse_etags(if_match).contains(rep.etag)
    since = parse_date(environ.get("HTTP_IF_UNMODIFIED_SINCE"))
    return since is not None and rep.modified > since


def respond(rep: Representation, request: Request) -> Response:
    """`answer` as a Flask response."""
    status, headers, body = answer(rep, request.environ)
    return Response(body, status, headers)


def compress(response: Response, request: Request) -> Response:
    """Gzip a whole text response the client accepts gzipped; audio and ranges pass untouched."""
    if (
        response.status_code not in (200, 304)
        or "Content-Encoding" in response.headers
        or not compressible(response.mimetype or "")
    ):
        return response
    response.vary.add("Accept-Encoding")
    if not accepts_gzip(request.environ):
        return response
    etag, _ = response.get_etag()
    if etag:
        response.set_etag(etag, weak=True)
    if response.status_code == 304 or (response.is_streamed and not response.direct_passthrough):
        return response
    if (response.content_length or 0) > LARGEST_TO_COMPRESS:
        return response
    response.direct_passthrough = False  # a send_file text file: small, read it whole
    response.set_data(gzip.compress(response.get_data(), GZIP_LEVEL, mtime=0))
    response.content_encoding = "gzip"
    response.headers.pop("Accept-Ranges", None)  # ranges of the gzip bytes are not offered
    return response


def inside(path: Path, real_root: str) -> Path | None:
    """Where `path` really is now, or None if that is outside `real_root` (the show's folder).

    Resolved at every request, not when the catalog was loaded: a file can be swapped for a
    symlink to anywhere at any time, and every file the site serves or reads passes here.
    """
    real = os.path.realpath(path)
    return Path(real) if real.startswith(real_root.rstrip(os.sep) + os.sep) else None


def serve_file(
    path: Path, request: Request, mimetype: str | None, max_age: int, real_root: str
) -> Response:
    """A file of the catalog with validators and one byte range; 404 if it resolves outside."""
    real = inside(path, real_root)
    if real is None:
        abort(404)  # a symlink swapped in after the catalog was loaded
    environ = request.environ
    if "HTTP_RANGE" in environ:
        # gunicorn's file wrapper (sendfile for whole files) cannot seek, so Werkzeug would
        # read and drop every byte before a range; its own wrapper seeks straight to it.
        environ = {k: v for k, v in environ.items() if k != "wsgi.file_wrapper"}
    try:
        response = cast(
            Response,
            send_file(
                real,
                environ,
                mimetype=mimetype,
                etag=True,
                max_age=max_age,
                conditional=False,
                response_class=Response,
            ),
        )
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        abort(404)  # removed since the catalog was loaded; the next sweep drops it
    environ = _range_environ(environ, response)
    try:
        response.make_conditional(
            environ, accept_ranges=True, complete_length=response.content_length
        )
    except RequestedRangeNotSatisfiable:
        response.close()  # close the file send_file opened
        raise
    return response


def _range_environ(environ: WSGIEnvironment, response: Response) -> WSGIEnvironment:
    """The request's environ, without a Range header that RFC 9110 says to ignore.

    Werkzeug answers any Range it cannot serve with 416; RFC 9110 §14.2 instead has a server
    ignore Range on HEAD, on a conditional GET that is answered 304, and in an unknown unit,
    and allows ignoring a multi-range request, answered here with the whole file (podcast apps
    ask for one range; nginx and CDNs alike may answer several with 200).
    """
    value = environ.get("HTTP_RANGE")
    if value is None:
        return environ
    unit = value.partition("=")[0].strip().lower()
    parsed = parse_range_header(value)
    etag, _ = response.get_etag()
    ignore = (
        environ["REQUEST_METHOD"] != "GET"
        or unit != "bytes"
        or (parsed is not None and len(parsed.ranges) > 1)
        or not is_resource_modified(environ, etag, last_modified=response.last_modified)
    )
    if not ignore:
        return environ
    return {
        key: item for key, item in environ.items() if key not in ("HTTP_RANGE", "HTTP_IF_RANGE")
    }


@cache
def security_headers(media_base_url: str | None) -> tuple[tuple[str, str], ...]:
    """The site's policy: its own scripts and styles only, audio from here or the media host."""
    media = "'self'"
    if media_base_url:  # an origin: a source with a path would allow that exact path only
        parts = urlsplit(media_base_url)
        media += f" {parts.scheme}://{parts.netloc}"
    policy = (
        f"default-src 'self'; img-src 'self' data: https:; media-src {media}; "
        "style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'self'; "
        "form-action 'self'; frame-ancestors 'none'"
    )
    return (("Content-Security-Policy", policy), *SECURITY_HEADERS.items())


def request_root(environ: WSGIEnvironment) -> str:
    """The URL this request reached the app at (scheme, host, mount point), no trailing slash."""
    return _request_root(
        environ["wsgi.url_scheme"],
        environ.get("HTTP_HOST"),
        environ.get("SERVER_NAME"),
        environ.get("SERVER_PORT"),
        environ.get("SCRIPT_NAME", ""),
    )


@lru_cache(maxsize=256)  # a site is reached under a few names; each costs ~25 µs to rebuild
def _request_root(
    scheme: str, host: str | None, server: str | None, port: str | None, script_name: str
) -> str:
    environ = {
        "wsgi.url_scheme": scheme,
        "SERVER_NAME": server,
        "SERVER_PORT": port,
        "SCRIPT_NAME": script_name,
    }
    if host is not None:
        environ["HTTP_HOST"] = host
    return get_current_url(environ, root_only=True).rstrip("/")


class RepresentationCache:
    """Rendered responses for one catalog version and visible set, least recently used dropped.

    A new generation (a reloaded catalog, a draft gone live) empties it whole, so memory holds
    at most one generation's pages however long the server runs.
    """

    def __init__(self, capacity: int = 4096) -> None:
        self.capacity = capacity
        self._lock = threading.Lock()
        self._generation: tuple[int, ...] = ()
        self._entries: OrderedDict[Hashable, Representation] = OrderedDict()
        self._flights: dict[Hashable, tuple[threading.Lock, int]] = {}

    @contextmanager
    def single_flight(self, key: Hashable) -> Iterator[None]:
        """Let one thread at a time render `key`: the others wait, then find it stored.

        Without it, the threads that ask for the feed while a new catalog's first render
        runs would each render it too, a burst of CPU and memory for identical bytes.
        """
        with self._lock:
            lock, waiting = self._flights.get(key, (threading.Lock(), 0))
            self._flights[key] = (lock, waiting + 1)
        try:
            with lock:
                yield
        finally:
            with self._lock:
                lock, waiting = self._flights[key]
                if waiting == 1:
                    del self._flights[key]
                else:
                    self._flights[key] = (lock, waiting - 1)

    def get(self, generation: tuple[int, ...], key: Hashable) -> Representation | None:
        """The representation stored for `key` in this generation, if any."""
        with self._lock:
            if generation != self._generation:
                return None
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(
        self, generation: tuple[int, ...], key: Hashable, representation: Representation
    ) -> None:
        """Store a representation; a newer generation replaces every older entry."""
        with self._lock:
            if generation < self._generation:
                return  # rendered from a catalog already replaced: not worth keeping
            if generation != self._generation:
                self._entries.clear()
                self._generation = generation
            self._entries[key] = representation
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)
