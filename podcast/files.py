"""Files read and written safely: never half-written (temp file, then rename), never a
blocking pipe or an endless device where a file was expected."""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import Any


def sibling(path: Path, tag: str) -> Path:
    """A fresh hidden name beside `path` for a temporary file or folder."""
    return path.with_name(f".{path.name}.{tag}-{secrets.token_hex(6)}")


def write_atomic(path: Path, data: bytes | Iterable[bytes], exclusive: bool = False) -> None:
    """Write `data` to `path` via a temporary file beside it and a rename.

    `data` may come in pieces (an iterable of bytes): a large file is then never whole in
    memory. With `exclusive`, refuse (FileExistsError) when `path` already exists: the final
    step is then a hard link, which, unlike a rename, never replaces a file.
    """
    temp = sibling(path, "tmp")
    try:
        with temp.open("xb") as handle:  # not mkstemp: its 0600 mode would stick to the file
            if isinstance(data, bytes):
                handle.write(data)
            else:
                handle.writelines(data)
            handle.flush()
            os.fsync(handle.fileno())
        if exclusive:
            os.link(temp, path)
        else:
            os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)


def fresh_dir(path: Path, tag: str) -> Path:
    """Create and return a new, empty, hidden folder beside `path` (with the usual mode)."""
    while True:
        candidate = sibling(path, tag)
        try:
            candidate.mkdir()
        except FileExistsError:
            continue
        return candidate


class NotARegularFile(OSError):
    """A folder, pipe or device stands where a file was expected."""


def read_regular(path: Path, limit: int) -> bytes:
    """At most `limit` + 1 bytes of a regular file; NotARegularFile for anything else.

    O_NONBLOCK because opening a FIFO would otherwise wait forever for a writer. The first
    read asks for the size the file has (a read of `limit` bytes allocates that much first:
    a megabyte for every few-KB YAML file cost a cold load of 5,000 episodes a second); a
    file that grew since is read on, still to the limit.
    """
    with open(os.open(path, os.O_RDONLY | os.O_NONBLOCK), "rb") as stream:
        status = os.fstat(stream.fileno())
        if not stat.S_ISREG(status.st_mode):
            raise NotARegularFile(f"{path} is not a regular file")
        data = stream.read(min(status.st_size, limit) + 1)
        if len(data) == status.st_size + 1 and len(data) <= limit:
            data += stream.read(limit + 1 - len(data))  # it grew: bounded, whatever it claims
        return data


def read_cache(path: Path, limit: int, fingerprint: str | None = None) -> dict[str, Any]:
    """A JSON cache document, or {} when it is missing, not a regular file, larger than
    `limit`, not a JSON object, nested past the recursion limit, or (given `fingerprint`)
    written by other code: a cache that cannot be used is rebuilt, never an error."""
    try:
        document = json.loads(read_regular(path, limit))
    except (OSError, ValueError, RecursionError):
        return {}
    if not isinstance(document, dict):
        return {}
    if fingerprint is not None and document.get("fingerprint") != fingerprint:
        return {}
    return document


class FileFacts:
    """What was learned about files (a loudness, an image's size), kept in a JSON cache file
    and trusted while each file's size and mtime are those it had: a later run skips the
    work, and a changed file is looked at again. `save` writes only when something was put."""

    def __init__(self, path: Path, limit: int) -> None:
        self.path = path
        self.entries = read_cache(path, limit)
        self.changed = False

    def get(self, file: Path) -> dict[str, Any] | None:
        """The facts put for `file` as it is now, else None."""
        entry = self.entries.get(str(file))
        key = _stat_key(file)
        if not isinstance(entry, dict) or key is None or entry.get("key") != key:
            return None
        return entry

    def put(self, file: Path, facts: dict[str, Any]) -> None:
        """Remember `facts` (JSON values) about `file` as it is now."""
        key = _stat_key(file)
        if key is not None:
            self.entries[str(file)] = {**facts, "key": key}
            self.changed = True

    def save(self) -> None:
        """Write the cache atomically if anything was put; a cache that cannot be written
        only costs the next run its speed."""
        if not self.changed:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(self.path, json.dumps(self.entries, allow_nan=True).encode())
        except OSError:
            pass


def _stat_key(path: Path) -> list[int] | None:
    try:
        status = os.stat(path)
    except OSError:
        return None
    return [status.st_size, status.st_mtime_ns]


_PACKAGE = Path(__file__).resolve().parent


def package_file(name: str) -> Path:
    """A data file inside the installed package, e.g. "data/apple-categories.yaml".

    A path beside this module rather than importlib.resources: that import and its readers
    (zipfile among them) were 15-20 ms of every `podcast check`, for a file read once.
    """
    return _PACKAGE / name


def shipped_dir(name: str) -> Path:
    """`name` in the installed package (templates, sample show), else beside it in a checkout."""
    installed = _PACKAGE / name  # pyproject maps the repo's top-level folders here in a wheel
    return installed if installed.is_dir() else _PACKAGE.parent / name


def cache_dir(kind: str, key: Path | str) -> Path:
    """A folder in the user's cache directory (XDG_CACHE_HOME) for `kind` ("probe", "deploy", …).

    `key` is what the cache belongs to: an episodes folder (keyed by its real path, so two
    spellings of one folder share a cache) or any string such as a deploy target. Nothing is
    created here: callers make the folder when they first write, so reading never writes.
    """
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    text = str(Path(key).resolve()) if isinstance(key, Path) else key
    name = hashlib.sha256(text.encode()).hexdigest()[:16]
    return base / "offthecharts-publisher" / kind / name
