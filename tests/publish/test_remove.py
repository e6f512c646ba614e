"""`podcast remove`: out of the feed and site, nothing lost, and `check --against` knows why."""

from __future__ import annotations

import shutil
from pathlib import Path

import feedparser
import yaml
from click.testing import CliRunner
from support.clock import NOW

from podcast.cli import cli
from podcast.read import catalog
from podcast.render import feed

EPISODE = "season-2/02-social-drivers-of-health"


def run(runner: CliRunner, *args: str | Path) -> tuple[int, str]:
    result = runner.invoke(cli, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def files_of(root: Path) -> dict[str, bytes]:
    """The show's files but the probe cache (which is not the producer's)."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and ".cache" not in p.relative_to(root).parts
    }


def test_remove_moves_every_file_of_the_episode(runner: CliRunner, show_dir: Path) -> None:
    before = files_of(show_dir)
    code, output = run(runner, "remove", "2/2", "--root", show_dir)
    assert code == 0, output
    assert output.splitlines()[-1].startswith("Removed s2-02-social-drivers-of-health")
    moved = {f"{EPISODE}.yaml", f"{EPISODE}.mp3", f"{EPISODE}.vtt"}
    after = files_of(show_dir)
    assert moved.isdisjoint(after)
    kept = ".removed/s2-02-social-drivers-of-health/"
    for name in moved:  # nothing lost: the same bytes at the same path below .removed/
        assert after[kept + name] == before[name]
    assert {k: v for k, v in after.items() if not k.startswith(".removed/")} == {
        k: v for k, v in before.items() if k not in moved
    }
    record = yaml.safe_load(after[kept + "removed.yaml"])
    assert record["guid"] == yaml.safe_load(before[f"{EPISODE}.yaml"])["guid"]
    assert sorted(record["files"]) == sorted(moved)


def test_a_removed_episode_leaves_the_show_and_can_come_back(
    runner: CliRunner, show_dir: Path
) -> None:
    guid = catalog.load(show_dir).find("s2-02-social-drivers-of-health").guid  # type: ignore[union-attr]
    assert run(runner, "remove", "s2-02-social-drivers-of-health", "--root", show_dir)[0] == 0
    shown = catalog.load(show_dir)  # the loader ignores .removed/
    assert len(shown.episodes) == 6 and shown.find("s2-02-social-drivers-of-health") is None
    items = feedparser.parse(feed.build(shown, "https://otc.example", NOW)).entries
    assert guid not in {e.id for e in items}
    assert run(runner, "check", "--root", show_dir, "--strict")[0] == 0
    for path in (show_dir / ".removed" / "s2-02-social-drivers-of-health" / "season-2").iterdir():
        shutil.move(path, show_dir / "season-2" / path.name)  # what the record says to do
    back = catalog.load(show_dir).find("s2-02-social-drivers-of-health")
    assert back is not None and back.guid == guid


def test_check_against_the_old_feed_says_removed_on_purpose(
    runner: CliRunner, show_dir: Path, tmp_path: Path
) -> None:
    old = tmp_path / "published.xml"
    old.write_bytes(feed.build(catalog.load(show_dir), "https://otc.example", NOW))
    vanished = show_dir.parent / "vanished"
    shutil.copytree(show_dir, vanished)
    for suffix in (".yaml", ".mp3", ".vtt"):
        (vanished / f"{EPISODE}{suffix}").unlink()
    code, output = run(runner, "check", "--root", vanished, "--against", old)
    assert code == 1 and "[guid-vanished]" in output  # deleted by hand: an error, as before
    assert run(runner, "remove", "2/2", "--root", show_dir)[0] == 0
    code, output = run(runner, "check", "--root", show_dir, "--against", old)
    assert code == 0, output
    assert "[guid-vanished]" not in output
    (line,) = [row for row in output.splitlines() if "[guid-removed]" in row]
    assert "info [guid-removed]" in line and "removed on purpose" in line
    assert "/.removed/s2-02-social-drivers-of-health/removed.yaml: info" in line


def test_removing_twice_keeps_both_removals(
    runner: CliRunner, show_dir: Path, data_dir: Path
) -> None:
    assert run(runner, "add", data_dir / "cbr.mp3", "--root", show_dir, "--season", "3")[0] == 0
    assert run(runner, "remove", "3/4", "--root", show_dir)[0] == 0
    assert run(runner, "add", data_dir / "cbr.mp3", "--root", show_dir, "--season", "3")[0] == 0
    assert run(runner, "remove", "s3-04-tagged-title", "--root", show_dir)[0] == 0
    folders = sorted(p.name for p in (show_dir / ".removed").iterdir())
    assert folders == ["s3-04-tagged-title", "s3-04-tagged-title-2"]


def test_a_file_another_episode_uses_stays(runner: CliRunner, show_dir: Path) -> None:
    shared = show_dir / "season-1" / "cover.jpg"
    shutil.copyfile(show_dir / "artwork.jpg", shared)
    for stem in ("01-why-we-call-it-an-emergency", "02-what-health-equity-means"):
        path = show_dir / "season-1" / f"{stem}.yaml"
        path.write_text(path.read_text() + "image: cover.jpg\n")
    code, output = run(runner, "remove", "1/1", "--root", show_dir)
    assert code == 0, output
    assert shared.exists() and "Kept season-1/cover.jpg" in output.replace(str(show_dir) + "/", "")
    assert catalog.load(show_dir).find("s1-02-what-health-equity-means") is not None


def test_remove_of_an_unknown_episode_changes_nothing(runner: CliRunner, show_dir: Path) -> None:
    before = files_of(show_dir)
    code, output = run(runner, "remove", "2/9", "--root", show_dir)
    assert code == 1 and "Error: no episode '2/9'" in output
    assert files_of(show_dir) == before and not (show_dir / ".removed").exists()
