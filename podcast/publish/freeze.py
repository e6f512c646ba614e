"""Freeze the site: every URL the app answers, crawled from its seeds, into the staging folder.

URLs are discovered generically: every route without arguments, every static file, the audio
of every visible episode, and then every link found in what was fetched (`links`). A URL
whose inputs hash (`fingerprints`) to what the last build recorded (`build_manifest`) is not
rendered: its file is reused and its recorded links are followed. An episode's audio is the
file itself, so it is linked without asking the app, as the app would serve it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urljoin

from flask import Flask

from podcast.model import Catalog
from podcast.publish import build_manifest, fingerprints
from podcast.publish.build_report import ExportError, Report
from podcast.publish.build_state import Made, app_folders, app_now
from podcast.publish.fetch import Fetcher
from podcast.publish.links import Resolver, internal_links, producer_links
from podcast.publish.staging import Staging
from podcast.render import urls
from podcast.site.responses import inside

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
    with crawl.fetcher.session():
        made = crawl.run(seeds(app), inputs, known, on_file)
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
    ) -> Made:
        """Every URL reachable from `starts`, breadth first, each rendered or reused once."""
        queue = deque((path, START) for path in starts)
        seen = {path for path, _ in queue}
        made: Made = {}
        while queue:
            path, referrer = queue.popleft()
            fingerprint = inputs.of(path, self.output.sources.get(path))
            reused = _reuse(self.output, known.get(path), fingerprint, path)
            if reused is not None:
                links, relative = reused
            else:
                links, relative = self.fetch(path, referrer)
                self.output.report.rendered += 1
            made[path] = (fingerprint, tuple(links), relative)
            on_file(path)
            for link in links:
                if link not in seen:
                    seen.add(link)
                    queue.append((link, path))
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
    parts = [unquote(p) for p in path.split("/") if p]
    if any(p in (".", "..") or any(c in p for c in "/\\\x00") for p in parts):
        raise ExportError(f"refusing to write the unsafe path {path!r}")
    if path.endswith("/") or not parts:
        parts.append("index.html")
    return PurePosixPath(*parts)
