"""The RSS feed: a pure function of the catalog, built with feedgen, a few hundred items at once."""

from __future__ import annotations

import html as html_module
from datetime import UTC, datetime

from feedgen.feed import FeedEntry, FeedGenerator
from lxml import etree

from podcast import __version__
from podcast.model import Catalog, Episode, EpisodeType
from podcast.render import chapters as chapters_module
from podcast.render.feedext import (
    AlternateEnclosure,
    ItunesEntryExtras,
    ItunesExtras,
    PodcastIndex,
    PodcastIndexEntry,
    Podlove,
    PodloveEntry,
    PushTags,
    SimpleChapter,
    Trailer,
    TranscriptLink,
    podcast_guid,
)
from podcast.render.notes import (
    DESCRIPTION_LIMIT,
    description_text,
    to_html,
    truncate_bytes,
    xml_safe,
)
from podcast.render.urls import Urls

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# feedgen builds every item as an lxml tree; a few hundred at a time keeps a 5,000-episode
# feed's memory to its bytes rather than its whole tree
ITEMS_AT_ONCE = 200
_CHANNEL_END = b"  </channel>\n</rss>\n"


def build(
    catalog: Catalog,
    base_url: str,
    now: datetime | None = None,
    media_base_url: str | None = None,
    drafts: bool = False,
) -> bytes:
    """The RSS feed of the episodes out by `now` (all when previewing drafts), newest first.

    With `feed_max_items` in show.yaml, only that many of the newest are items.
    """
    episodes = catalog.visible(now or datetime.now(UTC), drafts)
    urls = Urls(catalog, base_url, media_base_url)
    generator = _channel(catalog, urls, episodes)
    listed = episodes[: catalog.show.feed_max_items]  # None: every one
    feed, document = generator._create_rss()  # the channel alone (feedgen's own tree)
    whole = etree.tostring(document, pretty_print=True, encoding="UTF-8", xml_declaration=True)
    if not whole.endswith(_CHANNEL_END):
        raise ValueError("feedgen's channel did not end as expected")
    parts = [whole[: -len(_CHANNEL_END)]]
    for start in range(0, len(listed), ITEMS_AT_ONCE):
        chunk = listed[start : start + ITEMS_AT_ONCE]
        parts.append(_items(generator, feed.nsmap, catalog, urls, chunk))
    return b"".join([*parts, _CHANNEL_END])


def _items(
    generator: FeedGenerator,
    nsmap: dict[str | None, str],
    catalog: Catalog,
    urls: Urls,
    episodes: tuple[Episode, ...],
) -> bytes:
    """The `<item>`s of `episodes`, newest first, as they print inside the whole feed.

    They are serialized under a stand-in rss/channel with the feed's namespaces, so their
    indentation and prefixes are byte for byte those of one big tree, without holding it.
    """
    stand_in = etree.Element("rss", nsmap=nsmap)
    channel = etree.SubElement(stand_in, "channel")
    for episode in episodes:
        entry = generator.add_entry(order="append")  # with the feed's extensions loaded
        _item(entry, catalog, urls, episode)
        channel.append(entry.rss_entry())
        generator.remove_entry(entry)
    text = etree.tostring(stand_in, pretty_print=True, encoding="UTF-8")
    start = text.index(b"<channel>\n") + len(b"<channel>\n")
    return bytes(text[start : -len(_CHANNEL_END)])


def _channel(catalog: Catalog, urls: Urls, episodes: tuple[Episode, ...]) -> FeedGenerator:
    show = catalog.show
    generator = FeedGenerator()
    generator.load_extension("podcast")
    generator.register_extension("itunes_extras", ItunesExtras, ItunesEntryExtras)
    generator.register_extension("podcastindex", PodcastIndex, PodcastIndexEntry)
    generator.register_extension("podlove", Podlove, PodloveEntry)
    generator.title(xml_safe(show.title))
    # feedgen uses the last link as RSS <link>, so the page comes after the self link
    generator.link(href=urls.feed, rel="self", type="application/rss+xml")
    generator.link(href=urls.home, rel="alternate")
    generator.description(xml_safe(truncate_bytes(show.description, DESCRIPTION_LIMIT)))
    generator.language(show.language)
    generator.copyright(xml_safe(show.copyright) or None)
    generator.generator("Off the Charts Publisher", version=__version__)
    generator.image(url=urls.artwork, title=xml_safe(show.title), link=urls.home)
    newest = episodes[0].published if episodes else EPOCH
    generator.lastBuildDate(newest)
    generator.pubDate(newest)
    itunes = generator.podcast
    itunes.itunes_author(xml_safe(show.author))
    itunes.itunes_owner(name=xml_safe(show.owner.name), email=show.owner.email)
    itunes.itunes_image(urls.artwork)
    itunes.itunes_type(show.type.value)
    itunes.itunes_category([{"cat": c.name, "sub": c.sub} for c in show.categories])
    if show.subtitle:
        itunes.itunes_subtitle(xml_safe(show.subtitle))
    generator.itunes_extras.explicit = show.explicit
    _podcast_channel(generator.podcastindex, catalog, urls, episodes)
    generator.register_extension("push", PushTags, None)
    generator.push.hubs, generator.push.podping = list(show.hubs), show.podping is not None
    return generator


