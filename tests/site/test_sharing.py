"""Sharing through the test client: oEmbed, the frameable embed page, the poster's QR code,
episode artwork, the neighbours' links and the subscribe block."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from io import BytesIO
from pathlib import Path
from urllib.parse import quote

import pytest
import segno
from bs4 import BeautifulSoup
from conftest import NOW
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from support.qr import decode_qr

from podcast.publish import build as export
from podcast.site.app import create_app

BASE = "https://offthecharts.example"
SLUG = "s1-02-what-health-equity-means"
EPISODE = f"/episodes/{SLUG}/"


def soup(client: FlaskClient, path: str) -> BeautifulSoup:
    response = client.get(path)
    assert response.status_code == 200, path
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def oembed(client: FlaskClient, url: str, **extra: str) -> dict[str, object]:
    response = client.get(
        "/oembed.json?url=" + quote(url, safe="") + "".join(f"&{k}={v}" for k, v in extra.items())
    )
    assert response.status_code == 200, response.status
    assert response.mimetype == "application/json"
    document: dict[str, object] = response.get_json()
    return document


# --- oEmbed --------------------------------------------------------------------------------


def test_the_episode_page_announces_its_oembed_document(client: FlaskClient) -> None:
    (link,) = soup(client, EPISODE).find_all("link", type="application/json+oembed")
    assert link["rel"] == ["alternate"]
    assert link["href"] == f"{BASE}{EPISODE}oembed.json"
    found = client.get(link["href"].removeprefix(BASE))
    assert found.status_code == 200
    assert found.get_json() == oembed(client, BASE + EPISODE)


def test_the_oembed_document_is_a_rich_iframe_per_the_spec(client: FlaskClient) -> None:
    document = oembed(client, f"{BASE}{EPISODE}#t=30")
    assert document["version"] == "1.0"
    assert document["type"] == "rich"
    assert document["provider_url"] == BASE + "/"
    assert isinstance(document["width"], int) and isinstance(document["height"], int)
    # a thumbnail comes with its size (oEmbed 2.3.4): the shipped artwork is 1400 px square
    assert document["thumbnail_url"] == BASE + "/artwork.jpg"
    assert (document["thumbnail_width"], document["thumbnail_height"]) == (1400, 1400)
    frame = BeautifulSoup(str(document["html"]), "html.parser").find_all(True)
    assert [tag.name for tag in frame] == ["iframe"]
    assert frame[0]["src"] == f"{BASE}{EPISODE}embed/"
    assert frame[0]["title"].startswith("Player: What health equity means")
    assert int(frame[0]["width"]) == document["width"]


def test_oembed_honours_maxwidth_and_maxheight(client: FlaskClient) -> None:
    document = oembed(client, BASE + EPISODE, maxwidth="400", maxheight="150")
    assert document["width"] == 400 and document["height"] == 150
    frame = BeautifulSoup(str(document["html"]), "html.parser").iframe
    assert (frame["width"], frame["height"]) == ("400", "150")


@pytest.mark.parametrize(
    "url,status",
    [
        (f"{BASE}/episodes/no-such-episode/", 404),
        (f"https://elsewhere.example{EPISODE}", 404),
        (f"{BASE}/seasons/1/", 404),
        ("", 404),
    ],
)
def test_oembed_answers_only_for_this_sites_episodes(
    client: FlaskClient, url: str, status: int
) -> None:
    assert client.get("/oembed.json?url=" + quote(url, safe="")).status_code == status


def test_oembed_refuses_formats_it_does_not_offer(client: FlaskClient) -> None:
    response = client.get(f"/oembed.json?format=xml&url={quote(BASE + EPISODE, safe='')}")
    assert response.status_code == 501


# --- the embed page ------------------------------------------------------------------------


def test_the_embed_page_may_be_framed_and_no_other_page_may(client: FlaskClient) -> None:
    for _ in range(2):  # the second answer may come from the page cache: still frameable
        embed = client.get(f"{EPISODE}embed/")
        assert embed.status_code == 200
        assert "X-Frame-Options" not in embed.headers
        policy = embed.headers["Content-Security-Policy"]
        assert "frame-ancestors *" in policy and "'none'" not in policy.split("frame-ancestors")[1]
        assert "script-src 'self'" in policy  # the rest of the policy is kept
        assert embed.headers["X-Content-Type-Options"] == "nosniff"
    for path in ("/", EPISODE, "/poster/", f"{EPISODE}oembed.json"):
        for _ in range(2):
            response = client.get(path)
            assert response.headers["X-Frame-Options"] == "DENY", path
            assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_the_embed_page_is_the_player_alone(client: FlaskClient) -> None:
    page = soup(client, f"{EPISODE}embed/")
    assert page.find("header") is None and page.find("footer") is None
    audio = page.find("audio", id="player")
    assert audio["preload"] == "none"  # a blog post full of embeds downloads no audio
    assert page.find("link", rel="canonical")["href"] == BASE + EPISODE
    assert page.find("h1").a["href"] == BASE + EPISODE
    assert page.find("meta", attrs={"name": "robots"})["content"] == "noindex"


def test_the_episode_page_links_its_embed_and_shows_the_code(client: FlaskClient) -> None:
    page = soup(client, EPISODE)
    assert page.find("a", href=f"{EPISODE}embed/") is not None
    code = page.find("textarea", id="embed-code").get_text()
    assert BeautifulSoup(code, "html.parser").iframe["src"] == f"{BASE}{EPISODE}embed/"


# --- the poster ----------------------------------------------------------------------------


def qr_image(svg: str, scale: int = 4) -> Image.Image:
    """Rasterize segno's SVG (one path of horizontal strokes) into a black-on-white image."""
    (box,) = re.findall(r'<path fill="#fff" d="M0 0h(\d+)v', svg)
    path = re.search(r'class="qrline"[^>]* d="([^"]+)"', svg)
    assert path, svg[:200]
    size = int(box)
    picture = Image.new("L", (size * scale, size * scale), 255)
    x = y = 0.0
    for command, a, b in re.findall(r"([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?", path.group(1)):
        if command == "M":
            x, y = float(a), float(b)
        elif command == "m":
            x, y = x + float(a), y + float(b)
        else:
            row, start, end = int(y - 0.5), int(x), int(x + float(a))
            for column in range(start, end):
                left, top = column * scale, row * scale
                picture.paste(0, (left, top, left + scale, top + scale))
            x += float(a)
    return picture


