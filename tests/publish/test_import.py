"""`podcast import`: real feeds from a loopback server, real audio, real parsers on the result."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import podcastparser
import pytest
import yaml
from click.testing import CliRunner
from support.feeds import FeedServer, Item, build_feed, host_items

from podcast.cli import cli
from podcast.read.catalog import load
from podcast.render import feed

pytestmark = pytest.mark.slow
HOSTS = ["simplecast", "libsyn", "buzzsprout", "anchor", "wordpress", "acast", "art19", "megaphone"]


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as running:
        yield running


def run(*args: str) -> object:
    return CliRunner().invoke(cli, ["import", *args, "--timeout", "1"])


def serve(server: FeedServer, items: list[Item], **channel: object) -> str:
    return server.add("/feed.xml", build_feed(server, items, **channel), "application/rss+xml")


@pytest.mark.parametrize("host", HOSTS)
def test_round_trip_keeps_every_identity(server: FeedServer, tmp_path: Path, host: str) -> None:
    url = serve(server, host_items(4, host=host))
    root = tmp_path / "episodes"
    result = run(url, "--root", str(root))
    assert result.exit_code == 0, result.output
    assert "4 imported" in result.output
    assert "0 guid-changed, 0 guid-vanished" in result.output
    check = CliRunner().invoke(cli, ["check", "--root", str(root), "--against", url])
    assert check.exit_code == 0, check.output
    assert "guid-changed" not in check.output and "guid-vanished" not in check.output
    catalog = load(root)
    built = feed.build(catalog, "https://new.example", now=datetime(2030, 1, 1, tzinfo=UTC))
    old, new = feedparser.parse(server.files["/feed.xml"]), feedparser.parse(built)
    old_items = {e.id: e for e in old.entries}
    assert set(old_items) == {e.id for e in new.entries}
    for entry in new.entries:
        source = old_items[entry.id]
        assert entry.title == source.title
        assert entry.published_parsed == source.published_parsed
        assert entry.get("itunes_episode") == source.get("itunes_episode")
        assert entry.get("itunes_episodetype", "full") == source.get("itunes_episodetype", "full")
        assert entry.get("itunes_season", "1") == source.get("itunes_season", "1")
    podcast = podcastparser.parse("https://new.example/feed.xml", _stream(built))
    lengths = {e["guid"]: e["enclosures"][0]["file_size"] for e in podcast["episodes"]}
    old_podcast = podcastparser.parse(url, _stream(server.files["/feed.xml"]))
    assert lengths == {e["guid"]: e["enclosures"][0]["file_size"] for e in old_podcast["episodes"]}


def _stream(data: bytes) -> object:
    import io

    return io.BytesIO(data)


def test_dates_keep_their_offset_and_guids_are_trimmed(server: FeedServer, tmp_path: Path) -> None:
    url = serve(server, host_items(2, host="libsyn"))
    root = tmp_path / "episodes"
    assert run(url, "--root", str(root)).exit_code == 0
    first = yaml.safe_load((root / "season-1" / "01-health-equite-care-1.yaml").read_text())
    assert first["guid"] == "1a7f1e2b-libsyn"
    assert first["published"].isoformat() == "2022-01-11T06:00:00-06:00"
    assert "[a link](https://example.org/1)" in first["notes"]


def test_show_yaml_maps_the_channel(server: FeedServer, tmp_path: Path) -> None:
    url = serve(server, host_items(1))
    root = tmp_path / "episodes"
    result = run(url, "--root", str(root))
    assert result.exit_code == 0, result.output
    show = yaml.safe_load((root / "show.yaml").read_text())
    assert show["categories"] == ["Health & Fitness > Medicine", "Science"]
    assert "Science & Medicine" in result.output  # the retired category is reported
    assert show["language"] == "en-us" and show["locked"] is False
    assert show["previous_feed_url"] == url
    assert show["podcast_guid"] == load(root).show.podcast_guid
    assert show["hosts"][0]["name"] == "Dr. Kari Haley"
    assert (root / "artwork.jpg").is_file()


def test_side_files_transcripts_chapters_guests(server: FeedServer, tmp_path: Path) -> None:
    url = serve(server, host_items(3, host="simplecast") + host_items(1, host="buzzsprout"))
    root = tmp_path / "episodes"
    result = run(url, "--root", str(root))
    assert result.exit_code == 0, result.output
    assert (root / "season-1" / "ep-2-health.vtt").is_file() is False  # stems carry the number
    vtts = list(root.glob("season-1/*.vtt"))
    assert len(vtts) == 1 and "text/html" in result.output
    catalog = load(root)
    converted = [e for e in catalog.episodes if e.season == 2][0].transcript
    assert converted is not None and converted.path.suffix == ".vtt"
    assert "<v Kari>Welcome back." in converted.path.read_text()
    assert "00:00:01.250 --> 00:00:02.000" in converted.path.read_text()
    guest = [e for e in catalog.episodes if e.guests]
    assert guest and guest[0].guests[0].name == "Guest Person"
    chaptered = [e for e in catalog.episodes if e.chapters]
    assert [c.title for c in chaptered[0].chapters] == ["Start", "Middle"]


def test_redirect_map_points_old_pages_at_new_ones(server: FeedServer, tmp_path: Path) -> None:
    url = serve(server, host_items(2))
    root = tmp_path / "episodes"
    assert run(url, "--root", str(root)).exit_code == 0
    lines = (root / "redirects.map").read_text().splitlines()
    assert "/episodes/ep-1-health /episodes/s1-01-health/;" in lines
    assert load(root).find("s1-01-health") is not None


def test_dry_run_writes_nothing_and_prints_the_mapping(server: FeedServer, tmp_path: Path) -> None:
    url = serve(server, host_items(2))
    root = tmp_path / "episodes"
    result = run(url, "--root", str(root), "--dry-run")
    assert result.exit_code == 0, result.output
    assert not root.exists()
    assert "guid=00000001-aaaa-4bbb-8ccc-000000000000" in result.output
    assert "date=2022-01-11T06:00:00-06:00" in result.output


def test_second_run_imports_only_new_items_and_reports_changes(
    server: FeedServer, tmp_path: Path
) -> None:
    items = host_items(3)
    url = serve(server, items[:2])
    root = tmp_path / "episodes"
    assert run(url, "--root", str(root)).exit_code == 0
    edited = root / "season-1" / "01-health.yaml"
    lines = edited.read_text().splitlines()
    lines = ["title: Local title" if line.startswith("title:") else line for line in lines]
    edited.write_text("\n".join(lines) + "\n")
    before = edited.read_text()
    items[1].title = "Renamed upstream"
    serve(server, items)
    result = run(url, "--root", str(root))
    assert result.exit_code == 0, result.output
    assert "1 imported, 2 already here" in result.output
    assert "title differs" in result.output
    assert edited.read_text() == before


def test_failed_enclosure_fails_the_item_and_a_rerun_resumes(
    server: FeedServer, tmp_path: Path
) -> None:
    url = serve(server, host_items(3))
    broken = [p for p in server.files if p.endswith(".mp3")][1]
    audio = server.files.pop(broken)
    root = tmp_path / "episodes"
    result = run(url, "--root", str(root))
    assert result.exit_code == 1
    assert "2 imported" in result.output and "404" in result.output
    server.files[broken] = audio
    server.cut[broken] = 1000  # the next download drops after 1000 bytes, then resumes
    result = run(url, "--root", str(root))
    assert result.exit_code == 0, result.output
    assert "1 imported, 2 already here" in result.output
    assert (broken, "bytes=1000-") in server.requests
    assert len(load(root).episodes) == 3


def test_items_without_enclosure_or_guid_and_duplicates(server: FeedServer, tmp_path: Path) -> None:
    items = host_items(4)
    items[0].enclosure = False
    items[1].guid = None
    items[3].guid = items[2].guid
    url = serve(server, items)
    result = run(url, "--root", str(tmp_path / "episodes"))
    assert result.exit_code == 0, result.output
    assert "no enclosure" in result.output and "duplicate guid" in result.output
    assert "has no guid; using its enclosure URL" in result.output


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            b"<!DOCTYPE html><html><head><link rel='alternate' type='application/rss+xml' "
            b"href='/real.xml'></head></html>",
            "web page, not a feed; its feed seems to be",
        ),
        (b'<?xml version="1.0"?>\n<rss>\n<channel>\n<title>x</title>\n<item>\n</rss>', ":6:"),
        (
            b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><rss><channel>&a;</channel>'
            b"</rss>",
            "entities",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b"<rss><channel><title>&x;</title></channel></rss>",
            "entities",
        ),
        (b'<?xml version="1.0"?><rss><channel><title>x</title></channel></rss>', "no items"),
        (b"", "empty"),
    ],
)
def test_hostile_sources_are_refused(
    server: FeedServer, tmp_path: Path, body: bytes, message: str
) -> None:
    url = server.add("/bad.xml", body)
    root = tmp_path / "episodes"
    result = run(url, "--root", str(root))
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output
    assert not root.exists()


def test_redirect_loop_and_oversized_feed(server: FeedServer, tmp_path: Path) -> None:
    result = run(server.url("/loop"), "--root", str(tmp_path / "e"))
    assert result.exit_code == 1 and "redirects in a loop" in result.output
    big = tmp_path / "big.xml"
    with big.open("wb") as stream:
        stream.truncate(51 * 1024 * 1024)
    result = run(str(big), "--root", str(tmp_path / "e"))
    assert result.exit_code == 1 and "larger than" in result.output


def test_locked_feed_needs_confirmation(server: FeedServer, tmp_path: Path) -> None:
    url = serve(server, host_items(1), locked="yes")
    root = tmp_path / "episodes"
    result = run(url, "--root", str(root))
    assert result.exit_code == 1 and "--i-own-this-feed" in result.output
    assert run(url, "--root", str(root), "--i-own-this-feed").exit_code == 0


def test_another_show_in_the_folder_is_refused(server: FeedServer, show_dir: Path) -> None:
    url = serve(server, host_items(1), title="A different show")
    result = run(url, "--root", str(show_dir))
    assert result.exit_code == 1 and "another show" in result.output


def test_non_utf8_feed_without_declaration(server: FeedServer, tmp_path: Path) -> None:
    text = build_feed(server, host_items(1)).decode().replace(' encoding="UTF-8"', "")
    url = server.add("/latin.xml", text.encode("cp1252", "replace"))
    result = run(url, "--root", str(tmp_path / "episodes"))
    assert result.exit_code == 0, result.output
    assert "not UTF-8" in result.output
    assert "équité" in load(tmp_path / "episodes").episodes[0].title


def test_paged_feed_and_truncation_warning(server: FeedServer, tmp_path: Path) -> None:
    items = host_items(4)
    page2 = build_feed(server, items[2:]).replace(b"<title>Off", b"<title>Off", 1)
    server.add("/page2.xml", page2)
    link = f'<atom:link rel="next" href="{server.url("/page2.xml")}"/>\n'
    url = serve(server, items[:2], extra=link)
    result = run(url, "--root", str(tmp_path / "episodes"))
    assert result.exit_code == 0, result.output
    assert "4 imported" in result.output
    items[3].number = 40
    url = serve(server, items)
    result = run(url, "--root", str(tmp_path / "e2"), "--dry-run")
    assert "may be truncated" in result.output


def test_timeout_fails_only_that_item(server: FeedServer, tmp_path: Path) -> None:
    url = serve(server, host_items(2))
    server.stall.add([p for p in server.files if p.endswith(".mp3")][0])
    result = run(url, "--root", str(tmp_path / "episodes"))
    assert result.exit_code == 1
    assert "1 imported" in result.output and "1 failed" in result.output


def test_duplicate_numbers_and_since(server: FeedServer, tmp_path: Path) -> None:
    items = host_items(4)
    items[3].number = 3
    url = serve(server, items)
    root = tmp_path / "episodes"
    result = run(url, "--root", str(root), "--since", "2022-01-25")
    assert result.exit_code == 0, result.output
    assert "published before --since" in result.output
    assert "episode 3 is taken by another item" in result.output
    assert "3 imported" in result.output and "podcast check: 0 errors" in result.output
    assert sorted(e.number or 0 for e in load(root).episodes) == [0, 2, 3]


def test_audio_left_by_an_interrupted_run_is_adopted(server: FeedServer, tmp_path: Path) -> None:
    url = serve(server, host_items(2))
    root = tmp_path / "episodes"
    assert run(url, "--root", str(root)).exit_code == 0
    (root / "season-1" / "02-health.yaml").unlink()  # as if stopped before the YAML
    server.requests.clear()
    result = run(url, "--root", str(root))
    assert result.exit_code == 0, result.output
    assert "1 imported, 1 already here" in result.output
    assert not [p for p, _ in server.requests if p.endswith(".mp3")]
    assert sorted(p.name for p in (root / "season-1").glob("*.mp3")) == [
        "01-health.mp3",
        "02-health.mp3",
    ]
