"""A disk cache of audio probes keyed by (path, size, mtime_ns): unchanged files are never reopened.

Probing with mutagen dominates a cold load (0.4–0.9 ms a file, against ~5 µs for a stat).
`ProbeCache` is a prober for `catalog.load`: it answers from `audio-v2.json` in the user's
cache directory (`files.cache_dir("probe", root)`, never inside the episodes folder, which is
the producer's) when a file's size and mtime are unchanged, probes otherwise, and `save()`
writes the cache atomically. The cache is JSON (never pickle: reading it must not run code),
written by a small explicit codec for the one type it holds. A missing, corrupt or stale cache
is ignored and rebuilt, never an error.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import typing
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any

import mutagen

from podcast.errors import AudioError, Problem
from podcast.files import cache_dir, read_regular, write_atomic
from podcast.model import Audio, Catalog, Chapter, Episode, Show, Tags
from podcast.read import audio as audio_module
from podcast.read import catalog as catalog_module
from podcast.read import mpeg, parallel
from podcast.read.yamlfile import Fields

CACHE_FILE = "audio-v2.json"
PARALLEL_MINIMUM = 64  # files to probe before a process pool pays for its start (~20 ms)
MAX_CACHE_BYTES = 256 * 2**20  # about 50,000 episodes; a larger file is not ours
Prober = Callable[[Path], Audio]


class StaleEntry(Exception):
    """A cached value that no longer fits the model; it is probed again."""


@cache
def fingerprint() -> str:
    """Changes whenever a cached probe could differ: the probe's code, the model, mutagen."""
    digest = hashlib.sha256()
    for module in (audio_module, mpeg):
        digest.update(Path(module.__file__ or "").read_bytes())
    digest.update(mutagen.version_string.encode())
    digest.update(repr(_shape(Audio)).encode())
    return digest.hexdigest()[:16]


def _shape(kind: Any) -> Any:
    """The field names and types of a dataclass, recursively, to detect model changes."""
    if dataclasses.is_dataclass(kind) and isinstance(kind, type):
        return [(name, _shape(hint)) for name, hint in typing.get_type_hints(kind).items()]
    args = typing.get_args(kind)
    return [repr(kind), *(_shape(a) for a in args)] if args else repr(kind)


def cache_path(root: Path) -> Path:
    """Where the probe cache of the episodes folder `root` lives (outside it)."""
    return cache_dir("probe", Path(root)) / CACHE_FILE


