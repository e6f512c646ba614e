"""What `podcast import` fetches over HTTP: a feed (bounded in size), and media downloaded whole.

A download goes to a hidden `.part` file beside its target; a re-run resumes it with an HTTP
Range request, and only a download whose size matches what the server announced is linked into
place (a hard link, so nothing existing is ever replaced).
"""

from __future__ import annotations

import os
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from email.message import Message
from http.client import HTTPResponse
from pathlib import Path
from typing import TypeVar, cast

from podcast import __version__
from podcast.errors import PodcastError

MAX_FEED_BYTES = 50 * 1024 * 1024  # a feed of thousands of episodes is a few MB
MAX_SIDE_FILE_BYTES = 20 * 1024 * 1024  # artwork, transcripts, chapters
CHUNK = 256 * 1024
USER_AGENT = f"OffTheChartsPublisher/{__version__} (podcast import)"
RETRIED_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})

Progress = Callable[[int], None]
T = TypeVar("T")


class FetchError(PodcastError):
    """A URL could not be fetched (after retries where retrying made sense)."""


@dataclass(frozen=True, slots=True)
class Fetched:
    """A small resource read whole: its bytes, final URL and declared charset."""

    url: str
    data: bytes
    charset: str | None
    content_type: str


@dataclass(frozen=True, slots=True)
class Network:
    """How patient to be with a host: per-read timeout, attempts and back-off."""

    timeout: float = 30.0
    attempts: int = 3
    backoff: float = 0.5


def is_url(source: str) -> bool:
    """True for an http(s) URL (the only schemes `import` fetches)."""
    return source.lower().startswith(("http://", "https://"))


def fetch(url: str, network: Network, limit: int = MAX_FEED_BYTES) -> Fetched:
    """GET `url` whole, at most `limit` bytes; FetchError on failure, loops or excess size."""

    def attempt() -> Fetched:
        with _open(url, network) as response:
            data = response.read(limit + 1)
            if len(data) > limit:
                raise FetchError(f"{url} is larger than {limit // (1024 * 1024)} MB; not a feed")
            headers: Message = response.headers
            return Fetched(
                response.geturl(), data, headers.get_content_charset(), headers.get_content_type()
            )

    return _retrying(url, network, attempt)


def download(url: str, target: Path, network: Network, progress: Progress | None = None) -> int:
    """Download `url` to `target` (never replacing it), resuming a `.part`; the size written."""
    part = target.with_name(f".{target.name}.part")

    def attempt() -> int:
        try:
            return _download_once(url, target, part, network, progress)
        except _Restart:  # the .part no longer fits the file: start over without Range
            part.unlink(missing_ok=True)
            return _download_once(url, target, part, network, progress)

    return _retrying(url, network, attempt)


def _download_once(
    url: str, target: Path, part: Path, network: Network, progress: Progress | None
) -> int:
    have = part.stat().st_size if part.exists() else 0
    headers = {"Range": f"bytes={have}-"} if have else {}
    with _open(url, network, headers) as response:
        resumed = response.status == 206
        if not resumed:
            have = 0
        remaining = response.headers.get("Content-Length")
        expected = have + int(remaining) if remaining and remaining.isdigit() else None
        with part.open("ab" if resumed else "wb") as stream:
            while chunk := response.read(CHUNK):
                stream.write(chunk)
                if progress is not None:
                    progress(len(chunk))
            stream.flush()
            os.fsync(stream.fileno())
    size = part.stat().st_size
    if expected is not None and size != expected:
        raise _Transient(f"{url}: received {size} bytes of {expected}")
    try:
        os.link(part, target)
    except FileExistsError as exc:
        raise FetchError(f"{target.name} already exists; not replaced") from exc
    part.unlink()
    return size


class _Transient(Exception):
    """A failure worth another attempt (timeout, reset, short read, 5xx)."""


def _open(url: str, network: Network, headers: dict[str, str] | None = None) -> HTTPResponse:
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, **(headers or {})})
    try:
        return cast(HTTPResponse, urllib.request.urlopen(request, timeout=network.timeout))
    except urllib.error.HTTPError as exc:
        exc.close()
        if 300 <= exc.code < 400:
            raise FetchError(f"{url}: the server redirects in a loop (or too often)") from exc
        if exc.code == 416:  # the .part is already whole or the file changed: start over
            raise _Restart() from exc
        if exc.code in RETRIED_STATUS:
            raise _Transient(f"{url}: HTTP {exc.code} {exc.reason}") from exc
        raise FetchError(f"{url}: HTTP {exc.code} {exc.reason}") from exc
    except (TimeoutError, ConnectionError) as exc:
        raise _Transient(f"{url}: {exc or 'timed out'}") from exc
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError | ConnectionError | socket.timeout):
            raise _Transient(f"{url}: {exc.reason or 'timed out'}") from exc
        raise FetchError(f"{url}: {exc.reason}") from exc
    except ValueError as exc:
        raise FetchError(f"{url}: not a URL that can be fetched ({exc})") from exc


class _Restart(Exception):
    """The server refused our Range: drop the partial file and download again."""


def _retrying(url: str, network: Network, attempt: Callable[[], T]) -> T:
    last = ""
    for number in range(max(1, network.attempts)):
        if number:
            time.sleep(network.backoff * 2 ** (number - 1))
        try:
            return attempt()
        except (_Transient, TimeoutError, ConnectionError) as exc:
            last = str(exc) or f"{url}: timed out"
        except OSError as exc:
            if isinstance(exc, FetchError):
                raise
            last = f"{url}: {exc}"
    raise FetchError(f"{last} (gave up after {network.attempts} attempts)")
