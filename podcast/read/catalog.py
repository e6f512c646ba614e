"""Load an episodes folder into a Catalog: every episode read, then checked for duplicates.

SHOW_FILE, SEASON_DIR, LANGUAGE and apple_categories live in read.show and read.paths; they are
re-exported here for callers that name them `catalog.X`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from podcast.errors import CatalogError, Problem, Severity
from podcast.files import shipped_dir
from podcast.model import Catalog, Episode, Show, newest_first
from podcast.read import variants
from podcast.read.audio import probe
from podcast.read.episode import Prober, load_episode
from podcast.read.paths import SEASON_DIR as SEASON_DIR
from podcast.read.paths import file_id, forget_listings
from podcast.read.show import LANGUAGE as LANGUAGE
from podcast.read.show import SHOW_FILE as SHOW_FILE
from podcast.read.show import apple_categories as apple_categories
from podcast.read.show import load_show
from podcast.read.yamlfile import Fields


def default_root() -> Path:
    """The show shipped with the package (the repo's episodes/ folder)."""
    return shipped_dir("episodes")


class EpisodeMemo(Protocol):
    """Remembers loaded episodes, so a reload skips files that did not change (read.memory)."""

    def recall(
        self, path: Path, show: Show | None, problems: list[Problem]
    ) -> tuple[Episode, Fields] | None:
        """The episode loaded earlier from `path`, if none of its files changed since."""

    def remember(
        self, path: Path, show: Show | None, loaded: tuple[Episode, Fields], problems: list[Problem]
    ) -> None:
        """Keep what loading `path` gave, with the problems it reported."""


def load(
    root: Path,
    prober: Prober = probe,
    memo: EpisodeMemo | None = None,
    files: list[Path] | None = None,
) -> Catalog:
    """Read show.yaml and every episode under `root` (`files`, if the caller listed them just
    before with `episode_files`); raise CatalogError listing every error."""
    root = Path(root).absolute()
    forget_listings()  # folder listings and real paths are only valid for one load
    variants.forget()
    problems: list[Problem] = []
    show = load_show(root, problems)
    files = episode_files(root) if files is None else files
    loaded = [_episode(p, root, show, problems, prober, memo) for p in files]
    found = [pair for pair in loaded if pair is not None]
    _check_unique(found, problems)
    episodes = [episode for episode, _ in found]
    warnings = tuple(p for p in problems if p.severity is Severity.WARNING)
    if show is None or any(p.severity is Severity.ERROR for p in problems):
        partial = None if show is None else Catalog(root, show, newest_first(episodes), warnings)
        raise CatalogError(problems, partial)  # every error, and what loaded despite them
    return Catalog(root=root, show=show, episodes=newest_first(episodes), warnings=warnings)


def episode_files(root: Path) -> list[Path]:
    """Episode YAML files: `*.yaml` in the folders directly under root (hidden ones skipped)."""
    if not root.is_dir():
        return []
    return sorted(
        p
        for folder in root.iterdir()
        if folder.is_dir() and not folder.name.startswith(".")
        for p in folder.iterdir()
        if p.suffix in (".yaml", ".yml") and not p.name.startswith(".")
    )


def _episode(
    path: Path,
    root: Path,
    show: Show | None,
    problems: list[Problem],
    prober: Prober,
    memo: EpisodeMemo | None,
) -> tuple[Episode, Fields] | None:
    """One episode: from `memo` when its files are unchanged, else read and remembered."""
    if memo is None:
        loaded = load_episode(path, root, show, problems, prober)
        return None if loaded is None else (loaded[0], loaded[1].lines_only())
    recalled = memo.recall(path, show, problems)
    if recalled is not None:
        return recalled
    before = len(problems)
    loaded = load_episode(path, root, show, problems, prober)
    if loaded is not None:
        loaded = (loaded[0], loaded[1].lines_only())
        memo.remember(path, show, loaded, problems[before:])
    return loaded


def _check_unique(found: list[tuple[Episode, Fields]], problems: list[Problem]) -> None:
    """Guids, (season, number), slugs and audio files must each belong to one episode."""
    keys: list[tuple[str, str | None, Callable[[Episode], object], str]] = [
        (
            "guid",
            "guid",
            lambda e: e.guid,
            "give each episode its own guid; never change a published one",
        ),
        (
            "season and episode number",
            "episode",
            lambda e: (e.season, e.number) if e.number else None,
            "renumber one of them",
        ),
        (
            "audio file",
            "audio",
            lambda e: file_id(e.audio.path) if e.audio.path else e.audio.url,
            "give each episode its own audio",
        ),
        ("page address", None, lambda e: e.slug, "rename one of the files"),
    ]
    in_order = sorted(found, key=lambda pair: str(pair[0].source))
    for what, field_name, key, hint in keys:
        seen: dict[object, Episode] = {}
        for episode, fields in in_order:
            value = key(episode)
            if value is None:
                continue
            if value in seen:
                fields.error(
                    field_name, f"duplicate {what}: also used by {seen[value].source}", hint
                )
            else:
                seen[value] = episode
