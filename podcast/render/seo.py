"""What search engines and link previews read: schema.org JSON-LD, Open Graph, sitemap, robots."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from podcast.model import Episode, Person, Season, Show, Transcript
from podcast.render import urls as paths
from podcast.render.notes import description_text
from podcast.render.paging import SeasonPage, page_count
from podcast.render.times import iso_duration
from podcast.render.urls import Urls

SCHEMA = "https://schema.org"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
DESCRIPTION_LIMIT = 300  # characters; previews cut longer text anyway


@dataclass(frozen=True, slots=True)
class PageMeta:
    """A page's sharing metadata: Open Graph and Twitter tags and its JSON-LD object."""

    title: str
    description: str
    url: str
    image: str
    image_alt: str
    og_type: str = "website"
    audio: str | None = None
    audio_type: str | None = None
    json_ld: dict[str, Any] = field(default_factory=dict)


def show_meta(show: Show, urls: Urls, path: str = "/") -> PageMeta:
    """Metadata for the home page (and pages that are about the whole show)."""
    return PageMeta(
        show.title,
        short_description(show.description),
        urls.page(path),
        urls.artwork,
        _artwork_alt(show),
        json_ld=series(show, urls),
    )


def season_meta(show: Show, season: Season, urls: Urls, page: SeasonPage | None = None) -> PageMeta:
    """Metadata for a season's page (or one page of its episodes)."""
    description = season.info.description or show.description
    number = page.number if page else 1
    label = season.info.label + (f", page {number}" if number > 1 else "")
    return PageMeta(
        f"{label} · {show.title}",
        short_description(description),
        urls.season(season.info.number, number),
        urls.artwork,
        _artwork_alt(show),
        json_ld=season_ld(show, season, urls, page.episodes if page else None),
    )


def transcript_meta(show: Show, episode: Episode, transcript: Transcript, urls: Urls) -> PageMeta:
    """Metadata for the page of an episode's transcript in one language."""
    title = transcript.title or episode.title
    page = urls.transcript_page(episode, transcript)
    return PageMeta(
        title,
        short_description(transcript.summary or description_text(episode)),
        page,
        urls.artwork,
        _artwork_alt(show),
        og_type="article",
        json_ld={
            "@context": SCHEMA,
            "@type": "WebPage",
            "name": title,
            "url": page,
            "inLanguage": transcript.language,
            "about": {
                "@type": "PodcastEpisode",
                "name": episode.title,
                "url": urls.episode(episode),
            },
        },
    )


def episode_meta(show: Show, episode: Episode, urls: Urls) -> PageMeta:
    """Metadata for an episode's page, with its audio for players that preview it."""
    return PageMeta(
        episode.title,
        short_description(description_text(episode)),
        urls.episode(episode),
        urls.artwork,
        _artwork_alt(show),
        og_type="article",
        audio=urls.enclosure(episode),
        audio_type=episode.audio.mime,
        json_ld=episode_ld(show, episode, urls),
    )


def series(show: Show, urls: Urls) -> dict[str, Any]:
    """schema.org PodcastSeries for the show."""
    data: dict[str, Any] = {
        "@context": SCHEMA,
        "@type": "PodcastSeries",
        "@id": f"{urls.home}#series",
        "name": show.title,
        "description": show.description,
        "url": urls.home,
        "webFeed": urls.feed,
        "image": urls.artwork,
        "inLanguage": show.language,
        "author": {"@type": "Organization", "name": show.author},
        "genre": [str(c) for c in show.categories],
        "isFamilyFriendly": not show.explicit,
    }
    if show.hosts:
        data["actor"] = [_person(p) for p in show.hosts]
    if show.copyright:
        data["copyrightNotice"] = show.copyright
    return data


def season_ld(
    show: Show, season: Season, urls: Urls, shown: tuple[Episode, ...] | None = None
) -> dict[str, Any]:
    """schema.org PodcastSeason, with its episodes (those `shown` on the page) by address."""
    return {
        "@context": SCHEMA,
        "@type": "PodcastSeason",
        "name": season.info.label,
        "description": season.info.description or show.description,
        "url": urls.season(season.info.number),
        "seasonNumber": season.number,
        "numberOfEpisodes": len(season.episodes),
        "partOfSeries": _series_ref(show, urls),
        "episode": [
            {"@type": "PodcastEpisode", "name": e.title, "url": urls.episode(e)}
            for e in (season.episodes if shown is None else shown)
        ],
    }


