"""Episode and season numbers, which apps sort and label episodes by."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from podcast.checks.context import Context, problem
from podcast.errors import Problem, Severity
from podcast.model import Episode, EpisodeType, ShowType, publish_order


def check_serial(context: Context) -> Iterator[Problem]:
    """Apple: in a serial show every full episode has a number."""
    if context.catalog.show.type is not ShowType.SERIAL:
        return
    for episode in context.catalog.episodes:
        if episode.number is None and episode.type is EpisodeType.FULL:
            yield problem(
                "serial-number",
                episode,
                None,
                "the show is serial but this episode has no 'episode' number",
                "add 'episode: N' (listeners of serial shows play in order)",
            )


def check_seasons(context: Context) -> Iterator[Problem]:
    """A season missing from show.yaml's `seasons:`, or a gap in the season numbers."""
    catalog = context.catalog
    first = _first_of_each_season(catalog.episodes)
    named = {info.number for info in catalog.show.seasons}
    previous = 0
    for number, episode in sorted(first.items()):
        if named and number not in named:
            yield problem(
                "season-unnamed",
                episode,
                "season",
                f"season {number} has no entry under 'seasons:' in show.yaml",
                f"add '{number}: {{title: …}}' under 'seasons:', or fix 'season'",
                Severity.WARNING,
            )
        if number > previous + 1:
            missing = (
                f"{previous + 1}" if number == previous + 2 else f"{previous + 1}–{number - 1}"
            )
            yield problem(
                "season-gap",
                episode,
                "season",
                f"season {number} follows season {previous or 'none'}: "
                f"season {missing} has no episodes",
                f"use season {previous + 1}, unless seasons are really missing",
                Severity.WARNING,
            )
        previous = number


def _first_of_each_season(episodes: Iterable[Episode]) -> dict[int, Episode]:
    first: dict[int, Episode] = {}
    for episode in sorted(episodes, key=publish_order):
        first.setdefault(episode.season, episode)
    return first


def check_numbering(context: Context) -> Iterator[Problem]:
    """Within a season, episode numbers rise with publication time."""
    highest: dict[int, Episode] = {}
    for episode in sorted(context.catalog.episodes, key=publish_order):
        if episode.number is None:
            continue
        before = highest.get(episode.season)
        if before is not None and before.number is not None and episode.number < before.number:
            yield problem(
                "number-order",
                episode,
                "episode",
                f"episode {episode.number} of season {episode.season} is published after "
                f"episode {before.number} ({before.source.name})",
                "swap the numbers or the 'published' times: apps play by number",
                Severity.WARNING,
            )
        else:
            highest[episode.season] = episode
