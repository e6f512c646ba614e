"""The site's views: each fetches from the catalog, answers 404 or renders. Nothing else.

Routes come from `render.urls.ROUTES`; every file goes through `responses.serve_file`, whose
containment check runs at each request; pages are offered to the page cache with `cached`.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, current_app, render_template, request

from podcast.model import Audio, Catalog, Episode, Transcript, group_seasons
from podcast.render import chapters, feed, paging, search, seo
from podcast.render.cues import Cue, CueReader, read_cues
from podcast.render.subscribe import subscribe_links, website
from podcast.render.urls import ROUTES
from podcast.site import current
from podcast.site.page_cache import cached
from podcast.site.responses import inside, serve_file

site = Blueprint("site", __name__)


@site.get(ROUTES["index"])
def index() -> Response:
    """The home page: the latest episode, the newest few, how to subscribe, the seasons."""
    catalog = current.catalog()
    episodes = current.visible(catalog)
    urls = current.urls()
    html = _page(
        "index.html",
        recent=episodes[1 : paging.HOME_EPISODES + 1],  # the latest is the hero above them
        seasons=group_seasons(catalog.show, episodes),
        subscribe=subscribe_links(catalog.show, urls.feed),
    )
    return _html(html, _newest(episodes))


@site.get(ROUTES["season"])
def season(number: int) -> Response:
    """A season's page: its newest episodes, with links to the older pages."""
    return _season_page(number, 1)


@site.get(ROUTES["season_page"])
def season_page(number: int, page: int) -> Response:
    """A later page of a season's episodes (page 1 is the season's own address)."""
    if page < 2:
        abort(404)
    return _season_page(number, page)


def _season_page(number: int, page: int) -> Response:
    catalog = current.catalog()
    seasons = group_seasons(catalog.show, current.visible(catalog))
    found = next((s for s in seasons if s.number == number), None)
    shown = paging.season_page(found, page) if found is not None else None
    if found is None or shown is None:
        abort(404)
    meta = seo.season_meta(catalog.show, found, current.urls(), shown)
    html = _page("season.html", season=found, page=shown, meta=meta)
    return _html(html, _newest(found.episodes))


@site.get(ROUTES["episode"])
def episode(slug: str) -> Response:
    """An episode's page, with its player, chapters, notes, people and transcript."""
    found = _published_episode(slug)
    show = current.catalog().show
    html = _page(
        "episode.html",
        episode=found,
        season=show.season_info(found.season),
        cues=episode_cues(found),
        meta=seo.episode_meta(show, found, current.urls()),
    )
    return _html(html, found.published)


@site.get(ROUTES["transcript_page"])
def transcript_page(slug: str, language: str) -> Response:
    """The episode's transcript in one language, on a page in that language."""
    found = _published_episode(slug)
    chosen = found.transcript_in(language)
    if chosen is None or chosen.language != language:  # one address per language
        abort(404)
    show = current.catalog().show
    html = _page(
        "transcript.html",
        episode=found,
        transcript=chosen,
        page_language=chosen.language,
        season=show.season_info(found.season),
        cues=episode_cues(found, chosen),
        meta=seo.transcript_meta(show, found, chosen, current.urls()),
    )
    return _html(html, found.published)


@site.get(ROUTES["rss"])
def rss() -> Response:
    """The RSS feed."""
    base, media = current.urls().base, current_app.config["MEDIA_BASE_URL"]
    body = feed.build(current.catalog(), base, current.now(), media, current.drafts())
    return cached(Response(body, content_type="application/rss+xml; charset=utf-8"))


@site.get(ROUTES["audio"])
def audio(name: str) -> Response:
    """An episode's audio, in byte ranges as apps ask."""
    found = current.snapshot().audio.get(name)  # only the catalog's own files, whatever the path
    if found is None or found.audio.path is None or not current.shown(found):
        abort(404)
    served = _served_audio(found, name)
    if served.path is None:
        abort(404)
    return _file(served.path, served.mime, "FILE_MAX_AGE")


@site.get(ROUTES["show_file"])
def show_file(name: str) -> Response:
    """The show's artwork or an episode's image, at its place in the episodes folder."""
    found = _show_files(current.catalog()).get(name)
    if found is None or (found[1] is not None and not current.shown(found[1])):
        abort(404)
    return _file(found[0], None, "FILE_MAX_AGE")


@site.get(ROUTES["chapters_json"])
def chapters_json(slug: str) -> Response:
    """The episode's JSON Chapters, for Podcasting 2.0 apps and web players."""
    found = _published_episode(slug)
    if not found.all_chapters:
        abort(404)
    document = chapters.json_chapters(current.catalog().show, found, current.urls())
    body = json.dumps(document, ensure_ascii=False, indent=2)
    # no Last-Modified: chapters can be edited after the episode is out; the ETag tracks them
    return _shared(cached(Response(body, mimetype=chapters.JSON_TYPE)))


@site.get(ROUTES["transcript"])
def transcript(slug: str, extension: str) -> Response:
    """An episode's transcript file, as written (`transcript.vtt`, `transcript.es.vtt`)."""
    transcripts = _published_episode(slug).transcripts
    found = next((t for t in transcripts if t.file_suffix == extension), None)
    if found is None:
        abort(404)
    return _shared(_file(found.path, f"{found.mime}; charset=utf-8", "FEED_MAX_AGE"))