def test_the_poster_carries_a_qr_code_of_the_shows_page(
    client: FlaskClient, tmp_path: Path
) -> None:
    html = client.get("/poster/").get_data(as_text=True)
    (svg,) = re.findall(r"<svg.*?</svg>", html, re.DOTALL)
    assert f"<title>QR code for {BASE}/</title>" in svg
    # segno's output for exactly the show's URL (whatever decoder the machine has)
    expected = segno.make(BASE + "/", error="m", micro=False)
    title = f"QR code for {BASE}/"
    assert svg == expected.svg_inline(
        scale=8, border=4, title=title, dark="#000", light="#fff", omitsize=True
    )
    qr_image(svg).save(tmp_path / "qr.png")
    assert decode_qr(tmp_path / "qr.png") == BASE + "/"


def test_the_poster_is_linked_from_every_page(client: FlaskClient) -> None:
    for path in ("/", EPISODE, "/seasons/1/"):
        assert soup(client, path).find("a", href="/poster/") is not None, path


# --- artwork, neighbours, subscribe --------------------------------------------------------


def test_an_episode_shows_its_own_artwork_else_the_shows(
    show_dir: Path, write: Callable[[str, str], Path]
) -> None:
    yaml_path = show_dir / "season-1" / "02-what-health-equity-means.yaml"
    Image.new("RGB", (1400, 1400), "#0b5563").save(show_dir / "season-1" / "equity.png")
    yaml_path.write_text(yaml_path.read_text() + "image: equity.png\n")
    client = app_for(show_dir).test_client()
    art = soup(client, EPISODE).find("img", class_="episode-artwork")
    assert art["src"] == f"{EPISODE}artwork/320.jpg"  # small, for the page
    small = client.get(art["src"])
    assert small.status_code == 200 and small.mimetype == "image/jpeg"
    with Image.open(BytesIO(small.data)) as picture:
        assert picture.size == (320, 320)
        assert picture.getpixel((160, 160)) == pytest.approx((11, 85, 99), abs=3)
    assert (
        client.get(art["src"], headers={"If-None-Match": small.headers["ETag"]}).status_code == 304
    )
    with client.get("/season-1/equity.png") as served:  # whole, for oEmbed and lock screens
        assert served.status_code == 200 and served.mimetype == "image/png"
        assert served.data == (show_dir / "season-1" / "equity.png").read_bytes()
    assert oembed(client, BASE + EPISODE)["thumbnail_url"] == f"{BASE}/season-1/equity.png"
    other = soup(client, "/episodes/s1-01-why-we-call-it-an-emergency/")
    assert other.find("img", class_="episode-artwork")["src"] == "/artwork/320.jpg"
    assert client.get("/artwork/320.jpg").status_code == 200
    assert client.get("/artwork/2000.jpg").status_code == 404  # no resizing to order
    no_art = "/episodes/s1-01-why-we-call-it-an-emergency/artwork/320.jpg"
    assert client.get(no_art).status_code == 404


