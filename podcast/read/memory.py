"""What earlier loads read, kept so the next load skips every episode whose files did not change.

An episode is recalled while its YAML reads the same (compared by content: an edit within the
file system's timestamp granularity still counts), the files it uses (audio, transcripts,
images) keep their size and mtime, its folder's listing is unchanged (a new file beside it may
change what it refers to) and the show reads the same. It comes back with the problems loading
it reported, so a recalled load reports exactly what a fresh one would; what spans episodes
(duplicates) is checked anew by `catalog.load` every time.

The memory lives in the process (a server reloading) and in the user's cache directory
(`files.cache_dir("episodes", root)`, never in the episodes folder): a warm `podcast check`
reads one file instead of a thousand YAML files. A missing, corrupt or stale file is ignored
and rebuilt, never an error; reading it runs no code (JSON, `read.codec`).

The file is JSON lines: the fingerprint, then one episode a line, as what it was read from
(JSON), a tab (which JSON never holds unescaped) and the episode itself (JSON). The episode's
part is kept as those bytes until it is recalled, and written back as they are: parsed
whole, the file of 5,000 episodes was 35 MB of dictionaries at once, most of a warm load's
peak memory, and an unchanged episode cost the save its encoding again.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import io
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import mutagen
import yaml

from podcast.errors import Problem
from podcast.files import cache_dir, read_regular, write_atomic
from podcast.model import Episode, Show
from podcast.read import codec
from podcast.read.yamlfile import MAX_BYTES, Fields, digest, lines_only_fields

CACHE_FILE = "episodes-v2.jsonl"
OLD_FILES = ("episodes-v1.json",)  # earlier forms of the file, removed when it is written
MAX_CACHE_BYTES = 512 * 2**20  # a catalog of about 50,000 episodes with long notes
Stamp = tuple[int, int]  # size, mtime_ns


@cache
def fingerprint() -> str:
    """Changes whenever loading could read a file differently: the read stage's code, the model,
    the errors, PyYAML and mutagen."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent
    for source in sorted([*package.glob("*.py"), package.parent / "model.py"]):
        digest.update(source.read_bytes())
    digest.update((package.parent / "errors.py").read_bytes())
    digest.update(f"{yaml.__version__} {mutagen.version_string}".encode())
    return digest.hexdigest()[:16]


def dependencies(episode: Episode) -> tuple[Path, ...]:
    """Every file an episode was read from besides its YAML: a change to one is a change to it."""
    files = [] if episode.audio.path is None else [episode.audio.path]
    files += [t.path for t in episode.transcripts]
    if episode.low_bandwidth is not None and episode.low_bandwidth.path is not None:
        files.append(episode.low_bandwidth.path)
    if episode.image is not None:
        files.append(episode.image)
    files += [c.image for c in episode.chapters if isinstance(c.image, Path)]
    return tuple(files)


@dataclass(slots=True)
class _Remembered:
    """An episode as loaded: what it was read from, and its JSON form (decoded when recalled)."""

    text: str  # the YAML's digest
    folder: Stamp
    files: tuple[str, ...]  # what it was read from besides the YAML
    stamps: tuple[Stamp, ...]
    show: str  # the show's digest
    data: bytes  # the episode, its lines and problems: JSON of what `read.codec` writes
    decoded: tuple[Episode, int, dict[str, int], tuple[Problem, ...]] | None = None
    fresh: bool = False  # read by a worker for this load (`adopt`): its recall counts as a read


