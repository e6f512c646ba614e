"""Freeze the site into a folder any static host or CDN can serve: the same app, the same bytes.

Every file is fetched from the Flask app through its test client, so the export cannot drift
from what `podcast serve` or gunicorn would answer. URLs are discovered generically: every
route without arguments, every static file, the audio of every visible episode, and then every
link found in what was fetched (HTML attributes, CSS `url()`, and absolute URLs under the base
URL in any text: the feed, sitemaps, JSON). A new route is exported as soon as something links
to it. The build happens in a hidden folder beside OUT, which replaces OUT only when complete.

Builds are incremental: every URL is still rendered, but a file whose bytes equal the previous
build's is hard-linked from it rather than written, audio and artwork are hard-linked from the
episodes folder (copied where that is another file system), and when nothing changed at all
OUT is left untouched: no file is written and nothing is swapped.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import filecmp
import os
import re
import shutil
import sys
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urljoin, urlsplit

from flask import Flask
from flask.testing import FlaskClient

from podcast.errors import PodcastError
from podcast.files import fresh_dir, sibling
from podcast.model import Catalog
from podcast.render import urls
from podcast.render.notes import to_html

START = "(start)"  # the referrer of the seeds
MARKER = ".podcast-build"  # marks a folder as ours, so a rebuild may replace it
MARKER_TEXT = "Built by `podcast build`; rebuilding replaces it.\n"
NOT_FOUND_PAGE = "404.html"  # the name static hosts (Netlify, GitHub Pages, S3…) look for
_TEXT_TYPES = (
    "text/",
    "application/rss+xml",
    "application/xml",
    "application/json",
    "application/javascript",
    "image/svg+xml",
)
_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)""")
_LINK_ATTRIBUTES = frozenset({"href", "src", "poster", "data", "action"})
_AT_FDCWD = -100  # renameat2's "relative to the current directory"
_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform == "linux" else None


class ExportError(PodcastError):
    """A build that could not complete; OUT was left as it was."""


@dataclass
class Report:
    """What a build wrote."""

    out: Path
    files: int = 0
    bytes: int = 0
    paths: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)  # the files new or changed since last time
    unchanged: bool = False  # True when OUT was left as it was


@dataclass
class _Output:
    """Puts files into the staging folder, reusing the previous build's where the bytes agree."""

    staging: Path
    previous: Path | None  # the current OUT, when it is a build to reuse files from
    report: Report
    sources: dict[str, Path] = field(default_factory=dict)  # site path → the file it serves

    def _old(self, relative: PurePosixPath) -> Path | None:
        old = self.previous / relative if self.previous else None
        return old if old is not None and old.is_file() and not old.is_symlink() else None

    def put_bytes(self, relative: PurePosixPath, body: bytes) -> None:
        """Store `body` at `relative`: a link to the previous file if equal, else written."""
        target = self._target(relative)
        old = self._old(relative)
        if old is not None and old.stat().st_size == len(body) and old.read_bytes() == body:
            os.link(old, target)
            return
        target.write_bytes(body)
        self.report.written.append(relative.as_posix())

    def put_file(self, relative: PurePosixPath, source: Path) -> None:
        """Store a copy of `source`: the previous file if equal, else a hard link or a copy."""
        target = self._target(relative)
        old = self._old(relative)
        if old is not None and (os.path.samefile(old, source) or _same_bytes(old, source)):
            os.link(old, target)
            return
        try:
            os.link(source, target)
        except OSError:
            shutil.copyfile(source, target)  # another file system, or links not allowed
        self.report.written.append(relative.as_posix())

    def _target(self, relative: PurePosixPath) -> Path:
        target = self.staging / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def same_as_previous(self) -> bool:
        """True when the staging folder holds exactly the previous build's files, unchanged."""
        if self.previous is None or self.report.written:
            return False
        return _files(self.previous) == _files(self.staging)


def _same_bytes(first: Path, second: Path) -> bool:
    return filecmp.cmp(first, second, shallow=False)


def _files(folder: Path) -> set[str]:
    """Every file and folder below `folder`, relative, the marker aside."""
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")} - {MARKER}


def build(
    app: Flask, out: Path, base_url: str, on_file: Callable[[str], None] | None = None
) -> Report:
    """Export every URL the app serves under `base_url` into `out`, atomically."""
    out = Path(out).absolute()
    base = base_url.rstrip("/") + "/"
    _check_target(out, app)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        clear_leftovers(out)
        staging = fresh_dir(out, "building")
    except OSError as exc:
        raise _write_error(out, exc) from None
    # Held until the process ends (or is killed): a concurrent build's clear_leftovers skips it.
    lock = _lock(staging)
    try:
        (staging / MARKER).write_text(MARKER_TEXT)  # first, so a killed build's folder is ours
        previous = out if (out / MARKER).is_file() else None
        output = _Output(staging, previous, Report(staging))
        report = _freeze(app, output, base, on_file or (lambda _: None))
        report.unchanged = output.same_as_previous()
        if report.unchanged:
            _remove_build(staging)  # nothing changed: OUT keeps every file and its mtime
        else:
            _swap(staging, out)
    except BaseException as exc:
        _remove_build(staging)
        if isinstance(exc, OSError):
            raise _write_error(out, exc) from None
        raise
    finally:
        os.close(lock)
    report.out = out
    return report


