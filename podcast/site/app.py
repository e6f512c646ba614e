"""The listener's site and the feed over HTTP: the Flask app, its settings and filters.

The views are in `site.views`, the page cache in `site.page_cache`; this module puts them
together for one show.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from jinja2 import FileSystemBytecodeCache
from jinja2.bccache import Bucket
from markupsafe import Markup

from podcast.files import cache_dir, shipped_dir
from podcast.model import Catalog, Episode
from podcast.read import catalog as catalog_module
from podcast.read import languages
from podcast.render import search_cache, times, urls
from podcast.render.notes import markdown_parser, to_html
from podcast.site import current
from podcast.site.live import CatalogStore
from podcast.site.page_cache import FromCache, finish
from podcast.site.problems import ProblemBoard
from podcast.site.responses import RepresentationCache
from podcast.site.sharing import sharing
from podcast.site.views import contained_cues, site

DEFAULTS: Mapping[str, Any] = {
    "EPISODES_ROOT": None,  # folder with show.yaml; None = the show shipped with the package
    "BASE_URL": None,  # absolute site URL for feed links; None = show.yaml's, else the request's
    "MEDIA_BASE_URL": None,  # where enclosures live (a media CDN); None = this site's /audio/
    "DRAFTS": False,  # show episodes scheduled in the future (preview)
    "CLOCK": None,  # callable returning an aware datetime; None = the system clock
    "FEED_MAX_AGE": 300,  # seconds apps and proxies may cache the feed and pages
    "FILE_MAX_AGE": 86400,  # seconds clients may cache audio and artwork
    "RELOAD_INTERVAL": 2.0,  # seconds between stat sweeps of the episodes folder; None: never
    "SEARCH_INDEX": True,  # prepare the search index at load (a static export needs none)
    "PREVIEW": False,  # the producer's preview (`podcast serve`): a banner lists the problems
}


def create_app(config: Mapping[str, Any] | None = None, catalog: Catalog | None = None) -> Flask:
    """The Flask app serving one show; `config` overrides DEFAULTS; `catalog`, when given, is
    served as loaded (so `podcast build` exports exactly the catalog it checked)."""
    templates = shipped_dir("templates")
    app = Flask(__name__, template_folder=str(templates), static_url_path=urls.STATIC)
    app.jinja_env.bytecode_cache = CompiledTemplates(str(cache_dir("templates", templates)))
    app.config.update(DEFAULTS)
    app.config.update(config or {})
    root = Path(app.config["EPISODES_ROOT"] or catalog_module.default_root())
    markdown_parser()  # made now, before any fork: gunicorn's workers (and a build's) share it
    app.extensions["catalog"] = CatalogStore(root, app.config["RELOAD_INTERVAL"], catalog)
    app.extensions["pages"] = RepresentationCache()
    app.extensions["cues"] = contained_cues(os.path.realpath(root))
    # prepared now, in the background; a file in the cache directory that every worker shares
    app.extensions["search"] = search_cache.IndexCache(app.extensions["cues"])
    if app.config["SEARCH_INDEX"]:
        app.extensions["search"].prepare(app.extensions["catalog"].current())
    app.jinja_env.filters.update(
        duration=times.spoken_duration,
        date=times.long_date,
        notes=_notes,
        timestamp=times.hms,
        seconds=times.seconds_text,
        clock=times.clock,
        autonym=languages.autonym,
        status=_status,
    )
    if app.config["PREVIEW"]:
        app.extensions["problems"] = ProblemBoard()
        app.context_processor(_problems)
    app.register_blueprint(site)
    app.register_blueprint(sharing)  # embeds, oEmbed, the poster, artwork thumbnails
    app.after_request(finish)
    app.wsgi_app = FromCache(app, app.wsgi_app)  # type: ignore[method-assign]
    return app


class CompiledTemplates(FileSystemBytecodeCache):
    """Jinja's compiled templates in the user's cache directory, shared by every process: each
    build, server worker and forked renderer compiled all of them again (60 ms of its first
    pages). Jinja checks each template's source against what was compiled; a cache that cannot
    be written (a read-only home, a full disk) only means compiling again, never a failed page.
    """

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except OSError:
            pass  # not there, or the cache directory is not a folder: compiled anew

    def dump_bytecode(self, bucket: Bucket) -> None:
        try:
            os.makedirs(self.directory, exist_ok=True)
            super().dump_bytecode(bucket)
        except OSError:
            pass


def _problems() -> dict[str, Any]:
    board: ProblemBoard = current_app.extensions["problems"]
    return {"problems": board.problems(current.snapshot(), current.now())}


def _status(episode: Episode) -> str:
    """`draft`, `scheduled` or `live` at the app's clock: the preview's badge."""
    return episode.status(current.now()).value


def _notes(markdown: str) -> Markup:
    return Markup(to_html(markdown))  # sanitized by nh3 in notes.to_html
