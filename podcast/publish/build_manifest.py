"""What the last build of an output folder made each file from, kept in the user's cache.

For every URL: the hash of its inputs (`fingerprints`), the links found in it (so a rebuild
can follow them without rendering it), and the size, mtime and inode its file had when the
build finished. A file is reused only while all three still hold, so a folder edited, replaced
or swapped by hand (or a manifest left behind by a build killed after its swap) is rendered
again rather than trusted. The manifest lives outside the folder, so the export holds exactly
what the app serves. With it, `sources` may record the build's inputs as a whole (the episodes
folder's stamps taken before loading it, the code, the schedule), so an unchanged show can be
recognised without loading it.
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

    def holds(self, file: Path | str) -> bool:
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
        data = _read(out)
        return {path: Entry(e[0], tuple(e[1]), *e[2:5]) for path, e in data["urls"].items()}
    except (OSError, ValueError, TypeError, KeyError, IndexError, AttributeError):
        return {}


def load_sources(out: Path) -> tuple[dict[str, Any], list[tuple[str, Entry]]] | None:
    """What the build in `out` was made from as a whole, and its files (below `out`, entry)."""
    try:
        data = _read(out)
        urls = data["urls"].values()
        files = [(e[5], Entry(e[0], (), e[2], e[3], e[4])) for e in urls if e[5]]  # no links
        sources = data["sources"]
        return (sources, files) if isinstance(sources, dict) else None
    except (OSError, ValueError, TypeError, KeyError, IndexError, AttributeError):
        return None


def _read(out: Path) -> dict[str, Any]:
    data = json.loads(location(out).read_bytes())
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("out") != str(out):
        raise ValueError("not this version's manifest of this folder")
    return data


def save(
    out: Path,
    entries: dict[str, tuple[str, tuple[str, ...], str]],
    sources: dict[str, Any] | None = None,
) -> None:
    """Record `entries` (URL → fingerprint, links, file below `out` or "") and file stamps."""
    urls: dict[str, list[Any]] = {}
    for path, (fingerprint, links, relative) in sorted(entries.items()):
        if not relative:  # no file (a route that needs a query): nothing to stamp
            urls[path] = [fingerprint, list(links), -1, -1, -1, ""]
            continue
        stat = os.stat(os.path.join(out, relative), follow_symlinks=False)
        urls[path] = [fingerprint, list(links), stat.st_size, stat.st_ino, stat.st_mtime_ns]
        urls[path].append(relative)
    data = {"format": FORMAT, "out": str(out), "urls": urls, "sources": sources}
    body = json.dumps(data, separators=(",", ":"))
    target = location(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(target, body.encode())


def forget(out: Path) -> None:
    """Drop the manifest (before a swap, so a killed build never leaves one that lies)."""
    location(out).unlink(missing_ok=True)
