"""Sharing and listening beyond the episode page: embeds, oEmbed, the poster, episode artwork.

A Blueprint of thin views: the embed page (the one page other sites may frame), the oEmbed
document for each episode (a static file per episode, plus the `/oembed.json?url=` endpoint
the oEmbed spec describes), the printable poster with the show's QR code, and each episode's
own artwork. It also gives templates the episode's neighbours and artwork URL.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote, urlsplit

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from markupsafe import Markup
from PIL import Image, UnidentifiedImageError

from podcast.model import Catalog, Episode, Season, SeasonInfo, newest_first
from podcast.render import feed, sharing, subscribe
from podcast.site.responses import request_root, security_headers, serve_file

blueprint = Blueprint("sharing", __name__)
_EPISODE_PATH = "/episodes/"


# --- what the views share (until the one URL source, render/urls.py, lands) ---------------


def _catalog() -> Catalog:
    catalog: Catalog = current_app.extensions["catalog"].current()
    return catalog


def _urls(catalog: Catalog) -> feed.Urls:
    base = current_app.config["BASE_URL"] or catalog.show.base_url
    return feed.Urls(catalog, base or request_root(request.environ), _media_base_url(catalog))


def _media_base_url(catalog: Catalog) -> str | None:
    configured: str | None = current_app.config["MEDIA_BASE_URL"]
    return configured or catalog.show.media_base_url


def _visible(catalog: Catalog) -> tuple[Episode, ...]:
    clock = current_app.config["CLOCK"]
    now: datetime = clock() if clock else datetime.now(UTC)
    return catalog.visible(now, drafts=bool(current_app.config["DRAFTS"]))


def _episode(slug: str) -> tuple[Catalog, Episode]:
    """The catalog and its visible episode with this slug, or a 404."""
    catalog = _catalog()
    found = catalog.find(slug)
    if found is None or found not in _visible(catalog):
        abort(404)
    return catalog, found


# --- template helpers ---------------------------------------------------------------------


@blueprint.app_template_global()
def episode_artwork(episode: Episode) -> str:
    """The URL of the episode's own artwork, else the show's."""
    if episode.image is None:
        return _urls(_catalog()).artwork
    suffix = episode.image.suffix.lower().lstrip(".")
    return url_for("sharing.artwork", slug=episode.slug, extension=suffix)


@blueprint.app_template_global()
def artwork_thumbnail(episode: Episode | None = None) -> str:
    """A small JPEG of the episode's own artwork, else of the show's, for pages to show."""
    if episode is None or episode.image is None:
        return url_for("sharing.show_thumbnail", pixels=sharing.THUMBNAIL_PIXELS)
    return url_for("sharing.episode_thumbnail", slug=episode.slug, pixels=sharing.THUMBNAIL_PIXELS)


@blueprint.app_template_global()
def artwork_alt(episode: Episode) -> str:
    """What `episode_artwork` shows, in words."""
    show = _catalog().show
    return f"Artwork for {episode.title}" if episode.image else f"Cover art for {show.title}"


@blueprint.app_template_global()
def neighbours(episode: Episode) -> tuple[Episode | None, Episode | None]:
    """The visible episodes published just before and just after `episode`."""
    ordered = newest_first(_visible(_catalog()))
    if episode not in ordered:
        return None, None
    at = ordered.index(episode)
    older = ordered[at + 1] if at + 1 < len(ordered) else None
    return older, ordered[at - 1] if at > 0 else None


@blueprint.app_template_global()
def embed_code(episode: Episode) -> str:
    """The iframe snippet that puts the episode's player on another site."""
    urls = _urls(_catalog())
    width, height = sharing.embed_size(None, None)
    src = urls.page(f"/episodes/{quote(episode.slug)}/embed/")
    return sharing.embed_html(src, f"Player: {episode.title}", width, height)


@blueprint.app_template_global()
def latest_episode() -> Episode | None:
    """The newest visible episode, for the home page's hero."""
    return next(iter(newest_first(_visible(_catalog()))), None)


# --- views ----------------------------------------------------------------------------------


