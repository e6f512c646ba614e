"""The words apps show: titles, their source, descriptions, and links in the notes.

Titles stay within Apple's length and carry no episode number or the show's name; a title that
`podcast add` took from the file name is still marked; descriptions fit the feed; a link in the
notes to this site names a page that exists.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from urllib.parse import urlsplit

from podcast.checks.context import Context, problem
from podcast.errors import Problem, Severity
from podcast.model import Episode
from podcast.render import notes, urls
from podcast.render.notes import DESCRIPTION_LIMIT  # the feed cuts longer text there

TITLE_MAX = 255  # characters, Apple's limit for show and episode titles
# "Episode 4" in the languages podcasts are made in, "Season 3", "S01E04", "第4話", "#4 - …"
NUMBER_WORDS = (
    "episode|épisode|episodio|episódio|epizoda|epizod|epizód|episod|folge|aflevering|afl|"
    "avsnitt|afsnit|jakso|odcinek|bölüm|puntata|capítulo|capitolo|ep|эпизод|выпуск|серия|"
    "season|saison|temporada|staffel|stagione|seizoen|sezon|säsong|sæson|sesong|kausi|сезон"
)
NUMBERED_TITLE = re.compile(
    rf"(?<!\w)(?:{NUMBER_WORDS})\.?\s*(?:n[°º.o]\s*|nr\.?\s*|#)?\d+"
    r"|\bs\d{1,2}\s*e\d{1,3}\b|第\s*\d+\s*[話话集回期季部]|제\s*\d+\s*[화회]"
    r"|^\s*#?\d{1,3}\s*[-:.|–—]\s",
    re.IGNORECASE,
)

# `podcast add` marks a title it could only take from the file name (the audio had no title tag)
TITLE_FROM_FILE_NAME = "# from the file name (the audio has no title tag)"
_MARK = TITLE_FROM_FILE_NAME.encode()


def check_titles(context: Context) -> Iterator[Problem]:
    """Apple: titles ≤ 255 characters, without episode/season numbers or the show's name."""
    show = context.catalog.show
    if len(show.title) > TITLE_MAX:
        yield problem(
            "title-length",
            show,
            "title",
            f"the show's title is {len(show.title)} characters; the limit is {TITLE_MAX}",
            "shorten it; put the rest in the description",
        )
    names = {show.title.casefold()}
    short = show.title.split(":")[0].strip()
    if len(short) >= 8:  # "Off the Charts" from "Off the Charts: Examining …"
        names.add(short.casefold())
    for episode in context.catalog.episodes:
        yield from _episode_title(episode, names)


def _episode_title(episode: Episode, show_names: set[str]) -> Iterator[Problem]:
    title = episode.title
    if len(title) > TITLE_MAX:
        yield problem(
            "title-length",
            episode,
            "title",
            f"the title is {len(title)} characters; the limit is {TITLE_MAX}",
            "shorten it; put the rest in the summary",
        )
    number = NUMBERED_TITLE.search(title)
    if number:
        yield problem(
            "title-number",
            episode,
            "title",
            f"the title contains a number ('{number.group(0).strip()}')",
            "remove it: apps show 'season' and 'episode' from their own keys",
            Severity.WARNING,
        )
    if any(name in title.casefold() for name in show_names):
        yield problem(
            "title-show-name",
            episode,
            "title",
            "the title repeats the show's name",
            "remove it: apps show the show's name beside every episode",
            Severity.WARNING,
        )


def check_title_source(context: Context) -> Iterator[Problem]:
    """A title `podcast add` took from the file name, still carrying its mark."""
    for episode in context.catalog.episodes:
        line = _marked_title_line(episode.source)
        if line is not None:
            yield Problem(
                episode.source,
                line,
                f"the title '{episode.title}' came from the audio's file name "
                "(the audio has no title tag)",
                "write the episode's real title, then delete the comment after it",
                Severity.WARNING,
                "title-from-file-name",
            )


def _marked_title_line(path: Path) -> int | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if _MARK not in data:  # most files: no decoding, no lines
        return None
    for number, line in enumerate(data.decode("utf-8", "replace").splitlines(), 1):
        if line.startswith("title:") and TITLE_FROM_FILE_NAME in line:
            return number
    return None


def check_descriptions(context: Context) -> Iterator[Problem]:
    """Apple: descriptions ≤ 4000 bytes; the feed would cut them mid-thought."""
    show = context.catalog.show
    size = len(show.description.encode("utf-8"))
    if size > DESCRIPTION_LIMIT:
        yield problem(
            "description-length",
            show,
            "description",
            f"the description is {size} bytes; apps show at most {DESCRIPTION_LIMIT}",
            "shorten it",
            Severity.WARNING,
        )
    for episode in context.catalog.episodes:
        if not episode.summary and not episode.notes:
            yield problem(
                "description-missing",
                episode,
                "summary",
                "the episode has neither 'summary' nor 'notes'; apps would show only its title",
                "write a 'summary:' of one or two sentences",
                Severity.WARNING,
            )
            continue
        text = notes.description_text(episode)
        size = len(text.encode("utf-8"))
        if size > DESCRIPTION_LIMIT:
            key = "summary" if episode.summary else "notes"
            yield problem(
                "description-length",
                episode,
                key,
                f"the episode's description is {size} bytes; "
                f"the feed cuts it at {DESCRIPTION_LIMIT}",
                "write a shorter 'summary:'",
                Severity.WARNING,
            )


def check_note_links(context: Context) -> Iterator[Problem]:
    """A link in the notes to an episode or season page of this site that does not exist."""
    base = context.catalog.show.base_url
    if not base:
        return  # without site.base_url no link is known to be the site's own
    pages = {urls.episode(e) for e in context.catalog.episodes}
    pages |= {urls.season(e.season) for e in context.catalog.episodes}
    for episode in context.catalog.episodes:
        for link in _links_in(notes.to_html(episode.notes)) if episode.notes else ():
            path = urlsplit(link).path if link.startswith(base + "/") else ""
            path = "/" + path[len(urlsplit(base).path) :].lstrip("/")
            page = "/".join(path.split("/")[:3]) + "/"  # /episodes/<slug>/, /seasons/<n>/
            if path.startswith(SITE_PAGES) and page not in pages:
                line = _line_with(episode.source, link) or episode.lines.get("notes")
                yield Problem(
                    episode.source,
                    line,
                    f"the notes link to {link}, a page this site does not have",
                    "check the address: copy it from the page itself",
                    Severity.WARNING,
                    "notes-link",
                )


SITE_PAGES = ("/episodes/", "/seasons/")  # the site's own pages, named by the catalog
_HREF = re.compile(r'href="([^"]+)"')


def _links_in(html: str) -> list[str]:
    return [unescape(link) for link in _HREF.findall(html)]


def _line_with(path: Path, text: str) -> int | None:
    try:
        lines = path.read_text("utf-8", errors="replace").splitlines()
    except OSError:
        return None
    return next((number for number, line in enumerate(lines, 1) if text in line), None)
