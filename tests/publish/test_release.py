"""A producer's day on the real CLI: add a draft, preview it, release it, see it go out."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import feedparser
import pytest
import yaml
from click.testing import CliRunner
from support.clock import NOW

from podcast.cli import cli
from podcast.read import catalog
from podcast.render import feed
from podcast.site.app import create_app

CHICAGO = ZoneInfo("America/Chicago")


def run(runner: CliRunner, *args: str | Path) -> str:
    result = runner.invoke(cli, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.output


def refused(runner: CliRunner, *args: str | Path) -> str:
    result = runner.invoke(cli, [str(a) for a in args])
    assert result.exit_code in (1, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.output


def feed_titles(root: Path, drafts: bool = False, now: datetime = NOW) -> list[str]:
    config = {"EPISODES_ROOT": root, "CLOCK": lambda: now, "DRAFTS": drafts}
    client = create_app({**config, "BASE_URL": "https://otc.example"}).test_client()
    return [e.title for e in feedparser.parse(client.get("/feed.xml").data).entries]


@pytest.fixture
def drafted(runner: CliRunner, show_dir: Path, data_dir: Path) -> Path:
    """`podcast add` without --published: the new episode's YAML."""
    output = run(runner, "add", data_dir / "cbr.mp3", "--root", show_dir, "--season", "3")
    assert output.splitlines()[-1] == "Draft: not public until `podcast release s3-04-tagged-title`"
    return show_dir / "season-3" / "04-tagged-title.yaml"


def test_add_without_published_is_a_draft_absent_from_the_feed(
    drafted: Path, show_dir: Path
) -> None:
    assert yaml.safe_load(drafted.read_text())["draft"] is True
    assert "Tagged title" not in feed_titles(show_dir)
    assert "Tagged title" not in feed.build(catalog.load(show_dir), "https://x.example").decode()
    assert "Tagged title" in feed_titles(show_dir, drafts=True)  # the preview's feed has it


def test_add_with_publish_is_live_now(runner: CliRunner, show_dir: Path, data_dir: Path) -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    output = run(runner, "add", data_dir / "cbr.mp3", "--root", show_dir, "--publish")
    assert output.splitlines()[-1] == "Live now"
    data = yaml.safe_load((show_dir / "season-3" / "04-tagged-title.yaml").read_text())
    assert "draft" not in data and data["published"] >= before
    assert data["published"].utcoffset() == CHICAGO.utcoffset(
        data["published"].replace(tzinfo=None)
    )
    assert "Tagged title" in feed_titles(show_dir, now=datetime.now(UTC))


