"""`podcast release`: a draft becomes scheduled or live, by one edited line in its YAML."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from podcast.errors import PodcastError
from podcast.model import Episode, Status
from podcast.publish.schedule import Clock, show_clock
from podcast.publish.yamledit import Change, edit_keys
from podcast.read import loader
from podcast.read.select import pick


class ReleaseError(PodcastError):
    """`podcast release` refused; nothing was changed."""


@dataclass(frozen=True, slots=True)
class Released:
    """What `release` did to one episode."""

    episode: Episode
    status: Status
    published: datetime
    clock: Clock
    changed: bool


def release(root: Path, name: str, at: str | None = None, now: datetime | None = None) -> Released:
    """Release the episode `name` (slug, YAML path or SEASON/NUMBER) now or `at` WHEN."""
    now = now or datetime.now(UTC)
    catalog = loader.load(root)
    episode, clock = pick(catalog, name), show_clock(root)
    moment = _moment(episode, clock, at, now)
    changes: dict[str, Change] = {"draft": None} if episode.draft else {}
    if moment != episode.published:
        changes["published"] = moment.isoformat()
    if changes:
        edit_keys(episode.source, changes, after="season")
    status = Status.SCHEDULED if moment > now else Status.LIVE
    return Released(episode, status, moment, clock, bool(changes))


def _moment(episode: Episode, clock: Clock, at: str | None, now: datetime) -> datetime:
    """When it goes out: `at`; else its `published` time if still ahead; else now."""
    if not episode.draft and episode.published <= now:
        if at is None:
            return episode.published  # already live: nothing to do
        raise ReleaseError(
            f"{episode.slug} has been live since {clock.shown(episode.published)}; moving it "
            "would make apps drop it from listeners' libraries; nothing was changed"
        )
    if at is not None:
        return clock.parse(at, now)
    if episode.published > now:
        return episode.published
    return now.astimezone(clock.zone).replace(microsecond=0)
