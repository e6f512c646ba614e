"""The site through the test client: metadata, structured data, sitemap, search, weight."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import feedparser
import pytest
from bs4 import BeautifulSoup, Tag
from flask.testing import FlaskClient
from lxml import etree
from support.clock import NOW

from podcast.read.catalog import load
from podcast.render.search import read_cues
from podcast.site.app import create_app

BASE = "https://offthecharts.example"
EPISODE = "/episodes/s1-01-why-we-call-it-an-emergency/"
PAGES = ["/", "/seasons/1/", EPISODE, "/search/?q=care", "/no-such-page/"]
ISO_DURATION = re.compile(r"^PT(\d+H)?(\d+M)?(\d+S)?$")
# What each schema.org type must carry for us to call it complete (Google's podcast guidance and
# schema.org's expected properties for these types).
REQUIRED = {
    "PodcastSeries": {"name", "url", "webFeed", "description", "image"},
    "PodcastSeason": {"name", "url", "seasonNumber", "partOfSeries"},
    "PodcastEpisode": {
        "name",
        "url",
        "datePublished",
        "associatedMedia",
        "partOfSeries",
        "partOfSeason",
        "description",
    },
}
FUTURE = """title: Not out yet
season: 1
episode: 9
published: 2030-01-01T06:00:00Z
guid: 9d1f7f0a-8c1c-4a57-9b7e-0d6f3f2b9a10
summary: A draft about zeppelins.
"""


def fresh_client(show_dir: Path) -> FlaskClient:
    """A client on an app that reads the scratch show now, after a test changed it."""
    app = create_app({"EPISODES_ROOT": show_dir, "CLOCK": lambda: NOW, "BASE_URL": BASE})
    return app.test_client()


def page(client: FlaskClient, path: str, status: int = 200) -> BeautifulSoup:
    """GET `path`, check its status, parse its HTML."""
    response = client.get(path)
    assert response.status_code == status, path
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def json_ld(soup: BeautifulSoup) -> dict[str, object]:
    """The page's one JSON-LD object."""
    scripts = soup.find_all("script", type="application/ld+json")
    assert len(scripts) == 1
    data = json.loads(scripts[0].string)
    assert isinstance(data, dict)
    return data


def meta(soup: BeautifulSoup, key: str) -> str:
    """The content of <meta property=key> or <meta name=key>."""
    tag = soup.find("meta", property=key) or soup.find("meta", attrs={"name": key})
    assert isinstance(tag, Tag), f"no meta {key}"
    return str(tag["content"])


def add_episode(show_dir: Path, data_dir: Path, stem: str, text: str) -> None:
    """Write an episode YAML with a copy of a small committed MP3 beside it."""
    (show_dir / "season-1" / f"{stem}.yaml").write_text(text, encoding="utf-8")
    shutil.copy(data_dir / "cbr.mp3", show_dir / "season-1" / f"{stem}.mp3")


# --- structured data -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "kind"),
    [("/", "PodcastSeries"), ("/seasons/2/", "PodcastSeason"), (EPISODE, "PodcastEpisode")],
)
def test_json_ld_has_the_type_and_its_required_properties(
    client: FlaskClient, path: str, kind: str
) -> None:
    data = json_ld(page(client, path))
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == kind
    assert REQUIRED[kind] <= set(data), REQUIRED[kind] - set(data)
    assert data["url"] == BASE + path
    assert (
        data.get("partOfSeries", {"webFeed": BASE + "/feed.xml"})["webFeed"] == BASE + "/feed.xml"
    )


def test_episode_json_ld_agrees_with_the_feed(client: FlaskClient, show_dir: Path) -> None:
    data = json_ld(page(client, EPISODE))
    feed = feedparser.parse(client.get("/feed.xml").data)
    entry = next(e for e in feed.entries if e.link == BASE + EPISODE)
    media = data["associatedMedia"]
    assert media["@type"] == "AudioObject"
    assert media["contentUrl"] == entry.enclosures[0].href
    assert media["contentSize"] == entry.enclosures[0].length
    assert media["encodingFormat"] == entry.enclosures[0].type
    assert ISO_DURATION.match(data["timeRequired"])
    assert datetime.fromisoformat(data["datePublished"]).tzinfo is not None
    assert data["partOfSeason"]["seasonNumber"] == 1
    assert data["episodeNumber"] == 1
    episode = load(show_dir).find("s1-01-why-we-call-it-an-emergency")
    assert episode is not None
    assert [c["name"] for c in data["hasPart"]] == [c.title for c in episode.all_chapters]
    assert {a["name"] for a in data["actor"]} == {"Dr. Kari Haley", "Dr. Steven Jackson"}


