"""The listener's site and the feed over HTTP: thin Flask views over the catalog."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Flask, Response, abort, render_template, request, send_file
from markupsafe import Markup

from podcast import catalog as catalog_module
from podcast import chapters, feed, search, seo, transcripts
from podcast.model import Catalog, Episode, format_timestamp, group_seasons
from podcast.notes import to_html
from podcast.shipped import shipped_dir
from podcast.subscribe import subscribe_links, website

DEFAULTS: Mapping[str, Any] = {
    "EPISODES_ROOT": None,  # folder with show.yaml; None = the show shipped with the package
    "BASE_URL": None,  # absolute site URL for feed links; None = show.yaml's, else the request's
    "MEDIA_BASE_URL": None,  # where enclosures live (a media CDN); None = this site's /audio/
    "DRAFTS": False,  # show episodes scheduled in the future (preview)
    "CLOCK": None,  # callable returning an aware datetime; None = the system clock
    "FEED_MAX_AGE": 300,  # seconds apps and proxies may cache the feed and pages
}
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


class CatalogStore:
    """Holds the current catalog and the feed bytes rendered from it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._catalog = catalog_module.load(root)
        self._feeds: dict[tuple[str, str | None, tuple[str, ...]], bytes] = {}
        self._lock = threading.Lock()

    def current(self) -> Catalog:
        """The catalog to serve now."""
        return self._catalog

    def feed(self, base_url: str, media_base_url: str | None, now: datetime) -> bytes:
        """The feed for this catalog and the episodes visible at `now`, rendered once."""
        catalog = self.current()
        key = (base_url, media_base_url, tuple(e.guid for e in catalog.visible(now)))
        with self._lock:
            if key not in self._feeds:
                self._feeds = {key: feed.build(catalog, base_url, now, media_base_url)}
            return self._feeds[key]


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The Flask app serving one show; `config` overrides DEFAULTS."""
    app = Flask(__name__, template_folder=str(shipped_dir("templates")))
    app.config.update(DEFAULTS)
    app.config.update(config or {})
    root = Path(app.config["EPISODES_ROOT"] or catalog_module.default_root())
    app.extensions["catalog"] = CatalogStore(root)
    app.jinja_env.filters.update(duration=_duration, date=_date, notes=_notes,
                                 timestamp=format_timestamp)
    app.jinja_env.globals.update(feed_url=lambda: _urls().feed)
    app.jinja_env.globals.update(show_meta=seo.show_meta, season_meta=seo.season_meta,
                                 episode_meta=seo.episode_meta,
                                 subscribe_links=subscribe_links, website=website)
    _register_views(app)
    app.after_request(_security_headers)
    return app


# --- helpers the views share ---------------------------------------------------------------

def _store() -> CatalogStore:
    from flask import current_app

    store: CatalogStore = current_app.extensions["catalog"]
    return store


def _now() -> datetime:
    from flask import current_app

    clock: Callable[[], datetime] | None = current_app.config["CLOCK"]
    return clock() if clock else datetime.now(UTC)


def _visible(catalog: Catalog) -> tuple[Episode, ...]:
    from flask import current_app

    return catalog.visible(_now(), drafts=bool(current_app.config["DRAFTS"]))


def _base_url() -> str:
    from flask import current_app

    configured = current_app.config["BASE_URL"] or _store().current().show.base_url
    return str(configured or request.url_root).rstrip("/")


def _urls() -> feed.Urls:
    from flask import current_app

    return feed.Urls(_store().current(), _base_url(), current_app.config["MEDIA_BASE_URL"])


def _duration(delta: timedelta) -> str:
    minutes = round(delta.total_seconds() / 60)
    if delta.total_seconds() < 60:
        return f"{round(delta.total_seconds())} sec"
    return f"{minutes // 60} hr {minutes % 60} min" if minutes >= 60 else f"{minutes} min"


def _date(moment: datetime) -> str:
    return f"{moment:%B} {moment.day}, {moment:%Y}"


def _notes(markdown: str) -> Markup:
    return Markup(to_html(markdown))  # sanitized by nh3 in notes.to_html


def _cached(response: Response, modified: datetime | None = None) -> Response:
    from flask import current_app

    response.cache_control.public = True
    response.cache_control.max_age = int(current_app.config["FEED_MAX_AGE"])
    if modified is not None:
        response.last_modified = modified
    response.add_etag()
    return response.make_conditional(request)


def _security_headers(response: Response) -> Response:
    media = _store().current().show.media_base_url or ""
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data: https:; "
        f"media-src 'self' {media}".rstrip() + "; style-src 'self'; script-src 'self'; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
    )
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def _newest(episodes: tuple[Episode, ...]) -> datetime | None:
    return max((e.published for e in episodes), default=None)


# --- views -----------------------------------------------------------------------------------

def _register_views(app: Flask) -> None:
    @app.get("/")
    def index() -> Response:
        catalog = _store().current()
        episodes = _visible(catalog)
        html = render_template("index.html", show=catalog.show, urls=_urls(),
                               seasons=group_seasons(catalog.show, episodes))
        return _cached(Response(html, mimetype="text/html"), _newest(episodes))

    @app.get("/seasons/<int:number>/")
    def season(number: int) -> Response:
        catalog = _store().current()
        seasons = [s for s in group_seasons(catalog.show, _visible(catalog)) if s.number == number]
        if not seasons:
            abort(404)
        html = render_template("season.html", show=catalog.show, urls=_urls(), season=seasons[0])
        return _cached(Response(html, mimetype="text/html"), _newest(seasons[0].episodes))

    @app.get("/episodes/<slug>/")
    def episode(slug: str) -> Response:
        catalog = _store().current()
        found = catalog.find(slug)
        if found is None or found not in _visible(catalog):
            abort(404)
        html = render_template("episode.html", show=catalog.show, urls=_urls(), episode=found,
                               season=catalog.show.season_info(found.season))
        return _cached(Response(html, mimetype="text/html"), found.published)

    @app.get("/feed.xml")
    def rss() -> Response:
        from flask import current_app

        catalog = _store().current()
        body = _store().feed(_base_url(), current_app.config["MEDIA_BASE_URL"], _now())
        response = Response(body, mimetype="application/rss+xml")
        response.headers["Content-Type"] = "application/rss+xml; charset=utf-8"
        return _cached(response, _newest(catalog.visible(_now())))

    @app.get("/audio/<path:name>")
    def audio(name: str) -> Response:
        catalog = _store().current()
        for item in _visible(catalog):
            if feed.audio_path(catalog, item) == feed.quote(name):
                return send_file(item.audio.path, mimetype=item.audio.mime, conditional=True,
                                 etag=True, max_age=86400)
        abort(404)

    @app.get("/<name>")
    def artwork(name: str) -> Response:
        show = _store().current().show
        if name != show.artwork.name:
            abort(404)
        return send_file(show.artwork, conditional=True, etag=True, max_age=86400)

    @app.errorhandler(404)
    def not_found(error: Exception) -> tuple[str, int]:
        catalog = _store().current()
        return render_template("404.html", show=catalog.show, urls=_urls()), 404

    # --- chapters, transcripts and chapter images (Podcasting 2.0) ---------------------------
    app.add_template_filter(chapters.seconds_text, "chapter_seconds")
    app.add_template_filter(transcripts.seconds_text, "cue_seconds")
    app.add_template_filter(transcripts.clock, "clock")
    app.add_template_global(_transcript_cues, "transcript_cues")
    app.add_template_global(chapters.image_path, "chapter_image")

    @app.get("/episodes/<slug>/chapters.json")
    def chapters_json(slug: str) -> Response:
        found = _published_episode(slug)
        if not found.all_chapters:
            abort(404)
        document = chapters.json_chapters(_store().current().show, found, _urls().absolute)
        body = json.dumps(document, ensure_ascii=False, indent=2)
        # no Last-Modified: chapters can be edited after the episode is out; the ETag tracks them
        return _shared(_cached(Response(body, mimetype=chapters.JSON_TYPE)))

    @app.get("/episodes/<slug>/transcript.<extension>")
    def transcript(slug: str, extension: str) -> Response:
        found = _published_episode(slug)
        if found.transcript is None or found.transcript.extension != extension:
            abort(404)
        mimetype = f"{found.transcript.mime}; charset=utf-8"
        return _shared(send_file(found.transcript.path, mimetype=mimetype, conditional=True,
                                 etag=True, max_age=int(app.config["FEED_MAX_AGE"])))

    @app.get("/episodes/<slug>/chapters/<int:number>.<extension>")
    def chapter_image(slug: str, number: int, extension: str) -> Response:
        found = _published_episode(slug)
        picture = chapters.image(found, number)  # None for a number out of range
        name = chapters.image_name(number, found.all_chapters[number - 1]) if picture else None
        if picture is None or name != f"{number}.{extension}":
            abort(404)
        return _shared(_cached(Response(picture.data, mimetype=picture.mime)))

    # --- search, sitemap and robots.txt (the listener's site) --------------------------------
    indexes = search.IndexCache()  # built on the first search, again only for a new catalog

    @app.get("/search/")
    def search_page() -> Response:
        catalog = _store().current()
        query = request.args.get("q", "").strip()
        results = indexes.get(catalog).search(query, _visible(catalog),
                                              request.args.get("page", 1, type=int) or 1)
        html = render_template("search.html", show=catalog.show, urls=_urls(), results=results)
        return _cached(Response(html, mimetype="text/html"))

    @app.get("/sitemap.xml")
    def sitemap() -> Response:
        catalog = _store().current()
        episodes = _visible(catalog)
        body = seo.sitemap(_urls(), group_seasons(catalog.show, episodes))
        return _cached(Response(body, mimetype="application/xml"), _newest(episodes))

    @app.get("/robots.txt")
    def robots() -> Response:
        return _cached(Response(seo.robots(_urls()), mimetype="text/plain"))


def _published_episode(slug: str) -> Episode:
    """The visible episode with this slug, or a 404."""
    catalog = _store().current()
    found = catalog.find(slug)
    if found is None or found not in _visible(catalog):
        abort(404)
    return found


def _shared(response: Response) -> Response:
    # Podcasting 2.0 web players fetch chapters and transcripts from other origins
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _transcript_cues(episode: Episode) -> tuple[transcripts.Cue, ...]:
    """The episode's transcript cues for its page; none when unreadable (`check` says why)."""
    from flask import current_app

    if episode.transcript is None:
        return ()
    try:
        return transcripts.parse(episode.transcript.path)
    except (transcripts.TranscriptError, OSError) as exc:
        current_app.logger.warning("transcript not shown: %s", exc)
        return ()
