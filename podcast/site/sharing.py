"""Sharing and listening beyond the episode page: embeds, oEmbed, the poster, episode artwork.

A Blueprint of thin views: the embed page (the one page other sites may frame), the oEmbed
document for each episode (a static file per episode, plus the `/oembed.json?url=` endpoint
the oEmbed spec describes), the printable poster with the show's QR code, and each episode's
own artwork. It also gives templates the episode's neighbours and artwork URL.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, current_app, render_template, request
from markupsafe import Markup
from PIL import Image, UnidentifiedImageError

from podcast.model import Catalog, Episode, SeasonInfo, newest_first
from podcast.render import seo, subscribe
from podcast.render import sharing as shared
from podcast.render import urls as urls_module
from podcast.render.subscribe import website
from podcast.render.urls import ROUTES
from podcast.site import current
from podcast.site.responses import security_headers

sharing = Blueprint("sharing", __name__)
_EPISODE_PATH = "/episodes/"


def _episode(slug: str) -> tuple[Catalog, Episode]:
    """The catalog and its visible episode with this slug, or a 404."""
    catalog = current.catalog()
    found = catalog.find(slug)
    if found is None or not current.shown(found):
        abort(404)
    return catalog, found


def _page(template: str, **data: Any) -> str:
    """A page with what every template of the site uses (as views._page gives them)."""
    show, urls = current.catalog().show, current.urls()
    data.setdefault("meta", seo.show_meta(show, urls, request.path))
    common = {"show": show, "urls": urls, "links": current.links(), "website": website(show)}
    return render_template(template, **common, **data)


# --- what the pages show, given to their templates (as data, never as functions) -----------


@dataclass(frozen=True, slots=True)
class Artwork:
    """A picture for a page: a small file to show, the whole one for apps, and its words."""

    src: str  # the 320 px thumbnail, mount-relative
    full: str  # the whole file, absolute (lock screens, oEmbed)
    alt: str


@sharing.app_context_processor
def page_data() -> dict[str, Any]:
    """What the site's templates need from this module, for the page being rendered.

    A view's own values win (Flask never lets a context processor override them).
    """
    catalog, urls, links = current.catalog(), current.urls(), current.links()
    data: dict[str, Any] = {
        "poster_link": links.page(urls_module.poster()),
        "apple_podcasts": subscribe.apple_podcasts_url(urls.feed),
        "subscribe": subscribe.subscribe_links(catalog.show, urls.feed),
        "show_art": _artwork(None),
    }
    args = request.view_args or {}
    if request.endpoint == "site.index":
        latest = next(iter(newest_first(current.visible(catalog))), None)
        data.update(latest=latest, latest_art=_artwork(latest) if latest else None)
    elif request.endpoint in ("site.episode", "site.transcript_page", "sharing.embed"):
        found = catalog.find(str(args.get("slug")))
        if found is not None and current.shown(found):
            data.update(_episode_data(found))
    elif request.endpoint in ("site.season", "site.season_page"):
        older, newer = _season_neighbours(args["number"])
        data.update(older_season=older, newer_season=newer)
    return data


def _episode_data(episode: Episode) -> dict[str, Any]:
    older, newer = _neighbours(episode)
    width, height = shared.embed_size(None, None)
    embed_url = current.urls().page(urls_module.embed(episode))
    return {
        "art": _artwork(episode),
        "older": older,
        "newer": newer,
        "embed_link": current.links().page(urls_module.embed(episode)),
        "embed_code": shared.embed_html(embed_url, f"Player: {episode.title}", width, height),
        "oembed_url": current.urls().page(urls_module.oembed(episode)),
    }


def _artwork(episode: Episode | None) -> Artwork:
    """The episode's own artwork, else the show's."""
    urls, show = current.urls(), current.catalog().show
    pixels = shared.THUMBNAIL_PIXELS
    src = current.links().page(urls_module.thumbnail(pixels, episode))
    if episode is None or episode.image is None:
        return Artwork(src, urls.artwork, f"Cover art for {show.title}")
    return Artwork(src, urls.episode_image(episode) or urls.artwork, f"Artwork for {episode.title}")


def _neighbours(episode: Episode) -> tuple[Episode | None, Episode | None]:
    """The visible episodes published just before and just after `episode`."""
    ordered, places = _order(current.visible(current.catalog()))
    at = places.get(episode.slug)
    if at is None or ordered[at] is not episode:
        return None, None
    older = ordered[at + 1] if at + 1 < len(ordered) else None
    return older, ordered[at - 1] if at > 0 else None


# (the visible episodes, their ids, newest first, each slug's place): the last set asked for
_orders: list[tuple[tuple[Episode, ...], tuple[int, ...], tuple[Episode, ...], dict[str, int]]]
_orders = []


def _order(visible: tuple[Episode, ...]) -> tuple[tuple[Episode, ...], dict[str, int]]:
    """`visible` newest first and each slug's place, sorted once per visible set, not per page
    (a static build asks for every episode's neighbours). A build's catalog hands every page
    the same tuple (`BuildCatalog.visible`), known without listing its ids: that took a tenth
    of a millisecond a page at 1,000 episodes, 3 % of a build."""
    found = _orders[0] if _orders else None  # one read: another thread may replace it
    if found is not None and found[0] is visible:
        return found[2], found[3]
    key = tuple(map(id, visible))
    if found is None or found[1] != key:
        ordered = newest_first(visible)
        found = (visible, key, ordered, {e.slug: n for n, e in enumerate(ordered)})
    else:
        found = (visible, key, found[2], found[3])  # the same episodes in a new tuple
    _orders[:] = [found]
    return found[2], found[3]


def _season_neighbours(number: int) -> tuple[SeasonInfo | None, SeasonInfo | None]:
    """The seasons with visible episodes just before and just after season `number`."""
    catalog = current.catalog()
    numbers = sorted({e.season for e in current.visible(catalog)})
    if number not in numbers:
        return None, None
    at = numbers.index(number)
    older = catalog.show.season_info(numbers[at - 1]) if at > 0 else None
    later = numbers[at + 1] if at + 1 < len(numbers) else None
    return older, catalog.show.season_info(later) if later is not None else None


# --- views ----------------------------------------------------------------------------------


@sharing.get(ROUTES["sharing.embed"])
def embed(slug: str) -> Response:
    """The episode's player alone, for other sites' iframes."""
    _, found = _episode(slug)
    html = _page("embed.html", episode=found)
    response = Response(html, mimetype="text/html")
    response.headers.extend(_frameable_headers())
    return response


def _frameable_headers() -> list[tuple[str, str]]:
    """The site's security headers, except that any site may frame this page."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    headers = []
    for name, value in security_headers(current.media_base_url(app)):
        if name == "X-Frame-Options":
            continue  # it has no "allow everyone"; frame-ancestors below says it instead
        if name == "Content-Security-Policy":
            value = value.replace("frame-ancestors 'none'", "frame-ancestors *")
        headers.append((name, value))
    return headers


@sharing.get(ROUTES["sharing.episode_oembed"])
def episode_oembed(slug: str) -> Response:
    """The episode's oEmbed document: a plain file, so a static export serves it too."""
    catalog, found = _episode(slug)
    return _oembed_response(catalog, found, shared.embed_size(None, None))


@sharing.get(ROUTES["sharing.oembed_endpoint"])
def oembed_endpoint() -> Response:
    """The oEmbed endpoint: `?url=` an episode page, optional maxwidth, maxheight, format."""
    if request.args.get("format", "json") != "json":
        abort(501)  # the spec's answer for a format the provider does not offer
    catalog = current.catalog()
    slug = _slug_of(request.args.get("url", ""), current.urls().base)
    if slug is None:
        abort(404)
    catalog, found = _episode(slug)
    size = shared.embed_size(
        request.args.get("maxwidth", type=int), request.args.get("maxheight", type=int)
    )
    return _oembed_response(catalog, found, size)


def _slug_of(url: str, base: str) -> str | None:
    """The slug of an episode page URL on this site (any fragment or query ignored)."""
    asked, site = urlsplit(url), urlsplit(base)
    if asked.netloc != site.netloc or asked.scheme not in ("http", "https"):
        return None
    path = asked.path.removeprefix(site.path.rstrip("/"))
    if not path.startswith(_EPISODE_PATH):
        return None
    slug = path.removeprefix(_EPISODE_PATH).rstrip("/")
    return slug if slug and "/" not in slug else None


def _oembed_response(catalog: Catalog, episode: Episode, size: tuple[int, int]) -> Response:
    urls = current.urls()
    document = shared.oembed(
        catalog.show,
        episode,
        urls.page(urls_module.embed(episode)),
        _thumbnail(_artwork(episode).full, episode.image or catalog.show.artwork),
        urls.page("/"),
        size,
    )
    body = json.dumps(document, ensure_ascii=False, indent=2)
    response = Response(body, mimetype="application/json")
    response.headers["Access-Control-Allow-Origin"] = "*"  # blog editors fetch it from anywhere
    return response


def _thumbnail(url: str, path: Path) -> tuple[str, int, int] | None:
    try:
        stat = path.stat()
        width, height = _picture_size(path, stat.st_mtime_ns, stat.st_size)
    except (OSError, UnidentifiedImageError):
        return None  # `podcast check` reports unreadable artwork
    return url, width, height


@lru_cache(maxsize=256)
def _picture_size(path: Path, mtime_ns: int, size: int) -> tuple[int, int]:
    """An image's pixel size, read from its header once per version of the file."""
    with Image.open(path) as picture:
        width, height = picture.size
    return width, height


@sharing.get(ROUTES["sharing.poster"])
def poster() -> Response:
    """A printable page with the show's artwork, QR code and how to subscribe."""
    urls = current.urls()
    qr = Markup(shared.qr_svg(urls.page("/"), f"QR code for {urls.page('/')}"))  # segno's SVG
    html = _page("poster.html", qr=qr)
    return Response(html, mimetype="text/html")


@sharing.get(ROUTES["sharing.show_thumbnail"])
def show_thumbnail(pixels: int) -> Response:
    """The show's artwork, small."""
    return _thumbnail_response(current.catalog().show.artwork, pixels)


@sharing.get(ROUTES["sharing.episode_thumbnail"])
def episode_thumbnail(slug: str, pixels: int) -> Response:
    """The episode's own artwork, small."""
    _, found = _episode(slug)
    if found.image is None:
        abort(404)
    return _thumbnail_response(found.image, pixels)


def _thumbnail_response(path: Path, pixels: int) -> Response:
    if pixels != shared.THUMBNAIL_PIXELS:
        abort(404)  # one size: no one can make the server resize to order
    try:
        stat = path.stat()
        body = _small(path, stat.st_mtime_ns, stat.st_size, pixels)
    except (OSError, UnidentifiedImageError):
        abort(404)
    response = Response(body, mimetype="image/jpeg")
    response.cache_control.public = True
    response.cache_control.max_age = int(current_app.config["FILE_MAX_AGE"])
    response.add_etag()
    response.make_conditional(request)
    return response


@lru_cache(maxsize=64)
def _small(path: Path, mtime_ns: int, size: int, pixels: int) -> bytes:
    return shared.thumbnail(path, pixels)