def test_season_json_ld_lists_its_episodes(client: FlaskClient) -> None:
    data = json_ld(page(client, "/seasons/1/"))
    assert data["seasonNumber"] == 1
    assert data["numberOfEpisodes"] == len(data["episode"]) == 3
    for episode in data["episode"]:
        assert client.get(urlsplit(episode["url"]).path).status_code == 200


def test_json_ld_cannot_close_its_script_tag(show_dir: Path, data_dir: Path) -> None:
    title = "Ends </script><script>alert(1)</script> & more"
    add_episode(
        show_dir,
        data_dir,
        "05-hostile",
        f"title: '{title}'\nseason: 1\nepisode: 5\n"
        "published: 2023-01-01T06:00:00Z\nguid: 4c0e8a57-1f6b-4f7e-9f51-2a2f4e1c0d11\n",
    )
    client = fresh_client(show_dir)
    response = client.get("/episodes/s1-05-hostile/")
    html = response.get_data(as_text=True)
    assert "<script>alert(1)" not in html
    assert json_ld(BeautifulSoup(html, "html.parser"))["name"] == title


# --- sharing and discovery -------------------------------------------------------------------


@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_feed_autodiscovery_and_sharing_tags(client: FlaskClient, path: str) -> None:
    soup = page(client, path, 404 if "no-such" in path else 200)
    feeds = soup.find_all("link", rel="alternate", type="application/rss+xml")
    assert [f["href"] for f in feeds] == [BASE + "/feed.xml"]
    assert meta(soup, "og:image") == BASE + "/artwork.jpg"
    assert meta(soup, "og:image:alt")
    assert meta(soup, "og:title") and meta(soup, "og:description")
    assert meta(soup, "twitter:card") == "summary"
    assert meta(soup, "og:url") == soup.find("link", rel="canonical")["href"]
    assert soup.html["lang"] == "en-us"


@pytest.mark.parametrize("path", PAGES)
def test_the_description_is_the_same_for_search_engines_and_previews(
    client: FlaskClient, path: str
) -> None:
    soup = page(client, path, 404 if "no-such" in path else 200)
    described = meta(soup, "description")
    assert described and described == meta(soup, "og:description")
    assert described == meta(soup, "twitter:description")


def test_an_episode_with_notes_but_no_summary_is_described_by_its_notes(
    show_dir: Path, data_dir: Path
) -> None:
    notes = "Zebras " + "and more words " * 40  # longer than any preview shows
    add_episode(
        show_dir,
        data_dir,
        "07-notes-only",
        "title: Notes only\nseason: 1\nepisode: 7\npublished: 2023-02-01T06:00:00Z\n"
        f"guid: 00000000-0000-4000-8000-000000000007\nnotes: {notes}\n",
    )
    soup = page(fresh_client(show_dir), "/episodes/s1-07-notes-only/")
    described = meta(soup, "description")
    assert described == meta(soup, "og:description")
    assert described.startswith("Zebras and more words") and described.endswith("…")
    assert len(described) <= 300


def test_episode_sharing_tags_carry_its_audio(client: FlaskClient) -> None:
    soup = page(client, EPISODE)
    assert meta(soup, "og:type") == "article"
    assert meta(soup, "og:title") == "Why we call it an emergency"
    assert meta(soup, "og:url") == BASE + EPISODE
    assert meta(soup, "og:audio") == BASE + "/audio/season-1/01-why-we-call-it-an-emergency.mp3"
    assert meta(soup, "og:audio:type") == "audio/mpeg"
    assert meta(soup, "twitter:description").startswith("The hosts explain")


def test_sitemap_lists_every_page_and_each_answers_200(show_dir: Path, data_dir: Path) -> None:
    add_episode(show_dir, data_dir, "09-future", FUTURE)
    client = fresh_client(show_dir)
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    root = etree.fromstring(response.data)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    assert root.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}urlset"
    locs = root.xpath("//s:url/s:loc/text()", namespaces=ns)
    # home, seasons, published episodes (not the draft), and the English and Spanish
    # transcript pages of the one episode in two languages
    assert len(locs) == 1 + 3 + 7 + 2
    assert all(loc.startswith(BASE + "/") for loc in locs)
    for loc in locs:
        assert client.get(urlsplit(loc).path).status_code == 200, loc
    assert not any("future" in loc for loc in locs)
    for lastmod in root.xpath("//s:lastmod/text()", namespaces=ns):
        datetime.strptime(lastmod, "%Y-%m-%d")


def test_robots_txt_points_at_the_sitemap(client: FlaskClient) -> None:
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    lines = response.get_data(as_text=True).splitlines()
    assert "User-agent: *" in lines
    assert "Disallow: /search" in lines
    assert f"Sitemap: {BASE}/sitemap.xml" in lines


