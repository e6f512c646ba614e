"""`podcast import --media keep`: audio stays at its old URL; the feed and site use it unchanged.

A real loopback server serves the old feed and its real MP3s; the import is built into a static
site, served by http.server, and its feed read back with feedparser, podcastparser and lxml.
"""

from __future__ import annotations

import io
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import feedparser
import podcastparser
import pytest
import yaml
from bs4 import BeautifulSoup
from click.testing import CliRunner, Result
from lxml import etree
from support.feeds import FeedServer, Item, build_feed, host_items
from support.servers import static_server

from podcast.cli import cli
from podcast.read.audio import probe
from podcast.read.catalog import load

pytestmark = pytest.mark.slow
PODCAST = "https://podcastindex.org/namespace/1.0"
BASE = "https://new.example"


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as running:
        yield running


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, [*args])


def keep_items() -> list[Item]:
    """Simplecast items (isPermaLink false) and PowerPress ones (true) in season 2, soundbites."""
    items = host_items(3, host="simplecast")
    for item in host_items(2, host="wordpress"):
        item.title, item.season = f"PowerPress {item.title}", 2
        items.append(item)
    items[0].soundbites = [("0.5", "1.25", "The hook"), ("1", "0.5", "")]
    items[3].soundbites = [("0.25", "1.5", "Bonus bite")]
    return items


def items_by_guid(feed: bytes) -> dict[str, etree._Element]:
    root = etree.fromstring(feed)
    return {item.findtext("guid").strip(): item for item in root.iter("item")}


def soundbites(item: etree._Element) -> list[tuple[str | None, str | None, str]]:
    found = item.findall(f"{{{PODCAST}}}soundbite")
    return [(s.get("startTime"), s.get("duration"), (s.text or "").strip()) for s in found]


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as response:
        data: bytes = response.read()
        return data


def test_round_trip_keeps_urls_permalinks_and_soundbites(
    server: FeedServer, tmp_path: Path
) -> None:
    source = build_feed(server, keep_items())
    url = server.add("/feed.xml", source, "application/rss+xml")
    root, out = tmp_path / "episodes", tmp_path / "site"
    result = run("import", url, "--root", str(root), "--media", "keep", "--timeout", "5")
    assert result.exit_code == 0, result.output
    assert "5 imported" in result.output and "0 guid-changed, 0 guid-vanished" in result.output
    assert not list(root.rglob("*.mp3"))  # nothing downloaded
    assert not [p for p, _ in server.requests if p.endswith(".mp3")]
    check = run("check", "--root", str(root), "--against", url)
    assert check.exit_code == 0, check.output
    built = run("build", str(out), "--root", str(root), "--base-url", BASE)
    assert built.exit_code == 0, built.output
    assert not list(out.rglob("*.mp3"))  # nothing to copy
    with static_server(out) as site:
        feed = fetch(f"{site}/feed.xml")
        page = fetch(f"{site}/episodes/s1-01-health/")
    old, new = items_by_guid(source), items_by_guid(feed)
    assert set(new) == set(old)
    for guid, item in new.items():
        was = old[guid]
        assert item.find("guid").get("isPermaLink") == was.find("guid").get("isPermaLink")
        assert item.find("enclosure").attrib == was.find("enclosure").attrib
        assert soundbites(item) == soundbites(was)
    assert {i.find("guid").get("isPermaLink") for i in new.values()} == {"true", "false"}
    assert soundbites(new["00000001-aaaa-4bbb-8ccc-000000000000"])  # present, not just equal
    _same_to_apps(source, feed, url)
    player = BeautifulSoup(page, "html.parser").select_one("audio source")
    assert player is not None and player["src"] == old["00000001-aaaa-4bbb-8ccc-000000000000"].find(
        "enclosure"
    ).get("url")


