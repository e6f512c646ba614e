"""The catalog a running server serves: swapped for a new one when the episodes folder changes.

A stat sweep of the folder (about 5 µs a file) runs at most every `interval` seconds; a change
that has held still (so a file still being copied is not read half-written) is loaded by
`read.loader.Loader`, which reads only the episodes whose files changed, and swapped in
atomically. Held still means seen unchanged by the sweep before, or no file or folder touched for
`STILL` seconds: a worker that slept since it was forked (gunicorn preloads the app) loads an
old change on its first sweep instead of serving the boot-time catalog for one more interval.
A folder that no longer loads keeps the last good catalog serving and logs each problem with its
file and line; only an episode whose audio file is gone leaves it, since its enclosure would
answer 404.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import posixpath
import threading
import time
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType

from podcast.errors import CatalogError, PodcastError, Problem
from podcast.model import Catalog, Episode
from podcast.read.loader import Loader
from podcast.read.memory import dependencies

log = logging.getLogger(__name__)

Stamp = tuple[str, int, int]  # path, size, mtime_ns
Sweep = tuple[Stamp, ...]
NEVER = datetime.max.replace(tzinfo=UTC)  # a draft's place in the schedule: after every time
STILL = 2.0  # seconds untouched after which a changed file is taken as written in full


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One loaded catalog and the lookups built once for it."""

    catalog: Catalog
    version: int  # counts swaps in this process; caches keyed by it die with it
    modified: datetime  # the newest mtime among the show's files and folders
    schedule: tuple[datetime, ...]  # publication times, oldest first
    audio: Mapping[str, Episode]  # audio path below the root (as in /audio/<path>) → episode
    real_root: str  # the root with symlinks resolved: served files must stay below it
    refused: tuple[Problem, ...] = ()  # why the folder's latest state was not loaded, if it was not

    def visible_count(self, now: datetime) -> int:
        """How many episodes are published by `now`: names the visible set in O(log n)."""
        return bisect_right(self.schedule, now)

    def changed(self, now: datetime, drafts: bool = False) -> datetime:
        """When what a listener sees at `now` last changed: a file, or a draft going live."""
        count = len(self.schedule) if drafts else self.visible_count(now)
        newest = self.schedule[count - 1] if count else self.modified
        return min(max(self.modified, newest), now)  # never claim a change in the future


class CatalogStore:
    """Holds the catalog being served and reloads it when the episodes folder changes."""

    def __init__(
        self, root: Path, interval: float | None = 2.0, catalog: Catalog | None = None
    ) -> None:
        self.root = Path(root).absolute()
        self.interval = interval
        self._loader = Loader(self.root)
        self._lock = threading.Lock()  # one sweep or reload at a time; others serve the old one
        try:
            stamps, newest = _stat_sweep(self.root)
        except OSError:  # load() below explains a missing folder better than the OSError
            stamps, newest = (), 0
        modified = _as_datetime(newest)
        catalog = catalog or self._loader.load()  # a caller's catalog is served as it is
        self._snapshot = _snapshot(catalog, 1, modified)
        self._loaded = stamps + _stamps(referenced(catalog), stamps)
        _log_warnings(catalog)
        self._pending: Sweep | None = None
        self._failed: Sweep | None = None
        self._due = time.monotonic() + (interval or 0.0)

    def current(self) -> Catalog:
        """The catalog to serve now."""
        return self._snapshot.catalog

    def snapshot(self) -> Snapshot:
        """The catalog to serve now, with its lookups."""
        return self._snapshot

    def poll(self) -> bool:
        """Sweep the folder if the interval has passed; True if a new catalog was swapped in."""
        if self.interval is None or time.monotonic() < self._due:
            return False
        return self.sweep()

    def sweep(self) -> bool:
        """Stat the folder now; load a change once it has held still for one sweep."""
        if not self._lock.acquire(blocking=False):
            return False
        try:
            self._due = time.monotonic() + (self.interval or 0.0)
            swept, newest = _stat_sweep(self.root)
            stamps = swept + _stamps(referenced(self._snapshot.catalog), swept)
            if stamps in (self._loaded, self._failed):
                self._pending = None
                return False
            touched = max([newest, *(mtime for _, _, mtime in stamps)])
            untouched = time.time() - touched / 1e9  # negative for a file dated in the future
            if stamps != self._pending and untouched < STILL:
                self._pending = stamps  # still being written, maybe: look again once still
                self._due = min(self._due, time.monotonic() + STILL - max(untouched, 0.0))
                return False
            return self._reload(swept, stamps, _as_datetime(newest))
        except OSError as exc:
            log.error(
                "%s: cannot read the episodes folder (%s); still serving the last good catalog",
                self.root,
                exc.strerror or exc,
            )
            return False
        finally:
            self._lock.release()

    def _reload(self, swept: Sweep, stamps: Sweep, modified: datetime) -> bool:
        started = time.perf_counter()
        try:
            catalog = self._loader.load()
        except PodcastError as exc:
            problems = exc.problems if isinstance(exc, CatalogError) else (exc,)
            return self._refuse(swept, modified, tuple(map(_as_problem, problems)))
        self._snapshot = _snapshot(catalog, self._snapshot.version + 1, modified)
        self._loaded = stamps + _stamps(referenced(catalog), stamps)
        self._failed = self._pending = None
        _log_warnings(catalog)
        log.info(
            "%s: reloaded %d episodes (%d read, %d unchanged) in %.0f ms",
            self.root,
            len(catalog.episodes),
            self._loader.read,
            self._loader.recalled,
            (time.perf_counter() - started) * 1000,
        )
        return True

    def _refuse(self, swept: Sweep, modified: datetime, problems: tuple[Problem, ...]) -> bool:
        """Keep the last good catalog, less the episodes whose audio is gone; log why."""
        for problem in problems:
            log.error("%s", problem)
        catalog = _without_lost_audio(self.current())
        changed = catalog is not self.current()
        log.error(
            "%s: %d problem(s) in the changed files; still serving the last good "
            "catalog (%d episodes)",
            self.root,
            len(problems),
            len(catalog.episodes),
        )
        # a new version, so pages (and the preview's list of problems) are rendered again
        self._snapshot = _snapshot(catalog, self._snapshot.version + 1, modified, problems)
        self._failed = swept + _stamps(referenced(catalog), swept)
        self._pending = None
        return changed


