"""What a build tells its caller: the report of what it wrote, or the error that stopped it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from podcast.errors import PodcastError


class ExportError(PodcastError):
    """A build that could not complete; OUT was left as it was."""


@dataclass
class Report:
    """What a build wrote."""

    out: Path
    files: int = 0
    bytes: int = 0
    paths: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)  # the files new or changed since last time
    rendered: int = 0  # URLs made this time (the rest were the last build's, inputs unchanged)
    unchanged: bool = False  # True when OUT was left as it was
    warnings: int | None = None  # the checked show's warnings; None: found up to date unloaded