def _same_to_apps(source: bytes, feed: bytes, url: str) -> None:
    """feedparser and podcastparser read the same identity and enclosure from both feeds."""
    old = {e.id: e for e in feedparser.parse(source).entries}
    new = feedparser.parse(feed).entries
    assert len(new) == len(old)
    for entry in new:
        was = old[entry.id]
        # (isPermaLink is compared as written above: feedparser's guidislink also depends
        # on whether <link> comes before <guid>)
        assert (entry.title, entry.published_parsed) == (was.title, was.published_parsed)
        assert entry.itunes_season == was.itunes_season
        assert entry.get("itunes_episode") == was.get("itunes_episode")
        assert entry.get("itunes_episodetype") == was.get("itunes_episodetype")
        assert [(e.href, e.length, e.type) for e in entry.enclosures] == [
            (e.href, e.length, e.type) for e in was.enclosures
        ]

    def episodes(data: bytes, where: str) -> dict[str, tuple[object, ...]]:
        parsed = podcastparser.parse(where, io.BytesIO(data))
        return {
            e["guid"]: (
                e["title"],
                e["published"],
                e.get("number"),
                [(x["url"], x["file_size"], x["mime_type"]) for x in e["enclosures"]],
            )
            for e in parsed["episodes"]
        }

    assert episodes(feed, f"{BASE}/feed.xml") == episodes(source, url)


def test_yaml_records_the_enclosure_and_names_carry_one_number(
    server: FeedServer, tmp_path: Path
) -> None:
    url = server.add("/feed.xml", build_feed(server, keep_items()), "application/rss+xml")
    root = tmp_path / "episodes"
    result = run("import", url, "--root", str(root), "--media", "keep", "--timeout", "5")
    assert result.exit_code == 0, result.output
    names = sorted(p.relative_to(root).as_posix() for p in root.glob("season-*/*.yaml"))
    assert names == [
        "season-1/01-health.yaml",
        "season-1/02-health.yaml",
        "season-1/03-health.yaml",
        "season-2/01-powerpress-episode-1-health-equite-care-1.yaml",
        "season-2/bonus-ep-2.yaml",  # the old page's slug; the bonus has no file number
    ]
    fields = yaml.safe_load((root / "season-1/01-health.yaml").read_text())
    enclosure = fields["enclosure"]
    assert enclosure["url"].startswith(server.base + "/media/")
    assert enclosure["length"] == len((Path(__file__).parent.parent / "data/cbr.mp3").read_bytes())
    assert (enclosure["type"], enclosure["duration"]) == ("audio/mpeg", "00:00:02")
    assert fields["soundbites"][0] == {
        "start": "00:00:00.500",
        "duration": "00:00:01.250",
        "title": "The hook",
    }
    assert "guid_is_permalink" not in fields
    bonus = yaml.safe_load((root / names[-1]).read_text())
    assert bonus["guid_is_permalink"] is True
    episode = load(root).find("s1-01-health")
    assert episode is not None and episode.audio.path is None
    assert episode.audio.url == enclosure["url"] and episode.audio.seconds == 2


def test_missing_length_and_duration_are_measured(server: FeedServer, tmp_path: Path) -> None:
    items = host_items(1)
    items[0].duration, items[0].length = None, 0
    url = server.add("/feed.xml", build_feed(server, items), "application/rss+xml")
    root = tmp_path / "episodes"
    result = run("import", url, "--root", str(root), "--media", "keep", "--timeout", "5")
    assert result.exit_code == 0, result.output
    assert "gives no length or duration; measured" in result.output
    enclosure = yaml.safe_load((root / "season-1/01-health.yaml").read_text())["enclosure"]
    real = probe(Path(__file__).parent.parent / "data/cbr.mp3")
    assert enclosure["length"] == real.size and enclosure["duration"] == "00:00:03.135"
    assert not [p for p in root.rglob("*") if p.suffix == ".mp3" or ".part" in p.name]


def test_dry_run_says_nothing_is_downloaded(server: FeedServer, tmp_path: Path) -> None:
    url = server.add("/feed.xml", build_feed(server, host_items(2)), "application/rss+xml")
    result = run("import", url, "--root", str(tmp_path / "e"), "--dry-run", "--media", "keep")
    assert result.exit_code == 0, result.output
    assert "Downloading" not in result.output and "dry run" in result.output
    assert f"audio kept at {server.base}/media/" in result.output
    assert not [p for p, _ in server.requests if p.endswith(".mp3")]
