"""Other versions of an episode beside its YAML: `01-topic.es.vtt`, `01-topic.low.mp3`.

A file named STEM.TAG.EXT next to `STEM.yaml` is a variant of that episode: a transcript in
the language TAG names (a BCP 47 tag), or, with the tag `low`, the low-data audio.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

LOW_BANDWIDTH = "low"  # `01-topic.low.mp3`: the small spoken-word copy of the audio


def tagged(yaml_path: Path) -> tuple[tuple[str, Path], ...]:
    """(TAG, path) of each STEM.TAG.EXT file beside `yaml_path`, sorted by name."""
    folder = yaml_path.parent
    try:
        listing = _listing(folder)
    except OSError:
        return ()
    return tuple((tag, folder / name) for tag, name in listing.get(yaml_path.stem, ()))


def forget() -> None:
    """Drop the folder listings: they are only valid for one load (the loader calls this)."""
    _listing.cache_clear()


@cache
def _listing(folder: Path) -> dict[str, tuple[tuple[str, str], ...]]:
    """The folder's STEM.TAG.EXT names by STEM, listed once per load like `catalog._siblings`."""
    by_stem: dict[str, list[tuple[str, str]]] = {}
    for name in sorted(os.listdir(folder)):
        parts = name.rsplit(".", 2)  # a stem may hold dots; the tag and extension cannot
        if len(parts) == 3 and parts[0] and parts[1] and not name.startswith("."):
            by_stem.setdefault(parts[0], []).append((parts[1], name))
    return {stem: tuple(names) for stem, names in by_stem.items()}