def _write_error(out: Path, exc: OSError) -> ExportError:
    return ExportError(
        f"{out}: could not write the site ({exc}); the previous build was left as it was"
    )


def _check_target(out: Path, app: Flask) -> None:
    """Refuse to replace a folder that is not a previous build (or that holds the show)."""
    root = Path(app.extensions["catalog"].root).absolute()
    if out == root or root.is_relative_to(out):
        raise ExportError(f"{out} holds the episodes folder; choose another output folder")
    if out.exists() and not out.is_dir():
        raise ExportError(f"{out} is a file, not a folder; choose another output folder")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise ExportError(
            f"{out} is not empty and was not made by `podcast build`; "
            "choose an empty or new folder (nothing was changed)"
        )


def _swap(staging: Path, out: Path) -> None:
    """Put the finished build at `out` in one step; the previous build is removed afterwards.

    Linux swaps the two folders with renameat2(RENAME_EXCHANGE), so `out` is a complete build
    at every instant and stays a real folder. Elsewhere (or on a file system without it) `out`
    is renamed aside first; a build killed in that window is put back by the next build.
    """
    if not out.exists():
        os.rename(staging, out)
    elif _exchange(staging, out):
        # The staging name now holds the previous build: name it for what it is, so that
        # whatever a kill leaves beside OUT says whether it is complete (old) or not (building).
        retired = sibling(out, "old")
        try:
            os.rename(staging, retired)
        except OSError:
            retired = staging  # the new build is in place; only the name of the old is wrong
        _remove_build(retired)
    else:
        retired = sibling(out, "old")
        os.rename(out, retired)
        try:
            os.rename(staging, out)
        except OSError:
            os.rename(retired, out)  # put the old build back
            raise
        _remove_build(retired)


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths atomically; False where the platform or file system cannot."""
    renameat2 = getattr(_LIBC, "renameat2", None) if _LIBC is not None else None
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), 2)
    if result == 0:
        return True
    error = ctypes.get_errno()
    if error in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False  # a kernel or file system without RENAME_EXCHANGE
    raise OSError(error, os.strerror(error), str(second))


def clear_leftovers(out: Path) -> None:
    """Remove what killed builds left beside `out`, and put back an `out` renamed aside."""
    if not out.parent.is_dir():
        return
    prefix = f".{out.name}."
    for folder in sorted(out.parent.iterdir()):
        tag = folder.name[len(prefix) :].split("-")[0] if folder.name.startswith(prefix) else ""
        if tag not in ("building", "old") or folder.is_symlink() or not folder.is_dir():
            continue
        if not (folder / MARKER).is_file():
            with contextlib.suppress(OSError):
                folder.rmdir()  # killed before its marker: empty, else not ours to delete
            continue
        lock = _try_lock(folder)
        if lock is None:
            continue  # another build is writing it right now
        try:
            if tag == "old" and not out.exists() and not out.is_symlink():
                os.rename(folder, out)  # the fallback swap was killed between its renames
            else:
                _remove_build(folder)
        finally:
            os.close(lock)


def _lock(folder: Path) -> int:
    """An open descriptor holding an exclusive flock on `folder` (waits for it)."""
    descriptor = os.open(folder, os.O_RDONLY)
    fcntl.flock(descriptor, fcntl.LOCK_EX)
    return descriptor


def _try_lock(folder: Path) -> int | None:
    """Like `_lock`, but None at once when another process holds the folder."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(descriptor)
        return None
    return descriptor


def _remove_build(folder: Path) -> None:
    """Delete a build folder, its marker last, so a killed deletion is finished next time."""
    if folder.is_symlink():
        folder.unlink()  # a link swapped out of OUT: its target is not ours to empty
        return
    with contextlib.suppress(FileNotFoundError):
        for entry in folder.iterdir():
            if entry.name == MARKER:
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
    (folder / MARKER).unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        folder.rmdir()


# --- crawling -------------------------------------------------------------------------------


def _freeze(app: Flask, output: _Output, base: str, on_file: Callable[[str], None]) -> Report:
    client = app.test_client()
    report = output.report
    catalog: Catalog = app.extensions["catalog"].current()
    output.sources = {
        urls.audio(catalog, e): e.audio.path
        for e in catalog.visible(_now(app))
        if e.audio.path is not None  # audio kept at another host is not copied
    }
    queue = deque((path, START) for path in seeds(app))
    seen = {path for path, _ in queue}
    broken: list[str] = []
    producers = producer_links(catalog, base)
    while queue:
        path, referrer = queue.popleft()
        # a link the producer wrote may lead anywhere on the host: not the site's to answer
        links = _fetch(client, base, path, output, [] if path in producers else broken, referrer)
        on_file(path)
        for link in links:
            if link not in seen:
                seen.add(link)
                queue.append((link, path))
    if broken:
        listed = "\n".join(f"  {line}" for line in broken)
        raise ExportError(
            f"{len(broken)} link(s) in the site do not work, so nothing was written:\n{listed}"
        )
    _write_not_found(client, base, output)
    report.paths.sort()
    return report


