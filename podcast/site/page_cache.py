"""Pages rendered once per catalog: a view's response kept and answered from memory.

`FromCache` (WSGI middleware) answers a page already rendered for this catalog version and
visible set without entering Flask; `cached` is how a view offers its response for keeping,
and `finish` (after every request) stores it, with gzip and the security headers added.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from flask import Flask, Response, current_app, request
from werkzeug.http import HTTP_STATUS_CODES

from podcast.site import current
from podcast.site.live import Snapshot
from podcast.site.responses import (
    ANSWER_HEADERS,
    Representation,
    RepresentationCache,
    answer,
    compress,
    represent,
    respond,
    security_headers,
)

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment


class FromCache:
    """WSGI middleware: a page already rendered for this catalog is answered without Flask.

    Apps poll the feed all day long; answering them from memory costs a few dozen
    microseconds instead of a trip through routing, views and response objects.
    """

    def __init__(self, app: Flask, wsgi_app: WSGIApplication) -> None:
        self.app, self.wsgi_app = app, wsgi_app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        current.store(self.app).poll()
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
            headers += security_headers(current.media_base_url(self.app))
        start_response(f"{status} {HTTP_STATUS_CODES[status]}", headers)
        return [body] if environ["REQUEST_METHOD"] == "GET" else []


EXPORT = "podcast.export"  # set by the static export: it keeps the body, never a gzip or a copy
_PAGE = "podcast.page"  # where FromCache leaves the request's cache key for _remember
_RENDERED = "podcast.rendered"  # where cached leaves its representation for _remember


def _page_key(app: Flask, environ: WSGIEnvironment) -> tuple[tuple[int, int], Hashable]:
    """The cache generation (catalog version, visible set) and the request's key in it."""
    snapshot: Snapshot = app.extensions["catalog"].snapshot()
    drafts = bool(app.config["DRAFTS"])
    visible = len(snapshot.schedule) if drafts else snapshot.visible_count(current.now(app))
    key = (
        environ.get("SCRIPT_NAME", ""),
        environ.get("PATH_INFO", ""),
        environ.get("QUERY_STRING", ""),  # the search page's answer depends on it
        current.site_url(app, environ),
        app.config["MEDIA_BASE_URL"],
    )
    return (snapshot.version, visible), key


def cached(response: Response, modified: datetime | None = None) -> Response:
    """A view's page, kept for every later request of this URL until the catalog changes.

    Only for responses that depend on nothing but the URL, the catalog and the clock (not on
    request headers or cookies). Last-Modified is the catalog's newest change.
    Headers the view adds to the returned response are kept with it. A static export
    (`EXPORT` in the request) takes the body as it is: hashing, compressing and keeping it
    would be work for requests that never come.
    """
    if request.environ.get(EXPORT):
        return response
    snapshot, now = current.snapshot(), current.now()
    changed = snapshot.changed(now, current.drafts())
    if modified is not None:
        changed = min(max(changed, modified), now)
    found = represent(
        response.get_data(), response.content_type, changed, int(current_app.config["FEED_MAX_AGE"])
    )
    request.environ[_RENDERED] = found
    return respond(found, request)


def finish(response: Response) -> Response:
    """After every view: gzip, the security headers, and the page kept if `cached` made it.

    A static export keeps only the body: its headers are the static host's to send."""
    if request.environ.get(EXPORT):
        return response
    compress(response, request)
    if response.status_code != 304 and "Content-Security-Policy" not in response.headers:
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        response.headers.extend(security_headers(current.media_base_url(app)))
    rendered: Representation | None = request.environ.pop(_RENDERED, None)
    if rendered is not None:
        _remember(rendered, response)
    return response


def _remember(rendered: Representation, response: Response) -> None:
    """Store what `cached` rendered, with the headers the view added after it."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    started = request.environ.get(_PAGE)
    if started is None or started != _page_key(app, request.environ):
        return  # a reload came mid-render: this page may mix two catalogs
    own = ANSWER_HEADERS | {name.lower() for name, _ in security_headers(None)}
    extra = tuple((name, value) for name, value in response.headers if name.lower() not in own)
    app.extensions["pages"].put(*started, replace(rendered, headers=extra))
