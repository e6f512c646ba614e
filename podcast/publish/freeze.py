"""Freeze the site into a folder any static host or CDN can serve: the same app, the same bytes.

Every page is asked of the Flask app in-process (`fetch`), as a server would ask, so the
export cannot drift from what `podcast serve` or gunicorn would answer (an episode's audio,
served as the file it is, is linked without asking). URLs are discovered generically: every
route without arguments, every static file, the audio of every visible episode, and then every
link found in what was fetched (HTML attributes, CSS `url()`, and absolute URLs under the base
URL in any text: the feed, sitemaps, JSON). A new route is exported as soon as something links
to it. The build happens in a hidden folder beside OUT, which replaces OUT only when complete.

Builds are incremental. Each URL's inputs are hashed (`fingerprints`); a URL whose hash is the
one the last build recorded (`build_manifest`, in the user cache) is not rendered: its file is
reused and its recorded links are followed. Every other URL is rendered, and a file whose bytes
equal the previous build's is hard-linked from it rather than written. Audio and artwork are
hard-linked from the episodes folder (copied where that is another file system). When nothing
changed at all OUT is left untouched: no file is written and nothing is swapped.
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
from bisect import bisect_right
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from flask import Flask
from lxml import etree
from lxml import html as lxml_html

from podcast.errors import PodcastError
from podcast.files import fresh_dir, sibling
from podcast.model import Catalog
from podcast.publish import build_manifest, fingerprints, static_search
from podcast.publish.build_catalog import BuildCatalog
from podcast.publish.fetch import Fetcher
from podcast.render import urls
from podcast.render.notes import to_html
from podcast.site.app import create_app
from podcast.site.live import referenced, stat_sweep
from podcast.site.responses import inside

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
    rendered: int = 0  # URLs made this time (the rest were the last build's, inputs unchanged)
    unchanged: bool = False  # True when OUT was left as it was
    warnings: int | None = None  # the checked show's warnings; None: found up to date unloaded


@dataclass(frozen=True, slots=True)
class Checked:
    """A show loaded and checked for a build, and the addresses it is built for."""

    catalog: Catalog
    base_url: str
    media_base_url: str | None
    warnings: int


def build_show(
    folder: Path,
    out: Path,
    options: tuple[str | None, str | None],
    check: Callable[[], Checked],
) -> Report:
    """`podcast build`: the last build's report when nothing changed since (`up_to_date`,
    without loading the show), else the export of the show `check` loaded and checked.

    `options` (base URL, media base URL as given) are part of what a build is made from.
    """
    now = datetime.now(UTC)  # one instant for the whole build: no episode goes live mid-way
    state = folder_state(folder, *options)  # before loading, see there
    done = up_to_date(out, state, now)
    if done is not None:
        return done
    checked = check()
    config = {
        "EPISODES_ROOT": folder,
        "BASE_URL": checked.base_url,
        "MEDIA_BASE_URL": checked.media_base_url,
        "CLOCK": lambda: now,
        "RELOAD_INTERVAL": None,  # an edit mid-build must not mix two catalogs in one site
        "SEARCH_INDEX": False,  # the export searches with Pagefind
    }
    app = create_app(config, BuildCatalog.of(checked.catalog))
    report = build(app, out, checked.base_url, state=state)
    report.warnings = checked.warnings
    return report


@dataclass
class _Output:
    """Puts files into the staging folder, reusing the previous build's where they agree.

    Reused files are only noted at first; they are linked into the staging folder when the
    first file that differs is written, so a build that changes nothing makes no links.
    """

    staging: Path
    previous: Path | None  # the current OUT, when it is a build to reuse files from
    report: Report
    sources: dict[str, Path] = field(default_factory=dict)  # site path → the file it serves
    kept: list[PurePosixPath] = field(default_factory=list)  # reused, not yet linked
    linking: bool = False  # True once something differs: every file goes in at once
    folders: set[Path] = field(default_factory=set)  # made in staging (a mkdir is not free)

    def _old(self, relative: PurePosixPath) -> Path | None:
        old = self.previous / relative if self.previous else None
        return old if old is not None and old.is_file() and not old.is_symlink() else None

    def keep(self, relative: PurePosixPath) -> None:
        """Reuse the previous build's file at `relative`, known to be what would be written."""
        if self.linking:
            os.link(self._previous_file(relative), self._target(relative))
        else:
            self.kept.append(relative)

    def put_bytes(self, relative: PurePosixPath, body: bytes) -> None:
        """Store `body` at `relative`: a link to the previous file if equal, else written."""
        old = self._old(relative)
        if old is not None and old.stat().st_size == len(body) and old.read_bytes() == body:
            self.keep(relative)
            return
        self._differs()
        self._target(relative).write_bytes(body)
        self.report.written.append(relative.as_posix())

    def put_file(self, relative: PurePosixPath, source: Path) -> None:
        """Store a copy of `source`: the previous file if equal, else a hard link or a copy."""
        old = self._old(relative)
        if old is not None and (os.path.samefile(old, source) or _same_bytes(old, source)):
            self.keep(relative)
            return
        self._differs()
        target = self._target(relative)
        try:
            os.link(source, target)
        except OSError:
            shutil.copyfile(source, target)  # another file system, or links not allowed
        self.report.written.append(relative.as_posix())

    def _differs(self) -> Path:
        """Start filling the staging folder (the kept files first); its root."""
        if not self.linking:
            self.linking = True
            for relative in self.kept:
                os.link(self._previous_file(relative), self._target(relative))
            self.kept.clear()
        return self.staging

    def _previous_file(self, relative: PurePosixPath) -> Path:
        assert self.previous is not None, "only a previous build's files are kept"
        return self.previous / relative

    def _target(self, relative: PurePosixPath) -> Path:
        target = self.staging / relative
        if target.parent not in self.folders:
            target.parent.mkdir(parents=True, exist_ok=True)
            self.folders.add(target.parent)
        return target

    def same_as_previous(self, previous_files: set[str] | None) -> bool:
        """True when this build kept exactly the previous build's files, all unchanged."""
        if self.previous is None or self.linking:
            return False
        kept = {relative.as_posix() for relative in self.kept}
        if previous_files is None:  # no manifest: look at what the folder holds
            previous_files = {p for p in _files(self.previous) if (self.previous / p).is_file()}
        return kept == previous_files

    def finish(self) -> Path:
        """Put every kept file into the staging folder (to be read, or swapped in); its root."""
        return self._differs()


