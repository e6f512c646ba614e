"""Search for a static copy of the site: a Pagefind index of the exported pages, in OUT/pagefind/.

A static host has no server to answer `/search/?q=`; Pagefind (a binary shipped by the
`pagefind[bin]` package) indexes the built HTML into small files that the search page's script
(`static/search.js`) fetches in the browser. Only the regions the templates mark with
`data-pagefind-body` are indexed (an episode's page: title, summary, notes, people, transcript),
each page in the language of its `lang` attribute, so a Spanish transcript page is found by
Spanish words. When no page changed since the previous build, its index is reused as it is.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath

from pagefind.service import get_executable

from podcast.errors import PodcastError
from podcast.render.urls import ROUTES

FOLDER = "pagefind"  # below the site's root, where search.js looks for it
IGNORED = ".player"  # inside an episode's region, but no words of the episode (Play, Back 15 sec…)
ENTRY = "pagefind-entry.json"  # the bundle's table of languages, read first by pagefind.js
# The pages whose templates mark a region with data-pagefind-body (episode.html, transcript.html):
# Pagefind reads only these, not the embeds, seasons and menus that hold no episode's words.
INDEXED = ("episode", "transcript_page")
# Where Pagefind writes its files before they are put in (linked when unchanged, else copied):
# memory, when it has room for several times the pages' size. Written on the site's own disk,
# the ~1,000 files it makes and deletes on every build at 1,000 episodes were most of an
# incremental build's system time, and slowed the file creations of the next.
MEMORY = Path("/dev/shm")
ROOM = 4  # free bytes in MEMORY per byte of the pages indexed, to write the index there
TIMEOUT = 600  # seconds: a bound for a stuck binary, far above any real show's indexing

Put = Callable[[PurePosixPath, bytes], None]
PutFile = Callable[[PurePosixPath, Path], None]


class StaticSearchError(PodcastError):
    """Pagefind could not index the site."""


def previous_index(
    previous: Path | None, pages: set[str], written: list[str]
) -> list[PurePosixPath]:
    """The previous build's index files, when it still describes this build's pages; else [].

    `pages` are this build's files and `written` those it changed: with no page changed and the
    same pages as before, the previous index still holds every page's words.
    """
    if previous is None or any(p.endswith(".html") for p in written):
        return []
    old = previous / FOLDER
    if not (old / ENTRY).is_file():
        return []
    html = {p for p in pages if p.endswith(".html")}
    if html != {p.as_posix() for p in _pages(previous)}:
        return []
    return sorted(PurePosixPath(FOLDER, f.relative_to(old).as_posix()) for f in _files(old))


def add_index(
    staging: Path, put: Put, put_file: PutFile | None = None
) -> Iterator[tuple[str, int]]:
    """Index the pages in `staging` (all of them there) and put the index through `put`
    (or, for a file kept as Pagefind wrote it, `put_file`, which may link it rather than
    copy its bytes); yield (path, size) of each of its files."""
    with tempfile.TemporaryDirectory(prefix="pagefind-", dir=_scratch(staging)) as scratch:
        bundle = Path(scratch) / FOLDER
        _run_pagefind(staging, bundle)
        yield from _put_folder(bundle, put, put_file)


def _scratch(site: Path) -> str | None:
    """The folder Pagefind's output is written in: `MEMORY` with room to spare, unless TMPDIR
    names another; None for the system's temporary folder."""
    if os.environ.get("TMPDIR") or not os.access(MEMORY, os.W_OK | os.X_OK):
        return None
    try:
        free = os.statvfs(MEMORY)
    except OSError:
        return None
    pages = sum(page.stat().st_size for pattern in _patterns() for page in site.glob(pattern))
    return str(MEMORY) if free.f_bavail * free.f_frsize >= ROOM * pages else None


def _files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


def _pages(site: Path) -> set[Path]:
    """The site's HTML pages (relative), whose words the index holds."""
    return {p.relative_to(site) for p in site.rglob("*.html") if FOLDER not in p.parts}


def _put_folder(bundle: Path, put: Put, put_file: PutFile | None) -> Iterator[tuple[str, int]]:
    for file in sorted(_files(bundle)):
        relative = PurePosixPath(FOLDER, file.relative_to(bundle).as_posix())
        if file.name != ENTRY and put_file is not None:
            put_file(relative, file)
            yield relative.as_posix(), file.stat().st_size
            continue
        body = file.read_bytes()
        if file.name == ENTRY:
            body = _sorted_entry(body)
        put(relative, body)
        yield relative.as_posix(), len(body)


def _sorted_entry(body: bytes) -> bytes:
    """Pagefind lists a site's languages in no fixed order: sort them, so builds are identical."""
    entry = json.loads(body)
    entry["languages"] = dict(sorted(entry.get("languages", {}).items()))
    return json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def indexed_glob() -> str:
    """Pagefind's `--glob` for the files of the `INDEXED` routes (`<slug>` → `*`).

    Pagefind parses every HTML file it is given before it looks for data-pagefind-body; at
    1,000 episodes half the pages are embeds with no words to index.
    """
    return "{" + ",".join(_patterns()) + "}"


def _patterns() -> list[str]:
    """Each `INDEXED` route's files, as a glob below the site's root."""
    return [re.sub(r"<[^>]+>", "*", ROUTES[name]).strip("/") + "/index.html" for name in INDEXED]


def _run_pagefind(site: Path, bundle: Path) -> None:
    binary = get_executable()
    if binary is None:
        raise StaticSearchError(
            "the pagefind binary is missing: install the package with its "
            "dependencies (pip install 'pagefind[bin]'); nothing was written"
        )
    command = [str(binary), "--site", str(site), "--output-path", str(bundle), "--quiet"]
    command += ["--exclude-selectors", IGNORED, "--glob", indexed_glob()]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise StaticSearchError(
            f"{binary}: could not run pagefind to index the site ({exc}); reinstall it with "
            "pip install 'pagefind[bin]' or set PAGEFIND_BINARY_PATH to the binary; "
            "the previous build was left as it was"
        ) from None
    if done.returncode != 0 or not (bundle / "pagefind.js").is_file():
        output = (done.stderr or done.stdout).strip()
        raise StaticSearchError(
            f"pagefind could not index the site (the previous build was left as it was); "
            f"it said:\n{output}"
        )
