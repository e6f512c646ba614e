"""What a download of each episode is: the request paths that fetch it and the bytes it takes.

A request is for an episode when its path ends with the episode's audio path (the part of the
enclosure URL below /audio/ or below media_base_url): that matches the site's /audio/…, a
static build's files, a CDN prefix and an S3 bucket path alike. The IAB counts a download
once the listener has the ID3 header plus one minute of audio, or the whole file for an
episode shorter than a minute; the byte figure comes from mutagen's header size, bitrate
and duration.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import mutagen
from mutagen.mp3 import MP3

from podcast.model import Catalog, Episode
from podcast.render import urls
from podcast.render.urls import audio_path

MINUTE = 60.0
PATH_CACHE_LIMIT = 100_000  # distinct request paths remembered (hits and misses)


@dataclass(frozen=True, slots=True)
class Target:
    """One episode as the count sees it: index, suffix its requests end with, bytes needed."""

    index: int
    episode: Episode
    suffix: str  # "/season-1/01-welcome.mp3", decoded
    size: int
    header: int
    threshold: int  # bytes a listener must hold for a download


def header_bytes(episode: Episode) -> int:
    """Bytes before the audio: the ID3v2 tag of an MP3, else size less the audio's bytes."""
    audio = episode.audio
    try:
        parsed = mutagen.File(audio.path)
    except (mutagen.MutagenError, OSError, ValueError, EOFError):
        parsed = None
    if isinstance(parsed, MP3):
        return int(getattr(parsed.tags, "size", 0) or 0)
    media = audio.bitrate * audio.duration.total_seconds() / 8
    return max(0, int(audio.size - media))


def threshold(episode: Episode, header: int) -> int:
    """Header plus one minute at the file's bitrate; the whole file under a minute."""
    audio = episode.audio
    if audio.duration.total_seconds() < MINUTE or audio.bitrate <= 0:
        return audio.size
    return min(audio.size, header + int(audio.bitrate * MINUTE / 8 + 0.5))


def targets(catalog: Catalog) -> list[Target]:
    """Every episode of the catalog, drafts too (a scheduled file may already be fetched)."""
    found = []
    for index, episode in enumerate(catalog.episodes):
        if episode.audio.path is None:  # kept at another host: its downloads are not in our logs
            continue
        header = header_bytes(episode)
        suffix = "/" + unquote(audio_path(catalog, episode))
        found.append(
            Target(index, episode, suffix, episode.audio.size, header, threshold(episode, header))
        )
    return found


class Paths:
    """Maps a request path to its episode, by file name first so a miss costs one dict lookup."""

    def __init__(self, found: list[Target], feed_names: tuple[str, ...] = ()) -> None:
        self.by_name: dict[str, list[Target]] = {}
        for target in found:
            self.by_name.setdefault(target.suffix.rsplit("/", 1)[1], []).append(target)
        self.feed_names = frozenset(feed_names or (urls.feed().rsplit("/", 1)[1],))
        self.seen: dict[str, Target | None] = {}

    def episode(self, path: str) -> Target | None:
        """The episode this path fetches, or None."""
        if path in self.seen:
            return self.seen[path]
        if len(self.seen) >= PATH_CACHE_LIMIT:
            self.seen.clear()
        found = self.seen[path] = self._match(path)
        return found

    def _match(self, path: str) -> Target | None:
        clean = _path_only(path)
        for target in self.by_name.get(clean.rsplit("/", 1)[-1], ()):
            if clean.endswith(target.suffix) or ("/" + clean).endswith(target.suffix):
                return target
        return None

    def is_feed(self, path: str) -> bool:
        """True for a fetch of the feed (informational: a feed fetch is never a download)."""
        return _path_only(path).rsplit("/", 1)[-1] in self.feed_names


def _path_only(path: str) -> str:
    if "://" in path:
        path = urlsplit(path).path
    path = path.split("?", 1)[0].split("#", 1)[0]
    return unquote(path) if "%" in path else path
