"""What the request being answered serves: the catalog now, the clock, the site's addresses."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from flask import Flask, current_app, request

from podcast.model import Catalog, Episode
from podcast.render.urls import Urls
from podcast.site.live import CatalogStore, Snapshot
from podcast.site.responses import request_root

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment


def store(app: Flask | None = None) -> CatalogStore:
    """The app's catalog store."""
    found: CatalogStore = (app or current_app).extensions["catalog"]
    return found


def snapshot() -> Snapshot:
    """The catalog being served, with its lookups."""
    return store().snapshot()


def catalog() -> Catalog:
    """The catalog being served."""
    return store().current()


def now(app: Flask | None = None) -> datetime:
    """The app's clock (a test's, or the system's)."""
    clock: Callable[[], datetime] | None = (app or current_app).config["CLOCK"]
    return clock() if clock else datetime.now(UTC)


def drafts() -> bool:
    """True when episodes scheduled in the future are previewed."""
    return bool(current_app.config["DRAFTS"])


def visible(of: Catalog) -> tuple[Episode, ...]:
    """The episodes a listener sees now, newest first."""
    return of.visible(now(), drafts=drafts())


def shown(episode: Episode) -> bool:
    """True if a listener may see the episode now (or drafts are previewed)."""
    return drafts() or not episode.is_draft(now())


def site_url(app: Flask, environ: WSGIEnvironment) -> str:
    """The configured site URL, else show.yaml's, else the one this request came to."""
    configured = app.config["BASE_URL"] or store(app).current().show.base_url
    if configured:
        return str(configured).rstrip("/")
    return request_root(environ)


def media_base_url(app: Flask) -> str | None:
    """Where the audio lives when not on this site (a media CDN), if anywhere."""
    configured: str | None = app.config["MEDIA_BASE_URL"]
    return configured or store(app).current().show.media_base_url


def urls() -> Urls:
    """Absolute URLs, for apps, crawlers and link previews."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    base = site_url(app, request.environ)
    return Urls(catalog(), base, app.config["MEDIA_BASE_URL"])


def links() -> Urls:
    """Links from one page to another: paths below the app's mount point."""
    return Urls(catalog(), request.script_root, current_app.config["MEDIA_BASE_URL"])
