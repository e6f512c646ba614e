"""What `podcast import` prints and how it exits: the progress label, the report, a failure."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from support.feeds import FeedServer, build_feed, host_items

from podcast.cli import cli


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as running:
        yield running


def run(url: str, root: Path, *extra: str) -> Result:
    """`podcast import URL --root ROOT` with a short timeout."""
    return CliRunner().invoke(cli, ["import", url, "--root", str(root), "--timeout", "2", *extra])


def test_a_failed_item_fails_the_import_after_the_report(
    server: FeedServer, tmp_path: Path
) -> None:
    url = server.add("/feed.xml", build_feed(server, host_items(2)), "application/rss+xml")
    server.files.pop([p for p in server.files if p.endswith(".mp3")][1])
    result = run(url, tmp_path / "episodes")
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("Downloading")
    assert result.stderr.endswith("Error: 1 item(s) failed; run again to resume\n")
    report = result.stdout.splitlines()
    assert [line for line in report if line.startswith("failed: ")], report
    summary = "2 items in the source: 1 imported, 0 already here, 0 skipped, 1 failed"
    assert summary in report


@pytest.mark.parametrize(
    "extra,label",
    [
        ((), "Downloading"),
        (("--media", "keep"), "Importing (audio left at its URL)"),
        (("--dry-run",), "Reading the feed (dry run: nothing is downloaded)"),
    ],
)
def test_the_progress_bar_says_what_is_fetched(
    server: FeedServer, tmp_path: Path, extra: tuple[str, ...], label: str
) -> None:
    url = server.add("/feed.xml", build_feed(server, host_items(1)), "application/rss+xml")
    result = run(url, tmp_path / "episodes", *extra)
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith(label), result.stderr
    assert any(line.startswith("1 items in the source: ") for line in result.stdout.splitlines())
