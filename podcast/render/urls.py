"""Every address the site answers and the feed links to, defined once.

`ROUTES` are the URL rules the site's views are declared with; the path functions build the
same paths for a given episode or season, and `Urls` puts a base in front of them: the site's
absolute URL for the feed, JSON-LD, sitemap and chapters, or the mount point (`""`) for links
in the pages. A test checks every path function against the routes Flask builds.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from urllib.parse import quote, urlencode

from podcast.model import Catalog, Chapter, Episode, Show, Transcript

# endpoint → URL rule (Werkzeug syntax); the site's views are registered from this table
ROUTES = {
    "index": "/",
    "season": "/seasons/<int:number>/",
    "season_page": "/seasons/<int:number>/page/<int:page>/",
    "episode": "/episodes/<slug>/",
    "rss": "/feed.xml",
    "audio": "/audio/<path:name>",
    "chapters_json": "/episodes/<slug>/chapters.json",
    "transcript": "/episodes/<slug>/transcript.<extension>",  # `vtt`, or `es.vtt` for Spanish
    "transcript_page": "/episodes/<slug>/transcript/<language>/",
    "chapter_image": "/episodes/<slug>/chapters/<int:number>.<extension>",
    "search_page": "/search/",
    "sitemap": "/sitemap.xml",
    "robots": "/robots.txt",
    "show_file": "/<path:name>",  # the artwork and episode images, at their place in the folder
    # sharing (site/sharing.py): the frameable player, oEmbed, the poster, artwork thumbnails
    "sharing.embed": "/episodes/<slug>/embed/",
    "sharing.episode_oembed": "/episodes/<slug>/oembed.json",
    "sharing.oembed_endpoint": "/oembed.json",
    "sharing.poster": "/poster/",
    "sharing.show_thumbnail": "/artwork/<int:pixels>.jpg",
    "sharing.episode_thumbnail": "/episodes/<slug>/artwork/<int:pixels>.jpg",
}
STATIC = "/static"  # the site's own scripts, styles and icon (Flask's static route)
IMAGE_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png"}


def home() -> str:
    """The home page."""
    return "/"


def season(number: int, page: int = 1) -> str:
    """A season's page: its newest episodes, or page `page` of the older ones."""
    return f"/seasons/{number}/" if page <= 1 else f"/seasons/{number}/page/{page}/"


def episode(item: Episode) -> str:
    """An episode's page."""
    return f"/episodes/{item.slug}/"


def feed() -> str:
    """The RSS feed."""
    return "/feed.xml"


def audio_path(catalog: Catalog, item: Episode) -> str:
    """The audio's URL path below /audio/, relative to the episodes folder (local audio only)."""
    if item.audio.path is None:
        raise ValueError(f"{item.source}: the audio is at {item.audio.url}, not in the folder")
    return quote(item.audio.path.relative_to(catalog.root).as_posix())


def audio(catalog: Catalog, item: Episode) -> str:
    """The episode's audio on this site, or its own URL when it stays at another host."""
    return item.audio.url or "/audio/" + audio_path(catalog, item)


def local(episodes: Iterable[Episode]) -> tuple[Episode, ...]:
    """The episodes whose audio is in the episodes folder (not kept at another host)."""
    return tuple(e for e in episodes if e.audio.path is not None)


def low_bandwidth_path(catalog: Catalog, item: Episode) -> str | None:
    """The low-data audio's URL path below /audio/ (it lies beside the YAML), if any."""
    low = item.low_bandwidth
    if low is None or low.path is None:
        return None
    return quote(low.path.relative_to(catalog.root).as_posix())


def low_bandwidth(catalog: Catalog, item: Episode) -> str | None:
    """The episode's low-data audio on this site, if it has one."""
    path = low_bandwidth_path(catalog, item)
    return "/audio/" + path if path else None


def show_file(catalog: Catalog, path: Path) -> str:
    """A file served at its place in the episodes folder (the artwork, an episode image)."""
    return "/" + quote(path.relative_to(catalog.root).as_posix())


def artwork(show: Show) -> str:
    """The show's artwork (it lies at the top of the episodes folder)."""
    return "/" + quote(show.artwork.name)


def chapters(item: Episode) -> str:
    """The episode's JSON Chapters file."""
    return f"/episodes/{item.slug}/chapters.json"


def transcript(item: Episode, language: Transcript | None = None) -> str | None:
    """The episode's transcript file (`transcript.vtt`, `transcript.es.vtt`), if it has one.

    Without `language`, the primary transcript's.
    """
    chosen = language or item.transcript
    if chosen is None:
        return None
    return f"/episodes/{item.slug}/transcript.{chosen.file_suffix}"


def transcript_page(item: Episode, language: Transcript) -> str:
    """The readable page of the episode's transcript in one language."""
    return f"/episodes/{item.slug}/transcript/{quote(language.language)}/"


