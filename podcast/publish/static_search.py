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
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath

from pagefind.service import get_executable

from podcast.errors import PodcastError

FOLDER = "pagefind"  # below the site's root, where search.js looks for it
IGNORED = ".player"  # inside an episode's region, but no words of the episode (Play, Back 15 sec…)
ENTRY = "pagefind-entry.json"  # the bundle's table of languages, read first by pagefind.js
TIMEOUT = 600  # seconds: a bound for a stuck binary, far above any real show's indexing

Put = Callable[[PurePosixPath, bytes], None]


class StaticSearchError(PodcastError):
    """Pagefind could not index the site."""


def add_index(
    staging: Path, previous: Path | None, written: list[str], put: Put
) -> Iterator[tuple[str, int]]:
    """Put the search index of the pages in `staging` through `put`; yield (path, size).

    `previous` is the last build (or None) and `written` what this build changed: with no page
    changed, the previous build's index still describes every page and is put back unchanged.
    """
    old = previous / FOLDER if previous is not None else None
    changed = any(path.endswith(".html") for path in written)
    if old is not None and old.is_dir() and not changed and _pages(staging) == _pages(previous):
        yield from _put_folder(old, put)
        return
    with tempfile.TemporaryDirectory(prefix="pagefind-") as scratch:
        bundle = Path(scratch) / FOLDER
        _run_pagefind(staging, bundle)
        yield from _put_folder(bundle, put)


def _pages(site: Path | None) -> set[Path]:
    """The site's HTML pages (relative), whose words the index holds."""
    if site is None:
        return set()
    return {p.relative_to(site) for p in site.rglob("*.html") if FOLDER not in p.parts}


def _put_folder(bundle: Path, put: Put) -> Iterator[tuple[str, int]]:
    for file in sorted(p for p in bundle.rglob("*") if p.is_file()):
        relative = PurePosixPath(FOLDER, file.relative_to(bundle).as_posix())
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


def _run_pagefind(site: Path, bundle: Path) -> None:
    binary = get_executable()
    if binary is None:
        raise StaticSearchError(
            "the pagefind binary is missing: install the package with its "
            "dependencies (pip install 'pagefind[bin]'); nothing was written"
        )
    command = [str(binary), "--site", str(site), "--output-path", str(bundle), "--quiet"]
    command += ["--exclude-selectors", IGNORED]
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