def _same_bytes(first: Path, second: Path) -> bool:
    return filecmp.cmp(first, second, shallow=False)


def _files(folder: Path) -> set[str]:
    """Every file and folder below `folder`, relative, the marker aside."""
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")} - {MARKER}


def folder_state(root: Path, *request: object) -> str:
    """The episodes folder as it is now (every file's size and mtime) and what was asked
    (`request`: the options). Taken before the show is loaded, so a file changed during the
    load counts as changed next time."""
    try:
        stamps, _ = stat_sweep(Path(root).absolute())
    except OSError as exc:  # no folder: loading it explains that better, and nothing matches
        return fingerprints.digest(f"unreadable: {exc}", repr(request))
    return fingerprints.digest(repr(stamps), repr(request))


def up_to_date(out: Path, state: str, now: datetime, drafts: bool = False) -> Report | None:
    """The last build's report if nothing it was made from changed (`folder_state`, the code,
    no episode gone live since, its files still in `out`), found without loading the show.
    Folders killed builds left beside `out` are removed, as a build would."""
    out = Path(out).absolute()
    recorded = build_manifest.load_sources(out) if (out / MARKER).is_file() else None
    if recorded is None:
        return None
    sources, files = recorded
    schedule = sources.get("schedule", [])  # when each episode but the drafts goes live
    visible = sources.get("visible") if drafts else bisect_right(schedule, now.timestamp())
    asked = (sources.get("state"), sources.get("visible"), sources.get("drafts"))
    if asked != (state, visible, drafts):
        return None
    if sources.get("code") != fingerprints.code_version(map(Path, sources.get("folders", []))):
        return None
    if not all(entry.holds(out / relative) for relative, entry in files):
        return None
    with contextlib.suppress(OSError):
        clear_leftovers(out)  # what killed builds left, as a build would first
    return Report(out, files=len(files), bytes=sum(e.size for _, e in files), unchanged=True)


def build(
    app: Flask,
    out: Path,
    base_url: str,
    on_file: Callable[[str], None] | None = None,
    state: str | None = None,
) -> Report:
    """Export every URL the app serves under `base_url` into `out`, atomically.

    `state` (`folder_state`, taken before the catalog was loaded) lets the next build find
    an unchanged show with `up_to_date`, without loading it.
    """
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
        known = build_manifest.load(out) if previous else {}
        output = _Output(staging, previous, Report(staging))
        made = _freeze(app, output, base, known, on_file or (lambda _: None))
        sources = _sources(app, state)
        report = output.report
        built = {relative for _, _, relative in made.values() if relative}
        index = _static_search(output, built)
        made.update({"/" + name: (static_search.FOLDER, (), name) for name in index})  # stamped
        listed = built | index if known else None
        report.unchanged = output.same_as_previous(listed)
        if report.unchanged:
            _remove_build(staging)  # nothing changed: OUT keeps every file and its mtime
            if report.rendered or sources is not None:  # new inputs, the same bytes
                _remember(out, made, sources)
        else:
            output.finish()
            build_manifest.forget(out)  # until the new one is written, none is trusted
            _swap(staging, out)
            _remember(out, made, sources)
    except BaseException as exc:
        _remove_build(staging)
        if isinstance(exc, OSError):
            raise _write_error(out, exc) from None
        raise
    finally:
        os.close(lock)
    report.out = out
    return report


