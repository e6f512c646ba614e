"""GUID stability: the catalog compared with the feed listeners already have."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from support.checking import EPISODE, edit, rules
from support.clock import NOW

from podcast.checks import against as published
from podcast.errors import PodcastError, Problem, Severity
from podcast.read import catalog
from podcast.render import feed


@pytest.fixture
def last_feed(show_dir: Path, tmp_path: Path) -> Path:
    """The feed as published before the test's edits, on a media CDN."""
    path = tmp_path / "published.xml"
    path.write_bytes(
        feed.build(catalog.load(show_dir), "https://old.example", NOW, "https://cdn.example/media")
    )
    return path


def compare(root: Path, feed_file: Path) -> dict[str, list[Problem]]:
    return rules(published.compare(catalog.load(root), published.read(str(feed_file)), NOW))


def test_an_unchanged_catalog_matches_its_feed(show_dir: Path, last_feed: Path) -> None:
    assert compare(show_dir, last_feed) == {}


def test_a_changed_guid_is_an_error(show_dir: Path, last_feed: Path) -> None:
    edit(
        show_dir / f"{EPISODE}.yaml",
        "guid: 38b421c9-1a98-4e61-ac18-3ab2fd2431da",
        "guid: 11111111-1a98-4e61-ac18-3ab2fd2431da",
    )
    (problem,) = compare(show_dir, last_feed)["guid-changed"]
    assert problem.path == show_dir / f"{EPISODE}.yaml" and problem.line == 6
    assert "38b421c9-1a98-4e61-ac18-3ab2fd2431da" in problem.hint


def test_a_vanished_episode_is_an_error(show_dir: Path, last_feed: Path) -> None:
    (show_dir / f"{EPISODE}.yaml").unlink()
    (problem,) = compare(show_dir, last_feed)["guid-vanished"]
    assert "Why we call it an emergency" in problem.message


def test_an_episode_moved_back_into_drafts_vanishes(show_dir: Path, last_feed: Path) -> None:
    edit(show_dir / f"{EPISODE}.yaml", "2022-01-11T06:00:00-06:00", "2027-01-11T06:00:00-06:00")
    (problem,) = compare(show_dir, last_feed)["guid-vanished"]
    assert problem.line == 4 and "now scheduled" in problem.message


def test_a_reused_enclosure_url_is_an_error(show_dir: Path, last_feed: Path) -> None:
    first, second = show_dir / f"{EPISODE}.yaml", show_dir / "season-1/02-what-health-equity-means"
    with first.open("a") as handle:
        handle.write("audio: 02-what-health-equity-means.mp3\n")
    with second.with_suffix(".yaml").open("a") as handle:
        handle.write("audio: 01-why-we-call-it-an-emergency.mp3\n")
    found = compare(show_dir, last_feed)
    assert sorted(p.path.name for p in found["enclosure-reused"]) == [
        "01-why-we-call-it-an-emergency.yaml",
        "02-what-health-equity-means.yaml",
    ]


def test_a_moved_enclosure_is_a_warning(show_dir: Path, last_feed: Path) -> None:
    audio = show_dir / f"{EPISODE}.mp3"
    audio.rename(audio.with_name("renamed.mp3"))
    with (show_dir / f"{EPISODE}.yaml").open("a") as handle:
        handle.write("audio: renamed.mp3\n")
    (problem,) = compare(show_dir, last_feed)["enclosure-moved"]
    assert problem.severity is Severity.WARNING


@pytest.fixture
def feed_server(last_feed: Path) -> Iterator[str]:
    """The published feed served over HTTP on 127.0.0.1."""
    handler = partial(SimpleHTTPRequestHandler, directory=str(last_feed.parent))
    handler.log_message = lambda *args: None  # type: ignore[attr-defined]
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/{last_feed.name}"
    server.shutdown()
    server.server_close()
    thread.join()


def test_the_published_feed_can_be_read_from_a_url(show_dir: Path, feed_server: str) -> None:
    edit(show_dir / f"{EPISODE}.yaml", "guid: 38b421c9", "guid: 22222222")
    found = rules(published.compare(catalog.load(show_dir), published.read(feed_server), NOW))
    assert list(found) == ["guid-changed"]


def test_unreadable_published_feeds_are_clear_errors(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not xml")
    (tmp_path / "atom.xml").write_text('<feed xmlns="http://www.w3.org/2005/Atom"/>')
    with pytest.raises(PodcastError, match="not a readable feed"):
        published.read(str(tmp_path / "notes.txt"))
    with pytest.raises(PodcastError, match="not an RSS feed"):
        published.read(str(tmp_path / "atom.xml"))
    with pytest.raises(PodcastError, match="cannot read the published feed"):
        published.read(str(tmp_path / "missing.xml"))
    with pytest.raises(PodcastError, match="cannot download"):
        published.read("http://127.0.0.1:9/feed.xml")