class ProbeCache:
    """A prober that remembers its answers on disk; pass it to `catalog.load`, then `save()`."""

    def __init__(
        self, root: Path, prober: Prober = audio_module.probe, path: Path | None = None
    ) -> None:
        self.root = Path(root).absolute()
        self.path = path or cache_path(self.root)
        self._prefix = str(self.root).rstrip(os.sep) + os.sep
        self.prober = prober
        self.hits = 0
        self.misses = 0
        self._old: dict[str, dict[str, Any]] | None = None  # read on first use
        self._new: dict[str, dict[str, Any]] = {}
        self._ahead: parallel.Background[tuple[tuple[int, int], Audio] | None] | None = None

    def __call__(self, path: Path) -> Audio:
        """The probe of `path`, from the cache when its size and mtime are unchanged."""
        try:
            stat: os.stat_result | None = os.stat(path)
        except OSError:
            stat = None  # the prober reports the missing file
        key = self._key(path)
        signature = (stat.st_size, stat.st_mtime_ns) if stat is not None else None
        cached = self._cached(key, path, signature)
        if cached is not None:
            self.hits += 1
            return cached
        ahead = self._ahead.result(key) if self._ahead and key in self._ahead else None
        if ahead is not None and signature is not None and ahead[0] == signature:
            # probed by `prefetch`, and the file has not changed since; the loader's spelling
            # of the path is the one the catalog shows
            audio = dataclasses.replace(ahead[1], path=path)
        else:
            audio = self.prober(path)  # AudioError propagates; failures are not cached
        self.misses += 1
        if signature is not None:
            self._new[key] = {
                "size": signature[0],
                "mtime_ns": signature[1],
                "audio": encode(audio),
            }
        return audio

    def prefetch(self, paths: list[Path], workers: int, minimum: int = PARALLEL_MINIMUM) -> None:
        """Start probing the files among `paths` the cache lacks in `workers` processes,
        while the loader reads the YAML; with fewer than `minimum` it is not worth a pool.
        Call `close()` when the load is done.

        Only successful probes are kept (with the size and mtime they were made at); a file
        that fails is probed again by the loader's call, which reports the error.
        """
        todo = []
        entries = self._entries()
        for path in paths:
            entry = entries.get(self._key(path))
            try:
                stat = os.stat(path)
            except OSError:
                continue
            if entry is None or (entry.get("size"), entry.get("mtime_ns")) != (
                stat.st_size,
                stat.st_mtime_ns,
            ):
                todo.append(path)  # an entry that fits but no longer decodes is probed later
        if workers < 2 or len(todo) < minimum or self.prober is not audio_module.probe:
            return  # a prober of the caller's own is only called by the loader
        if parallel.can_fork():
            keys = [self._key(path) for path in todo]
            self._ahead = parallel.Background(_probe_quietly, todo, keys, workers)

    def close(self) -> None:
        """Stop the workers `prefetch` started (probes not asked for are dropped)."""
        if self._ahead is not None:
            self._ahead.close()
            self._ahead = None

    def _cached(self, key: str, path: Path, signature: tuple[int, int] | None) -> Audio | None:
        """The cached probe of `path` if its entry fits the file as it is now."""
        entry = self._entries().get(key)
        if signature is None or entry is None:
            return None
        if (entry.get("size"), entry.get("mtime_ns")) != signature:
            return None
        try:
            audio = decode_audio(entry["audio"], path)
        except (StaleEntry, KeyError, TypeError, ValueError, IndexError):
            return None
        self._new[key] = entry
        return audio

    def save(self) -> None:
        """Write the cache atomically if it changed; an unwritable folder is skipped.

        Entries not asked for in this load are kept while their file exists: a reload that
        recalls unchanged episodes (see `Reloader`) does not ask for their audio.
        """
        if self._old is None:
            return  # nothing was asked for
        kept = {k: v for k, v in self._old.items() if k not in self._new and self._exists(k)}
        entries = kept | self._new
        if entries == self._old:
            return
        document = {"fingerprint": fingerprint(), "entries": entries}
        data = json.dumps(document, ensure_ascii=False, sort_keys=True).encode("utf-8")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(self.path, data)
        except OSError:
            return  # an unwritable cache directory still works, only slower
        self._old, self._new = entries, {}

    def _key(self, path: Path) -> str:
        """The path relative to the root (absolute outside it); string work, asked per file."""
        text = os.fspath(path)
        if not os.path.isabs(text):
            text = os.path.join(os.getcwd(), text)
        if text.startswith(self._prefix):
            return text[len(self._prefix) :]
        return text

    def _exists(self, key: str) -> bool:
        return (self.root / key).is_file()  # an absolute key stays absolute under `/`

    def _entries(self) -> dict[str, dict[str, Any]]:
        if self._old is None:
            self._old = self._read()
        return self._old

    def _read(self) -> dict[str, dict[str, Any]]:
        try:  # a pipe, a huge file or JSON nested past the recursion limit: start afresh
            document = json.loads(read_regular(self.path, MAX_CACHE_BYTES))
        except (OSError, ValueError, RecursionError):
            return {}
        if not isinstance(document, dict) or document.get("fingerprint") != fingerprint():
            return {}
        entries = document.get("entries")
        return entries if isinstance(entries, dict) else {}


@dataclass(frozen=True, slots=True)
class _Remembered:
    """An episode as loaded, with what it depends on and the problems it reported."""

    folder: tuple[int, int]
    files: tuple[Path, ...]
    signature: tuple[tuple[int, int], ...]
    show: Show | None
    episode: Episode
    fields: Fields  # keys and lines only (Fields.lines_only)
    problems: tuple[Problem, ...]


