"""The Podcasting 2.0 and Podlove tags in the feed, read the way apps and directories read them."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from pathlib import Path

import feedparser
import podcastparser
import pytest
from bs4 import BeautifulSoup
from flask.testing import FlaskClient
from lxml import etree
from support.clock import NOW

from podcast.read.catalog import load
from podcast.render import feed
from podcast.render.chapters import JSON_TYPE
from podcast.render.feedext import PODCAST_NS, PSC_NS, podcast_guid
from podcast.site.responses import compressible

BASE = "https://offthecharts.example"
NS = {"podcast": PODCAST_NS, "psc": PSC_NS, "content": "http://purl.org/rss/1.0/modules/content/"}
REPO = Path(__file__).resolve().parents[2]
PARTYTIME = REPO / ".ci" / "node" / "node_modules" / "podcast-partytime"


def build(show_dir: Path, base: str = BASE) -> bytes:
    return feed.build(load(show_dir), base, NOW)


def item(root: etree._Element, title: str) -> etree._Element:
    found = root.xpath("/rss/channel/item[title=$title]", title=title)
    assert len(found) == 1, title
    return found[0]


@pytest.fixture
def rss(show_dir: Path) -> etree._Element:
    return etree.fromstring(build(show_dir))


# --- podcast:guid ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "guid"),
    [  # the spec's own examples (docs/tags/guid.md)
        ("https://podnews.net/rss", "9b024349-ccf0-5f69-a609-6b82873eab3c"),
        ("http://podnews.net/rss/", "9b024349-ccf0-5f69-a609-6b82873eab3c"),
        ("podnews.net/rss", "9b024349-ccf0-5f69-a609-6b82873eab3c"),
        ("https://mp3s.nashownotes.com/pc20rss.xml", "917393e3-1b1e-5cef-ace4-edaa54e1f810"),
    ],
)
def test_podcast_guid_matches_the_spec_examples(url: str, guid: str) -> None:
    assert podcast_guid(url) == guid


def test_shipped_guid_is_pinned_and_survives_a_move_of_host(show_dir: Path) -> None:
    pinned = load(show_dir).show.podcast_guid
    assert pinned == podcast_guid("https://offthecharts.example/feed.xml")
    moved = etree.fromstring(build(show_dir, "https://podcasts.healthpartners.example"))
    assert moved.xpath("string(/rss/channel/podcast:guid)", namespaces=NS) == pinned


def test_unpinned_guid_is_computed_from_the_feed_url(show_dir: Path) -> None:
    show_yaml = show_dir / "show.yaml"
    text = show_yaml.read_text(encoding="utf-8")
    show_yaml.write_text(re.sub(r"(?m)^podcast_guid:.*$", "", text), encoding="utf-8")
    root = etree.fromstring(build(show_dir, "https://example.net/show/"))
    guid = root.xpath("string(/rss/channel/podcast:guid)", namespaces=NS)
    assert guid == podcast_guid("example.net/show/feed.xml")


# --- channel -------------------------------------------------------------------------------------


def test_channel_tags(rss: etree._Element) -> None:
    channel = rss.find("channel")
    assert channel.xpath("count(podcast:guid)", namespaces=NS) == 1
    locked = channel.xpath("podcast:locked", namespaces=NS)
    assert [(e.text, e.get("owner")) for e in locked] == [("yes", "podcast@example.org")]
    assert channel.xpath("podcast:medium/text()", namespaces=NS) == ["podcast"]
    hosts = channel.xpath("podcast:person", namespaces=NS)
    assert [(p.text, p.get("role")) for p in hosts] == [
        ("Dr. Kari Haley", "host"),
        ("Dr. Steven Jackson", "host"),
    ]
    assert channel.xpath("podcast:license | podcast:funding", namespaces=NS) == []
    # podcast tags belong to the channel, before the items
    first_item = channel.index(channel.find("item"))
    assert all(channel.index(e) < first_item for e in channel.xpath("podcast:*", namespaces=NS))


def test_trailer_points_at_the_trailer_episode(rss: etree._Element) -> None:
    (trailer,) = rss.xpath("/rss/channel/podcast:trailer", namespaces=NS)
    episode = item(rss, "A conversation about health equity starts here")
    enclosure = episode.find("enclosure")
    assert trailer.text == "A conversation about health equity starts here"
    assert trailer.get("url") == enclosure.get("url")
    assert trailer.get("length") == enclosure.get("length")
    assert trailer.get("type") == "audio/mpeg"
    assert trailer.get("season") == "1"
    published = parsedate_to_datetime(trailer.get("pubdate"))
    assert published == parsedate_to_datetime(episode.findtext("pubDate"))


def test_unlocked_show_with_funding_and_license(
    show_dir: Path, write: Callable[[str, str], Path]
) -> None:
    text = (show_dir / "show.yaml").read_text(encoding="utf-8").replace("locked: true", "")
    text += (
        "locked: false\n"
        "license: cc-by-4.0\n"
        'funding: {"Support the show": "https://example.org/give"}\n'
    )
    write("show.yaml", text)
    channel = etree.fromstring(build(show_dir)).find("channel")
    assert channel.xpath("podcast:locked/text()", namespaces=NS) == ["no"]
    assert channel.xpath("podcast:license/text()", namespaces=NS) == ["cc-by-4.0"]
    (funding,) = channel.xpath("podcast:funding", namespaces=NS)
    assert (funding.text, funding.get("url")) == ("Support the show", "https://example.org/give")


# --- items ---------------------------------------------------------------------------------------


def test_every_item_names_its_season(rss: etree._Element) -> None:
    names = {
        "1": "Naming the emergency",
        "2": "Barriers and drivers",
        "3": "Trust and community",
    }
    items = rss.xpath("/rss/channel/item")
    assert len(items) == 7
    for element in items:
        (season,) = element.xpath("podcast:season", namespaces=NS)
        assert season.text == element.findtext("{http://www.itunes.com/dtds/podcast-1.0.dtd}season")
        assert season.get("name") == names[season.text]


def test_episode_numbers_only_where_numbered(rss: etree._Element) -> None:
    assert item(rss, "Access to care").xpath("podcast:episode/text()", namespaces=NS) == ["1"]
    trailer = item(rss, "A conversation about health equity starts here")
    assert trailer.xpath("podcast:episode", namespaces=NS) == []


def test_guests_restate_the_hosts_with_role_href_and_img(
    show_dir: Path, write: Callable[[str, str], Path]
) -> None:
    episode = show_dir / "season-3" / "01-trust-in-medicine.yaml"
    text = episode.read_text(encoding="utf-8").replace(
        '- {name: "Sample Guest", role: guest, href: "https://example.org/"}',
        '- {name: "Sample Guest", role: guest, href: "https://example.org/",'
        ' img: "https://example.org/guest.jpg"}',
    )
    write("season-3/01-trust-in-medicine.yaml", text)
    people = item(etree.fromstring(build(show_dir)), "Trust in medicine").xpath(
        "podcast:person", namespaces=NS
    )
    assert [(p.text, p.get("role")) for p in people] == [
        ("Dr. Kari Haley", "host"),
        ("Dr. Steven Jackson", "host"),
        ("Sample Guest", "guest"),
    ]
    assert people[2].get("href") == "https://example.org/"
    assert people[2].get("img") == "https://example.org/guest.jpg"


def test_items_without_guests_inherit_the_channel_people(rss: etree._Element) -> None:
    assert item(rss, "Access to care").xpath("podcast:person", namespaces=NS) == []


def test_transcripts_are_linked_with_type_language_and_captions(rss: etree._Element) -> None:
    for title, url, mime in [
        ("Access to care", "s2-01-access-to-care/transcript.srt", "application/x-subrip"),
        ("Trust in medicine", "s3-01-trust-in-medicine/transcript.vtt", "text/vtt"),
    ]:
        (link,) = item(rss, title).xpath("podcast:transcript", namespaces=NS)
        assert link.get("url") == f"{BASE}/episodes/{url}"
        assert link.get("type") == mime
        assert link.get("language") == "en-us"
        assert link.get("rel") == "captions"


def test_each_language_has_its_own_transcript_link(rss: etree._Element) -> None:
    links = item(rss, "What health equity means").xpath("podcast:transcript", namespaces=NS)
    found = [(link.get("language"), link.get("url")) for link in links]
    page = f"{BASE}/episodes/s1-02-what-health-equity-means"
    assert found == [("en-us", f"{page}/transcript.vtt"), ("es", f"{page}/transcript.es.vtt")]
    assert {link.get("rel") for link in links} == {"captions"}


def test_linked_transcripts_are_served_with_their_type(
    rss: etree._Element, client: FlaskClient, show_dir: Path
) -> None:
    links = rss.xpath("//item/podcast:transcript", namespaces=NS)
    assert len(links) == 8  # seven episodes' transcripts and one in Spanish
    for link in links:
        with client.get(link.get("url").removeprefix(BASE)) as response:
            assert response.status_code == 200, link.get("url")
            assert response.mimetype == link.get("type")
            assert response.mimetype_params["charset"] == "utf-8"
            assert response.headers["Access-Control-Allow-Origin"] == "*"
            assert response.data.decode("utf-8").strip()


def test_chapters_link_only_where_there_are_chapters(rss: etree._Element) -> None:
    with_chapters = {
        "What health equity means": "s1-02-what-health-equity-means",  # from the YAML
        "Why we call it an emergency": "s1-01-why-we-call-it-an-emergency",  # from the MP3
        "Social drivers of health": "s2-02-social-drivers-of-health",
    }
    for element in rss.xpath("/rss/channel/item"):
        links = element.xpath("podcast:chapters", namespaces=NS)
        slug = with_chapters.get(element.findtext("title"))
        if slug is None:
            assert links == [] and element.xpath("psc:chapters", namespaces=NS) == []
            continue
        (link,) = links
        assert link.get("url") == f"{BASE}/episodes/{slug}/chapters.json"
        assert link.get("type") == "application/json+chapters"


def test_linked_chapters_are_served(rss: etree._Element, client: FlaskClient) -> None:
    for link in rss.xpath("//item/podcast:chapters", namespaces=NS):
        response = client.get(link.get("url").removeprefix(BASE))
        assert response.status_code == 200
        assert response.mimetype == "application/json+chapters"
        assert json.loads(response.data)["version"] == "1.2.0"


def test_podlove_chapters_match_the_chapters(rss: etree._Element) -> None:
    (chapters,) = item(rss, "Why we call it an emergency").xpath("psc:chapters", namespaces=NS)
    assert chapters.get("version") == "1.2"
    assert [(c.get("start"), c.get("title")) for c in chapters] == [
        ("00:00:00.000", "Welcome"),
        ("00:00:03.612", "Why an emergency"),
        ("00:00:08.045", "Acting now"),
    ]


def test_show_notes_carry_chapter_timestamps_for_apple(rss: etree._Element) -> None:
    html = item(rss, "What health equity means").findtext("content:encoded", namespaces=NS)
    lines = BeautifulSoup(html, "html.parser").get_text("\n").splitlines()
    stamps = [line.split()[0] for line in lines if re.match(r"^\d\d:\d\d:\d\d ", line)]
    assert len(stamps) >= 3
    assert stamps[0] == "00:00:00"
    assert "00:00:04 A working definition" in lines


# --- the way apps read it --------------------------------------------------------------------


def test_podcastparser_reads_the_podlove_chapters(show_dir: Path) -> None:
    parsed = podcastparser.parse(f"{BASE}/feed.xml", io.BytesIO(build(show_dir)))
    by_title = {e["title"]: e for e in parsed["episodes"]}
    assert by_title["What health equity means"]["chapters"] == [
        {"start": 0, "title": "Opening"},
        {"start": 4, "title": "A working definition"},
        {"start": 8, "title": "What comes next"},
    ]
    assert [c["title"] for c in by_title["Why we call it an emergency"]["chapters"]] == [
        "Welcome",
        "Why an emergency",
        "Acting now",
    ]
    assert "chapters" not in by_title["Access to care"]


def test_feedparser_still_parses_everything(show_dir: Path) -> None:
    parsed = feedparser.parse(build(show_dir))
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert len(parsed.entries) == 7
    assert parsed.namespaces["podcast"] == PODCAST_NS
    entry = next(e for e in parsed.entries if e.title == "Social drivers of health")
    assert [c["title"] for c in entry.psc_chapters["chapters"]] == [
        "Opening",
        "Beyond the clinic",
        "Coming up",
    ]


def test_an_independent_podcasting20_parser_reads_the_feed(show_dir: Path, tmp_path: Path) -> None:
    """podcast-partytime, the Podcast Index's own parser (installed by .ci/run from npm)."""
    node = shutil.which("node")
    if node is None or not PARTYTIME.is_dir():
        if os.environ.get("CI"):
            pytest.fail("node and podcast-partytime must be installed by .ci/run")
        pytest.skip("podcast-partytime is not installed: run `bash .ci/run` once")
    (tmp_path / "feed.xml").write_bytes(build(show_dir))
    script = (
        "const {parseFeed} = require(process.argv[1]);"
        "const xml = require('fs').readFileSync(process.argv[2], 'utf8');"
        "process.stdout.write(JSON.stringify(parseFeed(xml)));"
    )
    result = subprocess.run(
        [node, "-e", script, str(PARTYTIME), str(tmp_path / "feed.xml")],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    parsed = json.loads(result.stdout)
    assert parsed["guid"] == podcast_guid("https://offthecharts.example/feed.xml")
    assert parsed["locked"] is True and parsed["podcastOwner"] == "podcast@example.org"
    assert parsed["medium"] == "podcast"
    assert [p["name"] for p in parsed["podcastPeople"]] == ["Dr. Kari Haley", "Dr. Steven Jackson"]
    assert [t["season"] for t in parsed["trailers"]] == [1]
    assert parsed["podcastSeasons"]["2"] == {"number": 2, "name": "Barriers and drivers"}
    items = {i["title"]: i for i in parsed["items"]}
    assert items["Access to care"]["podcastTranscripts"] == [
        {
            "url": f"{BASE}/episodes/s2-01-access-to-care/transcript.srt",
            "type": "application/srt",  # partytime's name for application/x-subrip
            "language": "en-us",
            "rel": "captions",
        }
    ]
    assert items["Why we call it an emergency"]["podcastChapters"] == {
        "url": f"{BASE}/episodes/s1-01-why-we-call-it-an-emergency/chapters.json",
        "type": "application/json+chapters",
    }
    guest = items["Trust in medicine"]["podcastPeople"][-1]
    assert (guest["name"], guest["role"].lower()) == ("Sample Guest", "guest")


def test_the_json_chapters_type_is_one_constant(client: FlaskClient) -> None:
    xml = etree.fromstring(client.get("/feed.xml").data)
    types = set(xml.xpath("//podcast:chapters/@type", namespaces={"podcast": PODCAST_NS}))
    assert types == {JSON_TYPE} and compressible(JSON_TYPE)
