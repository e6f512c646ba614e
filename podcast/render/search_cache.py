"""The search index as a file every server process shares, built ahead of any listener's search.

The index of one catalog lives in the user's cache directory (never in the episodes folder),
named by a key of everything it indexes, so every gunicorn worker, a restart and `podcast serve`
open the same file. One process builds it (under a lock on the cache folder, into a temporary
file renamed into place when complete); the others wait for the lock on a background thread and
then open the file read-only, or open it on their first search if it is already there. A search
arriving before the index is built is not held: `get` answers None (or the previous catalog's
index, after a reload) until the build is done.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import sqlite3
import threading
import time
import weakref
import zlib
from collections.abc import Iterator
from pathlib import Path

from podcast.files import cache_dir
from podcast.model import Catalog
from podcast.render.cues import CueReader, read_cues, spoken_text
from podcast.render.search import SearchIndex, write_index
from podcast.render.search_words import FORK_GUARD

log = logging.getLogger(__name__)

FORMAT = "4"  # change it when the schema or what is indexed changes: old files are not opened
LOCK = "build.lock"
SUFFIX = ".sqlite"
# Held by a thread while it is inside SQLite, and by os.fork: a worker forked from a server
# that preloads the app never inherits SQLite's own locks half taken. The tokenizer's table in
# memory (search_words) takes the same lock.
_FORK_GUARD = FORK_GUARD
_BUILDING = [threading.Lock()]  # this process's builder; a new one in a forked child
_CACHES: weakref.WeakSet[IndexCache] = weakref.WeakSet()


def index_key(catalog: Catalog) -> str:
    """A name for what the index holds: every indexed field and each transcript's file state."""
    digest = hashlib.sha256(FORMAT.encode())
    for episode in catalog.episodes:
        guests = "\0".join(f"{p.name}\0{p.role}" for p in episode.guests)
        published = episode.published.isoformat()  # docs are numbered by it
        fields = (
            episode.slug,
            episode.title,
            guests,
            episode.summary,
            episode.notes or "",
            published,
        )
        digest.update("\x1f".join(fields).encode())
        transcript = episode.transcript
        if transcript is not None:
            digest.update(_file_state(transcript.path).encode())
        digest.update(b"\x1e")
    return digest.hexdigest()[:32]


def _file_state(path: Path) -> str:
    """Where a file really is, its size and its mtime: a change to any names a new index."""
    try:
        stat = path.stat()
    except OSError:
        return f"{path}\0missing"
    return f"{os.path.realpath(path)}\0{stat.st_size}\0{stat.st_mtime_ns}"


def index_path(catalog: Catalog) -> Path:
    """Where the index of `catalog` is (or will be) kept."""
    return cache_dir("search", catalog.root) / f"{index_key(catalog)}{SUFFIX}"


def ensure_file(catalog: Catalog, read: CueReader = read_cues) -> Path:
    """The index file of `catalog`, built now unless it exists (waits for another builder)."""
    path = index_path(catalog)
    if path.is_file():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    with _build_lock(path.parent):
        if not path.is_file():  # another process may have built it while we waited
            _build(catalog, read, path)
    return path


def open_index(catalog: Catalog, path: Path, read: CueReader = read_cues) -> SearchIndex:
    """The index in `path`, opened read-only (the file never changes once renamed in)."""
    with _FORK_GUARD:
        db = sqlite3.connect(
            f"{path.as_uri()}?mode=ro&immutable=1", uri=True, check_same_thread=False
        )
        return SearchIndex(catalog, read, db)


