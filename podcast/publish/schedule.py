"""The show's clock for the commands that write: what WHEN means, and the line saying the status."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, tzinfo
from pathlib import Path

from podcast.model import Status
from podcast.read import when
from podcast.read.show import SHOW_FILE
from podcast.read.yamlfile import read_mapping


@dataclass(frozen=True, slots=True)
class Clock:
    """The show's zone (show.yaml's, else this machine's) and the hour a bare date means."""

    zone: tzinfo
    hour: time = when.DEFAULT_RELEASE_HOUR

    def parse(self, text: str, now: datetime | None = None) -> datetime:
        """WHEN from the command line: `now`, a bare date, or ISO 8601 with a zone."""
        return when.parse_when(text, self.zone, self.hour, now)

    def now(self) -> datetime:
        """This second in the show's zone, as it is written into a YAML file."""
        return datetime.now(UTC).astimezone(self.zone).replace(microsecond=0)

    def shown(self, moment: datetime) -> str:
        """`2026-11-20 06:00 CST (America/Chicago)`."""
        return when.shown(moment, self.zone)


def show_clock(root: Path) -> Clock:
    """The clock of the show in `root`; show.yaml's own problems are left to `podcast check`."""
    fields = read_mapping(Path(root) / SHOW_FILE, [])  # a bad zone falls back to the machine's
    if fields is None:
        return Clock(when.local_zone())
    return Clock(when.show_zone(fields) or when.local_zone(), when.show_release_hour(fields))


def status_line(status: Status, published: datetime, clock: Clock, slug: str) -> str:
    """The one plain line `add` and `release` end with."""
    if status is Status.DRAFT:
        return f"Draft: not public until `podcast release {slug}`"
    if status is Status.SCHEDULED:
        return f"Scheduled for {clock.shown(published)}"
    return "Live now"