def chapter_image_name(number: int, chapter: Chapter) -> str | None:
    """`2.jpg`: the file name the site serves chapter `number`'s own image under."""
    if isinstance(chapter.image, Path):
        suffix = chapter.image.suffix.lower().lstrip(".")
        return f"{number}.{'jpg' if suffix == 'jpeg' else suffix}"
    if chapter.image is None and chapter.embedded_image in IMAGE_EXTENSIONS:
        return f"{number}.{IMAGE_EXTENSIONS[chapter.embedded_image]}"
    return None


def chapter_image(item: Episode, number: int, chapter: Chapter) -> str | None:
    """The site path of chapter `number`'s own image, if the site serves one."""
    name = chapter_image_name(number, chapter)
    return f"/episodes/{item.slug}/chapters/{name}" if name else None


def search(query: str = "", page: int = 1) -> str:
    """The search page, for a query and a page of its results."""
    arguments = ({"q": query} if query else {}) | ({"page": page} if page > 1 else {})
    return "/search/" + (f"?{urlencode(arguments)}" if arguments else "")


def static(name: str) -> str:
    """One of the site's own static files (`site.js`, `style.css` …)."""
    return f"{STATIC}/{quote(name)}"


def sitemap() -> str:
    """The sitemap."""
    return "/sitemap.xml"


def embed(item: Episode) -> str:
    """The episode's player alone, for other sites' iframes."""
    return f"/episodes/{quote(item.slug)}/embed/"


def oembed(item: Episode) -> str:
    """The episode's oEmbed document."""
    return f"/episodes/{quote(item.slug)}/oembed.json"


def poster() -> str:
    """The printable poster with the show's QR code."""
    return "/poster/"


def thumbnail(pixels: int, item: Episode | None = None) -> str:
    """The episode's own artwork (or, without one, the show's) scaled to `pixels`."""
    if item is None or item.image is None:
        return f"/artwork/{pixels}.jpg"
    return f"/episodes/{quote(item.slug)}/artwork/{pixels}.jpg"


class Urls:
    """The site's addresses below one base: absolute URLs for apps, mount-relative for pages."""

    def __init__(self, catalog: Catalog, base_url: str, media_base_url: str | None = None):
        self.catalog = catalog
        self.base = base_url.rstrip("/")
        media = media_base_url or catalog.show.media_base_url
        self.media = media.rstrip("/") if media else f"{self.base}/audio"

    def page(self, path: str = "/") -> str:
        """A site path below the base."""
        return f"{self.base}{path}"

    def absolute(self, path_or_url: str) -> str:
        """A site path (`/…`) below the base; an absolute URL unchanged."""
        return self.page(path_or_url) if path_or_url.startswith("/") else path_or_url

    @property
    def home(self) -> str:
        """The home page."""
        return self.page(home())

    @property
    def feed(self) -> str:
        """The feed's own URL (atom:link rel=self)."""
        return self.page(feed())

    @property
    def artwork(self) -> str:
        """The show's artwork."""
        return self.page(artwork(self.catalog.show))

    def season(self, number: int, page: int = 1) -> str:
        """A season's page (or one of its later pages)."""
        return self.page(season(number, page))

    def episode(self, item: Episode) -> str:
        """The episode's page."""
        return self.page(episode(item))

    def enclosure(self, item: Episode) -> str:
        """Where apps download the audio (the media CDN when configured; a kept URL unchanged)."""
        if item.audio.url is not None:
            return item.audio.url
        return f"{self.media}/{audio_path(self.catalog, item)}"

    def low_bandwidth(self, item: Episode) -> str | None:
        """Where apps download the low-data audio, beside the full file, if there is one."""
        path = low_bandwidth_path(self.catalog, item)
        return f"{self.media}/{path}" if path else None

    def episode_image(self, item: Episode) -> str | None:
        """The episode's own image, if it has one."""
        return self.page(show_file(self.catalog, item.image)) if item.image else None

    def chapters(self, item: Episode) -> str:
        """The episode's JSON Chapters file."""
        return self.page(chapters(item))

    def transcript(self, item: Episode, language: Transcript | None = None) -> str | None:
        """The episode's transcript file (the primary one, or in `language`), if it has one."""
        path = transcript(item, language)
        return self.page(path) if path else None

    def transcript_page(self, item: Episode, language: Transcript) -> str:
        """The readable page of the episode's transcript in one language."""
        return self.page(transcript_page(item, language))

    def chapter_image(self, item: Episode, number: int, chapter: Chapter) -> str | None:
        """The chapter's image: its https URL as written, or where this site serves it."""
        if isinstance(chapter.image, str):
            return chapter.image
        path = chapter_image(item, number, chapter)
        return self.page(path) if path else None

    def search(self, query: str = "", page: int = 1) -> str:
        """The search page, for a query and a page of its results."""
        return self.page(search(query, page))

    def static(self, name: str) -> str:
        """One of the site's own static files."""
        return self.page(static(name))

    @property
    def sitemap(self) -> str:
        """The sitemap."""
        return self.page(sitemap())