def _static_search(output: _Output, built: set[str]) -> set[str]:
    """Put Pagefind's index of the pages in: the previous build's when no page changed (kept,
    so a build that changes nothing still writes nothing), else made anew; its files."""
    report, previous = output.report, output.previous
    kept = static_search.previous_index(previous, built, report.written)
    if previous is not None and kept:
        for relative in kept:
            output.keep(relative)
            report.files, report.bytes = (
                report.files + 1,
                report.bytes + os.path.getsize(previous / relative),
            )
        return {relative.as_posix() for relative in kept}
    staging = output.finish()  # Pagefind reads every page, so all of them must be there
    made: set[str] = set()
    for name, size in static_search.add_index(staging, output.put_bytes):
        report.files, report.bytes = report.files + 1, report.bytes + size
        made.add(name)
    return made


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


Made = dict[str, tuple[str, tuple[str, ...], str]]  # URL → fingerprint, links, file ("": none)


def _freeze(
    app: Flask,
    output: _Output,
    base: str,
    known: dict[str, build_manifest.Entry],
    on_file: Callable[[str], None],
) -> Made:
    """Crawl the site from its seeds; render only URLs whose inputs changed since `known`."""
    catalog: Catalog = app.extensions["catalog"].current()
    output.sources = {
        urls.audio(catalog, e): e.audio.path
        for e in catalog.visible(_now(app))
        if e.audio.path is not None  # audio kept at another host is not copied
    }
    inputs = _fingerprints(app, catalog, base)
    fetcher = Fetcher(app, base)
    real_root = app.extensions["catalog"].snapshot().real_root
    with fetcher.session():
        made, broken = _crawl(fetcher, seeds(app), output, inputs, known, on_file, real_root)
        _refuse_broken(broken, catalog, base)
        fingerprint = inputs.of(_MISSING)
        reused = _reuse(output, known.get(_MISSING), fingerprint, None)
        not_found = reused[1] if reused is not None else _write_not_found(fetcher, output)
    made[_MISSING] = (fingerprint, (), not_found)
    output.report.paths.sort()
    return made


Broken = list[tuple[str, str, str]]  # (referrer, path, status) of each link that gave no page


def _crawl(
    fetcher: Fetcher,
    starts: list[str],
    output: _Output,
    inputs: fingerprints.Fingerprints,
    known: dict[str, build_manifest.Entry],
    on_file: Callable[[str], None],
    real_root: str,
) -> tuple[Made, Broken]:
    """Every URL reachable from `starts`, breadth first, each rendered or reused once."""
    queue = deque((path, START) for path in starts)
    seen = {path for path, _ in queue}
    broken: Broken = []
    made: Made = {}
    while queue:
        path, referrer = queue.popleft()
        fingerprint = inputs.of(path, output.sources.get(path))
        reused = _reuse(output, known.get(path), fingerprint, path)
        if reused is not None:
            links, relative = reused
        else:
            links, relative = _fetch(fetcher, path, output, broken, referrer, real_root)
            output.report.rendered += 1
        made[path] = (fingerprint, tuple(links), relative)
        on_file(path)
        for link in links:
            if link not in seen:
                seen.add(link)
                queue.append((link, path))
    return made, broken


def _refuse_broken(broken: Broken, catalog: Catalog, base: str) -> None:
    """ExportError listing the links that lead nowhere, the producer's own aside: a link
    the producer wrote may lead anywhere on the host, which is not the site's to answer."""
    if not broken:
        return
    producers = producer_links(catalog, base)
    listed = [
        f"  {referrer} links to {path} ({status})"
        for referrer, path, status in broken
        if path not in producers
    ]
    if listed:
        raise ExportError(
            f"{len(listed)} link(s) in the site do not work, so nothing was written:\n"
            + "\n".join(listed)
        )


_MISSING = "/.podcast-build-missing/"  # asked for to get the app's 404 page


def _fingerprints(app: Flask, catalog: Catalog, base: str) -> fingerprints.Fingerprints:
    drafts = bool(app.config["DRAFTS"])
    settings = {"base": base, "media": app.config["MEDIA_BASE_URL"], "drafts": drafts}
    visible = catalog.visible(_now(app), drafts)
    return fingerprints.Fingerprints(catalog, visible, _folders(app), settings)


def _folders(app: Flask) -> list[Path]:
    """The app's templates and static files."""
    folders = [Path(app.template_folder or ""), Path(app.static_folder or "")]
    return [Path(app.root_path, folder) for folder in folders if str(folder) != "."]


