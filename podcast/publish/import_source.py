"""Read an existing show's RSS feed (a URL or a file) into plain data, refusing hostile XML.

defusedxml refuses entity declarations (billion laughs, XXE) and never fetches anything; the
feed's size is capped; RFC 5005 paged feeds are followed through `atom:link rel="next"`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import urljoin
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree as SafeTree

from podcast.errors import PodcastError
from podcast.publish.import_fetch import MAX_FEED_BYTES, Network, fetch, is_url

MAX_PAGES = 500
NAMESPACES = {  # lower-cased namespace URI (or a part of it) → the prefix used here
    "http://www.itunes.com/dtds/podcast-1.0.dtd": "itunes",
    "http://purl.org/rss/1.0/modules/content/": "content",
    "http://www.w3.org/2005/atom": "atom",
    "http://podlove.org/simple-chapters": "psc",
    "http://search.yahoo.com/mrss/": "media",
    "http://www.google.com/schemas/play-podcasts/1.0": "googleplay",
}
_HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html)[\s>]", re.I | re.S)
_RSS_LINK = re.compile(rb"<link[^>]+type=[\"']application/(rss|atom)\+xml[\"'][^>]*>", re.I)
_HREF = re.compile(rb"href=[\"']([^\"']+)[\"']", re.I)


class FeedError(PodcastError):
    """The source is not a feed `import` can read; nothing was written."""


@dataclass(frozen=True, slots=True)
class SourcePerson:
    """A podcast:person of the channel or an item."""

    name: str
    role: str
    group: str
    href: str | None
    img: str | None


@dataclass(frozen=True, slots=True)
class SourceChapter:
    """A Podlove simple chapter (psc:chapter)."""

    start: str
    title: str
    href: str | None
    image: str | None


@dataclass(frozen=True, slots=True)
class SourceTranscript:
    """A podcast:transcript link."""

    url: str
    mime: str
    language: str | None


@dataclass(frozen=True, slots=True)
class SourceSoundbite:
    """A podcast:soundbite: start and duration in seconds as written, and its title."""

    start: str
    duration: str
    title: str


@dataclass(frozen=True, slots=True)
class SourceItem:
    """One <item> as the old feed has it (text trimmed, nothing else changed)."""

    index: int  # 1 for the page's first item
    title: str
    guid: str | None
    guid_permalink: bool | None
    published: datetime | None
    published_text: str
    link: str | None
    enclosure_url: str | None
    enclosure_length: int | None
    enclosure_type: str | None
    season: int | None
    season_name: str | None
    number: int | None
    episode_type: str | None
    explicit: bool | None
    duration: str | None
    notes_html: str
    notes_from: str
    summary: str
    image: str | None
    persons: tuple[SourcePerson, ...] = ()
    transcripts: tuple[SourceTranscript, ...] = ()
    chapters_url: str | None = None
    chapters: tuple[SourceChapter, ...] = ()
    soundbites: tuple[SourceSoundbite, ...] = ()


@dataclass(frozen=True, slots=True)
class SourceShow:
    """The channel of the old feed and every item of every page, in feed order."""

    source: str
    feed_url: str | None
    title: str
    description: str
    language: str | None
    link: str | None
    author: str
    owner_name: str
    owner_email: str
    image: str | None
    categories: tuple[tuple[str, str | None], ...]
    explicit: bool | None
    type: str | None
    copyright: str
    locked: bool | None
    podcast_guid: str | None
    new_feed_url: str | None
    funding: tuple[tuple[str, str], ...]
    persons: tuple[SourcePerson, ...]
    items: tuple[SourceItem, ...]
    warnings: tuple[str, ...] = field(default=())


def read_source(source: str, network: Network) -> SourceShow:
    """The show at `source` (an http(s) URL or a feed file), all pages; FeedError if unreadable."""
    warnings: list[str] = []
    first, url = _page(source, network, warnings)
    channel = first.find("channel")
    assert channel is not None  # _page checked it
    items = list(_items(channel, source))
    seen = {url or source}
    next_url = _next_page(channel, url)
    while next_url and len(seen) < MAX_PAGES:
        if next_url in seen:
            warnings.append(f"{next_url}: the pages of the feed loop; stopped following them")
            break
        seen.add(next_url)
        page, _ = _page(next_url, network, warnings)
        page_channel = page.find("channel")
        assert page_channel is not None
        items += _items(page_channel, next_url)
        next_url = _next_page(page_channel, next_url)
    if not items:
        raise FeedError(f"{source}: the feed has no items; there is nothing to import")
    return _show(channel, source, url, tuple(items), tuple(warnings))


def _page(source: str, network: Network, warnings: list[str]) -> tuple[Element, str | None]:
    """One feed document, parsed; its final URL when fetched."""
    if is_url(source):
        fetched = fetch(source, network, MAX_FEED_BYTES)
        data, url, charset = fetched.data, fetched.url, fetched.charset
    else:
        data, url, charset = _read_file(source), None, None
    root = parse_xml(data, source, charset, warnings)
    if _name(root) != ("", "rss") or root.find("channel") is None:
        kind = "an Atom feed" if _name(root)[1] == "feed" else f"a <{_name(root)[1]}> document"
        raise FeedError(f"{source}: this is {kind}, not an RSS podcast feed")
    return root, url


def _read_file(source: str) -> bytes:
    path = Path(source)
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_FEED_BYTES + 1)
    except OSError as exc:
        raise FeedError(f"cannot read {source} ({exc.strerror or exc})") from exc
    if len(data) > MAX_FEED_BYTES:
        raise FeedError(f"{source} is larger than {MAX_FEED_BYTES // 2**20} MB; not a feed")
    return data


def parse_xml(data: bytes, source: str, charset: str | None, warnings: list[str]) -> Element:
    """The document's root, refusing entities and web pages; FeedError with the line if broken."""
    if not data.strip():
        raise FeedError(f"{source}: the feed is empty")
    if _HTML_START.match(data[:4096]):
        raise FeedError(f"{source}: this is a web page, not a feed{_feed_hint(data, source)}")
    try:
        return _parse(data)
    except ParseError as exc:
        recoded = _recode(data, charset)
        if recoded is None:
            line = exc.position[0]
            raise FeedError(f"{source}:{line}: the feed is not well-formed XML ({exc})") from exc
        warnings.append(
            f"{source}: the feed is not UTF-8 and does not say its encoding; read as "
            f"{charset or 'Windows-1252'}"
        )
        try:
            return _parse(recoded)
        except ParseError as again:
            line = again.position[0]
            raise FeedError(f"{source}:{line}: the feed is not well-formed XML ({again})") from exc


