"""The catalog's immutable data: show, seasons, episodes, audio; pure helpers, no I/O."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, tzinfo
from enum import StrEnum
from pathlib import Path

from podcast.errors import Problem

# Characters XML 1.0 cannot carry at all (not even escaped): C0 controls but tab, CR and LF,
# lone surrogates and the two non-characters U+FFFE/U+FFFF; one makes a feed unparseable.
# Also those XML asks authors to avoid (DEL, C1 controls, non-characters): feedparser reads
# U+0080-U+009F as Windows-1252, so a guid holding one differs between podcast apps.
# Written as the characters allowed, each plane's range but its last two: the regex engine
# tests a class's ranges in turn, and everyday text matches the first few (listing the 34
# plane ends made every character of every text pass 34 tests, 30 µs for a paragraph).
_ALLOWED = "\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufdcf\ufdf0-\ufffd" + "".join(
    f"{chr(plane)}-{chr(plane + 0xFFFD)}" for plane in range(0x10000, 0x110000, 0x10000)
)
XML_FORBIDDEN = re.compile(f"[^{_ALLOWED}]")


def double_encoded(text: str) -> str | None:
    """What `text` would be if it is UTF-8 that was read as Latin-1 ("cafÃ©" for "café").

    feedparser repairs any feed text that fits this pattern, so such text reads differently
    in different podcast apps; None when `text` does not fit it.
    """
    if text.isascii():
        return None
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return None


class EpisodeType(StrEnum):
    """Apple's itunes:episodeType values."""

    FULL = "full"
    TRAILER = "trailer"
    BONUS = "bonus"


class Status(StrEnum):
    """Where an episode stands for listeners: not yet released, released for later, or out."""

    DRAFT = "draft"
    SCHEDULED = "scheduled"
    LIVE = "live"


class ShowType(StrEnum):
    """Apple's itunes:type values."""

    EPISODIC = "episodic"
    SERIAL = "serial"


@dataclass(frozen=True, slots=True)
class Person:
    """A host or guest, as in podcast:person."""

    name: str
    role: str = "host"
    group: str = "cast"
    bio: str = ""
    href: str | None = None
    img: str | None = None


@dataclass(frozen=True, slots=True)
class Owner:
    """Who Apple and directories contact about the show."""

    name: str
    email: str


@dataclass(frozen=True, slots=True)
class Category:
    """An Apple Podcasts category and optional subcategory."""

    name: str
    sub: str | None = None

    def __str__(self) -> str:
        return f"{self.name} > {self.sub}" if self.sub else self.name


@dataclass(frozen=True, slots=True)
class Chapter:
    """A chapter mark inside an episode's audio."""

    start: timedelta
    title: str
    url: str | None = None
    image: str | Path | None = None  # an http(s) URL, or an image file in the episodes folder
    embedded_image: str | None = None  # MIME type of a picture inside the audio's chapter frame
    line: int | None = field(default=None, compare=False)  # its line in the episode's YAML


@dataclass(frozen=True, slots=True)
class Tags:
    """The descriptive tags read from an audio file, used to prefill an episode."""

    title: str | None = None
    artist: str | None = None
    album: str | None = None
    date: str | None = None
    track: int | None = None
    comment: str | None = None
    cover_mime: str | None = None


@dataclass(frozen=True, slots=True)
class Audio:
    """What mutagen found in an audio file, or, for audio left at its old host, what the YAML says.

    A remote audio (`url` set, `path` None) is imported with `--media keep`: the feed and site
    point at `url` unchanged and its size, type and duration come from the episode's YAML.
    """

    path: Path | None
    size: int
    mime: str
    duration: timedelta
    bitrate: int
    sample_rate: int
    channels: int
    codec: str
    duration_exact: bool = True
    vbr_without_header: bool = False
    tags: Tags = field(default_factory=Tags)
    chapters: tuple[Chapter, ...] = ()
    url: str | None = None
    # An MP3's `read.same_audio.signature` (hex), kept with the probe so that the duplicate
    # check finds the same recording without opening every file again; None where not taken.
    frames_digest: str | None = None

    @property
    def seconds(self) -> int:
        """Whole seconds, rounded to nearest, for itunes:duration."""
        return round(self.duration.total_seconds())


