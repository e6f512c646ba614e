"""Titles and descriptions: their length, numbers and the show's name in titles, a missing one."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from support.checking import EPISODE, add_episode, edit, episode_yaml, rules, run

from podcast.errors import Severity

Write = Callable[[str, str], Path]


@pytest.mark.parametrize(
    "title",
    [
        "Episode 12: Access",
        "Ep. 3 Access",
        "S2E4 Access",
        "Season 2 finale",
        "12 - Access",
        "#3: Access",
    ],
)
def test_titles_with_numbers(show_dir: Path, title: str) -> None:
    edit(show_dir / f"{EPISODE}.yaml", "title: Why we call it an emergency", f"title: '{title}'")
    assert "title-number" in rules(run(show_dir))


@pytest.mark.parametrize("title", ["5 ways to listen", "2024 in review", "Why we call it home"])
def test_titles_that_only_look_numbered(show_dir: Path, title: str) -> None:
    edit(show_dir / f"{EPISODE}.yaml", "title: Why we call it an emergency", f"title: {title}")
    assert "title-number" not in rules(run(show_dir))


def test_titles_with_the_show_name(show_dir: Path) -> None:
    edit(
        show_dir / f"{EPISODE}.yaml",
        "title: Why we call it an emergency",
        "title: 'Off the Charts: why we call it an emergency'",
    )
    (problem,) = rules(run(show_dir))["title-show-name"]
    assert problem.severity is Severity.WARNING


def test_titles_over_255_characters(show_dir: Path) -> None:
    edit(show_dir / f"{EPISODE}.yaml", "title: Why we call it an emergency", "title: " + "a" * 256)
    (problem,) = rules(run(show_dir))["title-length"]
    assert problem.severity is Severity.ERROR and "256 characters" in problem.message


def test_descriptions_over_4000_bytes(show_dir: Path) -> None:
    long_summary = "é" * 2001  # 4002 bytes in UTF-8, 2001 characters
    edit(
        show_dir / f"{EPISODE}.yaml",
        "summary: The hosts explain why they treat health equity as an emergency that calls "
        "for action now.",
        f"summary: {long_summary}",
    )
    (problem,) = rules(run(show_dir))["description-length"]
    assert "4002 bytes" in problem.message and problem.line == 7


def test_an_episode_without_summary_or_notes(show_dir: Path, data_dir: Path, write: Write) -> None:
    add_episode(show_dir, data_dir, "cbr.mp3", episode_yaml().replace("summary: A summary.\n", ""))
    (problem,) = rules(run(show_dir))["description-missing"]
    assert problem.path.name == "09-extra.yaml"