def _parse(data: bytes) -> Element:
    try:
        root: Element = SafeTree.fromstring(data, forbid_dtd=False, forbid_entities=True)
        return root
    except defusedxml.DefusedXmlException as exc:
        raise FeedError(
            "the feed declares XML entities (a way to attack or crash readers); refused"
        ) from exc


def _recode(data: bytes, charset: str | None) -> bytes | None:
    """UTF-8 bytes for a feed in another encoding that it does not declare, else None."""
    try:
        data.decode("utf-8")
        return None  # valid UTF-8: the error is in the XML itself
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode(charset or "cp1252")
    except (UnicodeDecodeError, LookupError):
        text = data.decode("latin-1")
    text = re.sub(r"^\s*<\?xml[^>]*\?>", '<?xml version="1.0" encoding="UTF-8"?>', text)
    return text.encode("utf-8")


def _feed_hint(data: bytes, source: str) -> str:
    link = _RSS_LINK.search(data)
    href = _HREF.search(link.group(0)) if link else None
    if href is None:
        return "; pass the address of the show's RSS feed"
    found = href.group(1).decode("utf-8", "replace")
    return f"; its feed seems to be {urljoin(source, found) if is_url(source) else found}"


# --- elements -----------------------------------------------------------------------------


def _name(element: Element) -> tuple[str, str]:
    """(prefix, local name) of an element, whatever spelling of the namespace URI it used."""
    tag = element.tag if isinstance(element.tag, str) else ""
    if not tag.startswith("{"):
        return "", tag
    uri, _, local = tag[1:].partition("}")
    uri = uri.lower()
    if "podcastindex" in uri or "podcast-namespace" in uri:
        return "podcast", local
    return NAMESPACES.get(uri, NAMESPACES.get(uri.rstrip("/") + "/", uri)), local


