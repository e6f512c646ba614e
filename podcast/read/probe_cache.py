"""A disk cache of audio probes keyed by (path, size, mtime_ns): unchanged files are never reopened.

Probing with mutagen dominates a cold load (0.4–0.9 ms a file, against ~5 µs for a stat).
`ProbeCache` is a prober for `catalog.load`: it answers from `episodes/.cache/audio-v1.json`
when a file's size and mtime are unchanged, probes otherwise, and `save()` writes the cache
atomically. The cache is JSON (never pickle: the episodes folder is content, and reading it
must not run code). A missing, corrupt or stale cache is ignored and rebuilt, never an error.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum
from functools import cache
from pathlib import Path
from typing import Any

import mutagen

from podcast.errors import Problem
from podcast.files import read_regular, write_atomic
from podcast.model import Audio, Catalog, Episode, Show
from podcast.read import audio as audio_module
from podcast.read import catalog as catalog_module
from podcast.read.yamlfile import Fields

CACHE_DIR = ".cache"  # hidden, so the loader never takes it for a season folder
CACHE_FILE = "audio-v1.json"
MAX_CACHE_BYTES = 256 * 2**20  # about 50,000 episodes; a larger file is not ours
Prober = Callable[[Path], Audio]


class StaleEntry(Exception):
    """A cached value that no longer fits the model; it is probed again."""


@cache
def fingerprint() -> str:
    """Changes whenever a cached probe could differ: the probe's code, the model, mutagen."""
    digest = hashlib.sha256(Path(audio_module.__file__).read_bytes())
    digest.update(mutagen.version_string.encode())
    digest.update(repr(_shape(Audio)).encode())
    return digest.hexdigest()[:16]


def _shape(kind: Any) -> Any:
    """The field names and types of a dataclass, recursively, to detect model changes."""
    if dataclasses.is_dataclass(kind) and isinstance(kind, type):
        return [(name, _shape(hint)) for name, hint in _hints(kind).items()]
    args = typing.get_args(kind)
    return [repr(kind), *(_shape(a) for a in args)] if args else repr(kind)


@cache
def _hints(kind: type) -> dict[str, Any]:
    return typing.get_type_hints(kind)


class ProbeCache:
    """A prober that remembers its answers on disk; pass it to `catalog.load`, then `save()`."""

    def __init__(
        self, root: Path, prober: Prober = audio_module.probe, path: Path | None = None
    ) -> None:
        self.root = Path(root).absolute()
        self.path = path or self.root / CACHE_DIR / CACHE_FILE
        self.prober = prober
        self.hits = 0
        self.misses = 0
        self._old: dict[str, dict[str, Any]] | None = None  # read on first use
        self._new: dict[str, dict[str, Any]] = {}

    def __call__(self, path: Path) -> Audio:
        """The probe of `path`, from the cache when its size and mtime are unchanged."""
        try:
            stat: os.stat_result | None = os.stat(path)
        except OSError:
            stat = None  # the prober reports the missing file
        key = self._key(path)
        entry = self._entries().get(key)
        if (
            stat is not None
            and entry is not None
            and (entry.get("size"), entry.get("mtime_ns")) == (stat.st_size, stat.st_mtime_ns)
        ):
            try:
                audio = decode_audio(entry["audio"], path)
            except (StaleEntry, KeyError, TypeError, ValueError):
                pass
            else:
                self.hits += 1
                self._new[key] = entry
                return audio
        self.misses += 1
        audio = self.prober(path)  # AudioError propagates; failures are not cached
        if stat is not None:
            self._new[key] = {
                "size": stat.st_size,
                "mtime_ns": stat.st_mtime_ns,
                "audio": encode(audio),
            }
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
            return  # a read-only install still works, only slower
        self._old, self._new = entries, {}

    def _key(self, path: Path) -> str:
        absolute = Path(path).absolute()
        if absolute.is_relative_to(self.root):
            return absolute.relative_to(self.root).as_posix()
        return str(absolute)

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
            if self.root.resolve() != catalog_module.default_root().resolve():
                self.probes.save()  # never into the package's own sample show

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
    if episode.transcript is not None:
        files.append(episode.transcript.path)
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


def load(root: Path, on_probe: Callable[[Path], None] | None = None) -> Catalog:
    """`catalog.load` with the audio cache; `on_probe` is called per audio file (progress)."""
    probes = ProbeCache(root)
    prober: Prober = probes
    if on_probe is not None:

        def prober(path: Path) -> Audio:
            on_probe(path)
            return probes(path)

    try:
        return catalog_module.load(root, prober=prober)
    finally:
        # Probes made before a failure are still worth keeping; but never write into the
        # package's own sample show (an installed package is not ours to change).
        if Path(root).resolve() != catalog_module.default_root().resolve():
            probes.save()