def app_for(root: Path) -> Flask:
    return create_app({"EPISODES_ROOT": root, "CLOCK": lambda: NOW, "BASE_URL": BASE})


def test_episode_and_season_pages_link_their_neighbours(client: FlaskClient) -> None:
    pager = soup(client, EPISODE).find("nav", attrs={"aria-label": "More episodes"})
    assert pager.find("a", rel="prev")["href"] == "/episodes/s1-01-why-we-call-it-an-emergency/"
    assert pager.find("a", rel="next")["href"] == "/episodes/s2-01-access-to-care/"
    season = soup(client, "/seasons/1/").find("nav", attrs={"aria-label": "More seasons"})
    assert season.find("a", rel="prev") is None
    assert season.find("a", rel="next")["href"] == "/seasons/2/"


def test_the_home_page_leads_with_the_latest_episode(client: FlaskClient) -> None:
    hero = soup(client, "/").find("section", class_="hero")
    latest = hero.find("article", class_="latest")
    assert latest.h2.a["href"] == "/episodes/s3-02-community-voices/"
    assert latest.find("audio", id="player")["preload"] == "none"
    assert latest.find("img")["src"] == BASE + "/artwork.jpg"


def test_every_page_offers_the_subscribe_block(client: FlaskClient) -> None:
    for path in ("/", EPISODE, "/seasons/2/"):
        block = soup(client, path).find("section", id="subscribe")
        assert block is not None, path
        hrefs = [a["href"] for a in block.find_all("a")]
        assert "podcast://offthecharts.example/feed.xml" in hrefs, path
        assert BASE + "/feed.xml" in hrefs


def test_a_listed_show_links_apple_podcasts_itself(show_dir: Path) -> None:
    show = show_dir / "show.yaml"
    show.write_text(
        show.read_text().replace(
            "links:\n",
            'links:\n  apple_podcasts: "https://podcasts.apple.com/podcast/id123"\n'
            '  spotify: "https://open.spotify.com/show/abc"\n'
            '  youtube_music: "https://music.youtube.com/playlist?list=PL1"\n',
        )
    )
    block = soup(app_for(show_dir).test_client(), "/").find("section", id="subscribe")
    labels = {a.get_text(strip=True): a["href"] for a in block.find_all("a")}
    assert labels["Apple Podcasts"] == "https://podcasts.apple.com/podcast/id123"
    assert labels["Spotify"] == "https://open.spotify.com/show/abc"
    assert labels["YouTube Music"] == "https://music.youtube.com/playlist?list=PL1"
    assert not any(href.startswith("podcast://") for href in labels.values())


# --- the static export ---------------------------------------------------------------------


def test_the_export_holds_embeds_oembed_documents_and_the_poster(
    show_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    export.build(app_for(show_dir), out, BASE)
    for slug in (SLUG, "s3-02-community-voices"):
        assert (out / "episodes" / slug / "embed" / "index.html").is_file()
        document = json.loads((out / "episodes" / slug / "oembed.json").read_text())
        assert document["type"] == "rich"
    assert "<svg" in (out / "poster" / "index.html").read_text()
    assert not (out / "oembed.json").exists()  # the endpoint needs ?url=: no static file