class Reloader:
    """Loads a catalog, then reloads it reading only the episode files that changed.

    An episode is recalled from memory while its YAML, its audio, transcript and images, and
    its folder (a new file beside it may change what it refers to) keep their size and mtime,
    and show.yaml reads the same. Everything else, duplicates included, is checked anew by
    `catalog.load`, so a reload reports exactly what a fresh load would.
    """

    def __init__(self, root: Path, prober: Prober = audio_module.probe) -> None:
        self.root = Path(root).absolute()
        self.probes = ProbeCache(self.root, prober)
        self.recalled = 0
        self.read = 0
        self._episodes: dict[Path, _Remembered] = {}
        self._folders: dict[Path, tuple[int, int] | None] = {}

    def load(self) -> Catalog:
        """The catalog as the folder is now; raises CatalogError like `catalog.load`."""
        self.recalled = self.read = 0
        self._folders = {}
        try:
            return catalog_module.load(self.root, prober=self.probes, memo=self)
        finally:
            self.probes.save()

    def recall(
        self, path: Path, show: Show | None, problems: list[Problem]
    ) -> tuple[Episode, Fields] | None:
        """The remembered episode if nothing it depends on changed (catalog.EpisodeMemo)."""
        remembered = self._episodes.get(path)
        if remembered is None or remembered.show != show:
            return None
        folder = path.parent  # shared by a season's episodes: stat it once per load
        if folder not in self._folders:
            stat = _signature((folder,))
            self._folders[folder] = stat[0] if stat else None
        if self._folders[folder] != remembered.folder:
            return None
        if _signature(remembered.files) != remembered.signature:
            return None
        self.recalled += 1
        problems.extend(remembered.problems)
        fields = remembered.fields
        return remembered.episode, Fields(fields.path, fields.line, fields.nodes, problems)

    def remember(
        self,
        path: Path,
        show: Show | None,
        loaded: tuple[Episode, Fields],
        problems: list[Problem],
    ) -> None:
        """Keep a freshly read episode for the next load (catalog.EpisodeMemo)."""
        self.read += 1
        episode, fields = loaded
        files = _dependencies(path, episode)
        signature = _signature(files)
        folder = _signature((path.parent,))
        if signature is None or folder is None:
            return
        self._episodes[path] = _Remembered(
            folder[0], files, signature, show, episode, fields, tuple(problems)
        )


def _dependencies(path: Path, episode: Episode) -> tuple[Path, ...]:
    files = [path] if episode.audio.path is None else [path, episode.audio.path]
    files += [t.path for t in episode.transcripts]
    if episode.low_bandwidth is not None and episode.low_bandwidth.path is not None:
        files.append(episode.low_bandwidth.path)
    if episode.image is not None:
        files.append(episode.image)
    files += [c.image for c in episode.chapters if isinstance(c.image, Path)]
    return tuple(files)


def _signature(files: tuple[Path, ...]) -> tuple[tuple[int, int], ...] | None:
    try:
        stats = [os.stat(f) for f in files]
    except OSError:
        return None
    return tuple((s.st_size, s.st_mtime_ns) for s in stats)


def load(
    root: Path, on_probe: Callable[[Path], None] | None = None, workers: int | None = None
) -> Catalog:
    """`catalog.load` with the audio cache; `on_probe` is called per audio file (progress).

    Files the cache lacks are probed first in `workers` processes (default: one per CPU this
    process may use), when there are enough of them to be worth it (a cold cache).
    """
    probes = ProbeCache(root)
    probes.prefetch(likely_audio(Path(root)), workers or parallel.cpus())
    prober: Prober = probes
    if on_probe is not None:

        def prober(path: Path) -> Audio:
            on_probe(path)
            return probes(path)

    try:
        return catalog_module.load(root, prober=prober)
    finally:
        probes.close()
        probes.save()  # probes made before a failure are still worth keeping


def likely_audio(root: Path) -> list[Path]:
    """The audio files beside the episode YAML files (same stem), as the loader finds them.

    A guess, for `prefetch`: an episode naming its audio with `audio:` is probed by the
    loader itself; a guessed file no episode uses is probed for nothing. Folder listings and
    string work only: on a warm cache this runs for nothing, so it must cost little.
    """
    found: list[Path] = []
    try:
        folders = sorted(root / name for name in os.listdir(root) if not name.startswith("."))
    except OSError:
        return found  # the loader reports it
    for folder in folders:
        try:
            names = sorted(os.listdir(folder))
        except OSError:  # a file, or unreadable: not an episode folder for the loader either
            continue
        stems = {n.rsplit(".", 1)[0] for n in names if n.endswith((".yaml", ".yml"))}
        found += [
            folder / name
            for name in names
            if "." in name[1:]
            and name.rsplit(".", 1)[0] in stems
            and name[name.rfind(".") :].lower() in audio_module.AUDIO_EXTENSIONS
        ]
    return found