# --- encoding the model's dataclasses as JSON, exactly --------------------------------------


def encode(value: Any) -> Any:
    """A JSON-ready form of a model value (dataclasses, timedeltas, paths, enums, tuples)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        encoded = {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
        if isinstance(value, Audio):
            del encoded["path"]  # the cache key says where the file is
        return encoded
    if isinstance(value, timedelta):  # exact: no float rounding of microseconds
        return [value.days, value.seconds, value.microseconds]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Path):  # tagged: a field may be `str | Path`
        return {"path": str(value)}
    if isinstance(value, tuple | list):
        return [encode(item) for item in value]
    if value is None or isinstance(value, str | int | float):
        return value
    raise TypeError(f"cannot cache a {type(value).__name__}")


def decode_audio(data: Any, path: Path) -> Audio:
    """The `Audio` that `encode` wrote, for the file at `path`; StaleEntry if it does not fit."""
    if not isinstance(data, dict):
        raise StaleEntry("not a mapping")
    return typing.cast(Audio, decode(Audio, {**data, "path": {"path": str(path)}}))


def decode(hint: Any, data: Any) -> Any:
    """Rebuild a value of type `hint` from `encode`'s output; StaleEntry if the shape differs."""
    return decoder(hint)(data)


Decoder = Callable[[Any], Any]


@cache
def decoder(hint: Any) -> Decoder:
    """A function that decodes values of type `hint`, built once per type."""
    # A load decodes ~30 values per episode: inspect the type here, not for every value.
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return _union_decoder(typing.get_args(hint))
    if origin is tuple:
        return _tuple_decoder(typing.get_args(hint))
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return _dataclass_decoder(hint)
    if hint is timedelta:
        return _timedelta
    if hint is Path:
        return _path
    if isinstance(hint, type) and issubclass(hint, Enum):
        return hint
    if hint in (str, int, bool):
        return lambda data: _expect(hint, data)
    if hint is float:
        return lambda data: float(data) if type(data) is int else _expect(float, data)
    raise StaleEntry(f"no decoder for {hint}")


def _timedelta(data: Any) -> timedelta:
    if not (type(data) is list and len(data) == 3 and all(type(n) is int for n in data)):
        raise StaleEntry("not a duration")
    return timedelta(days=data[0], seconds=data[1], microseconds=data[2])


def _path(data: Any) -> Path:
    if not (type(data) is dict and data.keys() == {"path"}):
        raise StaleEntry("not a path")
    return Path(_expect(str, data["path"]))


def _union_decoder(options: tuple[Any, ...]) -> Decoder:
    """The first option that fits; `encode` keeps them apart (a Path is {"path": …})."""
    optional = type(None) in options
    decoders = [decoder(o) for o in options if o is not type(None)]

    def decode_union(data: Any) -> Any:
        if data is None and optional:
            return None
        for option in decoders:
            try:
                return option(data)
            except StaleEntry:
                continue
        raise StaleEntry(f"fits none of {options}")

    return decode_union


def _expect(kind: type, data: Any) -> Any:
    if type(data) is not kind:  # exact: JSON's true is not 1, and 1 is not "1"
        raise StaleEntry(f"expected {kind.__name__}, found {type(data).__name__}")
    return data


def _tuple_decoder(args: tuple[Any, ...]) -> Decoder:
    if len(args) == 2 and args[1] is Ellipsis:
        item = decoder(args[0])

        def decode_items(data: Any) -> tuple[Any, ...]:
            if type(data) is not list:
                raise StaleEntry("not a list")
            return tuple(item(value) for value in data)

        return decode_items
    items = [decoder(a) for a in args]

    def decode_fixed(data: Any) -> tuple[Any, ...]:
        if type(data) is not list or len(data) != len(items):
            raise StaleEntry("not a list of the right length")
        return tuple(item(value) for item, value in zip(items, data, strict=True))

    return decode_fixed


def _dataclass_decoder(kind: type) -> Decoder:
    fields = [(name, decoder(hint)) for name, hint in _hints(kind).items()]
    names = {name for name, _ in fields}

    def decode_dataclass(data: Any) -> Any:
        if type(data) is not dict or data.keys() != names:
            raise StaleEntry(f"fields of {kind.__name__} changed")
        return kind(**{name: field(data[name]) for name, field in fields})

    return decode_dataclass