@site.get(ROUTES["chapter_image"])
def chapter_image(slug: str, number: int, extension: str) -> Response:
    """A chapter's own image: a file beside the YAML, or the picture inside the MP3."""
    found = _published_episode(slug)
    chapter = chapters.served_image(found, number, f"{number}.{extension}")
    if chapter is None:
        abort(404)
    if isinstance(chapter.image, Path):
        return _shared(_file(chapter.image, chapters.image_mime(chapter), "FEED_MAX_AGE"))
    audio = found.audio.path
    audio_file = inside(audio, current.snapshot().real_root) if audio else None
    picture = chapters.embedded_image(audio_file, chapter) if audio_file else None
    if picture is None:
        abort(404)
    return _shared(cached(Response(picture.data, mimetype=picture.mime)))


@site.get(ROUTES["search_page"])
def search_page() -> Response:
    """Search results (or the search form, without a query)."""
    catalog = current.catalog()
    indexes: search.IndexCache = current_app.extensions["search"]
    query = request.args.get("q", "").strip()
    page = request.args.get("page", 1, type=int) or 1
    results = indexes.get(catalog).search(query, current.visible(catalog), page)
    return _html(_page("search.html", results=results))


@site.get(ROUTES["sitemap"])
def sitemap() -> Response:
    """The sitemap: every season and visible episode."""
    catalog = current.catalog()
    episodes = current.visible(catalog)
    body = seo.sitemap(current.urls(), group_seasons(catalog.show, episodes))
    return cached(Response(body, mimetype="application/xml"), _newest(episodes))


@site.get(ROUTES["robots"])
def robots() -> Response:
    """robots.txt."""
    return cached(Response(seo.robots(current.urls()), mimetype="text/plain"))


@site.app_errorhandler(404)
def not_found(error: Exception) -> tuple[str, int]:
    """The one page for every missing address."""
    show_home = seo.show_meta(current.catalog().show, current.urls())  # names the home page
    return _page("404.html", meta=show_home), 404


# --- what the views share --------------------------------------------------------------------


def _page(template: str, **data: Any) -> str:
    """A page with what every template uses: the show, both kinds of address, its metadata."""
    show, urls = current.catalog().show, current.urls()
    data.setdefault("meta", seo.show_meta(show, urls, request.path))
    common = {"show": show, "urls": urls, "links": current.links(), "website": website(show)}
    return render_template(template, **common, **data)


def _html(html: str, modified: datetime | None = None) -> Response:
    return cached(Response(html, mimetype="text/html"), modified)


def _published_episode(slug: str) -> Episode:
    """The visible episode with this slug, or a 404."""
    found = current.catalog().find(slug)
    if found is None or not current.shown(found):
        abort(404)
    return found


def _served_audio(found: Episode, name: str) -> Audio:
    """The episode's audio at /audio/`name`: its low-data copy, or else the full file."""
    low = found.low_bandwidth
    if low is None or low.path is None:
        return found.audio
    if low.path.relative_to(current.catalog().root).as_posix() == name:
        return low
    return found.audio


def _shared(response: Response) -> Response:
    # Podcasting 2.0 web players fetch chapters and transcripts from other origins
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _file(path: Path, mimetype: str | None, max_age: str) -> Response:
    """A file of the show, if it is still inside the show's folder now (else a 404)."""
    seconds = int(current_app.config[max_age])
    return serve_file(path, request, mimetype, seconds, current.snapshot().real_root)


def episode_cues(found: Episode, language: Transcript | None = None) -> tuple[Cue, ...]:
    """The cues of the episode's transcript (or the one in `language`), as pages show them."""
    chosen = language or found.transcript
    if chosen is None:
        return ()
    read: CueReader = current_app.extensions["cues"]
    return read(chosen.path)


def contained_cues(real_root: str) -> CueReader:
    """`read_cues` for transcripts still inside the show's folder: one linked outside has none.

    The page and the search index both read through it, so search links only to cues shown.
    """

    def read(path: Path) -> tuple[Cue, ...]:
        real = inside(path, real_root)
        return read_cues(real) if real is not None else ()

    return read


def _newest(episodes: tuple[Episode, ...]) -> datetime | None:
    return max((e.published for e in episodes), default=None)


_files_cache: list[tuple[Catalog, dict[str, tuple[Path, Episode | None]]]] = []


def _show_files(catalog: Catalog) -> dict[str, tuple[Path, Episode | None]]:
    """Files served at the site's top, by their path below it: the artwork, episode images."""
    if _files_cache and _files_cache[0][0] is catalog:
        return _files_cache[0][1]
    files: dict[str, tuple[Path, Episode | None]] = {
        catalog.show.artwork.name: (catalog.show.artwork, None)
    }
    for item in catalog.episodes:
        if item.image is not None:
            files[item.image.relative_to(catalog.root).as_posix()] = (item.image, item)
    _files_cache[:] = [(catalog, files)]
    return files