@contextlib.contextmanager
def _build_lock(folder: Path) -> Iterator[None]:
    """One builder at a time: a thread lock here, and a POSIX lock on the folder's lock file
    for other processes (a POSIX lock belongs to its process and is not inherited by a fork)."""
    with _BUILDING[0]:
        descriptor = os.open(folder / LOCK, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.lockf(descriptor, fcntl.LOCK_EX)
            yield
        finally:
            os.close(descriptor)  # releases the lock


class _Recalled:
    """Transcript words by file state: from the previous index where the file is unchanged
    (reading and parsing thousands of transcripts is most of a build), else read now."""

    def __init__(self, previous: Path | None, read: CueReader) -> None:
        self._read = read
        self._old: sqlite3.Connection | None = None
        self.rows: list[tuple[str, bytes]] = []  # (state, compressed words) for the new file
        self.recalled = 0
        if previous is not None:
            with contextlib.suppress(sqlite3.Error), _FORK_GUARD:
                old = sqlite3.connect(f"{previous.as_uri()}?mode=ro&immutable=1", uri=True)
                old.execute("SELECT state, text FROM spoken LIMIT 1").fetchall()
                self._old = old

    def __call__(self, path: Path) -> str:
        state = _file_state(path)
        row = None
        if self._old is not None:
            with _FORK_GUARD:
                row = self._old.execute(
                    "SELECT text FROM spoken WHERE state = ?", (state,)
                ).fetchone()
        if row is not None:
            packed: bytes = row[0]
            text = zlib.decompress(packed).decode("utf-8")
            self.recalled += 1
        else:
            text = spoken_text(self._read(path))
            packed = zlib.compress(text.encode("utf-8"), 1)
        self.rows.append((state, packed))
        return text

    def save(self, db: sqlite3.Connection) -> None:
        """Keep this build's transcript words in its own file, for the next build."""
        with _FORK_GUARD:
            db.execute("CREATE TABLE spoken (state TEXT PRIMARY KEY, text BLOB NOT NULL)")
            db.executemany("INSERT OR REPLACE INTO spoken VALUES (?, ?)", self.rows)
            db.commit()

    def close(self) -> None:
        if self._old is not None:
            with _FORK_GUARD:
                self._old.close()


def _previous(path: Path) -> Path | None:
    """The newest other index in the folder: an earlier catalog of the same show."""
    others = [p for p in path.parent.glob(f"*{SUFFIX}") if p != path]
    return max(others, key=lambda p: p.stat().st_mtime_ns, default=None)


def _build(catalog: Catalog, read: CueReader, path: Path) -> None:
    started = time.perf_counter()
    for stale in path.parent.glob(f".*{SUFFIX}.tmp"):
        stale.unlink(missing_ok=True)  # left by a builder that was killed: we hold the lock
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        with _FORK_GUARD:
            db = sqlite3.connect(temporary, check_same_thread=False)
            db.execute("PRAGMA journal_mode = OFF")  # a half-written file is never renamed in
            db.execute("PRAGMA synchronous = OFF")
        recalled = _Recalled(_previous(path), read)
        try:
            write_index(db, catalog, read, _FORK_GUARD, recalled)
            recalled.save(db)
        finally:
            recalled.close()
            with _FORK_GUARD:
                db.close()
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    _remove_others(path)
    log.info(
        "%s: search index of %d episodes built in %.1f s, %d transcripts read, %d unchanged (%s)",
        catalog.root,
        len(catalog.episodes),
        time.perf_counter() - started,
        len(recalled.rows) - recalled.recalled,
        recalled.recalled,
        path,
    )


def _in_memory(catalog: Catalog, read: CueReader) -> SearchIndex:
    """An index of `catalog` in this process's memory, each SQLite call under the fork guard
    (not the whole build: the tokenizer takes the guard itself when it meets a new character)."""
    with _FORK_GUARD:
        db = sqlite3.connect(":memory:", check_same_thread=False)
    write_index(db, catalog, read, _FORK_GUARD)
    with _FORK_GUARD:
        return SearchIndex(catalog, read, db)


def _remove_others(path: Path) -> None:
    """Indexes of earlier catalogs; a process still reading one keeps its open file."""
    for other in path.parent.glob(f"*{SUFFIX}"):
        if other != path:
            other.unlink(missing_ok=True)


class IndexCache:
    """The index of the catalog being served, prepared on a background thread.

    `prepare` starts the work at load; `get` never waits: it answers the index of the catalog
    asked for once it is open, else the last one that was (its results filtered to the
    episodes now visible), else None while the first is being prepared.
    """

    def __init__(self, read: CueReader = read_cues) -> None:
        self._read = read
        self._index: SearchIndex | None = None
        self._path: Path | None = None  # the file `_index` was opened from, if any
        self._keyed: tuple[Catalog, Path] | None = None  # where the last catalog asked for is
        self._wanted: Catalog | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.error: BaseException | None = None  # why the last preparation failed, if it did
        _CACHES.add(self)

    def prepare(self, catalog: Catalog) -> None:
        """Start preparing the index of `catalog` in the background, unless under way."""
        with self._lock:
            self._start(catalog)

    def get(self, catalog: Catalog) -> SearchIndex | None:
        """The freshest index ready for `catalog`, or None; never waits for one to be built.

        A file another process has already built for `catalog` is opened at once (a read-only
        open takes milliseconds): a worker's first search, or its first after a reload, finds
        what its siblings made instead of answering "not ready" while a thread opens it.
        """
        with self._lock:
            index = self._index
            if index is None or index.catalog is not catalog:
                built = self._open_built(catalog)  # (an index has a length: never `or`)
                index = built if built is not None else index
            if index is None or index.catalog is not catalog:
                self._start(catalog)
            return index

    def _open_built(self, catalog: Catalog) -> SearchIndex | None:
        if self._keyed is None or self._keyed[0] is not catalog:
            try:
                self._keyed = (catalog, index_path(catalog))
            except OSError:  # no cache directory: the background build indexes in memory
                return None
        path = self._keyed[1]
        if not path.is_file():
            return None
        try:
            index = open_index(catalog, path, self._read)
        except sqlite3.Error:
            return None  # removed or replaced meanwhile: the background build answers
        self._index, self._path = index, path
        return index

    def wait(self) -> None:
        """Block until a preparation in progress (if any) is done: for tests and benchmarks."""
        thread = self._thread
        if thread is not None:
            thread.join()

    def _start(self, catalog: Catalog) -> None:
        if self._thread is not None and self._thread.is_alive():
            return  # the first `get` after it finishes asks again for a newer catalog
        if self._wanted is catalog and self.error is not None:
            return  # failed for this catalog: a reload (a new catalog) tries again
        self._wanted = catalog
        self._thread = threading.Thread(
            target=self._run, args=(catalog,), name="search-index", daemon=True
        )
        self._thread.start()

    def _run(self, catalog: Catalog) -> None:
        path: Path | None = None
        try:
            path = ensure_file(catalog, self._read)
            index = open_index(catalog, path, self._read)
        except (OSError, sqlite3.Error) as exc:
            log.warning(
                "%s: cannot keep the search index in the cache directory (%s); "
                "indexing in memory instead",
                catalog.root,
                exc,
            )
            try:
                index = _in_memory(catalog, self._read)
            except sqlite3.Error as failed:
                self.error = failed
                log.error("%s: cannot build the search index (%s)", catalog.root, failed)
                return
            path = None
        with self._lock:
            self._index, self._path = index, path
            self.error = None

    def _after_fork(self) -> None:
        """In a forked worker: forget the parent's connection and thread, reopen its file."""
        index, path = self._index, self._path
        _ORPHANS.append(index)  # never closed here: the parent still uses its copy
        self._index, self._path, self._wanted, self._thread = None, None, None, None
        self._keyed = None
        self._lock = threading.Lock()
        if index is not None and path is not None:
            with contextlib.suppress(OSError, sqlite3.Error):  # else `get` prepares it again
                self._index = open_index(index.catalog, path, self._read)
                self._path = path


_ORPHANS: list[SearchIndex | None] = []


def _fork_child() -> None:
    _BUILDING[0] = threading.Lock()  # the parent's builder thread does not exist here
    _FORK_GUARD.release()
    for cache in list(_CACHES):
        cache._after_fork()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(
        before=_FORK_GUARD.acquire,
        after_in_parent=_FORK_GUARD.release,
        after_in_child=_fork_child,
    )