def test_subscribe_links_fill_in_the_feed_address(client: FlaskClient) -> None:
    soup = page(client, "/")
    buttons = {a.get_text(strip=True): a["href"] for a in soup.select("#subscribe .subscribe a")}
    antennapod = urlsplit(buttons["AntennaPod"])
    assert antennapod.netloc == "antennapod.org"
    assert parse_qs(antennapod.query)["url"] == [BASE + "/feed.xml"]
    assert buttons["RSS feed"] == BASE + "/feed.xml"
    assert soup.find("input", id="feed-url")["value"] == BASE + "/feed.xml"
    assert soup.find("button", attrs={"data-copy": "feed-url"}).get_text() == "Copy feed URL"
    footer = [a["href"] for a in soup.select("footer a")]
    assert "https://www.healthpartners.com/" in footer


def test_more_app_links_come_from_show_yaml(
    write: Callable[[str, str], Path], show_dir: Path
) -> None:
    text = (show_dir / "show.yaml").read_text(encoding="utf-8")
    text = text.replace(
        '  website: "https://www.healthpartners.com/"\n',
        '  pocket_casts: "https://pca.st/itunes/123"\n'
        '  fancy_app: "https://fancy.example/add?feed={feed}"\n',
    )
    write("show.yaml", text)
    client = fresh_client(show_dir)
    soup = page(client, "/")
    labels = [a.get_text(strip=True) for a in soup.select("#subscribe .subscribe a")]
    assert labels == ["AntennaPod", "Pocket Casts", "Fancy App", "RSS feed"]
    fancy = soup.find("a", string="Fancy App")["href"]
    assert fancy == "https://fancy.example/add?feed=https%3A%2F%2Foffthecharts.example%2Ffeed.xml"


# --- search ----------------------------------------------------------------------------------


def results(client: FlaskClient, query: str) -> list[str]:
    """The episode paths a search lists, in order."""
    soup = page(client, "/search/?" + query)
    return [a["href"] for a in soup.select(".result h3 a")]


def test_search_finds_words_in_titles_notes_guests_and_transcripts(client: FlaskClient) -> None:
    assert results(client, "q=social+drivers") == ["/episodes/s2-02-social-drivers-of-health/"]
    assert results(client, "q=Sample+Guest")[0] == "/episodes/s3-01-trust-in-medicine/"
    assert results(client, "q=transportation") == ["/episodes/s2-01-access-to-care/"]
    assert results(client, "q=healthpartners.com")  # a word in every episode's notes
    assert results(client, "q=zeppelin") == []


def test_search_result_links_to_the_transcript_cue(client: FlaskClient) -> None:
    soup = page(client, "/search/?q=act+now")
    first = soup.select_one(".result")
    assert first.select_one("h3 a")["href"] == EPISODE
    cues = [a["href"] for a in first.select("a.cue-link")]
    assert EPISODE + "#cue-5" in cues  # "In an emergency, we act now."
    marks = [m.get_text() for m in first.select("mark")]
    assert {"act", "now"} <= {m.lower() for m in marks}


def test_search_ranks_titles_first_and_pages_results(show_dir: Path, data_dir: Path) -> None:
    for n in range(10, 35):
        add_episode(
            show_dir,
            data_dir,
            f"{n}-talk",
            f"title: Talk {n}\nseason: 1\nepisode: {n}\n"
            f"published: 2023-02-{n - 9:02d}T06:00:00Z\nsummary: Zebras and equity.\n"
            f"guid: 00000000-0000-4000-8000-0000000000{n}\n",
        )
    add_episode(
        show_dir,
        data_dir,
        "40-zebras",
        "title: Zebras\nseason: 1\nepisode: 40\n"
        "published: 2020-01-01T06:00:00Z\nguid: 00000000-0000-4000-8000-000000000040\n",
    )
    client = fresh_client(show_dir)
    first = page(client, "/search/?q=zebras")
    assert "26 episodes" in first.select_one("#results-heading").get_text()
    hrefs = [a["href"] for a in first.select(".result h3 a")]
    assert hrefs[0] == "/episodes/s1-40-zebras/"  # the title match beats newer summaries
    assert len(hrefs) == 20
    second = page(client, first.select_one("a[rel=next]")["href"])
    assert len(second.select(".result")) == 6
    assert second.select_one("ol.results")["start"] == "21"


def test_search_hides_drafts_and_folds_accents_and_case(show_dir: Path, data_dir: Path) -> None:
    add_episode(show_dir, data_dir, "09-future", FUTURE)
    client = fresh_client(show_dir)
    assert results(client, "q=zeppelins") == []
    assert results(client, "q=%C3%89MERGENCY+TRUST") == []  # every word must appear
    assert EPISODE in results(client, "q=%C3%A9mergency")


