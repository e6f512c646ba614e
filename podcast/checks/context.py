"""What every pre-publish rule is given, and how a rule places a finding on its YAML line."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from podcast.errors import Problem, Severity
from podcast.model import Catalog, Episode, Show

MAX_AUDIO_BYTES = 200 * 1000 * 1000  # Apple's guidance; larger files time out in apps


@dataclass(frozen=True, slots=True)
class Context:
    """What every rule may look at."""

    catalog: Catalog
    now: datetime
    max_audio_bytes: int = MAX_AUDIO_BYTES


Rule = Callable[[Context], Iterable[Problem]]


def problem(
    rule: str,
    where: Show | Episode,
    key: str | None,
    message: str,
    hint: str,
    severity: Severity = Severity.ERROR,
) -> Problem:
    """A finding at `key`'s line in the show's or episode's YAML (kept from loading)."""
    line = where.lines.get(key) if key else None
    return Problem(where.source, line, message, hint, severity, rule)