def seeds(app: Flask) -> list[str]:
    """Site paths to start from: argument-less routes, static files, visible episodes' audio."""
    paths = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if not rule.arguments and "GET" in (rule.methods or ())
    ]
    static = Path(app.static_folder or "")
    if static.is_dir():
        files = sorted(p for p in static.rglob("*") if p.is_file())
        paths += [urls.static(p.relative_to(static).as_posix()) for p in files]
    catalog: Catalog = app.extensions["catalog"].current()
    paths += [urls.audio(catalog, e) for e in urls.local(catalog.visible(_now(app)))]
    return list(dict.fromkeys(paths))


def _now(app: Flask) -> datetime:
    clock: Callable[[], datetime] | None = app.config.get("CLOCK")
    return clock() if clock else datetime.now(UTC)


def _fetch(
    client: FlaskClient,
    base: str,
    path: str,
    output: _Output,
    broken: list[str],
    referrer: str,
) -> list[str]:
    """Write one URL's response into the staging folder; return the site paths it links to."""
    response = client.get(path, base_url=base, buffered=False)
    try:
        if response.status_code != 200:
            if referrer != START:  # a route that needs a query (say, search) is no page to freeze
                broken.append(f"{referrer} links to {path} ({response.status})")
            return []
        relative = local_path(path)
        mimetype = response.mimetype or ""
        text = mimetype.startswith(_TEXT_TYPES) or mimetype.endswith("+xml")
        source = None if text else output.sources.get(path)
        if source is not None and source.stat().st_size != response.content_length:
            source = None  # not the file as loaded (say, a range or a transform): keep the bytes
        if source is not None:
            output.put_file(relative, source)
            size = source.stat().st_size
        else:
            body = response.get_data()
            output.put_bytes(relative, body)
            size = len(body)
    finally:
        response.close()
    report = output.report
    report.files += 1
    report.bytes += size
    report.paths.append(path)
    if not text:
        return []
    page = urljoin(base, path.lstrip("/"))
    return sorted(set(internal_links(body.decode("utf-8", "replace"), mimetype, page, base)))


def _write_not_found(client: FlaskClient, base: str, output: _Output) -> None:
    """The app's 404 page as 404.html, the name static hosts serve for missing pages."""
    response = client.get("/.podcast-build-missing/", base_url=base)
    if response.status_code == 404 and response.mimetype == "text/html":
        output.put_bytes(PurePosixPath(NOT_FOUND_PAGE), response.get_data())
        report = output.report
        report.files += 1
        report.bytes += len(response.get_data())


def local_path(path: str) -> PurePosixPath:
    """The file a site path is stored in: `/a/` → `a/index.html`, `/a.xml` → `a.xml`."""
    parts = [unquote(p) for p in path.split("/") if p]
    if any(p in (".", "..") or any(c in p for c in "/\\\x00") for p in parts):
        raise ExportError(f"refusing to write the unsafe path {path!r}")
    if path.endswith("/") or not parts:
        parts.append("index.html")
    return PurePosixPath(*parts)


# --- finding links --------------------------------------------------------------------------


def internal_links(text: str, mimetype: str, page: str, base: str) -> Iterator[str]:
    """Site paths (below `base`, without query or fragment) that `text` links to."""
    candidates: list[str] = re.findall(re.escape(base) + r"[^\s\"'<>()\\]*", text)
    if mimetype == "text/html":
        collector = _Links()
        collector.feed(text)
        candidates += collector.urls
    elif mimetype == "text/css":
        candidates += _CSS_URL.findall(text)
    for candidate in candidates:
        absolute = urljoin(page, candidate.strip())
        parts = urlsplit(absolute)
        if parts.query or not absolute.startswith(base):
            continue  # another site, or a query no static file can answer
        yield "/" + absolute[len(base) :].split("#")[0]


def producer_links(catalog: Catalog, base: str) -> set[str]:
    """Site paths the producer's own words link to: notes, chapter links, people, show links."""
    written = [url for _, url in (*catalog.show.links, *catalog.show.funding)]
    notes = [to_html(e.notes) for e in catalog.episodes if e.notes]
    for episode in catalog.episodes:
        written += [c.url for c in episode.all_chapters if c.url]
        written += [p.href for p in episode.guests if p.href]
    found = {link for url in written for link in internal_links(url, "text/plain", base, base)}
    return found | {
        link for html in notes for link in internal_links(html, "text/html", base, base)
    }


class _Links(HTMLParser):
    """Collects URLs from link-bearing attributes (href, src, srcset, …)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if not value:
                continue
            if name in _LINK_ATTRIBUTES:
                self.urls.append(value)
            elif name in ("srcset", "imagesrcset"):
                self.urls += [item.split()[0] for item in value.split(",") if item.strip()]