def test_search_page_without_a_query_is_a_form(client: FlaskClient) -> None:
    soup = page(client, "/search/")
    assert soup.find("input", attrs={"name": "q", "id": "search-q"})
    assert soup.find("label", attrs={"for": "search-q"})
    assert not soup.select(".result")
    assert meta(soup, "robots") == "noindex"
    heading = page(client, "/search/?q=the+and+of").select_one("#results-heading")
    assert heading.get_text().startswith("No episodes")  # too common words find nothing


# --- accessibility structure and weight ------------------------------------------------------


@pytest.mark.parametrize("path", PAGES)
def test_headings_descend_one_level_at_a_time(client: FlaskClient, path: str) -> None:
    soup = page(client, path, 404 if "no-such" in path else 200)
    levels = [int(h.name[1]) for h in soup.find_all(re.compile(r"^h[1-6]$"))]
    assert levels[0] == 1 and levels.count(1) == 1, levels
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)), levels
    assert soup.find("main") and soup.find("header") and soup.find("footer")
    assert soup.find(attrs={"role": "search"})
    for image in soup.find_all("img"):
        assert image.get("alt"), image
    for control in soup.find_all(["input", "select", "textarea"]):
        label = soup.find("label", attrs={"for": control.get("id")})
        assert label or control.get("aria-label"), control


def test_episode_page_weighs_under_100_kb_without_audio(client: FlaskClient) -> None:
    response = client.get(EPISODE)
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assets = [t["href"] for t in soup.find_all("link", rel=["stylesheet", "icon"])]
    assets += [t["src"] for t in soup.find_all(["script", "img"], src=True)]
    total = len(response.data)
    for url in assets:
        asset = client.get(urlsplit(url).path)
        assert asset.status_code == 200, url
        total += len(asset.data)
        asset.close()
    assert total < 100 * 1024, f"{total} bytes"
    assert "<iframe" not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "query",
    [
        '"',
        "*",
        "NEAR(care access)",
        "care AND OR NOT",
        "^care",
        "col:care",
        "\x00care",
        "日本語",
        "x" * 2000,
        "care -access",
        "'; DROP TABLE words; --",
    ],
)
def test_search_survives_any_query(client: FlaskClient, query: str) -> None:
    response = client.get("/search/", query_string={"q": query, "page": "-3"})
    assert response.status_code == 200
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert soup.find("input", id="search-q")["value"] == query


def test_every_transcript_is_linked_and_readable_on_its_page(
    client: FlaskClient, show_dir: Path
) -> None:
    catalog = load(show_dir)
    with_transcripts = [e for e in catalog.episodes if e.transcript]
    assert len(with_transcripts) == len(catalog.episodes)  # the sample show ships all seven
    for episode in with_transcripts:
        soup = page(client, f"/episodes/{episode.slug}/")
        link = soup.select_one("#transcript a.transcript-file")
        assert link is not None, episode.slug
        with client.get(link["href"]) as response:
            assert response.status_code == 200
        cues = soup.select("#transcript .cue")
        assert len(cues) == len(read_cues(episode.transcript.path)) > 0
        assert [c["id"] for c in cues] == [f"cue-{n}" for n in range(1, len(cues) + 1)]


def test_every_cue_search_links_to_is_on_the_page_with_its_time_and_speaker(
    show_dir: Path,
) -> None:
    (show_dir / "season-1" / "01-why-we-call-it-an-emergency.vtt").write_text(
        "WEBVTT\n\nNOTE 00:00:00.500 --> 00:00:01.000 in a comment\n\n"
        "00:00:01.000 --> 00:00:02.000\n<v Dr. Kari Haley>Zebras first.\n\n"
        "00:00:02.000 --> 00:00:03.000\nZebras again.\n",
        encoding="utf-8",
    )
    (show_dir / "season-1" / "02-what-health-equity-means.vtt").write_text(
        "WEBVTT\n\n00:00:03.93 --> 00:00:05.000\nZebras unseen.\n", encoding="utf-8"
    )
    client = fresh_client(show_dir)
    links = page(client, "/search/?q=zebras").select("a.cue-link")
    assert [a["href"] for a in links] == [f"{EPISODE}#cue-1", f"{EPISODE}#cue-2"]
    shown = page(client, EPISODE)
    for link in links:
        cue = shown.select_one(f"#{link['href'].split('#')[1]}")
        assert cue is not None, link["href"]
        assert cue.select_one(".cue-time").get_text() == link.select_one(".timestamp").get_text()
        speaker = link.find_next_sibling("span", class_="speaker")
        assert speaker is not None and speaker.get_text() == "Dr. Kari Haley:"
        assert cue.select_one(".speaker").get_text() == "Dr. Kari Haley"
