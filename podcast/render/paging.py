"""Pages that do not grow with the catalog: the home page's newest episodes, seasons in pages."""

from __future__ import annotations

from dataclasses import dataclass

from podcast.model import Episode, Season

HOME_EPISODES = 10  # the newest episodes the home page lists below the latest one
SEASON_PAGE = 50  # episodes on each page of a season, newest first


@dataclass(frozen=True, slots=True)
class SeasonPage:
    """One page of a season's episodes: page 1 is the newest."""

    season: Season
    number: int
    count: int  # how many pages the season has
    episodes: tuple[Episode, ...]

    @property
    def newer(self) -> int | None:
        """The page of newer episodes, if any."""
        return self.number - 1 if self.number > 1 else None

    @property
    def older(self) -> int | None:
        """The page of older episodes, if any."""
        return self.number + 1 if self.number < self.count else None


def page_count(season: Season, size: int = SEASON_PAGE) -> int:
    """How many pages the season's episodes fill (at least one)."""
    return max(1, -(-len(season.episodes) // size))


def season_page(season: Season, number: int, size: int = SEASON_PAGE) -> SeasonPage | None:
    """Page `number` of the season, or None past its last page."""
    count = page_count(season, size)
    if not 1 <= number <= count:
        return None
    start = (number - 1) * size
    return SeasonPage(season, number, count, season.episodes[start : start + size])
