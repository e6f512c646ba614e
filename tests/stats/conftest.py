"""Fixtures for the stats tests: the shipped show plus a 90-second episode."""

from __future__ import annotations

from pathlib import Path

import pytest

from podcast.read.catalog import load
from podcast.stats.targets import Target, targets
from stats.logs import LONG_PATH, silent_mp3


@pytest.fixture
def long_show(show_dir: Path) -> Path:
    """The shipped show plus a 90-second episode (season 4), so the one-minute rule bites."""
    silent_mp3(show_dir / LONG_PATH, 90)
    (show_dir / "season-4/01-a-long-talk.yaml").write_text(
        "title: A long talk\nseason: 4\nepisode: 1\npublished: 2026-03-01T06:00:00Z\n"
        "guid: 0a1b2c3d-0000-4000-8000-000000000001\nsummary: Ninety seconds.\n",
        encoding="utf-8",
    )
    return show_dir


@pytest.fixture
def long_target(long_show: Path) -> Target:
    """The long episode as the count sees it (size, header, threshold)."""
    return next(t for t in targets(load(long_show)) if t.suffix == "/" + LONG_PATH)
