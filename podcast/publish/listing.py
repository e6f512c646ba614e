"""`podcast list`: every episode with its status, date in the show's zone and problem count."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from podcast.checks.audit import audit
from podcast.errors import Problem, Severity
from podcast.model import Catalog, Episode, Status
from podcast.publish.schedule import show_clock
from podcast.read import loader
from podcast.read.when import zone_name


@dataclass(frozen=True, slots=True)
class Row:
    """One episode as `podcast list` shows it."""

    slug: str
    season: int
    number: int | None
    title: str
    status: Status
    published: datetime  # in the show's zone
    duration: timedelta
    problems: int  # errors and warnings `podcast check` reports in its files


@dataclass(frozen=True, slots=True)
class Listing:
    """The rows, in season and number order, and the zone their dates are in."""

    rows: tuple[Row, ...]
    zone: str


def listing(root: Path, now: datetime | None = None) -> Listing:
    """Every episode of the show in `root`, draft or not."""
    now = now or datetime.now(UTC)
    catalog, clock = loader.load(root), show_clock(root)
    counts = _problem_counts(catalog, audit(catalog, now))
    ordered = sorted(catalog.episodes, key=lambda e: (e.season, e.number or 0, e.published))
    rows = tuple(
        Row(
            e.slug,
            e.season,
            e.number,
            e.title,
            e.status(now),
            e.published.astimezone(clock.zone),
            e.audio.duration,
            counts[e.slug],
        )
        for e in ordered
    )
    return Listing(rows, zone_name(clock.zone))


def _problem_counts(catalog: Catalog, problems: list[Problem]) -> Counter[str]:
    """Errors and warnings per episode slug, matched by the file each problem names."""
    owner = {path: e.slug for e in catalog.episodes for path in _files(e)}
    return Counter(
        owner[p.path]
        for p in problems
        if p.severity is not Severity.INFO and p.path is not None and p.path in owner
    )


def _files(episode: Episode) -> list[Path]:
    paths = [episode.source] + ([episode.audio.path] if episode.audio.path else [])
    paths += [episode.transcript.path] if episode.transcript else []
    paths += [episode.image] if episode.image else []
    return paths