@dataclass(frozen=True, slots=True)
class Soundbite:
    """A podcast:soundbite: a part of the episode apps may play as a preview."""

    start: timedelta
    duration: timedelta
    title: str = ""


@dataclass(frozen=True, slots=True)
class Transcript:
    """A transcript file beside an episode's audio."""

    path: Path
    mime: str
    language: str
    tag: str = ""  # the BCP 47 tag in the file name (`01-topic.es.vtt`); "" for the plain one
    title: str = ""  # the episode's title and summary in this language, when given
    summary: str = ""

    @property
    def extension(self) -> str:
        """`vtt` or `srt`, as used in the transcript's URL."""
        return self.path.suffix.lstrip(".").lower()

    @property
    def file_suffix(self) -> str:
        """`vtt`, or `es.vtt` for a tagged file: what follows `transcript.` in its URL."""
        return f"{self.tag}.{self.extension}" if self.tag else self.extension


@dataclass(frozen=True, slots=True)
class SeasonInfo:
    """A season's name and description from show.yaml."""

    number: int
    title: str = ""
    description: str = ""

    @property
    def label(self) -> str:
        """`Season 2: Title` or just `Season 2`."""
        return f"Season {self.number}: {self.title}" if self.title else f"Season {self.number}"


@dataclass(frozen=True, slots=True)
class Episode:
    """One episode: its YAML's fields plus the probed audio."""

    source: Path
    slug: str
    title: str
    season: int
    number: int | None
    published: datetime
    type: EpisodeType
    guid: str
    audio: Audio
    summary: str = ""
    notes: str = ""
    explicit: bool | None = None
    guests: tuple[Person, ...] = ()
    chapters: tuple[Chapter, ...] = ()
    transcripts: tuple[Transcript, ...] = ()  # the plain (show-language) one first
    image: Path | None = None
    low_bandwidth: Audio | None = None  # a small spoken-word copy (`01-topic.low.mp3`)
    guid_is_permalink: bool = False  # isPermaLink="true" kept from an imported feed
    soundbites: tuple[Soundbite, ...] = ()
    draft: bool = False  # `draft: true`: never public, whatever `published` says
    # Each key's line in `source`, kept from loading for `path:line` findings; not data.
    lines: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)

    def is_draft(self, now: datetime) -> bool:
        """True while listeners may not see it: a draft, or scheduled after `now`."""
        return self.draft or self.published > now

    def status(self, now: datetime) -> Status:
        """Draft, scheduled (released for a time after `now`) or live."""
        if self.draft:
            return Status.DRAFT
        return Status.SCHEDULED if self.published > now else Status.LIVE

    @property
    def transcript(self) -> Transcript | None:
        """The primary transcript (the show's language), if any."""
        return self.transcripts[0] if self.transcripts else None

    def transcript_in(self, language: str) -> Transcript | None:
        """The transcript in `language` (a BCP 47 tag, any case), if there is one."""
        wanted = language.lower()
        return next((t for t in self.transcripts if t.language.lower() == wanted), None)

    @property
    def all_chapters(self) -> tuple[Chapter, ...]:
        """Chapters from the YAML, else those embedded in the audio."""
        return self.chapters or self.audio.chapters


