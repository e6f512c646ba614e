"""catalog.load on the shipped show and on broken copies of it."""

from __future__ import annotations

import dataclasses
import hashlib
import re
import shutil
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path

import pytest
import yaml

from podcast.errors import CatalogError, Problem, Severity
from podcast.model import EpisodeType, ShowType
from podcast.read.catalog import default_root, load
from podcast.read.show import apple_categories

EPISODE = """\
title: A new conversation
season: 3
episode: 9
published: 2025-06-01T06:00:00-05:00
guid: 11111111-2222-4333-8444-555555555555
summary: Plain words.
notes: Some **notes**.
"""
AUDIO = "season-1/01-why-we-call-it-an-emergency.mp3"
Writer = Callable[[str, str], Path]


def fingerprint(folder: Path) -> dict[str, str]:
    """Every file's hash, to prove loading writes nothing."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def problems_of(root: Path) -> tuple[Problem, ...]:
    before = fingerprint(root)
    with pytest.raises(CatalogError) as caught:
        load(root)
    assert fingerprint(root) == before, "loading must never write"
    return caught.value.problems


def only_error(root: Path) -> Problem:
    errors = [p for p in problems_of(root) if p.severity is Severity.ERROR]
    assert len(errors) == 1, errors
    return errors[0]


def add_episode(
    show_dir: Path, write: Writer, text: str = EPISODE, audio: str | None = AUDIO
) -> Path:
    path = write("season-3/09-new.yaml", text)
    if audio:
        shutil.copy(show_dir / audio, show_dir / "season-3/09-new.mp3")
    return path


def test_shipped_show_loads() -> None:
    catalog = load(default_root())
    show = catalog.show
    assert show.title == "Off the Charts: Examining the Health Equity Emergency"
    assert show.type is ShowType.EPISODIC and show.explicit is False
    assert [str(c) for c in show.categories] == ["Health & Fitness > Medicine", "Society & Culture"]
    assert {e.season for e in catalog.episodes} == {1, 2, 3}
    assert all(sum(e.season == n for e in catalog.episodes) >= 2 for n in (1, 2, 3))
    assert {e.audio.mime for e in catalog.episodes} >= {"audio/mpeg", "audio/x-m4a"}
    assert not catalog.warnings, catalog.warnings
    assert any(e.type is EpisodeType.TRAILER for e in catalog.episodes)


def test_episodes_are_newest_first_with_exact_sizes() -> None:
    catalog = load(default_root())
    dates = [e.published for e in catalog.episodes]
    assert dates == sorted(dates, reverse=True)
    for episode in catalog.episodes:
        assert episode.audio.size == episode.audio.path.stat().st_size
        assert episode.audio.duration > timedelta(seconds=5)


def test_a_new_episode_is_read(show_dir: Path, write: Writer) -> None:
    add_episode(show_dir, write)
    episode = load(show_dir).find("s3-09-new")
    assert episode is not None
    assert (episode.title, episode.season, episode.number) == ("A new conversation", 3, 9)
    assert episode.published == datetime(2025, 6, 1, 11, tzinfo=UTC)
    assert episode.explicit is None and episode.type is EpisodeType.FULL


def test_future_episode_is_a_draft(show_dir: Path, write: Writer) -> None:
    add_episode(show_dir, write, EPISODE.replace("2025-06-01", "2099-06-01"))
    catalog = load(show_dir)
    now = datetime(2026, 11, 1, tzinfo=UTC)
    assert "s3-09-new" not in {e.slug for e in catalog.visible(now)}
    assert "s3-09-new" in {e.slug for e in catalog.visible(now, drafts=True)}
    assert [e.slug for e in catalog.drafts(now)] == ["s3-09-new"]


def test_yaml_syntax_error_names_file_and_line(show_dir: Path, write: Writer) -> None:
    path = add_episode(
        show_dir, write, EPISODE.replace("summary: Plain words.", "summary: [unclosed")
    )
    problem = only_error(show_dir)
    assert problem.path == path and problem.line is not None and problem.line >= 6
    assert "YAML syntax error" in problem.message and problem.hint


def test_missing_required_key(show_dir: Path, write: Writer) -> None:
    path = add_episode(show_dir, write, EPISODE.replace("title: A new conversation\n", ""))
    problem = only_error(show_dir)
    assert (problem.path, problem.line) == (path, 1)
    assert "missing required key 'title'" in problem.message


def test_wrong_type_names_the_key_line(show_dir: Path, write: Writer) -> None:
    path = add_episode(show_dir, write, EPISODE.replace("episode: 9", "episode: nine"))
    problem = only_error(show_dir)
    assert (problem.path, problem.line) == (path, 3)
    assert "'episode' should be a whole number" in problem.message


def test_unknown_key_is_a_warning_with_a_suggestion(show_dir: Path, write: Writer) -> None:
    path = add_episode(show_dir, write, EPISODE + "sumary: typo\n")
    warnings = load(show_dir).warnings
    assert [(w.path, w.line) for w in warnings] == [(path, 8)]
    assert "unknown key 'sumary'" in warnings[0].message and "summary" in warnings[0].hint


def test_naive_datetime_is_an_error(show_dir: Path, write: Writer) -> None:
    path = add_episode(show_dir, write, EPISODE.replace("T06:00:00-05:00", "T06:00:00"))
    problem = only_error(show_dir)
    assert (problem.path, problem.line) == (path, 4)
    assert "no time zone" in problem.message


def test_date_without_time_is_an_error_in_a_show_without_a_zone(
    show_dir: Path, write: Writer
) -> None:
    # with `timezone:` in show.yaml a bare date is the release hour there (tests/read/test_when.py)
    show_yaml = show_dir / "show.yaml"
    show_yaml.write_text(show_yaml.read_text().replace("timezone: America/Chicago\n", ""))
    add_episode(show_dir, write, EPISODE.replace("T06:00:00-05:00", ""))
    assert "no time and zone" in only_error(show_dir).message


def test_impossible_date_is_an_error(show_dir: Path, write: Writer) -> None:
    add_episode(show_dir, write, EPISODE.replace("2025-06-01", "2025-02-30"))
    problem = only_error(show_dir)
    assert problem.line == 4 and "published" in problem.message


def test_duplicate_guid(show_dir: Path, write: Writer) -> None:
    existing = load(show_dir).episodes[0]
    add_episode(
        show_dir, write, EPISODE.replace("11111111-2222-4333-8444-555555555555", existing.guid)
    )
    problem = only_error(show_dir)
    assert "duplicate guid" in problem.message and str(existing.source) in problem.message
    assert problem.line == 5


@pytest.mark.parametrize(
    ("guid_line", "message"),
    [
        (None, "missing required key 'guid'"),
        ('guid: ""', "'guid' is empty"),
        ("guid: [a, b]", "'guid' should be text"),
        ("guid: 2024-13-45", "'guid' has an impossible value"),
    ],
)
def test_a_missing_or_unusable_guid_comes_with_a_fresh_uuid_to_paste(
    show_dir: Path, write: Writer, guid_line: str | None, message: str
) -> None:
    line = "guid: 11111111-2222-4333-8444-555555555555"
    add_episode(
        show_dir, write, EPISODE.replace(line + "\n", "" if guid_line is None else guid_line + "\n")
    )
    problem = only_error(show_dir)
    assert message in problem.message
    pasted = re.fullmatch(r"add 'guid: ([0-9a-f-]{36})' and never change it", problem.hint)
    assert pasted is not None and uuid.UUID(pasted.group(1)).version == 4


def test_duplicate_season_and_number(show_dir: Path, write: Writer) -> None:
    add_episode(show_dir, write, EPISODE.replace("episode: 9", "episode: 1"))
    problem = only_error(show_dir)
    assert "duplicate season and episode number" in problem.message and problem.line == 3


def test_missing_audio(show_dir: Path, write: Writer) -> None:
    path = add_episode(show_dir, write, audio=None)
    problem = only_error(show_dir)
    assert problem.path == path and "no audio file found" in problem.message
    assert "09-new.mp3" in problem.hint


def test_audio_key_pointing_nowhere(show_dir: Path, write: Writer) -> None:
    path = add_episode(show_dir, write, EPISODE + "audio: gone.mp3\n", audio=None)
    problem = only_error(show_dir)
    assert (problem.path, problem.line) == (path, 8) and "does not exist" in problem.message


@pytest.mark.parametrize("fixture", ["not-audio.mp3", "truncated.mp3", "empty.mp3"])
def test_corrupt_or_non_audio_file(
    show_dir: Path, write: Writer, data_dir: Path, fixture: str
) -> None:
    add_episode(show_dir, write, audio=None)
    shutil.copy(data_dir / fixture, show_dir / "season-3/09-new.mp3")
    problem = only_error(show_dir)
    assert problem.path == show_dir / "season-3/09-new.mp3"
    assert problem.hint


def test_audio_outside_the_folder_is_refused(show_dir: Path, write: Writer) -> None:
    add_episode(show_dir, write, EPISODE + "audio: ../../etc/passwd\n", audio=None)
    assert "outside the episodes folder" in only_error(show_dir).message


def test_missing_artwork(show_dir: Path) -> None:
    (show_dir / "artwork.jpg").unlink()
    problem = only_error(show_dir)
    assert problem.path == show_dir / "show.yaml" and "artwork" in problem.message


def test_unknown_category_suggests_the_right_one(show_dir: Path) -> None:
    show = show_dir / "show.yaml"
    show.write_text(show.read_text().replace("Society & Culture", "Society and Culture"))
    problem = only_error(show_dir)
    assert "not an Apple Podcasts category" in problem.message
    assert "Society & Culture" in problem.hint


def test_every_problem_is_collected_before_failing(show_dir: Path, write: Writer) -> None:
    (show_dir / "artwork.jpg").unlink()
    add_episode(show_dir, write, EPISODE.replace("episode: 9", "episode: nine"))
    write("season-2/bad.yaml", "title: [")
    paths = {p.path.name for p in problems_of(show_dir) if p.path}
    assert {"show.yaml", "09-new.yaml", "bad.yaml"} <= paths


def test_missing_show_yaml(show_dir: Path) -> None:
    (show_dir / "show.yaml").unlink()
    assert "show.yaml is missing" in only_error(show_dir).message


def test_problem_renders_as_path_line_message_hint(show_dir: Path, write: Writer) -> None:
    add_episode(show_dir, write, EPISODE.replace("episode: 9", "episode: nine"))
    text = str(only_error(show_dir))
    assert text.startswith(f"{show_dir / 'season-3/09-new.yaml'}:3: error: ")
    assert "(hint: " in text


def test_each_key_keeps_its_line_without_changing_equality() -> None:
    catalog = load(default_root())
    episode = catalog.episodes[-1]
    text = episode.source.read_text("utf-8").splitlines()
    for key, line in episode.lines.items():
        assert text[line - 1].startswith(f"{key}:"), (key, line)
    assert set(episode.lines) >= {"title", "guid", "published"}
    show_lines = catalog.show.source.read_text("utf-8").splitlines()
    assert show_lines[catalog.show.lines["owner"] - 1].startswith("owner:")
    assert episode == dataclasses.replace(episode, lines={}) and hash(episode) == hash(
        dataclasses.replace(episode, lines={})
    )


def test_apple_categories_read_as_pyyamls_own_safe_loader_reads_them() -> None:
    # The list is parsed with libyaml's loader where PyYAML has it: it must give what the
    # pure-Python safe loader gives, all 19 categories with their subcategories.
    text = resources.files("podcast").joinpath("data/apple-categories.yaml").read_text("utf-8")
    expected = {name: tuple(subs or ()) for name, subs in yaml.safe_load(text).items()}
    assert apple_categories() == expected
    assert len(expected) == 19 and "Medicine" in expected["Health & Fitness"]
