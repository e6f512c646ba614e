"""Every key of show.yaml and of an episode's YAML, declared once: type, default, required, doc.

The same declarations read the values (`Key.read` returns the type, never None when there is a
default), name the known keys for the unknown-key warnings (`Table.known`) and write the key
reference in docs/producers.md (`reference`). A new key is one line in its table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from podcast.model import EpisodeType, ShowType
from podcast.read.yamlfile import Fields, describe

T = TypeVar("T")
E = TypeVar("E", ShowType, EpisodeType)
HTTP_URL = re.compile(r"^https?://[^\s/]+")


def _named(spec: object, owner: type, name: str) -> None:
    """A declaration takes its key's name from the attribute it is assigned to."""
    object.__setattr__(spec, "name", name)


@dataclass(frozen=True, slots=True)
class Key(Generic[T]):
    """A key read as `kind`, with the value used when it is absent or wrong."""

    kind: type[T]
    default: T
    doc: str
    required: bool = False
    hint: str = ""
    shown_default: str | None = None  # the default as the docs say it, when not `default`
    name: str = field(default="", init=False)  # the attribute's name in its table
    __set_name__ = _named

    def read(self, fields: Fields, hint: str = "", default: T | None = None) -> T:
        """The value, or the default (with a problem when missing but required, or wrong).

        Empty text counts as absent: `language: ""` is English.
        """
        fallback = self.default if default is None else default
        value = fields.get(self.name, self.kind, fallback, self.required, hint or self.hint)
        return fallback if value == "" else value

    @property
    def form(self) -> str:
        """The value's type as the docs name it."""
        return describe(self.kind)

    @property
    def default_text(self) -> str:
        """The default as the docs show it."""
        if self.shown_default is not None:
            return self.shown_default
        return "" if self.default in ("", [], None) else f"`{str(self.default).lower()}`"


@dataclass(frozen=True, slots=True)
class Maybe(Generic[T]):
    """An optional key read as `kind`: None when absent."""

    kind: type[T]
    doc: str
    required: bool = False
    hint: str = ""
    shown_default: str = ""
    name: str = field(default="", init=False)
    __set_name__ = _named

    def read(self, fields: Fields) -> T | None:
        """The value, or None (with a problem when it is of the wrong type).

        `required` and `hint` are for the reader's own check (a season from its folder).
        """
        return fields.get(self.name, self.kind)

    @property
    def form(self) -> str:
        """The value's type as the docs name it."""
        return describe(self.kind)

    @property
    def default_text(self) -> str:
        """The default as the docs show it."""
        return self.shown_default


@dataclass(frozen=True, slots=True)
class Url:
    """An optional absolute http(s) URL; anything else is an error apps would trip on."""

    doc: str
    required: bool = False
    hint: str = ""
    default_text: str = ""
    form: str = "an http(s) URL"
    name: str = field(default="", init=False)
    __set_name__ = _named

    def read(self, fields: Fields) -> str | None:
        """The URL, or None (with a problem when it is not one)."""
        return http_url(fields, self.name)


def http_url(fields: Fields, key: str) -> str | None:
    """The optional http(s) URL under `key` (any name: also the entries of `links`)."""
    url = fields.get(key, str)
    if url and not HTTP_URL.match(url):
        fields.error(key, f"'{key}' is not an absolute http(s) URL: {url}", "write https://…")
        return None
    return url


@dataclass(frozen=True, slots=True)
class Choice(Generic[E]):
    """One of an enumeration's values, case-insensitive."""

    kind: type[E]
    default: E
    doc: str
    required: bool = False
    hint: str = ""
    name: str = field(default="", init=False)
    __set_name__ = _named

    def read(self, fields: Fields) -> E:
        """The value, or the default (with a problem naming the choices)."""
        value = fields.get(self.name, str)
        if value is None:
            return self.default
        try:
            return self.kind(value.lower())
        except ValueError:
            choices = " or ".join(m.value for m in self.kind)
            fields.error(self.name, f"'{self.name}' is '{value}'", f"write {choices}")
            return self.default

    @property
    def form(self) -> str:
        """The choices as the docs name them."""
        return " or ".join(f"`{m.value}`" for m in self.kind)

    @property
    def default_text(self) -> str:
        """The default as the docs show it."""
        return f"`{self.default.value}`"


@dataclass(frozen=True, slots=True)
class Raw:
    """A key whose value has rules of its own (a date, a time, `true` or a URL)."""

    form: str
    doc: str
    required: bool = False
    hint: str = ""
    default_text: str = ""
    name: str = field(default="", init=False)
    __set_name__ = _named

    def read(self, fields: Fields) -> Any:
        """The value as YAML constructs it; None when absent."""
        return fields.raw(self.name)