def _all(parent: Element, prefix: str, local: str) -> list[Element]:
    return [child for child in parent if _name(child) == (prefix, local)]


def _first(parent: Element, prefix: str, local: str) -> Element | None:
    found = _all(parent, prefix, local)
    return found[0] if found else None


def _text(parent: Element, prefix: str, local: str) -> str:
    element = _first(parent, prefix, local)
    return "".join(element.itertext()).strip() if element is not None else ""


def _attr(parent: Element, prefix: str, local: str, name: str) -> str | None:
    element = _first(parent, prefix, local)
    value = element.get(name) if element is not None else None
    return value.strip() if value and value.strip() else None


def _int(text: str | None) -> int | None:
    text = (text or "").strip()
    try:
        number = int(float(text)) if re.fullmatch(r"\d+(\.0+)?", text) else None
    except ValueError:
        return None
    return number if number and number > 0 else None


def _flag(text: str | None) -> bool | None:
    value = (text or "").strip().lower()
    if value in {"yes", "true", "explicit"}:
        return True
    if value in {"no", "false", "clean"}:
        return False
    return None


def _next_page(channel: Element, base: str | None) -> str | None:
    for link in _all(channel, "atom", "link"):
        if (link.get("rel") or "").strip().lower() == "next" and link.get("href"):
            href = (link.get("href") or "").strip()
            return urljoin(base, href) if base else href
    return None


def _persons(parent: Element) -> tuple[SourcePerson, ...]:
    return tuple(
        SourcePerson(
            name="".join(p.itertext()).strip(),
            role=(p.get("role") or "host").strip().lower(),
            group=(p.get("group") or "cast").strip().lower(),
            href=(p.get("href") or "").strip() or None,
            img=(p.get("img") or "").strip() or None,
        )
        for p in _all(parent, "podcast", "person")
        if "".join(p.itertext()).strip()
    )


def _categories(channel: Element) -> tuple[tuple[str, str | None], ...]:
    found = []
    for category in _all(channel, "itunes", "category"):
        name = (category.get("text") or "").strip()
        sub = _first(category, "itunes", "category")
        sub_name = (sub.get("text") or "").strip() if sub is not None else ""
        if name:
            found.append((name, sub_name or None))
    return tuple(found)


def _show(
    channel: Element,
    source: str,
    url: str | None,
    items: tuple[SourceItem, ...],
    warnings: tuple[str, ...],
) -> SourceShow:
    owner = _first(channel, "itunes", "owner")
    rss_image = _first(channel, "", "image")
    image = _attr(channel, "itunes", "image", "href") or (
        _text(rss_image, "", "url") if rss_image is not None else ""
    )
    return SourceShow(
        source=source,
        feed_url=url or _self_link(channel),
        title=_text(channel, "", "title"),
        description=_text(channel, "", "description") or _text(channel, "itunes", "summary"),
        language=_text(channel, "", "language") or None,
        link=_text(channel, "", "link") or None,
        author=_text(channel, "itunes", "author"),
        owner_name=_text(owner, "itunes", "name") if owner is not None else "",
        owner_email=_text(owner, "itunes", "email") if owner is not None else "",
        image=image or None,
        categories=_categories(channel),
        explicit=_flag(_text(channel, "itunes", "explicit")),
        type=_text(channel, "itunes", "type").lower() or None,
        copyright=_text(channel, "", "copyright"),
        locked=_flag(_text(channel, "podcast", "locked")),
        podcast_guid=_text(channel, "podcast", "guid") or None,
        new_feed_url=_text(channel, "itunes", "new-feed-url") or None,
        funding=tuple(
            ("".join(f.itertext()).strip() or "Support the show", (f.get("url") or "").strip())
            for f in _all(channel, "podcast", "funding")
            if (f.get("url") or "").strip()
        ),
        persons=_persons(channel),
        items=items,
        warnings=warnings,
    )