def _reuse(
    output: _Output, entry: build_manifest.Entry | None, fingerprint: str, path: str | None
) -> tuple[list[str], str] | None:
    """(links, file) of a URL whose inputs are those of the previous build, else None."""
    if entry is None or entry.fingerprint != fingerprint or output.previous is None:
        return None
    relative = local_path(path).as_posix() if path is not None else NOT_FOUND_PAGE
    if entry.size < 0:  # an address that gave no file (a route that needs a query)
        return list(entry.links), ""
    if not entry.holds(output.previous / relative):
        return None
    output.keep(PurePosixPath(relative))
    if path is not None:
        _count(output.report, path, entry.size)
    else:
        output.report.files += 1
        output.report.bytes += entry.size
    return list(entry.links), relative


def _remember(out: Path, made: Made, sources: dict[str, Any] | None) -> None:
    """Keep what this build made each file from, for the next one (a failure only costs time)."""
    with contextlib.suppress(OSError):
        build_manifest.save(out, made, sources)


def _sources(app: Flask, state: str | None) -> dict[str, Any] | None:
    """What `up_to_date` compares next time, or None where it could not tell a change."""
    if state is None:
        return None
    catalog: Catalog = app.extensions["catalog"].current()
    swept = {path for path, _, _ in stat_sweep(catalog.root)[0]}
    if any(str(path) not in swept for path in referenced(catalog)):
        return None  # a file below the folders the sweep looks at: only a load sees it change
    folders = [str(folder) for folder in _folders(app)]
    drafts = bool(app.config["DRAFTS"])
    return {
        "state": state,
        "code": fingerprints.code_version(map(Path, folders)),
        "folders": folders,
        "drafts": drafts,
        "schedule": sorted(e.published.timestamp() for e in catalog.episodes if not e.draft),
        "visible": len(catalog.visible(_now(app), drafts)),
    }


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
    fetcher: Fetcher,
    path: str,
    output: _Output,
    broken: Broken,
    referrer: str,
    real_root: str,
) -> tuple[list[str], str]:
    """Write one URL's response into the staging folder; (the site paths it links to, its file).

    An episode's audio is the file itself, so it is linked without a request, as the app
    would serve it: only while it is still inside the show's folder.
    """
    source = output.sources.get(path)
    if source is not None and inside(source, real_root) is not None:
        relative = local_path(path)
        output.put_file(relative, source)
        _count(output.report, path, source.stat().st_size)
        return [], relative.as_posix()
    answer = fetcher.get(path)
    if answer.status_code != 200:
        if referrer != START:  # a route that needs a query (say, search) is no page to freeze
            broken.append((referrer, path, answer.status))
        return [], ""
    relative = local_path(path)
    mimetype = answer.mimetype
    output.put_bytes(relative, answer.body)
    _count(output.report, path, len(answer.body))
    if not (mimetype.startswith(_TEXT_TYPES) or mimetype.endswith("+xml")):
        return [], relative.as_posix()
    base = fetcher.base
    page = urljoin(base, path.lstrip("/"))
    text = answer.body.decode("utf-8", "replace")
    return sorted(set(internal_links(text, mimetype, page, base))), relative.as_posix()


def _count(report: Report, path: str, size: int) -> None:
    report.files += 1
    report.bytes += size
    report.paths.append(path)


def _write_not_found(fetcher: Fetcher, output: _Output) -> str:
    """The app's 404 page as 404.html, the name static hosts serve for missing pages."""
    answer = fetcher.get(_MISSING)
    if answer.status_code != 404 or answer.mimetype != "text/html":
        return ""
    output.put_bytes(PurePosixPath(NOT_FOUND_PAGE), answer.body)
    output.report.files += 1
    output.report.bytes += len(answer.body)
    return NOT_FOUND_PAGE


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
    candidates: set[str] = set(re.findall(re.escape(base) + r"[^\s\"'<>()\\]*", text))
    if mimetype == "text/html":
        candidates.update(html_links(text))
    elif mimetype == "text/css":
        candidates.update(_CSS_URL.findall(text))
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


_LINK_VALUES = etree.XPath(
    "|".join(f"//@{name}" for name in sorted({*_LINK_ATTRIBUTES, "srcset", "imagesrcset"}))
)


def html_links(text: str) -> list[str]:
    """URLs in an HTML page's link-bearing attributes (href, src, srcset, …), entities decoded.

    libxml2's HTML parser (through lxml, which feedgen already needs) reads a page several
    times faster than `html.parser`, and a build reads every page.
    """
    if not text.strip():
        return []
    found: list[str] = []
    for value in _LINK_VALUES(lxml_html.document_fromstring(text)):
        if not value:
            continue
        if value.attrname in ("srcset", "imagesrcset"):
            found += [item.split()[0] for item in value.split(",") if item.strip()]
        else:
            found.append(str(value))
    return found
