"""After a deploy, check what listeners will get: fetch every changed object over HTTP.

For each object: a 200 with the Content-Type it was uploaded with and the Content-Length of
the built file (for audio, the feed's enclosure length); `Range: bytes=0-1` answers 206; and
the feed's ETag answers 304, so apps' conditional polls work through the CDN.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterable
from email.message import Message
from urllib.parse import quote

from podcast.publish.deploy import Item, Kind, enclosures

TIMEOUT = 20.0


def verify(base_url: str, items: Iterable[Item]) -> list[str]:
    """The problems found with `items` served under `base_url` (empty when all is well)."""
    base = base_url.rstrip("/") + "/"
    items = list(items)
    lengths = enclosures(item for item in items if item.kind is Kind.FEED)
    problems = []
    for item in items:
        problems += check_item(base + quote(item.key), item, lengths.get(item.key, item.size))
    return problems


def check_item(url: str, item: Item, length: int) -> list[str]:
    """Status, type, length, ranges and (for feeds) revalidation of one object."""
    status, headers = _fetch(url, {})
    if status != 200:
        return [f"{url}: HTTP {status}, expected 200"]
    problems = []
    if headers.get("Content-Type", "").lower() != item.headers.content_type.lower():
        problems.append(
            f"{url}: Content-Type {headers.get('Content-Type')!r}, "
            f"expected {item.headers.content_type!r}"
        )
    if headers.get("Content-Encoding") is None and headers.get("Content-Length") != str(length):
        problems.append(f"{url}: Content-Length {headers.get('Content-Length')}, expected {length}")
    if item.headers.content_type.startswith("audio/") and headers.get("Content-Encoding"):
        problems.append(f"{url}: audio is served with Content-Encoding; the length will not match")
    if item.size > 1:
        ranged, _ = _fetch(url, {"Range": "bytes=0-1"})
        if ranged != 206:
            problems.append(f"{url}: Range bytes=0-1 answered {ranged}, expected 206")
    etag = headers.get("ETag")
    if item.kind is Kind.FEED:
        revalidated = _fetch(url, {"If-None-Match": etag})[0] if etag else None
        if revalidated != 304:
            problems.append(f"{url}: the feed's ETag {etag} answered {revalidated}, expected 304")
    return problems


def _fetch(url: str, headers: dict[str, str]) -> tuple[int, Message]:
    """Status and (case-insensitive) headers of a GET; the body is read, so ranges are measured."""
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            response.read()
            return response.status, response.headers
    except urllib.error.HTTPError as exc:
        with exc:  # a 304 or 206-less answer still holds the connection
            return exc.code, exc.headers
    except (urllib.error.URLError, OSError):
        return 0, Message()