@dataclass(frozen=True, slots=True)
class Section:
    """A key holding a mapping or a list of mappings, whose keys `table` declares."""

    table: type[Table] | None
    form: str
    doc: str
    required: bool = False
    hint: str = ""
    default_text: str = ""
    name: str = field(default="", init=False)
    __set_name__ = _named

    def child(self, fields: Fields) -> Fields | None:
        """The mapping under the key (None when absent or not a mapping)."""
        return fields.child(self.name)

    def items(self, fields: Fields) -> list[Fields]:
        """Each mapping of the list under the key."""
        return fields.items(self.name)

    def missing(self, fields: Fields) -> None:
        """Report the key as missing."""
        fields.error(None, f"missing required key '{self.name}'", self.hint)


Spec = Key[Any] | Maybe[Any] | Url | Choice[Any] | Raw | Section


class Table:
    """A namespace of keys; its class attributes are the declarations, in the docs' order."""

    heading = ""
    intro = ""

    @classmethod
    def keys(cls) -> tuple[Spec, ...]:
        """Every key, in declaration order."""
        specs = (Key, Maybe, Url, Choice, Raw, Section)
        return tuple(value for value in vars(cls).values() if isinstance(value, specs))

    @classmethod
    def known(cls) -> frozenset[str]:
        """The key names, for the unknown-key warning (asked once a file: listed once)."""
        names = _KNOWN.get(cls)
        if names is None:
            names = _KNOWN[cls] = frozenset(spec.name for spec in cls.keys())
        return names

    @classmethod
    def warn_unknown(cls, fields: Fields) -> None:
        """Warn about each key of `fields` this table does not declare."""
        fields.warn_unknown(cls.known())


_KNOWN: dict[type[Table], frozenset[str]] = {}  # each table's key names, by Table.known


class OwnerKeys(Table):
    heading = "owner"
    intro = "Under `owner:` in show.yaml."
    name = Key(str, "", "who owns the show (Apple shows it to directories)", True)
    email = Key(str, "", "where Apple and Spotify send ownership codes", True)


class SiteKeys(Table):
    heading = "site"
    intro = "Under `site:` in show.yaml; `podcast build --base-url` overrides them."
    base_url = Maybe(str, "the site's absolute http(s) address")
    media_base_url = Maybe(str, "where the audio is served, if elsewhere")


class PersonKeys(Table):
    heading = "person"
    intro = "Each entry of `hosts:` (show.yaml) and `guests:` (an episode), as podcast:person."
    name = Key(str, "", "the person's name", True)
    role = Key(str, "", "podcast:person role", shown_default="`host` / `guest`")
    group = Key(str, "cast", "podcast:person group")
    bio = Key(str, "", "a line about them on the episode page")
    href = Url("their page")
    img = Url("their picture")


class SeasonKeys(Table):
    heading = "season"
    intro = "Under `seasons:` in show.yaml, keyed by the season's number (`1:`, `2:`, …)."
    title = Key(str, "", "the season's name (`Season 2: Title`)")
    description = Key(str, "", "a paragraph on the season's page")


class ChapterKeys(Table):
    heading = "chapter"
    intro = "Each entry of an episode's `chapters:`."
    start = Raw("a time", 'where it starts, quoted "HH:MM:SS"', True, "add 'start: \"00:00:00\"'")
    title = Key(str, "", "the chapter's title", True)
    url = Url("a link for the chapter")
    image = Maybe(str, "a JPEG or PNG beside the episode, or an http(s) URL")


class TranslationKeys(Table):
    heading = "translation"
    intro = (
        "Under an episode's `translations:`, keyed by a language of its transcripts "
        "(`es:` for NAME.es.vtt): shown on that language's transcript page."
    )
    title = Key(str, "", "the episode's title in that language")
    summary = Key(str, "", "its summary in that language")


class EnclosureKeys(Table):
    heading = "enclosure"
    intro = (
        "Under `enclosure:` in an episode, for audio left at another host (`podcast import "
        "--media keep`): the feed and site use `url` unchanged, and nothing is probed."
    )
    url = Url("the audio's address, as the old feed had it", True, "add 'url: https://…'")
    length = Key(int, 0, "its size in bytes (the feed's enclosure length)", True)
    type = Key(str, "audio/mpeg", "its MIME type")
    duration = Raw("a time", 'its length, quoted "HH:MM:SS"', True, "add 'duration: \"0:42:00\"'")


class SoundbiteKeys(Table):
    heading = "soundbite"
    intro = "Each entry of an episode's `soundbites:` (podcast:soundbite, a preview clip)."
    start = Raw("a time", 'where it starts, quoted "HH:MM:SS"', True, "add 'start: \"00:01:00\"'")
    duration = Raw("a time", 'how long it lasts, e.g. "00:00:30"', True, "add 'duration: 30'")
    title = Key(str, "", "what it is about")


CATEGORIES_HINT = "add e.g. 'categories: [\"Health & Fitness > Medicine\"]'"


