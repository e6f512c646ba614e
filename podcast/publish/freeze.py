"""Freeze the site: every URL the app answers, crawled from its seeds, into the staging folder.

URLs are discovered generically: every route without arguments, every static file, the audio
of every visible episode, and then every link found in what was fetched (`links`). A URL
whose inputs hash (`fingerprints`) to what the last build recorded (`build_manifest`) is not
rendered: its file is reused and its recorded links are followed. An episode's audio is the
file itself, so it is linked without asking the app, as the app would serve it.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING
from urllib.parse import unquote, urljoin

from flask import Flask

from podcast.model import Catalog
from podcast.publish import build_manifest, fingerprints
from podcast.publish.build_report import ExportError, Report
from podcast.publish.build_state import Made, app_folders, app_now
from podcast.publish.fetch import Fetcher
from podcast.publish.links import Resolver, internal_links, producer_links
from podcast.publish.staging import Staging
from podcast.read import parallel
from podcast.render import urls
from podcast.site.responses import inside

if TYPE_CHECKING:  # concurrent.futures is imported by a clean build only: a no-op never waits
    from concurrent.futures import Future, ProcessPoolExecutor

START = "(start)"  # the referrer of the seeds
NOT_FOUND_PAGE = "404.html"  # the name static hosts (Netlify, GitHub Pages, S3…) look for
_MISSING = "/.podcast-build-missing/"  # asked for to get the app's 404 page
_TEXT_TYPES = (
    "text/",
    "application/rss+xml",
    "application/xml",
    "application/json",
    "application/javascript",
    "image/svg+xml",
)


def freeze(
    app: Flask,
    output: Staging,
    base: str,
    known: dict[str, build_manifest.Entry],
    on_file: Callable[[str], None],
    workers: int | None = None,
) -> Made:
    """Crawl the site from its seeds; render only URLs whose inputs changed since `known`."""
    catalog: Catalog = app.extensions["catalog"].current()
    output.sources = {
        urls.audio(catalog, e): e.audio.path
        for e in catalog.visible(app_now(app))
        if e.audio.path is not None  # audio kept at another host is not copied
    }
    inputs = _fingerprints(app, catalog, base)
    real_root = app.extensions["catalog"].snapshot().real_root
    crawl = _Crawl(Fetcher(app, base), output, Resolver(base), real_root)
    workers = parallel.cpus() if workers is None else workers
    with crawl.fetcher.session():
        made = crawl.run(seeds(app), inputs, known, on_file, workers if workers > 1 else 0)
        _refuse_broken(crawl.broken, catalog, base)
        fingerprint = inputs.of(_MISSING)
        reused = _reuse(output, known.get(_MISSING), fingerprint, None)
        not_found = reused[1] if reused is not None else _write_not_found(crawl.fetcher, output)
    made[_MISSING] = (fingerprint, (), not_found)
    output.report.paths.sort()
    return made


@dataclass
class _Crawl:
    """One crawl: where it asks, where it writes, and the links that led nowhere."""

    fetcher: Fetcher
    output: Staging
    resolver: Resolver
    real_root: str  # the show's folder, symlinks resolved: audio is linked only from inside
    broken: list[tuple[str, str, str]] = field(default_factory=list)  # referrer, path, status

    def run(
        self,
        starts: list[str],
        inputs: fingerprints.Fingerprints,
        known: dict[str, build_manifest.Entry],
        on_file: Callable[[str], None],
        workers: int = 0,
    ) -> Made:
        """Every URL reachable from `starts`, breadth first, each rendered or reused once;
        with `workers`, pages are rendered by that many forked processes (`_Renderers`): at
        once for a clean build, and for an incremental one once `FORK_AFTER` pages wait (a
        new show.yaml, template or version renders them all; an edit renders a few dozen,
        quicker here than a fork)."""
        queue = deque((path, START) for path in starts)
        seen = {path for path, _ in queue}
        made: Made = {}
        here: list[tuple[str, str, str]] = []  # path, referrer, fingerprint: to render
        fork_after = 1 if self.output.previous is None else FORK_AFTER

        def record(path: str, fingerprint: str, links: list[str], relative: str) -> None:
            made[path] = (fingerprint, tuple(links), relative)
            on_file(path)
            for link in links:
                if link not in seen:
                    seen.add(link)
                    queue.append((link, path))

        renderers: _Renderers | None = None
        try:
            while queue or here or (renderers is not None and renderers.busy):
                while queue:
                    path, referrer = queue.popleft()
                    fingerprint = inputs.of(path, self.output.sources.get(path))
                    reused = _reuse(self.output, known.get(path), fingerprint, path)
                    if reused is not None:
                        record(path, fingerprint, *reused)
                    elif path in self.output.sources:  # audio: a link, nothing to render
                        self.output.report.rendered += 1
                        record(path, fingerprint, *self.fetch(path, referrer))
                    elif renderers is not None:
                        renderers.ask(path, referrer, fingerprint)
                    else:
                        here.append((path, referrer, fingerprint))
                        if workers and len(here) >= fork_after and parallel.can_fork():
                            renderers = _Renderers(self, workers)
                            for waiting in here:
                                renderers.ask(*waiting)
                            here.clear()
                if here:  # too few to fork for, or no fork here: render them in this process
                    for path, referrer, fingerprint in here:
                        self.output.report.rendered += 1
                        record(path, fingerprint, *self.fetch(path, referrer))
                    here.clear()
                if renderers is not None:
                    for path, fingerprint, links, relative in renderers.answers():
                        record(path, fingerprint, links, relative)
        finally:
            if renderers is not None:
                renderers.close()
        return made

    def fetch(self, path: str, referrer: str) -> tuple[list[str], str]:
        """Write one URL's response into the staging folder; (the site paths it links to,
        its file). An episode's audio is linked while it is still inside the show's folder."""
        source = self.output.sources.get(path)
        if source is not None and inside(source, self.real_root) is not None:
            relative = local_path(path)
            self.output.put_file(relative, source)
            _count(self.output.report, path, source.stat().st_size)
            return [], relative.as_posix()
        answer = self.fetcher.get(path)
        if answer.status_code != 200:
            if referrer != START:  # a route that needs a query (say, search) is no page
                self.broken.append((referrer, path, answer.status))
            return [], ""
        relative = local_path(path)
        self.output.put_bytes(relative, answer.body)
        _count(self.output.report, path, len(answer.body))
        mimetype = answer.mimetype
        if not (mimetype.startswith(_TEXT_TYPES) or mimetype.endswith("+xml")):
            return [], relative.as_posix()
        base = self.fetcher.base
        page, text = urljoin(base, path.lstrip("/")), answer.body.decode("utf-8", "replace")
        found = internal_links(text, mimetype, page, base, self.resolver)
        return sorted(set(found)), relative.as_posix()


# The crawl a forked renderer works for: set before the processes fork, read by `_render`.
_FORKED: _Crawl | None = None
_BATCH = 16  # pages a renderer is given at a time: fewer round trips, still balanced
FORK_AFTER = 200  # pages waiting to render before an incremental build forks its renderers


class _Renderers:
    """Forked processes rendering pages for one build's crawl.

    Each renders into the shared staging folder as the crawl itself would, and sends back what
    the crawl's report and links need. A page equal to the previous build's file is not linked
    by the renderer but named in its answer, for this process to keep: it alone knows whether
    linking has started (`Staging`), so a build whose pages all come out unchanged still
    writes nothing. Pages are asked for in batches of `_BATCH`; the crawl's queue keeps the
    order and each URL's single visit.
    A renderer that dies (killed, out of memory) loses only time: the pages it and the others
    had not answered, and all later ones, are rendered in this process, over what it left.
    """

    def __init__(self, crawl: _Crawl, workers: int) -> None:
        global _FORKED
        _FORKED = crawl
        self.crawl, self.workers = crawl, workers
        self.pool: ProcessPoolExecutor | None = parallel.forked_pool(workers)
        self.waiting: list[tuple[str, str, str]] = []  # path, referrer, fingerprint
        self.pending: dict[Future[list[_Rendered]], list[tuple[str, str, str]]] = {}

    @property
    def busy(self) -> bool:
        return bool(self.waiting or self.pending)

    def ask(self, path: str, referrer: str, fingerprint: str) -> None:
        self.waiting.append((path, referrer, fingerprint))

    def answers(self) -> Iterator[tuple[str, str, list[str], str]]:
        """Send what is waiting, then (path, fingerprint, links, file) of the first batches
        done; what a renderer raised is raised here."""
        from concurrent.futures import FIRST_COMPLETED, wait
        from concurrent.futures.process import BrokenProcessPool

        if self.pool is None:  # the renderers died earlier
            yield from self._here()
            return
        try:
            self._send()
            done, _ = wait(self.pending, return_when=FIRST_COMPLETED)
            for future in done:
                made = future.result()  # a batch is merged whole or, if this raises, not at all
                batch = self.pending.pop(future)
                for rendered in made:
                    yield self._merged(rendered, batch)
        except BrokenProcessPool:
            self._lost()
            yield from self._here()

    def _send(self) -> None:
        """Hand the waiting pages to the renderers, in batches."""
        assert self.pool is not None, "only while the renderers live"
        size = max(1, min(_BATCH, len(self.waiting) // self.workers))
        while self.waiting:
            batch = self.waiting[:size]
            self.pending[self.pool.submit(_render, [(p, r) for p, r, _ in batch])] = batch
            del self.waiting[:size]

    def _merged(
        self, rendered: _Rendered, batch: list[tuple[str, str, str]]
    ) -> tuple[str, str, list[str], str]:
        """A renderer's page, its counts added to the crawl's report."""
        report = self.crawl.output.report
        report.rendered += 1
        report.files += rendered.files
        report.bytes += rendered.bytes
        report.paths += rendered.paths
        report.written += rendered.written
        self.crawl.broken += rendered.broken
        for relative in rendered.kept:
            self.crawl.output.keep(relative)
        if rendered.written:
            self.crawl.output.finish()  # a renderer wrote into the staging folder: it differs
        fingerprint = next(f for p, _, f in batch if p == rendered.path)
        return rendered.path, fingerprint, rendered.links, rendered.relative

    def _lost(self) -> None:
        """A renderer died and the pool with it: every page not answered waits for this
        process (a batch that was answered was merged whole, before the next one)."""
        for batch in self.pending.values():
            self.waiting[:0] = batch
        self.pending.clear()
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None

    def _here(self) -> Iterator[tuple[str, str, list[str], str]]:
        """Render the waiting pages in this process, as a crawl without renderers does."""
        waiting, self.waiting = self.waiting, []
        for path, referrer, fingerprint in waiting:
            self.crawl.output.report.rendered += 1
            yield path, fingerprint, *self.crawl.fetch(path, referrer)

    def close(self) -> None:
        global _FORKED
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
        _FORKED = None


@dataclass
class _Rendered:
    """One page a renderer made: what `_Crawl.fetch` returned and added to its report."""

    path: str
    links: list[str]
    relative: str
    files: int
    bytes: int
    paths: list[str]
    written: list[str]
    broken: list[tuple[str, str, str]]
    kept: list[str]  # files equal to the previous build's, for the build's process to keep


def _render(batch: list[tuple[str, str]]) -> list[_Rendered]:
    """In a renderer: fetch each (path, referrer) of `batch` as the crawl would."""
    crawl = _FORKED
    assert crawl is not None, "only called in a process forked by _Renderers"
    output, made = crawl.output, []
    output.in_renderer = True
    for path, referrer in batch:
        output.report = Report(output.report.out)
        output.kept = []
        crawl.broken = []
        links, relative = crawl.fetch(path, referrer)
        found = output.report
        made.append(
            _Rendered(
                path,
                links,
                relative,
                found.files,
                found.bytes,
                found.paths,
                found.written,
                crawl.broken,
                output.kept,
            )
        )
    return made


def _refuse_broken(broken: list[tuple[str, str, str]], catalog: Catalog, base: str) -> None:
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


def _fingerprints(app: Flask, catalog: Catalog, base: str) -> fingerprints.Fingerprints:
    drafts = bool(app.config["DRAFTS"])
    settings = {"base": base, "media": app.config["MEDIA_BASE_URL"], "drafts": drafts}
    visible = catalog.visible(app_now(app), drafts)
    return fingerprints.Fingerprints(catalog, visible, app_folders(app), settings)


def _reuse(
    output: Staging, entry: build_manifest.Entry | None, fingerprint: str, path: str | None
) -> tuple[list[str], str] | None:
    """(links, file) of a URL whose inputs are those of the previous build, else None."""
    if entry is None or entry.fingerprint != fingerprint or output.previous is None:
        return None
    relative = local_name(path) if path is not None else NOT_FOUND_PAGE
    if entry.size < 0:  # an address that gave no file (a route that needs a query)
        return list(entry.links), ""
    if not entry.holds(os.path.join(output.previous, relative)):
        return None
    output.keep(relative)
    if path is not None:
        _count(output.report, path, entry.size)
    else:
        output.report.files += 1
        output.report.bytes += entry.size
    return list(entry.links), relative


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
    paths += [urls.audio(catalog, e) for e in urls.local(catalog.visible(app_now(app)))]
    return list(dict.fromkeys(paths))


def _count(report: Report, path: str, size: int) -> None:
    report.files += 1
    report.bytes += size
    report.paths.append(path)


def _write_not_found(fetcher: Fetcher, output: Staging) -> str:
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
    return PurePosixPath(local_name(path))


def local_name(path: str) -> str:
    """`local_path` as a string (asked for every URL an incremental build keeps)."""
    parts = [unquote(p) for p in path.split("/") if p]
    if any(p in (".", "..") or any(c in p for c in "/\\\x00") for p in parts):
        raise ExportError(f"refusing to write the unsafe path {path!r}")
    if path.endswith("/") or not parts:
        parts.append("index.html")
    return "/".join(parts)