def _self_link(channel: Element) -> str | None:
    for link in _all(channel, "atom", "link"):
        if (link.get("rel") or "").strip().lower() == "self" and link.get("href"):
            return (link.get("href") or "").strip()
    return None


def _items(channel: Element, source: str) -> list[SourceItem]:
    return [_item(element, n) for n, element in enumerate(_all(channel, "", "item"), 1)]


def _item(item: Element, index: int) -> SourceItem:
    guid_element = _first(item, "", "guid")
    guid = "".join(guid_element.itertext()).strip() if guid_element is not None else ""
    permalink = guid_element.get("isPermaLink") if guid_element is not None else None
    published_text = _text(item, "", "pubDate")
    enclosure_url, length, mime = _enclosure(item)
    notes, notes_from = _notes(item)
    season = _first(item, "podcast", "season")
    return SourceItem(
        index=index,
        title=_text(item, "", "title") or _text(item, "itunes", "title"),
        guid=guid or None,
        guid_permalink=None if permalink is None else permalink.strip().lower() != "false",
        published=_date(published_text),
        published_text=published_text,
        link=_text(item, "", "link") or None,
        enclosure_url=enclosure_url,
        enclosure_length=length,
        enclosure_type=mime,
        season=_int(_text(item, "itunes", "season"))
        or _int("".join(season.itertext()) if season is not None else None),
        season_name=(season.get("name") or "").strip() or None if season is not None else None,
        number=_int(_text(item, "itunes", "episode")) or _int(_text(item, "podcast", "episode")),
        episode_type=_text(item, "itunes", "episodeType").lower() or None,
        explicit=_flag(_text(item, "itunes", "explicit")),
        duration=_text(item, "itunes", "duration") or None,
        notes_html=notes,
        notes_from=notes_from,
        summary=_text(item, "itunes", "subtitle"),
        image=_attr(item, "itunes", "image", "href"),
        persons=_persons(item),
        transcripts=tuple(
            SourceTranscript(
                (t.get("url") or "").strip(),
                (t.get("type") or "").strip().lower(),
                (t.get("language") or "").strip() or None,
            )
            for t in _all(item, "podcast", "transcript")
            if (t.get("url") or "").strip()
        ),
        chapters_url=_attr(item, "podcast", "chapters", "url"),
        chapters=_podlove(item),
        soundbites=tuple(
            SourceSoundbite(
                (s.get("startTime") or "").strip(),
                (s.get("duration") or "").strip(),
                " ".join("".join(s.itertext()).split()),
            )
            for s in _all(item, "podcast", "soundbite")
        ),
    )


def _enclosure(item: Element) -> tuple[str | None, int | None, str | None]:
    enclosure = _first(item, "", "enclosure")
    if enclosure is None:  # a few hosts give only media:content
        enclosure = next(
            (
                m
                for m in _all(item, "media", "content")
                if (m.get("type") or "").startswith(("audio/", "video/"))
            ),
            None,
        )
    if enclosure is None or not (enclosure.get("url") or "").strip():
        return None, None, None
    length = (enclosure.get("length") or enclosure.get("fileSize") or "").strip()
    return (
        (enclosure.get("url") or "").strip(),
        int(length) if length.isdigit() and int(length) > 0 else None,
        (enclosure.get("type") or "").strip().lower() or None,
    )


def _notes(item: Element) -> tuple[str, str]:
    for prefix, local, label in (
        ("content", "encoded", "content:encoded"),
        ("", "description", "description"),
        ("itunes", "summary", "itunes:summary"),
    ):
        text = _text(item, prefix, local)
        if text:
            return text, label
    return "", ""


def _podlove(item: Element) -> tuple[SourceChapter, ...]:
    holder = _first(item, "psc", "chapters")
    if holder is None:
        return ()
    return tuple(
        SourceChapter(
            (c.get("start") or "").strip(),
            (c.get("title") or "").strip(),
            (c.get("href") or "").strip() or None,
            (c.get("image") or "").strip() or None,
        )
        for c in _all(holder, "psc", "chapter")
    )


def _date(text: str) -> datetime | None:
    """An RFC 822 date with its own offset kept; None if it is not one."""
    if not text:
        return None
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        try:  # a few generators write ISO 8601 here
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)  # "-0000"
