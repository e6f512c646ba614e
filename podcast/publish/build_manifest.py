"""What the last build of an output folder made each file from, kept in the user's cache.

For every URL: the hash of its inputs (`fingerprints`), the links found in it (so a rebuild
can follow them without rendering it), and the size, mtime and inode its file had when the
build finished. A file is reused only while all three still hold, so a folder edited, replaced
or swapped by hand (or a manifest left behind by a build killed after its swap) is rendered
again rather than trusted. The manifest lives outside the folder, so the export holds exactly
what the app serves.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from podcast.files import cache_dir, write_atomic

FORMAT = 1
FILE = "manifest.json"


@dataclass(frozen=True, slots=True)
class Entry:
    """One URL as the last build made it."""

    fingerprint: str
    links: tuple[str, ...]
    size: int = -1
    inode: int = -1
    mtime_ns: int = -1

    def holds(self, file: Path) -> bool:
        """True if `file` is still the very file this entry describes."""
        try:
            stat = os.stat(file, follow_symlinks=False)
        except OSError:
            return False
        return (stat.st_size, stat.st_ino, stat.st_mtime_ns) == (
            self.size,
            self.inode,
            self.mtime_ns,
        )


def location(out: Path) -> Path:
    """Where the manifest of the build in `out` is kept."""
    return cache_dir("build", out) / FILE


def load(out: Path) -> dict[str, Entry]:
    """The manifest of the build in `out`, or nothing (first build, unreadable, other format)."""
    try:
        data = json.loads(location(out).read_bytes())
        if data.get("format") != FORMAT or data.get("out") != str(out):
            return {}
        return {path: Entry(e[0], tuple(e[1]), *e[2:5]) for path, e in data["urls"].items()}
    except (OSError, ValueError, TypeError, KeyError, IndexError, AttributeError):
        return {}


def save(out: Path, entries: dict[str, tuple[str, tuple[str, ...], str]]) -> None:
    """Record `entries` (URL → fingerprint, links, file below `out` or "") and file stamps."""
    urls: dict[str, list[Any]] = {}
    for path, (fingerprint, links, relative) in sorted(entries.items()):
        if not relative:  # no file (a route that needs a query): nothing to stamp
            urls[path] = [fingerprint, list(links)]
            continue
        stat = os.stat(out / relative, follow_symlinks=False)
        urls[path] = [fingerprint, list(links), stat.st_size, stat.st_ino, stat.st_mtime_ns]
    body = json.dumps({"format": FORMAT, "out": str(out), "urls": urls}, separators=(",", ":"))
    target = location(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(target, body.encode())


def forget(out: Path) -> None:
    """Drop the manifest (before a swap, so a killed build never leaves one that lies)."""
    location(out).unlink(missing_ok=True)
