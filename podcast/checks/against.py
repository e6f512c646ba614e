"""GUID stability: compare the catalog with the feed listeners already have.

An app identifies an episode by its guid. A guid that changes makes every subscriber download
the episode again as new; a guid that vanishes removes the episode from their libraries; an
enclosure URL given to another episode makes apps think they already have it.
"""

from __future__ import annotations

import urllib.error
import urllib.request
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from podcast.errors import PodcastError, Problem, Severity
from podcast.model import Catalog, Episode
from podcast.read.removed import removed
from podcast.render.urls import audio_path, local

MAX_FEED_BYTES = 50 * 1024 * 1024  # a feed of thousands of episodes is a few MB


@dataclass(frozen=True, slots=True)
class PublishedItem:
    """One item of the published feed: what apps remember it by."""

    guid: str
    title: str
    enclosure: str


@dataclass(frozen=True, slots=True)
class PublishedFeed:
    """The items of the last published feed, oldest first as written."""

    source: str
    items: tuple[PublishedItem, ...]


def read(source: str) -> PublishedFeed:
    """The feed in a file or at an http(s) URL; PodcastError if it cannot be read or parsed."""
    if source.startswith(("http://", "https://")):
        data = _download(source)
    else:
        try:
            data = Path(source).read_bytes()
        except OSError as exc:
            raise PodcastError(f"cannot read the published feed {source} ({exc.strerror})") from exc
    return parse(data, source)


def _download(url: str) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": "podcast-check"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # only http(s) URLs get here
            data: bytes = response.read(MAX_FEED_BYTES + 1)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise PodcastError(f"cannot download the published feed {url} ({exc})") from exc
    if len(data) > MAX_FEED_BYTES:
        raise PodcastError(f"the published feed {url} is larger than {MAX_FEED_BYTES} bytes")
    return data


def parse(data: bytes, source: str) -> PublishedFeed:
    """The items of an RSS feed's bytes; PodcastError naming `source` if it is not RSS."""
    try:  # expat never fetches external entities and caps entity expansion
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise PodcastError(f"{source}: not a readable feed ({exc})") from exc
    channel = root.find("channel")
    if root.tag != "rss" or channel is None:
        raise PodcastError(f"{source}: not an RSS feed (no <rss><channel>)")
    items = []
    for item in channel.iterfind("item"):
        enclosure = item.find("enclosure")
        url = (enclosure.get("url") or "").strip() if enclosure is not None else ""
        guid = (item.findtext("guid") or "").strip() or url  # apps fall back to the URL
        if guid:
            items.append(PublishedItem(guid, (item.findtext("title") or "").strip(), url))
    return PublishedFeed(source, tuple(items))


def compare(catalog: Catalog, published: PublishedFeed, now: datetime) -> list[Problem]:
    """Guids that changed or vanished, enclosure URLs reused or moved, since `published`."""
    return list(_compare(catalog, published, now))


def _compare(catalog: Catalog, published: PublishedFeed, now: datetime) -> Iterator[Problem]:
    by_audio = {audio_path(catalog, e): e for e in local(catalog.visible(now))}
    by_audio |= {e.audio.url: e for e in catalog.visible(now) if e.audio.url}
    by_guid = {e.guid: e for e in catalog.episodes}
    gone = removed(catalog.root)  # taken out with `podcast remove`: on purpose
    old_guids = {item.guid for item in published.items}
    changed: set[str] = set()
    for item in published.items:
        holder = _holder(by_audio, item.enclosure)
        if holder is not None and holder.guid != item.guid:
            if holder.guid in old_guids:
                yield _at(
                    holder,
                    "enclosure-reused",
                    f"its audio URL belonged to '{item.title}' (guid {item.guid}) in "
                    f"{published.source}",
                    "apps think they already have it; give this episode a new audio file name",
                )
            else:
                changed.add(item.guid)
                yield _at(
                    holder,
                    "guid-changed",
                    f"the guid changed: {published.source} has {item.guid} for this audio",
                    f"put 'guid: {item.guid}' back (apps download it again as new)",
                )
    for item in published.items:
        episode = by_guid.get(item.guid)
        if item.guid in changed:
            continue
        if episode is None and item.guid in gone:
            yield Problem(
                gone[item.guid].folder / "removed.yaml",
                None,
                f"'{item.title}' (guid {item.guid}) was removed on purpose with `podcast "
                f"remove` ({gone[item.guid].removed}); apps drop it from listeners' libraries",
                f"to bring it back, move the files in {gone[item.guid].folder} back",
                Severity.INFO,
                "guid-removed",
            )
        elif episode is None:
            yield Problem(
                catalog.show.source,
                None,
                f"'{item.title}' (guid {item.guid}) is in {published.source} but no "
                "longer in the catalog",
                "restore its YAML and audio: apps remove it from listeners' libraries",
                Severity.ERROR,
                "guid-vanished",
            )
        elif episode.draft:
            yield _at(
                episode,
                "guid-vanished",
                "a published episode is now a draft",
                "remove 'draft: true' (apps remove it from listeners' libraries)",
                key="draft",
            )
        elif episode.is_draft(now):
            yield _at(
                episode,
                "guid-vanished",
                f"a published episode is now scheduled for {episode.published.isoformat()}",
                "put back its original 'published' time",
                key="published",
            )
        elif item.enclosure and not _matches(catalog, episode, item.enclosure):
            yield _at(
                episode,
                "enclosure-moved",
                f"the audio URL changed from {item.enclosure}",
                "keep the audio's file name and folder: some apps download it again",
                severity=Severity.WARNING,
                key="audio",
            )


def _holder(by_audio: dict[str, Episode], url: str) -> Episode | None:
    """The episode whose audio the URL names, matched by the audio's path below the root.

    Not by the whole URL: the site or the media CDN may have moved since.
    """
    if url in by_audio:  # audio kept at its old host, by its whole URL
        return by_audio[url]
    segments = urlsplit(url).path.split("/")
    for start in range(1, len(segments)):
        found = by_audio.get("/".join(segments[start:]))
        if found is not None:
            return found
    return None


def _matches(catalog: Catalog, episode: Episode, url: str) -> bool:
    if episode.audio.url is not None:  # kept at its host: the URL itself must not change
        return url == episode.audio.url
    return urlsplit(url).path.endswith("/" + audio_path(catalog, episode))


def _at(
    episode: Episode,
    rule: str,
    message: str,
    hint: str,
    severity: Severity = Severity.ERROR,
    key: str = "guid",
) -> Problem:
    return Problem(episode.source, episode.lines.get(key), message, hint, severity, rule)