class ShowKeys(Table):
    heading = "show.yaml"
    intro = "The show's channel, in `show.yaml` at the top of the episodes folder."
    title = Key(str, "", "the show's name", True)
    subtitle = Key(str, "", "a line under the title")
    description = Key(str, "", "what the show is about", True)
    language = Key(str, "en", "ISO 639 code, e.g. `en` or `en-us`", True)
    author = Key(str, "", "who makes it, as apps show it", True)
    owner = Section(
        OwnerKeys,
        "a mapping",
        "name and email (see owner)",
        True,
        "add 'owner: {name: …, email: …}' (Apple emails this address)",
    )
    artwork = Key(str, "artwork.jpg", "square JPEG or PNG, 1400–3000 px")
    categories = Key(list, [], "Apple categories, `Name > Sub`", True, CATEGORIES_HINT)
    explicit = Key(
        bool, False, "Apple requires it", True, "add 'explicit: false' (Apple requires it)"
    )
    type = Choice(ShowType, ShowType.EPISODIC, "Apple's itunes:type")
    copyright = Key(str, "", "the copyright line")
    site = Section(SiteKeys, "a mapping", "the site's addresses (see site)")
    hosts = Section(PersonKeys, "a list", "the hosts (see person)")
    seasons = Section(SeasonKeys, "a mapping", "seasons' names (see season)")
    links = Section(None, "a mapping", "name: http(s) URL, shown on the site")
    funding = Section(None, "a mapping", "name: http(s) URL, as podcast:funding")
    locked = Key(bool, True, "podcast:locked: other hosts may not import the feed")
    podcast_guid = Maybe(str, "podcast:guid (a UUID); `podcast check` prints it")
    license = Maybe(str, "podcast:license, e.g. `CC-BY-4.0`")
    previous_feed_url = Url("the feed's old address, after an import")
    hubs = Raw("a list", "WebSub hubs the feed names and deploy pings (http(s) URLs)")
    pubnotify = Raw("true or a URL", "tell Podcast Index after a deploy")
    podping = Raw("true or a URL", "announce deploys on Podping")
    feed_max_items = Maybe(
        int,
        "list only the newest N episodes in the feed (see Capping the feed)",
        shown_default="all",
    )
    encode = Maybe(str, "`mp3` or `aac`: what `podcast add` encodes a WAV/AIFF/FLAC master into")
    low_bandwidth = Key(bool, False, "`podcast add` also makes a low-data copy (mono MP3, 32 kbps)")
    timezone = Raw("an IANA name", "the show's zone, e.g. `America/Chicago`; bare dates are in it")
    release_hour = Raw("an hour", 'what a bare date means: `6` or `"06:30"`', default_text="`6`")


class EpisodeKeys(Table):
    heading = "episode"
    intro = "Each episode's `season-N/NAME.yaml`, beside its audio."
    title = Key(str, "", "the episode's title", True)
    season = Maybe(int, "its season; a `season-N` folder gives it", hint="add 'season: 1'")
    episode = Maybe(int, "its number in the season, from 1")
    published = Raw(
        "a date and time",
        "when it goes live: 2024-05-01T06:00:00-05:00, or a bare date (`release_hour`)",
        True,
        "add e.g. 'published: 2024-05-01T06:00:00-05:00'",
    )
    type = Choice(EpisodeType, EpisodeType.FULL, "Apple's itunes:episodeType")
    guid = Key(str, "", "a UUID written once and never changed", True)
    summary = Key(str, "", "a paragraph for apps and the page's description")
    notes = Key(str, "", "show notes in Markdown")
    explicit = Maybe(bool, "overrides the show's `explicit`")
    audio = Maybe(str, "the audio file, if not NAME.mp3/.m4a beside the YAML")
    transcript = Maybe(str, "a .vtt or .srt file, if not NAME.vtt/.srt beside it")
    chapters = Section(ChapterKeys, "a list", "chapter marks (see chapter)")
    guests = Section(PersonKeys, "a list", "the guests (see person)")
    image = Maybe(str, "the episode's own artwork, beside the YAML")
    translations = Section(
        TranslationKeys, "a mapping", "title and summary per transcript language (see translation)"
    )
    enclosure = Section(EnclosureKeys, "a mapping", "audio kept at another host (see enclosure)")
    guid_is_permalink = Key(bool, False, "the guid is the episode's URL (isPermaLink, imported)")
    soundbites = Section(SoundbiteKeys, "a list", "preview clips (see soundbite)")
    draft = Key(bool, False, "`true`: never public, whatever its date, until `podcast release`")


TABLES: tuple[type[Table], ...] = (
    ShowKeys,
    OwnerKeys,
    SiteKeys,
    SeasonKeys,
    PersonKeys,
    EpisodeKeys,
    ChapterKeys,
    TranslationKeys,
    EnclosureKeys,
    SoundbiteKeys,
)


def reference() -> str:
    """The key reference in Markdown, one table per kind of mapping (docs/producers.md)."""
    parts = []
    for table in TABLES:
        rows = [_row(spec) for spec in table.keys()]
        header = "| key | value | required | default | what |\n|---|---|---|---|---|"
        parts.append(f"### {table.heading}\n\n{table.intro}\n\n{header}\n" + "\n".join(rows))
    return "\n\n".join(parts) + "\n"


def _row(spec: Spec) -> str:
    required = "yes" if spec.required else ""
    return f"| `{spec.name}` | {spec.form} | {required} | {spec.default_text} | {spec.doc} |"