def _probe_quietly(path: Path) -> tuple[tuple[int, int], Audio] | None:
    """(size, mtime_ns) and the probe of `path`, or None if it fails (in a worker)."""
    try:
        stat = os.stat(path)
        return (stat.st_size, stat.st_mtime_ns), audio_module.probe(path)
    except (AudioError, OSError):
        return None


# --- the codec: one cached type, written out field by field --------------------------------
# Explicit rather than generic: `Audio` is the only type cached, so twenty lines that name its
# fields are easier to check than a reflective codec, and decoding (every warm load, ~1,000
# entries) does no type inspection. A field added to the model changes `fingerprint()`, so an
# old cache is dropped rather than misread.


def encode(audio: Audio) -> dict[str, Any]:
    """A JSON-ready form of a probe (its path is the cache key, so it is left out)."""
    return {
        "size": audio.size,
        "mime": audio.mime,
        "duration": _encode_timedelta(audio.duration),
        "bitrate": audio.bitrate,
        "sample_rate": audio.sample_rate,
        "channels": audio.channels,
        "codec": audio.codec,
        "duration_exact": audio.duration_exact,
        "vbr_without_header": audio.vbr_without_header,
        "tags": [getattr(audio.tags, name) for name in _TAG_FIELDS],
        "chapters": [_encode_chapter(c) for c in audio.chapters],
    }


def decode_audio(data: Any, path: Path) -> Audio:
    """The `Audio` that `encode` wrote, for the file at `path`; StaleEntry if it does not fit."""
    if type(data) is not dict or data.keys() != _AUDIO_KEYS:
        raise StaleEntry("not a probe")
    tags = data["tags"]
    if type(tags) is not list or len(tags) != len(_TAG_FIELDS):
        raise StaleEntry("not tags")
    chapters = data["chapters"]
    if type(chapters) is not list:
        raise StaleEntry("not chapters")
    return Audio(
        path=path,
        size=_expect(int, data["size"]),
        mime=_expect(str, data["mime"]),
        duration=_decode_timedelta(data["duration"]),
        bitrate=_expect(int, data["bitrate"]),
        sample_rate=_expect(int, data["sample_rate"]),
        channels=_expect(int, data["channels"]),
        codec=_expect(str, data["codec"]),
        duration_exact=_expect(bool, data["duration_exact"]),
        vbr_without_header=_expect(bool, data["vbr_without_header"]),
        tags=Tags(*(_optional(kind, value) for kind, value in zip(_TAG_TYPES, tags, strict=True))),
        chapters=tuple(_decode_chapter(c) for c in chapters),
    )


_TAG_FIELDS = tuple(f.name for f in dataclasses.fields(Tags))
_TAG_TYPES = tuple(int if name == "track" else str for name in _TAG_FIELDS)
# The path is the cache key; a URL belongs to remote audio, which is never probed.
_AUDIO_KEYS = {f.name for f in dataclasses.fields(Audio)} - {"path", "url"}


def _encode_chapter(chapter: Chapter) -> list[Any]:
    image = {"path": str(chapter.image)} if isinstance(chapter.image, Path) else chapter.image
    start = _encode_timedelta(chapter.start)
    return [start, chapter.title, chapter.url, image, chapter.embedded_image]


def _decode_chapter(data: Any) -> Chapter:
    if type(data) is not list or len(data) != 5:
        raise StaleEntry("not a chapter")
    start, title, url, image, embedded = data
    if type(image) is dict and image.keys() == {"path"}:  # a file; a plain string is a URL
        image = Path(_expect(str, image["path"]))
    return Chapter(
        _decode_timedelta(start),
        _expect(str, title),
        _optional(str, url),
        image if isinstance(image, Path) else _optional(str, image),
        _optional(str, embedded),
    )


def _encode_timedelta(value: timedelta) -> list[int]:
    return [value.days, value.seconds, value.microseconds]  # exact: no float rounding


def _decode_timedelta(data: Any) -> timedelta:
    if not (type(data) is list and len(data) == 3 and all(type(n) is int for n in data)):
        raise StaleEntry("not a duration")
    return timedelta(days=data[0], seconds=data[1], microseconds=data[2])


def _expect(kind: type, data: Any) -> Any:
    if type(data) is not kind:  # exact: JSON's true is not 1, and 1 is not "1"
        raise StaleEntry(f"expected {kind.__name__}, found {type(data).__name__}")
    return data


def _optional(kind: type, data: Any) -> Any:
    return None if data is None else _expect(kind, data)
