"""`podcast list`: every episode, draft or not, with its status, local date and problems."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from podcast.cli import cli


def listed(runner: CliRunner, root: Path) -> dict[str, dict[str, object]]:
    result = runner.invoke(cli, ["list", "--root", str(root), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["timezone"] == "America/Chicago"
    return {row["slug"]: row for row in data["episodes"]}


def test_list_shows_drafts_scheduled_and_live(
    runner: CliRunner, show_dir: Path, data_dir: Path
) -> None:
    args = ["add", str(data_dir / "cbr.mp3"), "--root", str(show_dir), "--season", "3"]
    assert runner.invoke(cli, args).exit_code == 0
    other = ["add", str(data_dir / "vbr-xing.mp3"), "--root", str(show_dir), "--season", "3"]
    later = other + ["--published", "2099-11-20", "--title", "Later"]  # audio of its own
    assert runner.invoke(cli, later).exit_code == 0
    rows = listed(runner, show_dir)
    assert len(rows) == 9
    draft, scheduled = rows["s3-04-tagged-title"], rows["s3-05-later"]
    assert (draft["status"], draft["season"], draft["number"]) == ("draft", 3, 4)
    assert scheduled["status"] == "scheduled"
    assert scheduled["published"] == "2099-11-20T06:00:00-06:00"
    live = rows["s2-02-social-drivers-of-health"]
    assert live["status"] == "live" and live["published"] == "2024-09-17T06:00:00-05:00"
    assert live["title"] == "Social drivers of health" and live["problems"] == 0
    assert 11 < float(live["duration"]) < 13  # type: ignore[arg-type]
    assert list(rows)[:2] == [
        "s1-00-trailer-a-conversation-starts-here",
        "s1-01-why-we-call-it-an-emergency",
    ]


def test_list_counts_what_check_finds_in_each_episode(
    runner: CliRunner, show_dir: Path, data_dir: Path
) -> None:
    path = show_dir / "season-1" / "02-what-health-equity-means.yaml"
    text = path.read_text().replace(
        "title: What health equity means", 'title: "Episode 2: What health equity means"'
    )
    path.write_text(text)
    # Ogg under its own name (a .m4a name would be an error since issue 11): a format warning
    (show_dir / "season-3" / "01-trust-in-medicine.m4a").unlink()
    shutil.copyfile(data_dir / "voice.ogg", show_dir / "season-3" / "01-trust-in-medicine.ogg")
    rows = listed(runner, show_dir)
    assert rows["s1-02-what-health-equity-means"]["problems"] == 1  # title-number
    assert int(rows["s3-01-trust-in-medicine"]["problems"]) >= 1  # type: ignore[call-overload]
    assert rows["s1-01-why-we-call-it-an-emergency"]["problems"] == 0
    check = runner.invoke(cli, ["check", "--root", str(show_dir), "--format", "json"])
    found = json.loads(check.output)["problems"]
    assert sum(1 for p in found if p["path"] == str(path)) == 1


def test_list_as_a_table_names_the_zone(runner: CliRunner, show_dir: Path) -> None:
    result = runner.invoke(cli, ["list", "--root", str(show_dir)])
    assert result.exit_code == 0, result.output
    header, *rows = result.output.splitlines()
    assert "date (America/Chicago)" in header and "problems" in header
    assert len(rows) == 7
    row = next(r for r in rows if r.endswith("Social drivers of health"))
    assert row.split()[:6] == ["2", "2", "live", "2024-09-17", "06:00", "CDT"]


def test_list_never_writes_into_the_episodes_folder(runner: CliRunner, show_dir: Path) -> None:
    before = sorted(p for p in show_dir.rglob("*") if ".cache" not in p.parts)
    assert runner.invoke(cli, ["list", "--root", str(show_dir)]).exit_code == 0
    assert sorted(p for p in show_dir.rglob("*") if ".cache" not in p.parts) == before