@dataclass(frozen=True, slots=True)
class Show:
    """The show's channel-level data from show.yaml."""

    source: Path
    title: str
    description: str
    language: str
    author: str
    owner: Owner
    artwork: Path
    categories: tuple[Category, ...]
    explicit: bool
    type: ShowType = ShowType.EPISODIC
    subtitle: str = ""
    copyright: str = ""
    base_url: str | None = None
    media_base_url: str | None = None
    hosts: tuple[Person, ...] = ()
    seasons: tuple[SeasonInfo, ...] = ()
    links: tuple[tuple[str, str], ...] = ()
    funding: tuple[tuple[str, str], ...] = ()
    locked: bool = True
    podcast_guid: str | None = None
    license: str | None = None
    previous_feed_url: str | None = None  # where the show was published before `podcast import`
    hubs: tuple[str, ...] = ()  # WebSub hubs the feed advertises and deploy pings
    pubnotify: str | None = None  # the Podcast Index hub/pubnotify endpoint, when enabled
    podping: str | None = None  # the podping.cloud endpoint, when enabled
    encode: str | None = None  # "mp3" or "aac": what `add` encodes a WAV/AIFF/FLAC master into
    low_bandwidth: bool = False  # `podcast add` makes a low-data copy of each episode
    timezone: tzinfo | None = None  # `timezone:` (IANA): where a bare date's hour is meant
    release_hour: time = time(6, 0)  # `release_hour:`: the hour a bare date means
    lines: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)
    feed_max_items: int | None = None  # the feed lists only the newest N episodes; None: all

    def season_info(self, number: int) -> SeasonInfo:
        """The season's name from show.yaml, or a bare numbered season."""
        for info in self.seasons:
            if info.number == number:
                return info
        return SeasonInfo(number)


@dataclass(frozen=True, slots=True)
class Season:
    """A season with its visible episodes, newest first."""

    info: SeasonInfo
    episodes: tuple[Episode, ...]

    @property
    def number(self) -> int:
        """The season's number."""
        return self.info.number


@dataclass(frozen=True, slots=True)
class Catalog:
    """Everything read from an episodes folder; every output is a function of it."""

    root: Path
    show: Show
    episodes: tuple[Episode, ...]
    warnings: tuple[Problem, ...] = ()

    def visible(self, now: datetime, drafts: bool = False) -> tuple[Episode, ...]:
        """Episodes a listener may see at `now`, newest first (drafts too if asked)."""
        return tuple(e for e in self.episodes if drafts or not e.is_draft(now))

    def drafts(self, now: datetime) -> tuple[Episode, ...]:
        """Episodes listeners cannot see at `now`: scheduled soonest first, then drafts."""
        hidden = (e for e in self.episodes if e.is_draft(now))
        return tuple(sorted(hidden, key=lambda e: (e.draft, publish_order(e))))

    def find(self, slug: str) -> Episode | None:
        """The episode with this slug, if any."""
        for episode in self.episodes:
            if episode.slug == slug:
                return episode
        return None


def publish_order(episode: Episode) -> tuple[datetime, int, int, str]:
    """Sort key: oldest first by publication, then season and number."""
    return (episode.published, episode.season, episode.number or 0, episode.slug)


def newest_first(episodes: Iterable[Episode]) -> tuple[Episode, ...]:
    """Episodes sorted newest first, stable for equal times."""
    return tuple(sorted(episodes, key=publish_order, reverse=True))


def group_seasons(show: Show, episodes: Iterable[Episode]) -> tuple[Season, ...]:
    """Group episodes into seasons, newest season first, episodes newest first."""
    by_number: dict[int, list[Episode]] = {}
    for episode in episodes:
        by_number.setdefault(episode.season, []).append(episode)
    return tuple(
        Season(show.season_info(n), newest_first(by_number[n]))
        for n in sorted(by_number, reverse=True)
    )


def slugify(text: str) -> str:
    """An ASCII, lowercase, hyphenated slug (Apple wants ASCII file names)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:80].rstrip("-") or "episode"


def parse_timestamp(text: str) -> timedelta:
    """`HH:MM:SS(.mmm)`, `MM:SS` or seconds into a timedelta; ValueError if malformed."""
    parts = text.strip().split(":")
    if not 1 <= len(parts) <= 3 or any(not p for p in parts):
        raise ValueError(f"not a timestamp: {text!r}")
    seconds = 0.0
    for part in parts:
        value = float(part)
        if value < 0:
            raise ValueError(f"not a timestamp: {text!r}")
        seconds = seconds * 60 + value
    return timedelta(seconds=seconds)
