"""Write files so a reader (or a crash) never sees half of one: temp file, then rename."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def sibling(path: Path, tag: str) -> Path:
    """A fresh hidden name beside `path` for a temporary file or folder."""
    return path.with_name(f".{path.name}.{tag}-{secrets.token_hex(6)}")


def write_atomic(path: Path, data: bytes, exclusive: bool = False) -> None:
    """Write `data` to `path` via a temporary file beside it and a rename.

    With `exclusive`, refuse (FileExistsError) when `path` already exists: the final
    step is then a hard link, which, unlike a rename, never replaces a file.
    """
    temp = sibling(path, "tmp")
    try:
        with temp.open("xb") as handle:  # not mkstemp: its 0600 mode would stick to the file
            handle.write(data)
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
