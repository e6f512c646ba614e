"""`podcast check --verify-remote`: a HEAD request to each audio kept at another host.

Only when asked (a check is otherwise offline): the URL must answer, and its Content-Length and
Content-Type must agree with the `enclosure:` the YAML declares, since the feed repeats those.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator

from podcast.errors import Problem, Severity
from podcast.model import Catalog, Episode

TIMEOUT = 15.0


def verify(catalog: Catalog, timeout: float = TIMEOUT) -> list[Problem]:
    """A problem for each kept audio URL that does not answer, or differs from its YAML."""
    return [p for e in catalog.episodes if e.audio.url for p in _verify(e, timeout)]


def _verify(episode: Episode, timeout: float) -> Iterator[Problem]:
    audio, line = episode.audio, episode.lines.get("enclosure")
    request = urllib.request.Request(audio.url or "", method="HEAD")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            length, mime = (
                response.headers.get("Content-Length"),
                response.headers.get_content_type(),
            )
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
        if isinstance(exc, urllib.error.HTTPError):
            reason = f"HTTP {exc.code} {exc.reason}"
            exc.close()
        yield Problem(
            episode.source,
            line,
            f"the audio at {audio.url} does not answer ({reason})",
            "check the URL, or download the audio and drop 'enclosure:'",
            Severity.ERROR,
            "remote-audio",
        )
        return
    if length is not None and length.isdigit() and int(length) != audio.size:
        yield Problem(
            episode.source,
            line,
            f"{audio.url} is {length} bytes; 'enclosure' says {audio.size}",
            f"write 'length: {length}'",
            Severity.WARNING,
            "remote-audio",
        )
    if mime.startswith("audio/") and mime != audio.mime:
        yield Problem(
            episode.source,
            line,
            f"{audio.url} is served as {mime}; 'enclosure' says {audio.mime}",
            f"write 'type: {mime}'",
            Severity.WARNING,
            "remote-audio",
        )
