"""The site through Flask's test client, parsed with BeautifulSoup."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import feedparser
import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from podcast.read.catalog import load
from podcast.site.app import create_app

BASE = "https://offthecharts.example"
AUDIO = "/audio/season-1/01-why-we-call-it-an-emergency.mp3"


def fetch(
    client: FlaskClient, url: str, method: str = "GET", headers: dict[str, str] | None = None
) -> TestResponse:
    """A response whose file (if any) is read and closed."""
    response = client.open(
        url, method=method, headers=headers or {}, buffered=True, follow_redirects=True
    )
    response.close()
    return response


def soup(client: FlaskClient, url: str) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.mimetype == "text/html"
    return BeautifulSoup(response.data, "html.parser")


def test_home_lists_the_newest_episodes_and_every_season_newest_first(
    client: FlaskClient, show_dir: Path
) -> None:
    page = soup(client, "/")
    assert page.h1 is not None and "Off the Charts" in page.h1.text
    catalog = load(show_dir)
    latest = page.select_one(".latest h2 a")
    assert latest is not None and latest["href"] == f"/episodes/{catalog.episodes[0].slug}/"
    recent = [a["href"] for a in page.select("#recent .episode-card h3 a")]
    assert recent == [f"/episodes/{e.slug}/" for e in catalog.episodes[1:11]]
    seasons = page.select("#seasons li.season")
    titles = [s.select_one(".season-title a") for s in seasons]
    assert [(t.get_text(strip=True).split(":")[0], t["href"]) for t in titles if t] == [
        ("Season 3", "/seasons/3/"),
        ("Season 2", "/seasons/2/"),
        ("Season 1", "/seasons/1/"),
    ]
    counts = [s.select_one(".meta").get_text(" ", strip=True).split(" ")[0] for s in seasons]
    assert counts == [str(sum(e.season == n for e in catalog.episodes)) for n in (3, 2, 1)]
    assert {h.text for h in page.select("#hosts-heading ~ ul .person-name")} == {
        "Dr. Kari Haley",
        "Dr. Steven Jackson",
    }
    artwork = page.select_one("img.artwork")
    assert artwork is not None and artwork["alt"] and artwork["src"] == BASE + "/artwork.jpg"


def test_each_season_page_lists_its_episodes_newest_first(
    client: FlaskClient, show_dir: Path
) -> None:
    catalog = load(show_dir)
    for number in (1, 2, 3):
        page = soup(client, f"/seasons/{number}/")
        links = [a["href"] for a in page.select(".episode-card a")]
        assert links == [f"/episodes/{e.slug}/" for e in catalog.episodes if e.season == number]
        assert page.select_one("nav.pager[aria-label^='Pages of']") is None  # one page only


def test_every_page_links_the_feed(client: FlaskClient, show_dir: Path) -> None:
    catalog = load(show_dir)
    urls = ["/", "/seasons/1/", "/nope", *(f"/episodes/{e.slug}/" for e in catalog.episodes)]
    for url in urls:
        page = BeautifulSoup(client.get(url).data, "html.parser")
        links = page.select('link[rel="alternate"][type="application/rss+xml"]')
        assert [link["href"] for link in links] == [BASE + "/feed.xml"], url


def test_season_page(client: FlaskClient) -> None:
    page = soup(client, "/seasons/2/")
    assert page.h1 is not None and page.h1.text.startswith("Season 2")
    assert len(page.select(".episode-card")) == 2


def test_unknown_season_and_episode_are_404(client: FlaskClient) -> None:
    for url in ("/seasons/9/", "/episodes/nope/", "/audio/season-1/nope.mp3", "/missing"):
        response = fetch(client, url)
        assert response.status_code == 404, url
        assert b"Page not found" in response.data


def test_episode_page_plays_its_audio(client: FlaskClient, show_dir: Path) -> None:
    for episode in load(show_dir).episodes:
        page = soup(client, f"/episodes/{episode.slug}/")
        assert page.h1 is not None and page.h1.text == episode.title
        source = page.select_one("audio#player source")
        assert source is not None and source["type"] == episode.audio.mime
        path = source["src"].removeprefix(BASE)
        response = fetch(client, path)
        assert response.status_code == 200
        assert response.data == episode.audio.path.read_bytes()
        assert response.mimetype == episode.audio.mime
        assert page.select_one("time")["datetime"] == episode.published.isoformat()


def test_notes_are_sanitized_html(client: FlaskClient, show_dir: Path) -> None:
    path = next(show_dir.glob("season-1/01-*.yaml"))
    path.write_text(
        path.read_text().replace(
            "notes: |\n", "notes: |\n  <script>alert(1)</script> [x](javascript:alert(2))\n"
        )
    )
    from podcast.site.app import create_app

    fresh = create_app({"EPISODES_ROOT": show_dir, "BASE_URL": BASE}).test_client()
    page = soup(fresh, "/episodes/s1-01-why-we-call-it-an-emergency/")
    notes = page.select_one("section.notes")
    assert notes is not None and "<script>alert(1)</script>" in notes.get_text()
    assert not page.find_all("script", string=lambda s: bool(s and "alert" in s))
    assert not [a for a in page.find_all("a") if "javascript" in a.get("href", "")]


def test_feed_is_served_as_rss(client: FlaskClient) -> None:
    response = client.get("/feed.xml")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/rss+xml; charset=utf-8"
    parsed = feedparser.parse(response.data)
    assert not parsed.bozo and len(parsed.entries) == 7


def test_feed_urls_default_to_the_servers_own_address(show_dir: Path) -> None:
    from podcast.site.app import create_app

    client = create_app({"EPISODES_ROOT": show_dir}).test_client()
    parsed = feedparser.parse(client.get("/feed.xml", base_url="http://127.0.0.1:8123/").data)
    assert parsed.entries[0].enclosures[0].href.startswith("http://127.0.0.1:8123/audio/")


def test_range_requests_on_audio(client: FlaskClient, show_dir: Path) -> None:
    size = (show_dir / AUDIO.removeprefix("/audio/")).stat().st_size
    first = fetch(client, AUDIO, headers={"Range": "bytes=0-1"})
    assert first.status_code == 206 and len(first.data) == 2
    assert first.headers["Content-Range"] == f"bytes 0-1/{size}"
    assert first.headers["Accept-Ranges"] == "bytes"
    suffix = fetch(client, AUDIO, headers={"Range": "bytes=-100"})
    assert suffix.status_code == 206 and len(suffix.data) == 100
    assert suffix.headers["Content-Range"] == f"bytes {size - 100}-{size - 1}/{size}"
    past = fetch(client, AUDIO, headers={"Range": f"bytes={size}-"})
    assert past.status_code == 416
    assert past.headers["Content-Range"] == f"bytes */{size}"


def test_head_on_audio_gives_the_exact_length(client: FlaskClient, show_dir: Path) -> None:
    response = fetch(client, AUDIO, "HEAD")
    assert response.status_code == 200 and response.data == b""
    assert (
        int(response.headers["Content-Length"])
        == (show_dir / AUDIO.removeprefix("/audio/")).stat().st_size
    )
    assert response.mimetype == "audio/mpeg"


@pytest.mark.parametrize(
    "path",
    [
        "/audio/../show.yaml",
        "/audio/season-1/../show.yaml",
        "/audio/%2e%2e/show.yaml",
        "/audio/season-1/01-why-we-call-it-an-emergency.yaml",
        "/audio//etc/passwd",
        "/audio/..%2fshow.yaml",
        "/show.yaml",
        "/audio/season-1/",
    ],
)
def test_paths_never_escape_the_catalog(client: FlaskClient, path: str) -> None:
    assert fetch(client, path).status_code == 404


def test_security_headers(client: FlaskClient) -> None:
    headers = client.get("/").headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["Referrer-Policy"]


def test_artwork_is_served(client: FlaskClient) -> None:
    response = fetch(client, "/artwork.jpg")
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    assert response.data.startswith(b"\xff\xd8")


def test_templates_get_their_data_from_the_view_and_call_none_of_ours(app: Flask) -> None:
    # Flask's own globals only: no reader of files (transcripts), no metadata builders
    ours = set(app.jinja_env.globals) - set(Flask("bare").jinja_env.globals)
    assert ours == set()
    templates = Path(app.template_folder or "")
    for template in templates.glob("*.html"):
        assert "url_for(" not in template.read_text(encoding="utf-8"), template.name


def test_the_app_serves_the_catalog_it_is_given_not_a_second_load(show_dir: Path) -> None:
    """`podcast build` checks one catalog; the app it exports must serve that one, not reload."""
    from support.clock import NOW

    from podcast.site.app import create_app

    checked = load(show_dir)
    yaml = show_dir / "season-2" / "01-access-to-care.yaml"
    yaml.write_text(yaml.read_text("utf-8").replace("title: Access to care", "title: Edited later"))
    app = create_app(
        {"EPISODES_ROOT": show_dir, "CLOCK": lambda: NOW, "RELOAD_INTERVAL": None}, checked
    )
    titles = [e.title for e in feedparser.parse(app.test_client().get("/feed.xml").data).entries]
    assert "Access to care" in titles and "Edited later" not in titles


def test_compiled_templates_are_shared_through_the_user_cache(
    show_dir: Path, user_cache: Path
) -> None:
    """A second process renders the same page from the templates the first one compiled."""
    app = create_app({"EPISODES_ROOT": show_dir, "SEARCH_INDEX": False})
    first = app.test_client().get("/").data
    compiled = list((user_cache / "offthecharts-publisher" / "templates").rglob("*.cache"))
    assert compiled, "rendering a page keeps its compiled templates"
    before = {path: path.stat().st_mtime_ns for path in compiled}
    script = (
        "import sys; from podcast.site.app import create_app; "
        "app = create_app({'EPISODES_ROOT': sys.argv[1], 'SEARCH_INDEX': False}); "
        "sys.stdout.buffer.write(app.test_client().get('/').data)"
    )
    again = subprocess.run(
        [sys.executable, "-c", script, str(show_dir)], capture_output=True, check=True
    )
    assert again.stdout == first
    assert {path: path.stat().st_mtime_ns for path in compiled} == before  # read, not rewritten


def test_pages_render_when_the_template_cache_cannot_be_written(
    show_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache directory would be")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    app = create_app({"EPISODES_ROOT": show_dir, "SEARCH_INDEX": False})
    assert app.test_client().get("/").status_code == 200
    assert blocked.read_text() == "a file where the cache directory would be"