def _podcast_channel(
    tags: PodcastIndex, catalog: Catalog, urls: Urls, episodes: tuple[Episode, ...]
) -> None:
    """Podcasting 2.0 channel tags."""
    show = catalog.show
    # pinned in show.yaml so the identity survives a move of host; else computed from this URL
    tags.guid = show.podcast_guid or podcast_guid(urls.feed)
    tags.locked, tags.owner_email = show.locked, show.owner.email or None
    tags.funding = list(show.funding)
    tags.medium = "podcast"
    tags.persons = list(show.hosts)
    tags.license = show.license
    tags.trailers = [
        Trailer(e.title, urls.enclosure(e), e.published, e.audio.size, e.audio.mime, e.season)
        for e in reversed(episodes)
        if e.type is EpisodeType.TRAILER
    ]


def _item(entry: FeedEntry, catalog: Catalog, urls: Urls, episode: Episode) -> None:
    entry.title(xml_safe(episode.title))
    entry.guid(episode.guid, permalink=episode.guid_is_permalink)
    entry.link(href=urls.episode(episode))
    entry.published(episode.published)
    entry.enclosure(urls.enclosure(episode), str(episode.audio.size), episode.audio.mime)
    entry.description(xml_safe(truncate_bytes(description_text(episode), DESCRIPTION_LIMIT)))
    chapters = episode.all_chapters
    html = _notes_html(episode) + chapters_module.notes_html(chapters)
    if html:  # CDATA reads best, but cannot hold "]]>"; escaped text is the same XML
        entry.content(html, type=None if "]]>" in html else "CDATA")
    itunes = entry.podcast
    itunes.itunes_title(xml_safe(episode.title))
    itunes.itunes_duration(str(episode.audio.seconds))
    itunes.itunes_season(episode.season)
    if episode.number is not None:
        itunes.itunes_episode(episode.number)
    itunes.itunes_episode_type(episode.type.value)
    image = urls.episode_image(episode)
    if image is not None:
        itunes.itunes_image(image)
    explicit = catalog.show.explicit if episode.explicit is None else episode.explicit
    entry.itunes_extras.explicit = explicit
    _podcast_item(entry.podcastindex, catalog, urls, episode)
    entry.podlove.chapters = [
        SimpleChapter(c.start, c.title, c.url, urls.chapter_image(episode, n, c))
        for n, c in enumerate(chapters, 1)
    ]


def _podcast_item(tags: PodcastIndexEntry, catalog: Catalog, urls: Urls, episode: Episode) -> None:
    """Podcasting 2.0 item tags."""
    tags.season = episode.season
    tags.season_name = catalog.show.season_info(episode.season).title
    tags.episode = episode.number
    if episode.guests:  # an item's people replace the channel's, so the hosts are restated
        tags.persons = [*catalog.show.hosts, *episode.guests]
    # both WebVTT and SRT are timed, so both are captions (the spec's SRT example says so)
    tags.transcripts = [
        TranscriptLink(urls.transcript(episode, t) or "", t.mime, t.language, captions=True)
        for t in episode.transcripts
    ]
    low, low_url = episode.low_bandwidth, urls.low_bandwidth(episode)
    if low is not None and low_url is not None:
        tags.alternate_enclosures = [AlternateEnclosure(low_url, low.mime, low.size, low.bitrate)]
    if episode.all_chapters:
        tags.chapters_url = urls.chapters(episode)
    tags.soundbites = list(episode.soundbites)


def _notes_html(episode: Episode) -> str:
    """The notes as HTML; without notes, the summary, so a chapter list never stands alone."""
    if episode.notes:
        return to_html(episode.notes)
    if episode.summary and episode.all_chapters:  # apps preferring content:encoded show only it
        return f"<p>{html_module.escape(xml_safe(episode.summary))}</p>"
    return ""
