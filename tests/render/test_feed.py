"""The feed as podcast apps read it: feedparser, podcastparser (gPodder) and lxml."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import feedparser
import podcastparser
import pytest
from lxml import etree
from support.clock import NOW

from podcast.errors import CatalogError
from podcast.model import Catalog
from podcast.read.catalog import default_root, load
from podcast.render import feed
from podcast.render.urls import Urls

BASE = "https://offthecharts.example"
NS = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "atom": "http://www.w3.org/2005/Atom",
    "content": "http://purl.org/rss/1.0/modules/content/",
}
# Durations measured independently with ffprobe when the samples were made.
TRUE_SECONDS = {
    "s1-00-trailer-a-conversation-starts-here": 11.520,
    "s1-01-why-we-call-it-an-emergency": 13.322,
    "s1-02-what-health-equity-means": 11.886,
    "s2-01-access-to-care": 11.045,
    "s2-02-social-drivers-of-health": 12.487,
    "s3-01-trust-in-medicine": 11.942,
    "s3-02-community-voices": 10.789,
}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load(default_root())


@pytest.fixture(scope="module")
def xml(catalog: Catalog) -> bytes:
    return feed.build(catalog, BASE, NOW)


@pytest.fixture(scope="module")
def tree(xml: bytes) -> etree._Element:
    return etree.fromstring(xml)


def test_feedparser_reads_every_episode(xml: bytes, catalog: Catalog) -> None:
    parsed = feedparser.parse(xml)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "rss20"
    assert parsed.feed.title == catalog.show.title
    assert [e.id for e in parsed.entries] == [e.guid for e in catalog.episodes]
    for entry, episode in zip(parsed.entries, catalog.episodes, strict=True):
        (enclosure,) = entry.enclosures
        assert int(enclosure.length) == episode.audio.path.stat().st_size
        assert enclosure.type == episode.audio.mime
        assert entry.itunes_season == str(episode.season)
        assert entry.get("itunes_episode") == (str(episode.number) if episode.number else None)


def test_podcastparser_reads_durations_and_enclosures(xml: bytes, catalog: Catalog) -> None:
    parsed = podcastparser.parse(BASE + "/feed.xml", io.BytesIO(xml))
    assert parsed["title"] == catalog.show.title
    assert parsed["cover_url"] == BASE + "/artwork.jpg"
    episodes = {e.guid: e for e in catalog.episodes}
    assert len(parsed["episodes"]) == len(episodes)
    for item in parsed["episodes"]:
        episode = episodes[item["guid"]]
        assert abs(item["total_time"] - TRUE_SECONDS[episode.slug]) <= 0.5
        (enclosure,) = item["enclosures"]
        assert enclosure["file_size"] == episode.audio.path.stat().st_size
        assert enclosure["mime_type"] == episode.audio.mime
        assert enclosure["url"].startswith(BASE + "/audio/season-")
        assert item["link"] == f"{BASE}/episodes/{episode.slug}/"


def test_channel_has_apple_required_tags(tree: etree._Element) -> None:
    channel = tree.find("channel")
    assert channel is not None

    def text(path: str) -> str:
        return str(channel.xpath(f"string({path})", namespaces=NS))

    assert text("title") and text("description") and text("language") == "en-us"
    assert text("link") == BASE + "/"
    assert channel.xpath("atom:link[@rel='self']/@href", namespaces=NS) == [BASE + "/feed.xml"]
    assert channel.xpath("itunes:image/@href", namespaces=NS) == [BASE + "/artwork.jpg"]
    assert text("itunes:explicit") == "false"
    assert text("itunes:author") == "HealthPartners"
    assert text("itunes:owner/itunes:name") and "@" in text("itunes:owner/itunes:email")
    assert text("itunes:type") == "episodic"
    assert text("copyright").startswith("©")
    top = channel.xpath("itunes:category/@text", namespaces=NS)
    assert top == ["Health & Fitness", "Society & Culture"]
    assert channel.xpath("itunes:category/itunes:category/@text", namespaces=NS) == ["Medicine"]


def test_items_have_apple_tags(tree: etree._Element, catalog: Catalog) -> None:
    items = tree.findall("channel/item")
    assert len(items) == len(catalog.episodes)
    for item, episode in zip(items, catalog.episodes, strict=True):
        guid = item.find("guid")
        assert guid is not None and guid.get("isPermaLink") == "false"
        assert item.findtext("guid") == episode.guid
        assert item.xpath("string(itunes:duration)", namespaces=NS) == str(episode.audio.seconds)
        assert item.xpath("string(itunes:explicit)", namespaces=NS) in ("true", "false")
        assert item.xpath("string(itunes:episodeType)", namespaces=NS) == episode.type.value
        assert item.xpath("string(itunes:season)", namespaces=NS) == str(episode.season)
        description = item.findtext("description") or ""
        assert "<" not in description and 0 < len(description.encode()) <= 4000
        content = item.xpath("string(content:encoded)", namespaces=NS)
        assert "<p>" in content and "<script" not in content
        pub_date = item.findtext("pubDate") or ""
        assert datetime.strptime(pub_date, "%a, %d %b %Y %H:%M:%S %z") == episode.published


def test_no_yes_no_explicit_values(xml: bytes) -> None:
    assert b"<itunes:explicit>no<" not in xml and b"<itunes:explicit>yes<" not in xml


def test_same_catalog_same_bytes(catalog: Catalog, xml: bytes) -> None:
    again = load(default_root())
    assert feed.build(again, BASE, NOW) == xml


def test_last_build_date_comes_from_the_data(tree: etree._Element, catalog: Catalog) -> None:
    newest = max(e.published for e in catalog.episodes)
    assert tree.findtext("channel/lastBuildDate") == newest.strftime("%a, %d %b %Y %H:%M:%S %z")


def test_drafts_are_left_out(catalog: Catalog) -> None:
    first = min(e.published for e in catalog.episodes)
    parsed = feedparser.parse(feed.build(catalog, BASE, first))
    assert len(parsed.entries) == 1


def test_media_base_url_moves_enclosures_only(catalog: Catalog) -> None:
    xml = feed.build(catalog, BASE, NOW, media_base_url="https://media.example/otc")
    parsed = feedparser.parse(xml)
    assert all(
        e.enclosures[0].href.startswith("https://media.example/otc/season-") for e in parsed.entries
    )
    assert all(e.link.startswith(BASE) for e in parsed.entries)


def test_long_description_is_cut_to_4000_bytes(show_dir: Path) -> None:
    path = next(show_dir.glob("season-1/01-*.yaml"))
    path.write_text(path.read_text().replace("summary:", "summary: " + "équité " * 900 + "x"))
    xml = feed.build(load(show_dir), BASE, NOW)
    descriptions = etree.fromstring(xml).xpath("//item/description/text()")
    assert max(len(d.encode()) for d in descriptions) <= 4000
    assert any(d.endswith("…") for d in descriptions)


def test_feed_max_items_lists_only_the_newest(show_dir: Path, catalog: Catalog) -> None:
    show = show_dir / "show.yaml"
    show.write_text(show.read_text("utf-8") + "feed_max_items: 2\n", "utf-8")
    capped = load(show_dir)
    assert capped.show.feed_max_items == 2
    parsed = feedparser.parse(feed.build(capped, BASE, NOW))
    newest = [e.guid for e in capped.visible(NOW)[:2]]
    assert [entry.id for entry in parsed.entries] == newest
    assert parsed.feed.title == catalog.show.title


@pytest.mark.parametrize("value", ["0", "-3", "many"])
def test_feed_max_items_must_be_a_positive_count(show_dir: Path, value: str) -> None:
    show = show_dir / "show.yaml"
    show.write_text(show.read_text("utf-8") + f"feed_max_items: {value}\n", "utf-8")
    line = len(show.read_text("utf-8").splitlines())
    with pytest.raises(CatalogError) as raised:
        load(show_dir)
    assert f"show.yaml:{line}:" in str(raised.value) and "feed_max_items" in str(raised.value)


@pytest.mark.parametrize("at_once", [1, 3, 1000])
def test_items_built_a_few_at_a_time_print_as_one_feedgen_tree(
    catalog: Catalog, at_once: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(feed, "ITEMS_AT_ONCE", at_once)
    episodes = catalog.visible(NOW)
    urls = Urls(catalog, BASE)
    generator = feed._channel(catalog, urls, episodes)
    for episode in reversed(episodes):  # one tree of every item, as feedgen prints it
        feed._item(generator.add_entry(), catalog, urls, episode)
    assert feed.build(catalog, BASE, NOW) == generator.rss_str(pretty=True)


def test_an_episode_with_chapters_but_no_notes_leads_with_its_summary(show_dir: Path) -> None:
    path = show_dir / "season-1" / "02-what-health-equity-means.yaml"
    text = path.read_text("utf-8")
    notes = text.index("\nnotes:")
    end = text.index("\nchapters:")
    path.write_text(text[:notes] + text[end:], "utf-8")
    loaded = load(show_dir)
    episode = next(e for e in loaded.episodes if e.source == path)
    assert not episode.notes and episode.all_chapters and episode.summary
    parsed = feedparser.parse(feed.build(loaded, BASE, NOW))
    entry = next(e for e in parsed.entries if e.id == episode.guid)
    content = entry.content[0].value
    assert content.startswith(f"<p>{episode.summary}</p>"), content
    assert "00:00" in content  # the chapter list follows
