"""feedgen extensions for what its podcast extension lacks.

feedgen writes itunes:explicit only as yes/no/clean; Apple's current rules want true/false.
`PodcastIndex` writes the Podcasting 2.0 namespace (https://podcastindex.org/namespace/1.0)
and `Podlove` the Podlove Simple Chapters that gPodder and other apps read.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import format_datetime
from typing import Any

import feedgen.feed  # noqa: F401  (loads lxml.etree, which feedgen.util uses without importing)
from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.util import xml_elem

from podcast.model import Person, Soundbite
from podcast.render.chapters import JSON_TYPE
from podcast.render.notes import xml_safe
from podcast.render.times import npt

ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST_NS = "https://podcastindex.org/namespace/1.0"
PSC_NS = "http://podlove.org/simple-chapters"
# The spec's namespace for podcast:guid (docs/tags/guid.md in the podcast-namespace repo).
GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)


def podcast_guid(feed_url: str) -> str:
    """The podcast:guid for a feed URL: UUIDv5 of the URL without scheme and trailing slashes."""
    return str(uuid.uuid5(GUID_NAMESPACE, _SCHEME.sub("", feed_url.strip()).rstrip("/")))


def _explicit(parent: Any, explicit: bool | None) -> None:
    if explicit is not None:
        xml_elem(f"{{{ITUNES_NS}}}explicit", parent).text = "true" if explicit else "false"


class ItunesExtras(BaseExtension):  # type: ignore[misc]
    """Channel-level itunes tags written the way Apple asks today."""

    def __init__(self) -> None:
        self.explicit: bool | None = None

    def extend_ns(self) -> dict[str, str]:
        """The itunes namespace prefix."""
        return {"itunes": ITUNES_NS}

    def extend_rss(self, rss_feed: Any) -> Any:
        """Append the tags to the channel."""
        _explicit(rss_feed[0], self.explicit)
        return rss_feed


class ItunesEntryExtras(BaseEntryExtension):  # type: ignore[misc]
    """Item-level itunes tags written the way Apple asks today."""

    def __init__(self) -> None:
        self.explicit: bool | None = None

    def extend_rss(self, entry: Any) -> Any:
        """Append the tags to the item."""
        _explicit(entry, self.explicit)
        return entry


# --- Podcasting 2.0 -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Trailer:
    """A podcast:trailer: an enclosure-like link to a trailer of the show or a season."""

    title: str
    url: str
    published: datetime
    length: int
    mime: str
    season: int | None = None


@dataclass(frozen=True, slots=True)
class TranscriptLink:
    """A podcast:transcript: where a transcript lives and what it is."""

    url: str
    mime: str
    language: str | None = None
    captions: bool = False


@dataclass(frozen=True, slots=True)
class AlternateEnclosure:
    """A podcast:alternateEnclosure: another file of the same episode (here, the low-data one)."""

    url: str
    mime: str
    length: int
    bitrate: int  # bits per second, as the spec asks
    title: str = "Low data"


def _tag(tag: str, parent: Any, text: str | None = None, **attrs: str | None) -> Any:
    """A podcast:TAG child with the attributes that are set (None ones are left out)."""
    return _element(f"{{{PODCAST_NS}}}{tag}", parent, text, attrs)


def _element(tag: str, parent: Any, text: str | None, attrs: dict[str, str | None]) -> Any:
    element = xml_elem(tag, parent)  # attributes set one by one: one of them is called "name"
    for key, value in attrs.items():
        if value is not None:
            element.set(key, xml_safe(value))  # lxml refuses the control characters XML forbids
    if text is not None:
        element.text = xml_safe(text)
    return element


def _person(parent: Any, person: Person) -> None:
    _tag(
        "person",
        parent,
        person.name,
        role=person.role,
        group=person.group,
        img=person.img,
        href=person.href,
    )


def _number(value: float) -> str:
    """`3` for whole numbers, `3.5` otherwise (the spec's episode numbers are decimal)."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


class PodcastIndex(BaseExtension):  # type: ignore[misc]
    """Channel-level Podcasting 2.0 tags: guid, locked, funding, medium, person, license…"""

    def __init__(self) -> None:
        self.guid: str | None = None
        self.locked: bool | None = None
        self.owner_email: str | None = None
        self.funding: list[tuple[str, str]] = []  # (text shown beside the link, url)
        self.medium: str | None = None
        self.persons: list[Person] = []
        self.license: str | None = None
        self.license_url: str | None = None
        self.trailers: list[Trailer] = []

    def extend_ns(self) -> dict[str, str]:
        """The podcast namespace prefix."""
        return {"podcast": PODCAST_NS}

    def extend_rss(self, rss_feed: Any) -> Any:
        """Append the tags to the channel."""
        channel = rss_feed[0]
        if self.guid:
            _tag("guid", channel, self.guid)
        if self.locked is not None:
            _tag("locked", channel, "yes" if self.locked else "no", owner=self.owner_email)
        for text, url in self.funding:
            _tag("funding", channel, text, url=url)
        if self.medium:
            _tag("medium", channel, self.medium)
        for person in self.persons:
            _person(channel, person)
        if self.license:
            _tag("license", channel, self.license, url=self.license_url)
        for trailer in self.trailers:
            _tag(
                "trailer",
                channel,
                trailer.title,
                url=trailer.url,
                pubdate=format_datetime(trailer.published),
                length=str(trailer.length),
                type=trailer.mime,
                season=None if trailer.season is None else str(trailer.season),
            )
        return rss_feed


class PodcastIndexEntry(BaseEntryExtension):  # type: ignore[misc]
    """Item-level Podcasting 2.0 tags: season, episode, person, transcript, alternate
    enclosure, chapters."""

    def __init__(self) -> None:
        self.season: int | None = None
        self.season_name: str | None = None
        self.episode: float | None = None
        self.persons: list[Person] = []
        self.transcripts: list[TranscriptLink] = []
        self.alternate_enclosures: list[AlternateEnclosure] = []
        self.chapters_url: str | None = None
        self.soundbites: list[Soundbite] = []

    def extend_rss(self, entry: Any) -> Any:
        """Append the tags to the item."""
        if self.season is not None:
            _tag("season", entry, str(self.season), name=self.season_name or None)
        if self.episode is not None:
            _tag("episode", entry, _number(self.episode))
        for person in self.persons:
            _person(entry, person)
        for link in self.transcripts:
            _tag(
                "transcript",
                entry,
                url=link.url,
                type=link.mime,
                language=link.language,
                rel="captions" if link.captions else None,
            )
        for other in self.alternate_enclosures:
            _alternate_enclosure(entry, other)
        if self.chapters_url:
            _tag("chapters", entry, url=self.chapters_url, type=JSON_TYPE)
        for bite in self.soundbites:  # the spec's times are seconds, decimals allowed
            start, length = bite.start.total_seconds(), bite.duration.total_seconds()
            title = bite.title or None
            _tag("soundbite", entry, title, startTime=_number(start), duration=_number(length))
        return entry


def _alternate_enclosure(parent: Any, other: AlternateEnclosure) -> None:
    """podcast:alternateEnclosure with its one podcast:source (the spec requires one or more)."""
    element = _tag(
        "alternateEnclosure",
        parent,
        type=other.mime,
        length=str(other.length),
        bitrate=str(other.bitrate),
        title=other.title,
    )
    _tag("source", element, uri=other.url)


# --- Podlove Simple Chapters ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SimpleChapter:
    """One psc:chapter: start, title and absolute links."""

    start: timedelta
    title: str
    href: str | None = None
    image: str | None = None


class Podlove(BaseExtension):  # type: ignore[misc]
    """Declares the psc namespace on the feed (items carry the chapters)."""

    def extend_ns(self) -> dict[str, str]:
        """The psc namespace prefix."""
        return {"psc": PSC_NS}


class PodloveEntry(BaseEntryExtension):  # type: ignore[misc]
    """An item's psc:chapters (version 1.2)."""

    def __init__(self) -> None:
        self.chapters: list[SimpleChapter] = []

    def extend_rss(self, entry: Any) -> Any:
        """Append psc:chapters to the item when it has chapters."""
        if not self.chapters:
            return entry
        container = xml_elem(f"{{{PSC_NS}}}chapters", entry, version="1.2")
        for chapter in self.chapters:
            attrs = {
                "start": npt(chapter.start),
                "title": chapter.title,
                "href": chapter.href,
                "image": chapter.image,
            }
            _element(f"{{{PSC_NS}}}chapter", container, None, attrs)
        return entry


ATOM_NS = "http://www.w3.org/2005/Atom"


class PushTags(BaseExtension):  # type: ignore[misc]
    """How apps learn of a new episode at once: WebSub hubs and Podping (see publish/pings)."""

    def __init__(self) -> None:
        self.hubs: list[str] = []
        self.podping = False

    def extend_ns(self) -> dict[str, str]:
        """The atom and podcast namespace prefixes."""
        return {"atom": ATOM_NS, "podcast": PODCAST_NS}

    def extend_rss(self, rss_feed: Any) -> Any:
        """Append <atom:link rel="hub"> per hub and <podcast:podping> to the channel."""
        for hub in self.hubs:
            xml_elem(f"{{{ATOM_NS}}}link", rss_feed[0], rel="hub", href=hub)
        if self.podping:
            _tag("podping", rss_feed[0], usesPodping="true")
        return rss_feed
