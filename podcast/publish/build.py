"""Build the site into a folder any static host or CDN can serve: the same app, the same bytes.

The pipeline of `podcast build`, each step in its own module:
- `build_state`: is OUT up to date with the episodes folder? (found without loading the show)
- `atomic_swap`: a hidden folder beside OUT, locked, marked, swapped in whole when complete;
- `staging`: files written there, or linked from the previous build when their bytes agree;
- `freeze`: every URL the app answers, crawled from its seeds (`fetch` asks, `links` follows),
  rendered only where its inputs changed;
- `static_search`: Pagefind's index of the pages, for search without a server.
When nothing changed at all OUT is left untouched: no file is written and nothing is swapped.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from flask import Flask

from podcast.files import fresh_dir
from podcast.model import Catalog
from podcast.publish import build_manifest, build_mirror, static_search
from podcast.publish.atomic_swap import (
    MARKER,
    MARKER_TEXT,
    check_target,
    clear_leftovers,
    lock,
    remove_build,
    swap,
)
from podcast.publish.build_catalog import BuildCatalog
from podcast.publish.build_report import ExportError, Report
from podcast.publish.build_state import Made, folder_state, remember, sources, up_to_date
from podcast.publish.freeze import freeze
from podcast.publish.staging import Staging
from podcast.render import notes_memory
from podcast.site.app import create_app

T = TypeVar("T")

__all__ = [
    "MARKER",
    "Checked",
    "ExportError",
    "Report",
    "build",
    "build_manifest",
    "build_show",
    "folder_state",
    "up_to_date",
]


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
    clean: bool = False,
) -> Report:
    """`podcast build`: the last build's report when nothing changed since (`up_to_date`,
    without loading the show), else the export of the show `check` loaded and checked.

    `options` (base URL, media base URL as given) are part of what a build is made from.
    `clean`: render every page again, trusting nothing earlier builds recorded (OUT's
    manifest, the mirror); files whose bytes come out the same are still left as they are.
    """
    if clean:
        build_manifest.forget(Path(out).absolute())
        build_mirror.forget(folder)
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


def build(
    app: Flask,
    out: Path,
    base_url: str,
    on_file: Callable[[str], None] | None = None,
    state: str | None = None,
    workers: int | None = None,
) -> Report:
    """Export every URL the app serves under `base_url` into `out`, atomically.

    `state` (`folder_state`, taken before the catalog was loaded) lets the next build find
    an unchanged show with `up_to_date`, without loading it. `workers`: the processes a clean
    build renders in (`freeze`; default one per CPU).
    """
    out = Path(out).absolute()
    base = base_url.rstrip("/") + "/"
    check_target(out, app.extensions["catalog"].root)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        clear_leftovers(out)
        staging = fresh_dir(out, "building")
    except OSError as exc:
        raise _write_error(out, exc) from None
    # Held until the process ends (or is killed): a concurrent build's clear_leftovers skips it.
    held = lock(staging)
    try:
        (staging / MARKER).write_text(MARKER_TEXT)  # first, so a killed build's folder is ours
        notes_memory.recall(app.extensions["catalog"].current())  # before the renderers fork
        report = _fill(app, staging, out, base, on_file or (lambda _: None), state, workers)
    except BaseException as exc:
        remove_build(staging)
        if isinstance(exc, OSError):
            raise _write_error(out, exc) from None
        raise
    finally:
        os.close(held)
    report.out = out
    return report


def _fill(
    app: Flask,
    staging: Path,
    out: Path,
    base: str,
    on_file: Callable[[str], None],
    state: str | None,
    workers: int | None = None,
) -> Report:
    """Freeze the site and its search index into `staging`; swap it in unless it is `out`'s.

    With no build in `out` (a first build, or OUT deleted), files are reused from the mirror
    of the show's last build (`build_mirror`), which every build brings up to date."""
    root = app.extensions["catalog"].root
    previous = out if (out / MARKER).is_file() else None
    known = build_manifest.load(out) if previous else {}
    mirror = build_mirror.recall(root) if previous is None else None
    if mirror is not None:
        previous, known = mirror.folder, mirror.known
    mirroring = build_mirror.Update(root)
    try:
        try:
            output = Staging(staging, previous, Report(staging))
            made = freeze(app, output, base, known, on_file, workers)
            whole = sources(app, state)
            report = output.report
            built = {relative for _, _, relative in made.values() if relative}
            # The pages are mirrored while Pagefind indexes them (a first build's mirror is
            # made then, 6,000 links and 2,000 folders at 1,000 episodes); the index after the
            # swap. A build reading the mirror cannot update it until it lets go of it, after.
            index = _static_search(output, built, lambda: mirroring.link(staging, made))
            made.update({"/" + name: (static_search.FOLDER, (), name) for name in index})
            listed = built | index if known else None
            report.unchanged = mirror is None and output.same_as_previous(listed)
            if not report.unchanged:
                output.finish()  # the last of the mirror's files linked in
        finally:
            if mirror is not None:
                mirror.close()
        if report.unchanged:
            remove_build(staging)  # nothing changed: OUT keeps every file and its mtime
            if report.rendered or whole is not None:  # new inputs, the same bytes
                remember(out, made, whole)
            mirroring.finish(out, made, again=True)  # in case the last build could not
        else:
            build_manifest.forget(out)  # until the new one is written, none is trusted
            retired = swap(staging, out)
            _while_removing(retired, lambda: _record(out, made, whole, mirroring))
    finally:
        mirroring.close()  # a build that failed midway leaves the mirror to the next one
    return report


def _record(
    out: Path, made: Made, whole: dict[str, Any] | None, mirroring: build_mirror.Update
) -> None:
    """After a swap: the manifest of the build now in `out`, and the show's mirror of it."""
    remember(out, made, whole)
    mirroring.finish(out, made)


def _while_removing(retired: Path | None, work: Callable[[], None]) -> None:
    """Do `work` while a thread removes the previous build (`retired`), and wait for both:
    deleting 30,000 files at 5,000 episodes waits on the file system, writing the manifest on
    the CPU."""
    if retired is None:
        work()
    else:
        _alongside(lambda: remove_build(retired), work)


def _alongside(background: Callable[[], None], work: Callable[[], T]) -> T:
    """`work()`, while a thread runs `background`; both done (or raised) when it returns."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        done = pool.submit(background)
        result = work()
        done.result()
    return result


def _static_search(
    output: Staging, built: set[str], while_indexing: Callable[[], None] = lambda: None
) -> set[str]:
    """Put Pagefind's index of the pages in: the previous build's when no page changed (kept,
    so a build that changes nothing still writes nothing), else made anew, with
    `while_indexing` run on a thread meanwhile (every page is in the staging folder by then);
    its files."""
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

    def index() -> set[str]:
        made: set[str] = set()
        for name, size in static_search.add_index(staging, output.put_bytes, output.put_file):
            report.files, report.bytes = report.files + 1, report.bytes + size
            made.add(name)
        return made

    return _alongside(while_indexing, index)


def _write_error(out: Path, exc: OSError) -> ExportError:
    return ExportError(
        f"{out}: could not write the site ({exc}); the previous build was left as it was"
    )