def test_add_with_a_bare_date_is_scheduled_for_6am_central(
    runner: CliRunner, show_dir: Path, data_dir: Path
) -> None:
    args = ["add", data_dir / "cbr.mp3", "--root", show_dir, "--published", "2099-11-20"]
    output = run(runner, *args)
    assert output.splitlines()[-1] == "Scheduled for 2099-11-20 06:00 CST (America/Chicago)"
    episode = catalog.load(show_dir).find("s3-04-tagged-title")
    assert episode is not None and not episode.draft
    assert episode.published == datetime(2099, 11, 20, 6, 0, tzinfo=CHICAGO)
    assert episode.published.astimezone(UTC) == datetime(2099, 11, 20, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("bad", ["2099-11-20-06:00", "2099-11-20T06:00", "tomorrow"])
def test_every_published_hint_is_accepted_by_add(
    runner: CliRunner, show_dir: Path, data_dir: Path, bad: str
) -> None:
    output = refused(runner, "add", data_dir / "cbr.mp3", "--root", show_dir, "--published", bad)
    suggested = re.search(r"write (.*)$", " ".join(output.split())).group(1)  # type: ignore[union-attr]
    values = [v.split(" (")[0] for v in suggested.replace(" or ", ", ").split(", ")]
    assert len(values) >= 2 and bad not in values
    exports = [data_dir / name for name in ("cbr.mp3", "vbr-xing.mp3", "chapters.mp3")]
    for number, value in enumerate(values, start=1):  # each with audio of its own
        args = ["--published", value, "--episode", str(10 + number), "--title", f"Try {number}"]
        run(runner, "add", exports[number - 1], "--root", show_dir, *args)
    assert len(catalog.load(show_dir).episodes) == 7 + len(values)


def test_release_a_draft_for_6am_central(drafted: Path, runner: CliRunner, show_dir: Path) -> None:
    before = drafted.read_text()
    output = run(runner, "release", "s3-04-tagged-title", "--root", show_dir, "--at", "2099-11-20")
    assert output.splitlines()[-1] == "Scheduled for 2099-11-20 06:00 CST (America/Chicago)"
    after = drafted.read_text()
    assert "draft" not in after
    changed = [line for line in after.splitlines() if line not in before.splitlines()]
    assert changed == [
        "published: 2099-11-20T06:00:00-06:00  # a time in the future schedules it"
    ]  # one line edited, the rest (comments too) as the producer had it
    assert len(before.splitlines()) - len(after.splitlines()) == 1
    assert "Tagged title" not in feed_titles(show_dir)  # not yet, at the tests' clock
    later = datetime(2099, 11, 20, 12, 0, 1, tzinfo=UTC)
    assert "Tagged title" in feed_titles(show_dir, now=later)


def test_release_without_at_goes_live_now(drafted: Path, runner: CliRunner, show_dir: Path) -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    output = run(runner, "release", "3/4", "--root", show_dir)
    assert output.splitlines() == [f"Wrote {drafted}", "Live now"]
    episode = catalog.load(show_dir).find("s3-04-tagged-title")
    assert episode is not None and not episode.draft and episode.published >= before
    assert "Tagged title" in feed_titles(show_dir, now=datetime.now(UTC))


def test_release_by_yaml_path_keeps_a_future_time(
    runner: CliRunner, show_dir: Path, data_dir: Path
) -> None:
    path = show_dir / "season-3" / "04-tagged-title.yaml"
    run(runner, "add", data_dir / "cbr.mp3", "--root", show_dir)
    text = path.read_text().replace("2024-03-05T06:00:00-06:00", "2099-01-01T06:00:00-06:00")
    path.write_text(text)
    output = run(runner, "release", path, "--root", show_dir)
    assert output.splitlines()[-1] == "Scheduled for 2099-01-01 06:00 CST (America/Chicago)"
    assert path.read_text() == text.replace(
        "draft: true  # not public until `podcast release`\n", ""
    )


def test_release_refuses_to_move_a_live_episode(runner: CliRunner, show_dir: Path) -> None:
    path = show_dir / "season-3" / "02-community-voices.yaml"
    before = path.read_bytes()
    output = refused(runner, "release", "3/2", "--root", show_dir, "--at", "2027-01-01")
    assert "has been live since 2026-01-13 06:00 CST (America/Chicago)" in output
    assert path.read_bytes() == before
    assert run(runner, "release", "3/2", "--root", show_dir).splitlines() == ["Live now"]
    assert path.read_bytes() == before


def test_release_of_an_unknown_episode_names_the_closest(
    drafted: Path, runner: CliRunner, show_dir: Path
) -> None:
    output = refused(runner, "release", "s3-04-taged-title", "--root", show_dir)
    assert "Error: no episode 's3-04-taged-title'" in output
    assert "closest: s3-04-tagged-title (3/4)" in output
    assert "Traceback" not in output


def test_release_hint_values_are_accepted_by_release(
    drafted: Path, runner: CliRunner, show_dir: Path
) -> None:
    output = refused(runner, "release", "3/4", "--root", show_dir, "--at", "2099-11-20-06:00")
    suggested = re.search(r"write (.*)$", " ".join(output.split())).group(1)  # type: ignore[union-attr]
    last = suggested.split(" or ")[-1]
    assert run(runner, "release", "3/4", "--root", show_dir, "--at", last).splitlines()[-1] == (
        "Scheduled for 2099-11-20 06:00 CST (America/Chicago)"
    )


def test_check_lists_the_draft_with_how_to_release_it(
    drafted: Path, runner: CliRunner, show_dir: Path
) -> None:
    output = run(runner, "check", "--root", show_dir)
    assert "draft 'Tagged title' is not released" in output
    assert "podcast release s3-04-tagged-title" in output


def test_a_draft_never_reaches_the_static_build(
    drafted: Path, runner: CliRunner, show_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    run(runner, "build", out, "--root", show_dir, "--base-url", "https://otc.example")
    built = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert not any("tagged-title" in name for name in built)  # no page, no audio
    assert "Tagged title" not in (out / "feed.xml").read_text("utf-8")
    assert "Tagged title" not in (out / "index.html").read_text("utf-8")
    assert "episodes/s3-02-community-voices/index.html" in built
