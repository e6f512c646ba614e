"""The listener's site and the feed over HTTP: thin Flask views over the catalog."""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import Flask, Response, abort, current_app, render_template, request, send_file
from markupsafe import Markup
from werkzeug.http import HTTP_STATUS_CODES

from podcast.read import catalog as catalog_module
from podcast.render import chapters
from podcast.render import feed
from podcast.render import search
from podcast.render import seo
from podcast.read import transcripts
from podcast.site.responses import (
    ANSWER_HEADERS,
    Representation,
    RepresentationCache,
    answer,
    compress,
    represent,
    request_root,
    respond,
    security_headers,
    serve_file,
)
from podcast.model import Catalog, Episode, format_timestamp, group_seasons
from podcast.render.notes import to_html
from podcast.files import shipped_dir
from podcast.site.live import CatalogStore, Snapshot
from podcast.site import sharing
from podcast.render.subscribe import subscribe_links, website

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

DEFAULTS: Mapping[str, Any] = {
    "EPISODES_ROOT": None,  # folder with show.yaml; None = the show shipped with the package
    "BASE_URL": None,  # absolute site URL for feed links; None = show.yaml's, else the request's
    "MEDIA_BASE_URL": None,  # where enclosures live (a media CDN); None = this site's /audio/
    "DRAFTS": False,  # show episodes scheduled in the future (preview)
    "CLOCK": None,  # callable returning an aware datetime; None = the system clock
    "FEED_MAX_AGE": 300,  # seconds apps and proxies may cache the feed and pages
    "FILE_MAX_AGE": 86400,  # seconds clients may cache audio and artwork
    "RELOAD_INTERVAL": 2.0,  # seconds between stat sweeps of the episodes folder; None: never
}


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The Flask app serving one show; `config` overrides DEFAULTS."""
    app = Flask(__name__, template_folder=str(shipped_dir("templates")))
    app.config.update(DEFAULTS)
    app.config.update(config or {})
    root = Path(app.config["EPISODES_ROOT"] or catalog_module.default_root())
    app.extensions["catalog"] = CatalogStore(root, app.config["RELOAD_INTERVAL"])
    app.extensions["pages"] = RepresentationCache()
    app.jinja_env.filters.update(
        duration=_duration, date=_date, notes=_notes, timestamp=format_timestamp
    )
    app.jinja_env.globals.update(feed_url=lambda: _urls().feed)
    app.jinja_env.globals.update(
        show_meta=seo.show_meta,
        season_meta=seo.season_meta,
        episode_meta=seo.episode_meta,
        subscribe_links=subscribe_links,
        website=website,
    )
    _register_views(app)
    app.register_blueprint(sharing.blueprint)  # embeds, oEmbed, poster, episode artwork
    app.after_request(_finish)
    app.wsgi_app = _FromCache(app, app.wsgi_app)  # type: ignore[method-assign]
    return app


# --- helpers the views share ---------------------------------------------------------------


def _store() -> CatalogStore:
    store: CatalogStore = current_app.extensions["catalog"]
    return store


def _snapshot() -> Snapshot:
    return _store().snapshot()


def _now(app: Flask | None = None) -> datetime:
    clock: Callable[[], datetime] | None = (app or current_app).config["CLOCK"]
    return clock() if clock else datetime.now(UTC)


def _visible(catalog: Catalog) -> tuple[Episode, ...]:
    return catalog.visible(_now(), drafts=bool(current_app.config["DRAFTS"]))


def _shown(episode: Episode) -> bool:
    """True if a listener may see the episode now (or drafts are previewed)."""
    return bool(current_app.config["DRAFTS"]) or not episode.is_draft(_now())


def _base_url() -> str:
    return _site_url(current_app._get_current_object(), request.environ)  # type: ignore[attr-defined]


def _site_url(app: Flask, environ: WSGIEnvironment) -> str:
    """The configured site URL, else show.yaml's, else the one this request came to."""
    store: CatalogStore = app.extensions["catalog"]
    configured = app.config["BASE_URL"] or store.current().show.base_url
    if configured:
        return str(configured).rstrip("/")
    return request_root(environ)


def _urls() -> feed.Urls:
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


class _FromCache:
    """WSGI middleware: a page already rendered for this catalog is answered without Flask.

    Apps poll the feed all day long; answering them from memory costs a few dozen
    microseconds instead of a trip through routing, views and response objects.
    """

    def __init__(self, app: Flask, wsgi_app: WSGIApplication) -> None:
        self.app, self.wsgi_app = app, wsgi_app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        store: CatalogStore = self.app.extensions["catalog"]
        store.poll()
        if environ["REQUEST_METHOD"] not in ("GET", "HEAD"):
            return self.wsgi_app(environ, start_response)
        environ[_PAGE] = page = _page_key(self.app, environ)
        pages: RepresentationCache = self.app.extensions["pages"]
        found = pages.get(*page)
        if found is None:
            with pages.single_flight(page[1]):
                found = pages.get(*page)  # rendered while this request waited?
                if found is None:
                    return self.wsgi_app(environ, start_response)
        status, headers, body = answer(found, environ)
        if status != 304:  # a 304 only refreshes the headers of what the client has
            headers += security_headers(_media_base_url(self.app))
        start_response(f"{status} {HTTP_STATUS_CODES[status]}", headers)
        return [body] if environ["REQUEST_METHOD"] == "GET" else []


