"""A disk cache of audio probes keyed by (path, size, mtime_ns): unchanged files are never reopened.

Probing with mutagen dominates a cold load (0.4–0.9 ms a file, against ~5 µs for a stat).
`ProbeCache` is the prober `read.loader` gives `catalog.load`: it answers from
`audio-v2.json` in the user's cache directory (`files.cache_dir("probe", root)`, never inside
the episodes folder, which is the producer's) when a file's size and mtime are unchanged,
probes otherwise, and `save()` writes the cache atomically. The cache is JSON (never pickle:
reading it must not run code), written by the explicit codec in `read.codec`. A missing,
corrupt or stale cache is ignored and rebuilt, never an error.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import typing
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import mutagen

from podcast.errors import AudioError
from podcast.files import cache_dir, read_cache, write_atomic
from podcast.model import Audio
from podcast.read import audio as audio_module
from podcast.read import codec, mpeg, parallel

CACHE_FILE = "audio-v2.json"
PARALLEL_MINIMUM = 64  # files to probe before a process pool pays for its start (~20 ms)
MAX_CACHE_BYTES = 256 * 2**20  # about 50,000 episodes; a larger file is not ours
Prober = Callable[[Path], Audio]


@cache
def fingerprint() -> str:
    """Changes whenever a cached probe could differ: the probe's code, the model, mutagen."""
    digest = hashlib.sha256()
    for module in (audio_module, mpeg, codec):
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
                "audio": codec.encode_audio(audio),
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
        if workers < 1 or len(todo) < minimum or self.prober is not audio_module.probe:
            return  # a prober of the caller's own is only called by the loader
        if parallel.can_fork():
            keys = [self._key(path) for path in todo]
            self._ahead = parallel.Background(_probe_quietly, todo, keys, workers)

    def take_new(self) -> dict[str, dict[str, Any]]:
        """The probes made since the last call, in the cache file's form, forgotten here: a
        worker's, for the process that `adopt`s them and saves the cache."""
        made, self._new = self._new, {}
        return made

    def adopt(self, made: dict[str, dict[str, Any]]) -> None:
        """Keep probes another process made (`take_new`), to be saved with this one's."""
        known = self._entries()  # `save` keeps the entries of the file as it was besides these
        self.misses += sum(1 for key, entry in made.items() if known.get(key) != entry)
        self._new.update(made)

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
            audio = codec.decode_audio(entry["audio"], path)
        except (codec.StaleEntry, KeyError, TypeError, ValueError, IndexError):
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
        document = read_cache(self.path, MAX_CACHE_BYTES, fingerprint())
        entries = document.get("entries")
        return entries if isinstance(entries, dict) else {}


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