def episode_ld(show: Show, episode: Episode, urls: Urls) -> dict[str, Any]:
    """schema.org PodcastEpisode with its audio, season, series, people and chapters."""
    page = urls.episode(episode)
    data: dict[str, Any] = {
        "@context": SCHEMA,
        "@type": "PodcastEpisode",
        "name": episode.title,
        "description": description_text(episode),
        "url": page,
        "datePublished": episode.published.isoformat(),
        "timeRequired": iso_duration(episode.audio.duration),
        "inLanguage": show.language,
        "image": urls.artwork,
        "partOfSeries": _series_ref(show, urls),
        "partOfSeason": {
            "@type": "PodcastSeason",
            "seasonNumber": episode.season,
            "name": show.season_info(episode.season).label,
            "url": urls.season(episode.season),
        },
        "associatedMedia": {
            "@type": "AudioObject",
            "contentUrl": urls.enclosure(episode),
            "encodingFormat": episode.audio.mime,
            "contentSize": str(episode.audio.size),
            "duration": iso_duration(episode.audio.duration),
        },
        "actor": [_person(p) for p in (*show.hosts, *episode.guests)],
    }
    if episode.number is not None:
        data["episodeNumber"] = episode.number
    if episode.all_chapters:
        data["hasPart"] = [
            {
                "@type": "Clip",
                "name": c.title,
                "startOffset": round(c.start.total_seconds()),
                "url": f"{page}#t={round(c.start.total_seconds())}",
            }
            for c in episode.all_chapters
        ]
    return data


def sitemap(urls: Urls, seasons: Iterable[Season]) -> bytes:
    """sitemaps.org XML: the home page, every season's pages, every visible episode and the
    pages of its transcripts when it has them in more than one language."""
    ET.register_namespace("", SITEMAP_NS)
    root = ET.Element(f"{{{SITEMAP_NS}}}urlset")
    seasons = tuple(seasons)
    newest = [s.episodes[0].published for s in seasons if s.episodes]
    _url(root, urls.home, max(newest, default=None))
    for season in seasons:
        newest_in_season = season.episodes[0].published if season.episodes else None
        for page in range(1, page_count(season) + 1):
            _url(root, urls.season(season.info.number, page), newest_in_season)
        for episode in season.episodes:
            _url(root, urls.episode(episode), episode.published)
            if len(episode.transcripts) > 1:  # the pages in other languages, for their readers
                for transcript in episode.transcripts:
                    _url(root, urls.transcript_page(episode, transcript), episode.published)
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))


def robots(urls: Urls) -> str:
    """robots.txt: crawl everything but the endless search result pages; name the sitemap."""
    search = paths.search().rstrip("/")  # also /search?q=…, however it is spelled
    return f"User-agent: *\nDisallow: {search}\n\nSitemap: {urls.sitemap}\n"


def _url(root: ET.Element, loc: str, modified: datetime | None) -> None:
    entry = ET.SubElement(root, f"{{{SITEMAP_NS}}}url")
    ET.SubElement(entry, f"{{{SITEMAP_NS}}}loc").text = loc
    if modified is not None:
        ET.SubElement(entry, f"{{{SITEMAP_NS}}}lastmod").text = modified.date().isoformat()


def _series_ref(show: Show, urls: Urls) -> dict[str, Any]:
    return {
        "@type": "PodcastSeries",
        "@id": f"{urls.home}#series",
        "name": show.title,
        "url": urls.home,
        "webFeed": urls.feed,
    }


def _person(person: Person) -> dict[str, Any]:
    data: dict[str, Any] = {"@type": "Person", "name": person.name}
    if person.href:
        data["url"] = person.href
    if person.img:
        data["image"] = person.img
    return data


def _artwork_alt(show: Show) -> str:
    return f"Cover art for {show.title}"


def short_description(text: str) -> str:
    """`text` on one line, cut at a word to DESCRIPTION_LIMIT characters with an ellipsis.

    The one description of a page: <meta name=description>, Open Graph and Twitter alike.
    """
    text = " ".join(text.split())
    if len(text) <= DESCRIPTION_LIMIT:
        return text
    return text[: DESCRIPTION_LIMIT - 1].rsplit(" ", 1)[0].rstrip(" ,.;:") + "…"