class EpisodeMemory:
    """A `catalog.EpisodeMemo`: recalls unchanged episodes, remembers freshly read ones."""

    def __init__(self, root: Path, persist: bool = True) -> None:
        self.root = Path(root).absolute()
        self.path = cache_dir("episodes", self.root) / CACHE_FILE if persist else None
        self.recalled = 0
        self.read = 0
        self._episodes: dict[str, _Remembered] | None = None if persist else {}
        self._seen: set[str] = set()
        self._changed = False
        self._folders: dict[Path, Stamp | None] = {}
        self._shows: dict[int, str] = {}

    def start(self) -> None:
        """Begin a load: folder listings and the show are looked at afresh."""
        self.recalled = self.read = 0
        self._folders, self._shows, self._seen = {}, {}, set()

    def recall(
        self, path: Path, show: Show | None, problems: list[Problem]
    ) -> tuple[Episode, Fields] | None:
        """The remembered episode if nothing it was read from changed."""
        self._seen.add(str(path))
        remembered = self._memory().get(str(path))
        if remembered is None or remembered.show != self._show_digest(show):
            return None
        if self._folder(path.parent) != remembered.folder:
            return None
        if _stamps(remembered.files) != remembered.stamps or _digest(path) != remembered.text:
            return None
        try:
            episode, line, keys, found = self._decoded(remembered)
        except (codec.StaleEntry, KeyError, TypeError, ValueError):
            return None  # written by other code, or by hand: read the files
        if remembered.fresh:
            remembered.fresh = False
            self.read += 1
        else:
            self.recalled += 1
        problems.extend(found)
        return episode, lines_only_fields(path, line, keys, problems)

    def remember(
        self, path: Path, show: Show | None, loaded: tuple[Episode, Fields], problems: list[Problem]
    ) -> None:
        """Keep a freshly read episode for the next load."""
        self.read += 1
        self._seen.add(str(path))
        episode, fields = loaded
        files = tuple(map(str, dependencies(episode)))
        stamps, folder, text = _stamps(files), self._folder(path.parent), fields.digest
        memory = self._memory()
        if stamps is None or folder is None or not text:
            memory.pop(str(path), None)
            return
        keys = {key: line for key, (_, line) in fields.nodes.items()}
        data = {
            "episode": codec.encode_episode(episode, self.root),
            "line": fields.line,
            "keys": keys,
            "problems": [codec.encode_problem(p, self.root) for p in problems],
        }
        decoded = (episode, fields.line, keys, tuple(problems))
        show_digest = self._show_digest(show)
        encoded = _ENCODER.encode(data).encode()
        memory[str(path)] = _Remembered(text, folder, files, stamps, show_digest, encoded, decoded)
        self._changed = True

    def remembers(self, path: Path) -> bool:
        """Whether anything of `path` is remembered, changed since or not."""
        return str(path) in self._memory()

    def export(self, path: Path) -> bytes | None:
        """What is remembered of `path`, as the cache file's line for it: for a worker to hand
        to the process that `adopt`s it. None if it was not remembered."""
        remembered = self._memory().get(str(path))
        return None if remembered is None else self._line(str(path), remembered)

    def adopt(self, entry: bytes) -> bool:
        """Take an episode another process read and `export`ed; `recall` then checks that its
        files are unchanged, as for one read from the cache file. False if it does not parse."""
        parsed = self._parsed(entry)
        if parsed is None:
            return False
        parsed[1].fresh = True
        self._memory()[parsed[0]] = parsed[1]
        self._changed = True
        return True

    def save(self) -> None:
        """Forget episodes this load did not meet, and write the memory if it changed; a cache
        that cannot be written only costs the next load its speed."""
        memory = self._memory()
        for path in [p for p in memory if p not in self._seen]:
            del memory[path]
            self._changed = True
        if self.path is None or not self._changed:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(self.path, self._document(memory))
        except OSError:
            return
        self._changed = False
        for old in OLD_FILES:
            with contextlib.suppress(OSError):
                (self.path.parent / old).unlink(missing_ok=True)

    def _document(self, memory: dict[str, _Remembered]) -> Iterator[bytes]:
        """The cache file, a line at a time (made whole first, it raised a load's peak memory
        by 15 MiB at 5,000 episodes)."""
        yield _ENCODER.encode({"fingerprint": fingerprint()}).encode() + b"\n"
        for path, remembered in memory.items():
            yield self._line(path, remembered) + b"\n"

    def _memory(self) -> dict[str, _Remembered]:
        if self._episodes is None:
            self._episodes = self._read()
        return self._episodes

    def _folder(self, folder: Path) -> Stamp | None:
        """A folder's stamp, taken once per load: a season's episodes share it."""
        if folder not in self._folders:
            found = _stamps((folder,))
            self._folders[folder] = found[0] if found else None
        return self._folders[folder]

    def _show_digest(self, show: Show | None) -> str:
        """The show as loading the episodes used it (its repr names every field), its files
        named from the folder, as the episodes' are."""
        if id(show) not in self._shows:
            spelled: Show | None = show
            if show is not None:
                files = {
                    f.name: codec.encode_path(value, self.root)
                    for f in dataclasses.fields(show)
                    if isinstance(value := getattr(show, f.name), Path)
                }
                spelled = dataclasses.replace(show, **files)  # type: ignore[arg-type]
            self._shows[id(show)] = hashlib.sha256(repr(spelled).encode()).hexdigest()
        return self._shows[id(show)]

    def _line(self, path: str, remembered: _Remembered) -> bytes:
        """The cache file's line for an episode (without its end): what it was read from, a
        tab, the episode."""
        r = remembered
        facts = {
            "path": os.path.relpath(path, self.root),
            "text": r.text,
            "folder": list(r.folder),
            # named from the folder, as the codec names the episode's paths: the memory reads
            # the same under any spelling of the folder (its real path keys the cache)
            "files": [
                [codec.encode_path(Path(f), self.root), *s]
                for f, s in zip(r.files, r.stamps, strict=True)
            ],
            "show": r.show,
        }
        return _ENCODER.encode(facts).encode() + b"\t" + r.data

    def _decoded(
        self, remembered: _Remembered
    ) -> tuple[Episode, int, dict[str, int], tuple[Problem, ...]]:
        """The episode, its lines and problems: decoded on the first recall, then kept."""
        if remembered.decoded is None:
            try:
                data, root = json.loads(remembered.data), self.root
            except RecursionError:
                raise codec.StaleEntry("nested too deep") from None
            keys = data["keys"]
            if not (isinstance(keys, dict) and all(type(v) is int for v in keys.values())):
                raise codec.StaleEntry("not key lines")
            remembered.decoded = (
                codec.decode_episode(data["episode"], root),
                int(data["line"]),
                keys,
                tuple(codec.decode_problem(p, root) for p in data["problems"]),
            )
        return remembered.decoded

    def _read(self) -> dict[str, _Remembered]:
        """The cache file's episodes; none when it is missing, unreadable or another code's."""
        if self.path is None:
            return {}
        try:
            content = read_regular(self.path, MAX_CACHE_BYTES)
            lines = io.BytesIO(content)  # a line at a time: no list of copies of them all
            header = json.loads(lines.readline())
        except (OSError, ValueError, RecursionError):
            return {}
        if len(content) > MAX_CACHE_BYTES or not isinstance(header, dict):
            return {}
        if header.get("fingerprint") != fingerprint():
            return {}
        return dict(filter(None, map(self._parsed, lines)))

    def _parsed(self, line: bytes) -> tuple[str, _Remembered] | None:
        """A line of the cache file as (its YAML's path, what is remembered); None where it
        is not one. The episode's part is kept unparsed, until it is recalled."""
        facts, tab, data = line.rstrip(b"\n").partition(b"\t")
        try:
            entry = json.loads(facts)
            if not tab or not data:
                return None
            return os.path.join(self.root, entry["path"]), _Remembered(
                str(entry["text"]),
                (int(entry["folder"][0]), int(entry["folder"][1])),
                tuple(str(codec.decode_path(f, self.root)) for f, _, _ in entry["files"]),
                tuple((int(size), int(mtime)) for _, size, mtime in entry["files"]),
                str(entry["show"]),
                data,
            )
        except (codec.StaleEntry, KeyError, TypeError, ValueError, IndexError, RecursionError):
            return None


_ENCODER = json.JSONEncoder(ensure_ascii=False)  # never a raw newline or tab: they are escaped


def _stamps(files: tuple[str | Path, ...]) -> tuple[Stamp, ...] | None:
    try:
        stats = [os.stat(f) for f in files]
    except OSError:
        return None
    return tuple((s.st_size, s.st_mtime_ns) for s in stats)


def _digest(path: Path) -> str | None:
    """The YAML's content digest; None when it cannot be read (the loader says why)."""
    try:
        return digest(read_regular(path, MAX_BYTES))
    except OSError:
        return None