_PAGE = "podcast.page"  # where _FromCache leaves the request's cache key for _remember
_RENDERED = "podcast.rendered"  # where _cached leaves its representation for _remember


def _page_key(app: Flask, environ: WSGIEnvironment) -> tuple[tuple[int, int], Hashable]:
    """The cache generation (catalog version, visible set) and the request's key in it."""
    snapshot: Snapshot = app.extensions["catalog"].snapshot()
    drafts = bool(app.config["DRAFTS"])
    visible = len(snapshot.schedule) if drafts else snapshot.visible_count(_now(app))
    key = (
        environ.get("SCRIPT_NAME", ""),
        environ.get("PATH_INFO", ""),
        environ.get("QUERY_STRING", ""),  # the search page's answer depends on it
        _site_url(app, environ),
        app.config["MEDIA_BASE_URL"],
    )
    return (snapshot.version, visible), key


def _cached(response: Response, modified: datetime | None = None) -> Response:
    """A view's page, kept for every later request of this URL until the catalog changes.

    Only for responses that depend on nothing but the URL, the catalog and the clock (not on
    request headers or cookies). Last-Modified is the catalog's newest change.
    Headers the view adds to the returned response are kept with it.
    """
    snapshot, now = _snapshot(), _now()
    changed = snapshot.changed(now, bool(current_app.config["DRAFTS"]))
    if modified is not None:
        changed = min(max(changed, modified), now)
    found = represent(
        response.get_data(), response.content_type, changed, int(current_app.config["FEED_MAX_AGE"])
    )
    request.environ[_RENDERED] = found
    return respond(found, request)


def _finish(response: Response) -> Response:
    compress(response, request)
    if response.status_code != 304 and "Content-Security-Policy" not in response.headers:
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        response.headers.extend(security_headers(_media_base_url(app)))
    rendered: Representation | None = request.environ.pop(_RENDERED, None)
    if rendered is not None:
        _remember(rendered, response)
    return response


def _remember(rendered: Representation, response: Response) -> None:
    """Store what `_cached` rendered, with the headers the view added after it."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    started = request.environ.get(_PAGE)
    if started is None or started != _page_key(app, request.environ):
        return  # a reload came mid-render: this page may mix two catalogs
    own = ANSWER_HEADERS | {name.lower() for name, _ in security_headers(None)}
    extra = tuple((name, value) for name, value in response.headers if name.lower() not in own)
    app.extensions["pages"].put(*started, replace(rendered, headers=extra))


def _media_base_url(app: Flask) -> str | None:
    configured: str | None = app.config["MEDIA_BASE_URL"]
    return configured or app.extensions["catalog"].current().show.media_base_url


def _newest(episodes: tuple[Episode, ...]) -> datetime | None:
    return max((e.published for e in episodes), default=None)


# --- views -----------------------------------------------------------------------------------


def _register_views(app: Flask) -> None:
    @app.get("/")
    def index() -> Response:
        catalog = _store().current()
        episodes = _visible(catalog)
        html = render_template(
            "index.html",
            show=catalog.show,
            urls=_urls(),
            seasons=group_seasons(catalog.show, episodes),
        )
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
        html = render_template(
            "episode.html",
            show=catalog.show,
            urls=_urls(),
            episode=found,
            season=catalog.show.season_info(found.season),
        )
        return _cached(Response(html, mimetype="text/html"), found.published)

    @app.get("/feed.xml")
    def rss() -> Response:
        catalog = _store().current()
        body = feed.build(catalog, _base_url(), _now(), current_app.config["MEDIA_BASE_URL"])
        response = Response(body, content_type="application/rss+xml; charset=utf-8")
        return _cached(response)

    @app.get("/audio/<path:name>")
    def audio(name: str) -> Response:
        snapshot = _snapshot()
        found = snapshot.audio.get(name)  # only the catalog's own files, whatever the path says
        if found is None or not _shown(found):
            abort(404)
        return serve_file(
            found.audio.path,
            request,
            found.audio.mime,
            current_app.config["FILE_MAX_AGE"],
            snapshot.real_root,
        )

    @app.get("/<name>")
    def artwork(name: str) -> Response:
        snapshot = _snapshot()
        if name != snapshot.catalog.show.artwork.name:
            abort(404)
        return serve_file(
            snapshot.catalog.show.artwork,
            request,
            None,
            current_app.config["FILE_MAX_AGE"],
            snapshot.real_root,
        )

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
        return _shared(
            send_file(
                found.transcript.path,
                mimetype=mimetype,
                conditional=True,
                etag=True,
                max_age=int(app.config["FEED_MAX_AGE"]),
            )
        )

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
        results = indexes.get(catalog).search(
            query, _visible(catalog), request.args.get("page", 1, type=int) or 1
        )
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
