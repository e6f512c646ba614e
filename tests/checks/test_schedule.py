"""Episodes not out yet are listed, with when each goes live."""

from __future__ import annotations

from pathlib import Path

from support.checking import add_episode, episode_yaml, rules, run

from podcast.errors import Severity


def test_drafts_are_listed_with_their_time(show_dir: Path, data_dir: Path) -> None:
    add_episode(
        show_dir,
        data_dir,
        "cbr.mp3",
        episode_yaml().replace("2022-03-01T06:00:00-06:00", "2026-12-01T06:00:00-06:00"),
    )
    (problem,) = rules(run(show_dir))["schedule"]
    assert problem.severity is Severity.INFO and "2026-12-01 06:00:00-06:00" in problem.message
    assert problem.line == 4
