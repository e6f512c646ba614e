"""One time zone: show.yaml's `timezone:` and `release_hour:`, and what a bare date means."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import UTC, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from podcast.errors import CatalogError
from podcast.model import Catalog, Status
from podcast.read import catalog
from podcast.read.when import WhenError, examples, parse_when, shown

CHICAGO = ZoneInfo("America/Chicago")
NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
EPISODE = (
    "title: A new one\nseason: 3\nepisode: 3\npublished: {published}\n"
    "guid: 5b0d7c9e-55a4-4f1e-9d7e-2f0c1d6b9a31\nsummary: A summary.\n{extra}"
)


@pytest.fixture
def new_episode(show_dir: Path, data_dir: Path) -> Callable[..., Catalog]:
    """Write season-3/03-new.yaml with its audio and load the show."""

    def _write(published: str, extra: str = "") -> Catalog:
        shutil.copyfile(data_dir / "cbr.mp3", show_dir / "season-3" / "03-new.mp3")
        text = EPISODE.format(published=published, extra=extra)
        (show_dir / "season-3" / "03-new.yaml").write_text(text, "utf-8")
        return catalog.load(show_dir)

    return _write


def test_the_shipped_show_is_on_central_time(show_dir: Path) -> None:
    show = catalog.load(show_dir).show
    assert show.timezone == CHICAGO and show.release_hour == time(6, 0)


@pytest.mark.parametrize("published", ["2026-11-20", "'2026-11-20'"])
def test_a_bare_date_in_yaml_is_6am_central(
    new_episode: Callable[..., Catalog], published: str
) -> None:
    episode = new_episode(published).find("s3-03-new")
    assert episode is not None
    assert episode.published == datetime(2026, 11, 20, 6, 0, tzinfo=CHICAGO)
    assert episode.published.utcoffset() is not None
    assert episode.published.astimezone(UTC) == datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def test_summer_dates_follow_daylight_time(new_episode: Callable[..., Catalog]) -> None:
    episode = new_episode("2026-07-01").find("s3-03-new")
    assert episode is not None
    assert episode.published.astimezone(UTC) == datetime(2026, 7, 1, 11, 0, tzinfo=UTC)


def test_release_hour_moves_what_a_bare_date_means(
    show_dir: Path, new_episode: Callable[..., Catalog]
) -> None:
    show_yaml = show_dir / "show.yaml"
    show_yaml.write_text(show_yaml.read_text().replace("release_hour: 6", 'release_hour: "17:45"'))
    episode = new_episode("2026-11-20").find("s3-03-new")
    assert episode is not None and episode.published.time() == time(17, 45)


def test_a_bare_date_without_a_show_zone_is_refused_with_what_to_do(
    show_dir: Path, new_episode: Callable[..., Catalog]
) -> None:
    show_yaml = show_dir / "show.yaml"
    show_yaml.write_text(show_yaml.read_text().replace("timezone: America/Chicago\n", ""))
    with pytest.raises(CatalogError) as raised:
        new_episode("2026-11-20")
    (problem,) = raised.value.problems
    assert problem.line == 4 and "timezone:" in problem.hint


@pytest.mark.parametrize(
    "line,hint", [("timezone: Central", "America/Chicago"), ("release_hour: 6:30", "quotes")]
)
def test_bad_zone_or_hour_is_an_error_at_its_line(show_dir: Path, line: str, hint: str) -> None:
    show_yaml = show_dir / "show.yaml"
    key = line.split(":")[0]
    text = "".join(
        f"{line}\n" if row.startswith(f"{key}:") else row
        for row in show_yaml.read_text().splitlines(keepends=True)
    )
    show_yaml.write_text(text)
    with pytest.raises(CatalogError) as raised:
        catalog.load(show_dir)
    (problem,) = raised.value.problems
    wanted = [n for n, row in enumerate(text.splitlines(), 1) if row.startswith(f"{key}:")]
    assert problem.line == wanted[0] and hint in problem.hint


def test_a_draft_key_makes_a_draft_whatever_its_date(new_episode: Callable[..., Catalog]) -> None:
    loaded = new_episode("2024-01-01", "draft: true\n")
    episode = loaded.find("s3-03-new")
    assert episode is not None and episode.draft
    assert episode.status(NOW) is Status.DRAFT
    assert episode not in loaded.visible(NOW)
    assert episode in loaded.visible(NOW, drafts=True)
    assert loaded.drafts(NOW) == (episode,)


def test_status_of_scheduled_and_live(new_episode: Callable[..., Catalog]) -> None:
    loaded = new_episode("2026-11-20")
    episode = loaded.find("s3-03-new")
    assert episode is not None and episode.status(NOW) is Status.SCHEDULED
    assert episode.status(datetime(2026, 11, 21, tzinfo=UTC)) is Status.LIVE


@pytest.mark.parametrize(
    "text,wanted",
    [
        ("2026-11-20", datetime(2026, 11, 20, 6, 0, tzinfo=CHICAGO)),
        ("2026-11-20 09:30-06:00", datetime(2026, 11, 20, 9, 30, tzinfo=CHICAGO)),
        ("2026-11-20T06:00:00-05:00", datetime(2026, 11, 20, 11, 0, tzinfo=UTC)),
        ("now", NOW),
    ],
)
def test_parse_when_accepts_dates_times_and_now(text: str, wanted: datetime) -> None:
    assert parse_when(text, CHICAGO, time(6, 0), NOW) == wanted


BAD = ["2026-11-20-06:00", "2026-11-20T09:30", "next tuesday", "2026-13-01", "20/11/2026"]


@pytest.mark.parametrize("bad", BAD)
def test_every_example_in_a_refusal_is_accepted(bad: str) -> None:
    with pytest.raises(WhenError) as raised:
        parse_when(bad, CHICAGO, time(6, 0), NOW)
    suggested = examples(bad, CHICAGO, time(6, 0), NOW)
    assert str(raised.value).endswith(f"; write {suggested}")
    values = [part.split(" (")[0] for part in suggested.replace(" or ", ", ").split(", ")]
    assert len(values) >= 2
    for value in values:
        parse_when(value, CHICAGO, time(6, 0), NOW)  # raises if a hint is refused
        assert value not in BAD


def test_a_refusal_suggests_the_day_and_time_it_was_given() -> None:
    assert examples("2026-11-20-06:00", CHICAGO).startswith("2026-11-20 (06:00 America/Chicago)")
    assert "2026-11-20T09:30:00-06:00" in examples("2026-11-20T09:30", CHICAGO)
    with pytest.raises(WhenError, match="has no time zone"):
        parse_when("2026-11-20T09:30", CHICAGO)


def test_times_are_shown_in_the_show_zone() -> None:
    moment = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    assert shown(moment, CHICAGO) == "2026-11-20 06:00 CST (America/Chicago)"
