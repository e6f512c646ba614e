"""Line edits of a producer's YAML: one value changed, one line added or removed, nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from podcast.publish.yamledit import EditError, edit_keys

TEXT = """\
# Producer's notes: keep this comment
title: 'Trust, again'   # quoted by hand
season: 3
published: 2026-11-20T06:00:00-06:00  # moved twice already
draft: true  # not yet
notes: |
  Line one: with a colon.
  Line two.
"""


@pytest.fixture
def episode(tmp_path: Path) -> Path:
    path = tmp_path / "01-trust.yaml"
    path.write_text(TEXT, "utf-8")
    return path


def test_a_value_changes_and_its_comment_stays(episode: Path) -> None:
    edit_keys(episode, {"published": "2026-12-01T06:00:00-06:00"})
    assert episode.read_text() == TEXT.replace(
        "2026-11-20T06:00:00-06:00  # moved twice already",
        "2026-12-01T06:00:00-06:00  # moved twice already",
    )


def test_a_key_loses_its_line(episode: Path) -> None:
    edit_keys(episode, {"draft": None})
    assert episode.read_text() == TEXT.replace("draft: true  # not yet\n", "")


def test_a_missing_key_gets_one_line_after_the_named_one(episode: Path) -> None:
    edit_keys(episode, {"episode": "4"}, after="season")
    assert episode.read_text() == TEXT.replace("season: 3\n", "season: 3\nepisode: 4\n")
    edit_keys(episode, {"explicit": "false"})  # no `after`: at the end
    assert episode.read_text().endswith("  Line two.\nexplicit: false\n")
    assert yaml.safe_load(episode.read_text())["notes"] == "Line one: with a colon.\nLine two.\n"


def test_two_changes_at_once(episode: Path) -> None:
    edit_keys(episode, {"draft": None, "published": "2027-01-01T06:00:00-06:00"})
    data = yaml.safe_load(episode.read_text())
    assert "draft" not in data and data["published"].year == 2027
    assert episode.read_text().startswith("# Producer's notes: keep this comment\n")


def test_a_value_over_several_lines_is_refused_and_nothing_written(episode: Path) -> None:
    with pytest.raises(EditError, match=r"01-trust.yaml:6: 'notes' spans several lines"):
        edit_keys(episode, {"notes": '""'})
    assert episode.read_text() == TEXT


def test_a_broken_file_is_refused_with_its_line(episode: Path) -> None:
    episode.write_text(TEXT + "title: twice\n")
    with pytest.raises(EditError, match="duplicate key 'title'"):
        edit_keys(episode, {"draft": None})
    assert "draft: true" in episode.read_text()