def _as_problem(found: PodcastError | Problem) -> Problem:
    return found if isinstance(found, Problem) else Problem(None, None, str(found))


def _without_lost_audio(catalog: Catalog) -> Catalog:
    """The catalog without episodes whose audio file is gone: their enclosure would be a 404."""
    lost = [e for e in catalog.episodes if e.audio.path and not os.path.isfile(e.audio.path)]
    for episode in lost:
        log.error(
            "%s: its audio %s is gone; the episode is out of the feed until it returns",
            episode.source,
            episode.audio.path,
        )
    if not lost:
        return catalog
    gone = {id(e) for e in lost}
    kept = tuple(e for e in catalog.episodes if id(e) not in gone)
    return dataclasses.replace(catalog, episodes=kept)


def _log_warnings(catalog: Catalog) -> None:
    for problem in catalog.warnings:
        log.warning("%s", problem)


def stat_sweep(root: Path) -> tuple[Sweep, datetime]:
    """Size and mtime of every visible file in root and its folders, and the newest mtime.

    Folders count toward the newest mtime (a deleted file changes its folder's) but not toward
    the stamps: editors' hidden swap files change a folder without changing the show.
    """
    stamps, newest = _stat_sweep(root)
    return stamps, _as_datetime(newest)


def _stat_sweep(root: Path) -> tuple[Sweep, int]:
    """`stat_sweep` with the newest mtime in nanoseconds, as the store compares it to now."""
    stamps: list[Stamp] = []
    newest = root.stat().st_mtime_ns
    with os.scandir(root) as entries:
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_dir():
                newest = max(newest, _sweep_folder(entry.path, stamps))
            else:
                _stamp(entry, stamps)
    newest = max([newest, *(mtime for _, _, mtime in stamps)])
    return tuple(sorted(stamps)), newest


def _as_datetime(mtime_ns: int) -> datetime:
    """An mtime as Last-Modified has it: whole seconds, UTC."""
    return datetime.fromtimestamp(mtime_ns // 10**9, UTC)


def _sweep_folder(folder: str, stamps: list[Stamp]) -> int:
    try:
        mtime = os.stat(folder).st_mtime_ns
        with os.scandir(folder) as entries:
            for entry in entries:
                if not entry.name.startswith(".") and not entry.is_dir():
                    _stamp(entry, stamps)
    except FileNotFoundError:  # removed while we looked: the next sweep sees it gone
        return 0
    return mtime


def _stamp(entry: os.DirEntry[str], stamps: list[Stamp]) -> None:
    try:
        stat = entry.stat()
    except FileNotFoundError:  # a dangling symlink or a file removed mid-sweep
        return
    stamps.append((entry.path, stat.st_size, stat.st_mtime_ns))


def referenced(catalog: Catalog) -> Iterable[Path]:
    """Every file the catalog read: a YAML may name one deeper than the sweep looks."""
    yield catalog.show.source
    yield catalog.show.artwork
    for episode in catalog.episodes:
        yield episode.source
        yield from dependencies(episode)


def _stamps(paths: Iterable[Path], swept: Sweep) -> Sweep:
    """Stamps for the referenced files the sweep did not already cover."""
    seen = {path for path, _, _ in swept}
    extra: dict[str, Stamp] = {}
    for path in map(str, paths):
        if path in seen or path in extra:
            continue
        try:
            stat = os.stat(path)
            extra[path] = (path, stat.st_size, stat.st_mtime_ns)
        except OSError:
            extra[path] = (path, -1, -1)  # gone: its return must count as a change
    return tuple(sorted(extra.values()))


def _goes_live(episode: Episode) -> datetime:
    """Its publication time; never for a draft, so `visible_count` leaves drafts out."""
    return NEVER if episode.draft else episode.published


def _snapshot(
    catalog: Catalog, version: int, modified: datetime, refused: tuple[Problem, ...] = ()
) -> Snapshot:
    by_audio: dict[str, Episode] = {}
    for episode in catalog.episodes:
        if episode.audio.path is None:  # kept at another host: no local serving route
            continue
        relative = episode.audio.path.relative_to(catalog.root).as_posix()
        # `audio: ../season-2/x.mp3` reaches the feed with its dots, which clients remove
        by_audio[relative] = by_audio[posixpath.normpath(relative)] = episode
        low = episode.low_bandwidth.path if episode.low_bandwidth else None
        if low is not None:  # always beside the YAML, so never dotted
            by_audio[low.relative_to(catalog.root).as_posix()] = episode
    return Snapshot(
        catalog=catalog,
        version=version,
        modified=modified,
        schedule=tuple(sorted(_goes_live(episode) for episode in catalog.episodes)),
        audio=MappingProxyType(by_audio),
        real_root=os.path.realpath(catalog.root),
        refused=refused,
    )
