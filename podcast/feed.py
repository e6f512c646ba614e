"""The RSS feed: a pure function of the catalog, built with feedgen."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote

from feedgen.feed import FeedEntry, FeedGenerator

from podcast import __version__
from podcast.feedext import ItunesEntryExtras, ItunesExtras
from podcast.model import Catalog, Episode
from podcast.notes import to_html, to_text, truncate_bytes, xml_safe

DESCRIPTION_LIMIT = 4000  # bytes; Apple truncates (and some validators reject) longer text
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Urls:
    """Absolute URLs of everything the feed and pages link to."""

    def __init__(self, catalog: Catalog, base_url: str, media_base_url: str | None = None):
        self.catalog = catalog
        self.base = base_url.rstrip("/")
        media = media_base_url or catalog.show.media_base_url
        self.media = media.rstrip("/") if media else f"{self.base}/audio"

    def page(self, path: str = "/") -> str:
        """An absolute URL on the site."""
        return f"{self.base}{path}"

    @property
    def feed(self) -> str:
        """The feed's own URL (atom:link rel=self)."""
        return self.page("/feed.xml")

    @property
    def artwork(self) -> str:
        """The show's artwork."""
        return self.page("/" + quote(self.catalog.show.artwork.name))

    def episode(self, episode: Episode) -> str:
        """The episode's page."""
        return self.page(f"/episodes/{episode.slug}/")

    def enclosure(self, episode: Episode) -> str:
        """Where apps download the audio (the media CDN when configured)."""
        return f"{self.media}/{audio_path(self.catalog, episode)}"


def audio_path(catalog: Catalog, episode: Episode) -> str:
    """The audio's URL path below /audio/, relative to the episodes folder."""
    return quote(episode.audio.path.relative_to(catalog.root).as_posix())


def build(catalog: Catalog, base_url: str, now: datetime | None = None,
          media_base_url: str | None = None) -> bytes:
    """The RSS 2.0 feed of the episodes published by `now`, newest first, as UTF-8 bytes."""
    episodes = catalog.visible(now or datetime.now(UTC))
    urls = Urls(catalog, base_url, media_base_url)
    generator = _channel(catalog, urls, episodes)
    for episode in reversed(episodes):  # feedgen prepends; add oldest first for newest first
        _item(generator.add_entry(), catalog, urls, episode)
    return bytes(generator.rss_str(pretty=True))


def _channel(catalog: Catalog, urls: Urls, episodes: tuple[Episode, ...]) -> FeedGenerator:
    show = catalog.show
    generator = FeedGenerator()
    generator.load_extension("podcast")
    generator.register_extension("itunes_extras", ItunesExtras, ItunesEntryExtras)
    generator.title(xml_safe(show.title))
    # feedgen uses the last link as RSS <link>, so the page comes after the self link
    generator.link(href=urls.feed, rel="self", type="application/rss+xml")
    generator.link(href=urls.page("/"), rel="alternate")
    generator.description(xml_safe(truncate_bytes(show.description, DESCRIPTION_LIMIT)))
    generator.language(show.language)
    generator.copyright(xml_safe(show.copyright) or None)
    generator.generator("Off the Charts Publisher", version=__version__)
    generator.image(url=urls.artwork, title=xml_safe(show.title), link=urls.page("/"))
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
    return generator


def _item(entry: FeedEntry, catalog: Catalog, urls: Urls, episode: Episode) -> None:
    entry.title(xml_safe(episode.title))
    entry.guid(episode.guid, permalink=False)
    entry.link(href=urls.episode(episode))
    entry.published(episode.published)
    entry.enclosure(urls.enclosure(episode), str(episode.audio.size), episode.audio.mime)
    entry.description(xml_safe(truncate_bytes(description_text(episode), DESCRIPTION_LIMIT)))
    html = to_html(episode.notes) if episode.notes else ""
    if html:  # CDATA reads best, but cannot hold "]]>"; escaped text is the same XML
        entry.content(html, type=None if "]]>" in html else "CDATA")
    itunes = entry.podcast
    itunes.itunes_title(xml_safe(episode.title))
    itunes.itunes_duration(str(episode.audio.seconds))
    itunes.itunes_season(episode.season)
    if episode.number is not None:
        itunes.itunes_episode(episode.number)
    itunes.itunes_episode_type(episode.type.value)
    if episode.image is not None:
        itunes.itunes_image(urls.page("/" + quote(episode.image.relative_to(catalog.root)
                                                  .as_posix())))
    explicit = catalog.show.explicit if episode.explicit is None else episode.explicit
    entry.itunes_extras.explicit = explicit


def description_text(episode: Episode) -> str:
    """Plain-text description: the summary, else the notes as text, else the title."""
    return episode.summary or (to_text(episode.notes) if episode.notes else episode.title)
