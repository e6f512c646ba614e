"""`podcast remove`: take an episode out of the feed and site, losing nothing.

Its files move to `episodes/.removed/<slug>/` at their old paths below the episodes folder,
beside a `removed.yaml` record of its guid (for `check --against`). The record is written
first and the YAML moved next, so the episode leaves the show in one rename; a file another
episode also uses stays where it is.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import yaml

from podcast.errors import PodcastError
from podcast.files import write_atomic
from podcast.model import Catalog, Episode
from podcast.read import loader
from podcast.read.removed import RECORD, REMOVED_DIR
from podcast.read.select import pick


class RemoveError(PodcastError):
    """`podcast remove` could not move a file; what moved is named."""


@dataclass(frozen=True, slots=True)
class Removal:
    """What `remove` moved, and where to."""

    episode: Episode
    folder: Path
    moved: tuple[Path, ...]  # old paths
    kept: tuple[Path, ...]  # files another episode still uses


def remove(root: Path, name: str, now: datetime | None = None) -> Removal:
    """Move the episode `name` (slug, YAML path or SEASON/NUMBER) out of the show."""
    catalog = loader.load(root)
    episode = pick(catalog, name)
    own, kept = _files(catalog, episode)
    folder = _fresh_folder(catalog.root / REMOVED_DIR, episode.slug)
    record = {
        "guid": episode.guid,
        "title": episode.title,
        "slug": episode.slug,
        "removed": (now or datetime.now(UTC)).replace(microsecond=0).isoformat(),
        "files": [p.relative_to(catalog.root).as_posix() for p in own],
    }
    text = "# Removed with `podcast remove`; move the files back to restore it.\n"
    write_atomic(folder / RECORD, (text + yaml.safe_dump(record, sort_keys=False)).encode())
    for path in own:  # the YAML first: from then on the episode is out of the show
        _move(path, folder / path.relative_to(catalog.root))
    return Removal(episode, folder, own, kept)


def _files(catalog: Catalog, episode: Episode) -> tuple[tuple[Path, ...], tuple[Path, ...]]:
    """(its own files, YAML first; files that other episodes use too), inside the root."""
    others = {p for e in catalog.episodes if e is not episode for p in _referenced(e)}
    mine = [p for p in dict.fromkeys(_referenced(episode)) if p.is_relative_to(catalog.root)]
    return (
        tuple(p for p in mine if p not in others),
        tuple(p for p in mine if p in others),
    )


def _referenced(episode: Episode) -> list[Path]:
    """The episode's YAML, audio, transcript, image and chapter images, as absolute paths."""
    paths = [episode.source] + ([episode.audio.path] if episode.audio.path else [])
    paths += [episode.transcript.path] if episode.transcript else []
    paths += [episode.image] if episode.image else []
    paths += [c.image for c in episode.chapters if isinstance(c.image, Path)]
    return [Path(os.path.abspath(p)) for p in paths]


def _fresh_folder(base: Path, slug: str) -> Path:
    """`.removed/<slug>`, or `<slug>-2`, … when that episode was removed before."""
    base.mkdir(exist_ok=True)
    for count in range(1, 10_000):
        folder = base / (slug if count == 1 else f"{slug}-{count}")
        try:
            folder.mkdir()
        except FileExistsError:
            continue
        return folder
    raise RemoveError(f"{base} holds too many removals of {slug}; clear some out")


def _move(path: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.rename(path, target)  # same file system: one step, nothing copied
    except OSError as exc:
        raise RemoveError(
            f"could not move {path} to {target} ({exc.strerror}); the files listed in "
            f"{target.parent} moved already; move them back to undo"
        ) from exc