@blueprint.get("/episodes/<slug>/embed/")
def embed(slug: str) -> Response:
    """The episode's player alone, for other sites' iframes."""
    catalog, found = _episode(slug)
    html = render_template("embed.html", show=catalog.show, urls=_urls(catalog), episode=found)
    response = Response(html, mimetype="text/html")
    response.headers.extend(_frameable_headers(catalog))
    return response


def _frameable_headers(catalog: Catalog) -> list[tuple[str, str]]:
    """The site's security headers, except that any site may frame this page."""
    headers = []
    for name, value in security_headers(_media_base_url(catalog)):
        if name == "X-Frame-Options":
            continue  # it has no "allow everyone"; frame-ancestors below says it instead
        if name == "Content-Security-Policy":
            value = value.replace("frame-ancestors 'none'", "frame-ancestors *")
        headers.append((name, value))
    return headers


@blueprint.get("/episodes/<slug>/oembed.json")
def episode_oembed(slug: str) -> Response:
    """The episode's oEmbed document: a plain file, so a static export serves it too."""
    catalog, found = _episode(slug)
    return _oembed_response(catalog, found, sharing.embed_size(None, None))


@blueprint.get("/oembed.json")
def oembed_endpoint() -> Response:
    """The oEmbed endpoint: `?url=` an episode page, optional maxwidth, maxheight, format."""
    if request.args.get("format", "json") != "json":
        abort(501)  # the spec's answer for a format the provider does not offer
    catalog = _catalog()
    slug = _slug_of(request.args.get("url", ""), _urls(catalog).base)
    if slug is None:
        abort(404)
    catalog, found = _episode(slug)
    size = sharing.embed_size(
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
    urls = _urls(catalog)
    document = sharing.oembed(
        catalog.show,
        episode,
        urls.page(f"/episodes/{quote(episode.slug)}/embed/"),
        _thumbnail(urls.absolute(episode_artwork(episode)), episode.image or catalog.show.artwork),
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


@blueprint.get("/poster/")
def poster() -> Response:
    """A printable page with the show's artwork, QR code and how to subscribe."""
    catalog = _catalog()
    urls = _urls(catalog)
    qr = Markup(sharing.qr_svg(urls.page("/"), f"QR code for {urls.page('/')}"))  # segno's SVG
    html = render_template("poster.html", show=catalog.show, urls=urls, qr=qr)
    return Response(html, mimetype="text/html")


@blueprint.get("/artwork/<int:pixels>.jpg")
def show_thumbnail(pixels: int) -> Response:
    """The show's artwork, small."""
    return _thumbnail_response(_catalog().show.artwork, pixels)


@blueprint.get("/episodes/<slug>/artwork/<int:pixels>.jpg")
def episode_thumbnail(slug: str, pixels: int) -> Response:
    """The episode's own artwork, small."""
    _, found = _episode(slug)
    if found.image is None:
        abort(404)
    return _thumbnail_response(found.image, pixels)


def _thumbnail_response(path: Path, pixels: int) -> Response:
    if pixels != sharing.THUMBNAIL_PIXELS:
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
    return sharing.thumbnail(path, pixels)


@blueprint.get("/episodes/<slug>/artwork.<extension>")
def artwork(slug: str, extension: str) -> Response:
    """The episode's own artwork file, named by the episode, not by where it lies."""
    catalog, found = _episode(slug)
    if found.image is None or found.image.suffix.lower() != f".{extension}":
        abort(404)
    return serve_file(
        found.image,
        request,
        None,
        current_app.config["FILE_MAX_AGE"],
        current_app.extensions["catalog"].snapshot().real_root,
    )


blueprint.add_app_template_global(subscribe.apple_podcasts_url, "apple_podcasts_url")


@blueprint.app_template_global()
def season_neighbours(season: Season) -> tuple[SeasonInfo | None, SeasonInfo | None]:
    """The seasons with visible episodes just before and just after `season`."""
    catalog = _catalog()
    numbers = sorted({e.season for e in _visible(catalog)})
    if season.number not in numbers:
        return None, None
    at = numbers.index(season.number)
    older = catalog.show.season_info(numbers[at - 1]) if at > 0 else None
    later = numbers[at + 1] if at + 1 < len(numbers) else None
    return older, catalog.show.season_info(later) if later is not None else None
