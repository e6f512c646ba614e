"""The app's answer to a GET of one site path, asked in-process as a WSGI server asks it.

Werkzeug's test client builds a request, a response wrapper and a cookie jar for every call;
a build asks thousands of paths, so it keeps one app context and gives each path a request
context of its own over a WSGI environ made once (what the test client would send). The
views, error handlers and after-request hooks run as for any request, and the body is what
the response gives a server. `page_cache.EXPORT` in the environ tells the page cache that
only the bytes are wanted: no gzip variant, nothing kept for later requests.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from io import BytesIO
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from flask import Flask, Response
from werkzeug.test import EnvironBuilder
from werkzeug.urls import iri_to_uri

from podcast.site.page_cache import EXPORT

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment


@dataclass(frozen=True, slots=True)
class Answer:
    """What the app answered: the status line's code and text, the type, the body."""

    status_code: int
    status: str  # "404 NOT FOUND", for messages
    mimetype: str
    body: bytes


class Fetcher:
    """Asks one app for site paths below one base URL (inside `session`)."""

    def __init__(self, app: Flask, base: str) -> None:
        self.app, self.base = app, base
        client = app.test_client()  # only for the environ it sends (remote address, agent)
        environ_base = client.environ_base
        self.template = EnvironBuilder(
            path="/", base_url=base, environ_base=environ_base
        ).get_environ()
        self.template[EXPORT] = True

    @contextmanager
    def session(self) -> Iterator[Fetcher]:
        """One app context for every request asked inside it."""
        with self.app.app_context():
            yield self

    def get(self, path: str) -> Answer:
        """The app's answer to GET `path` (a site path, percent-encoded as in a link)."""
        environ = self._environ(path)
        response = self._dispatch(environ)
        body_iter, status, _ = response.get_wsgi_response(environ)
        try:
            body = b"".join(body_iter)
        finally:
            close = getattr(body_iter, "close", None)
            if close is not None:
                close()
        return Answer(response.status_code, status, response.mimetype or "", body)

    def _environ(self, path: str) -> WSGIEnvironment:
        environ = dict(self.template)
        raw = iri_to_uri(path)
        route, _, query = raw.partition("?")
        environ["PATH_INFO"] = unquote(route).encode("utf-8").decode("latin-1")  # as PEP 3333
        environ["QUERY_STRING"] = query
        environ["REQUEST_URI"] = environ["RAW_URI"] = raw
        environ["wsgi.input"] = BytesIO()
        return environ

    def _dispatch(self, environ: WSGIEnvironment) -> Response:
        """`Flask.wsgi_app` without the WSGI call: dispatch, handle errors, pop the context."""
        app: Any = self.app
        context = app.request_context(environ)
        error: BaseException | None = None
        try:
            try:
                context.push()
                response: Response = app.full_dispatch_request()
            except Exception as exc:
                error = exc
                response = app.handle_exception(exc)
            return response
        finally:
            if error is not None and app.should_ignore_error(error):
                error = None
            context.pop(error)
