"""Which episode a producer means on the command line: a slug, a YAML path or SEASON/NUMBER."""

from __future__ import annotations

import difflib
import re
from pathlib import Path

from podcast.errors import PodcastError
from podcast.model import Catalog, Episode

SEASON_NUMBER = re.compile(r"^\s*(\d{1,6})\s*/\s*(\d{1,6})\s*$")
HOW = "name it by its slug, its YAML file or SEASON/NUMBER (`podcast list` shows them)"


class UnknownEpisode(PodcastError):
    """EPISODE names none of the catalog's episodes; the message lists the closest."""

    def __init__(self, text: str, root: Path, close: list[str]) -> None:
        nearest = f"; closest: {', '.join(close)}" if close else ""
        super().__init__(f"no episode '{text}' in {root}{nearest}; {HOW}")
        self.text = text
        self.close = close


def pick(catalog: Catalog, text: str) -> Episode:
    """The episode `text` names (slug, YAML path, or SEASON/NUMBER), else UnknownEpisode."""
    found = by_season_number(catalog, text) or catalog.find(text.strip()) or by_path(catalog, text)
    if found is None:
        raise UnknownEpisode(text, catalog.root, closest(catalog, text))
    return found


def by_season_number(catalog: Catalog, text: str) -> Episode | None:
    """The episode numbered `2/5` (season 2, episode 5), if `text` has that form."""
    match = SEASON_NUMBER.match(text)
    if match is None:
        return None
    season, number = int(match.group(1)), int(match.group(2))
    return next(
        (e for e in catalog.episodes if (e.season, e.number) == (season, number)),
        None,
    )


def by_path(catalog: Catalog, text: str) -> Episode | None:
    """The episode whose YAML file `text` is, relative to the working folder or the root."""
    if not text.strip().endswith((".yaml", ".yml")):
        return None
    wanted = {_real(Path(text)), _real(catalog.root / text)}
    return next((e for e in catalog.episodes if _real(e.source) in wanted), None)


def closest(catalog: Catalog, text: str, count: int = 3) -> list[str]:
    """Up to `count` names of episodes that look like `text` (slug, file stem, title, S/N)."""
    names: dict[str, str] = {}  # a spelling a producer might use → the slug it stands for
    for episode in sorted(catalog.episodes, key=lambda e: e.slug):
        for spelling in _spellings(episode):
            names.setdefault(spelling.lower(), episode.slug)
    wanted = Path(text.strip()).stem if text.strip().endswith((".yaml", ".yml")) else text
    matches = difflib.get_close_matches(wanted.strip().lower(), list(names), n=count * 3)
    labelled = [_label(catalog, names[m]) for m in matches]
    return list(dict.fromkeys(labelled))[:count]


def _spellings(episode: Episode) -> list[str]:
    numbered = [f"{episode.season}/{episode.number}"] if episode.number else []
    return [episode.slug, episode.source.stem, episode.title, *numbered]


def _label(catalog: Catalog, slug: str) -> str:
    episode = catalog.find(slug)
    if episode is None or episode.number is None:
        return slug
    return f"{slug} ({episode.season}/{episode.number})"


def _real(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path.absolute()
