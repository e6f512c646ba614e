"""One source of addresses: the site's routes are declared from render.urls, and every path
function builds the same path Flask's router would for the same arguments."""

from __future__ import annotations

import shutil
from pathlib import Path

from flask import Flask, url_for
from PIL import Image

from podcast.model import Catalog
from podcast.read.catalog import load
from podcast.render import urls
from podcast.render.urls import ROUTES, Urls

CHAPTERED = """\
title: Chapters test
season: 1
episode: 3
published: 2022-03-01T06:00:00-06:00
guid: 6a4c1f0e-52b8-4a0e-9d7e-3c1f4f1b2a10
image: cover.jpg
chapters:
  - {start: "00:00:00", title: Start}
  - {start: "00:00:01", title: Middle, image: middle.png}
"""


def chaptered_catalog(show_dir: Path, data_dir: Path) -> Catalog:
    shutil.copy(data_dir / "chapters.mp3", show_dir / "season-1" / "03-chapters-test.mp3")
    Image.new("RGB", (1400, 1400), "teal").save(show_dir / "season-1" / "cover.jpg")
    Image.new("RGB", (40, 30), "teal").save(show_dir / "season-1" / "middle.png")
    (show_dir / "season-1" / "03-chapters-test.yaml").write_text(CHAPTERED, encoding="utf-8")
    return load(show_dir)


def test_the_site_answers_exactly_the_routes_of_the_table(app: Flask) -> None:
    rules = {
        r.endpoint.removeprefix("site."): r.rule
        for r in app.url_map.iter_rules()
        if r.endpoint != "static"
    }
    assert rules == ROUTES
    (static,) = [r.rule for r in app.url_map.iter_rules() if r.endpoint == "static"]
    assert static == urls.STATIC + "/<path:filename>"


def test_every_path_function_builds_what_the_router_builds(
    app: Flask, show_dir: Path, data_dir: Path
) -> None:
    catalog = chaptered_catalog(show_dir, data_dir)
    episode = catalog.find("s1-03-chapters-test")
    assert episode is not None and episode.image is not None
    middle = episode.all_chapters[1]
    with app.test_request_context("/"):
        pairs = [
            (urls.home(), url_for("site.index")),
            (urls.season(2), url_for("site.season", number=2)),
            (urls.episode(episode), url_for("site.episode", slug=episode.slug)),
            (urls.feed(), url_for("site.rss")),
            (
                urls.audio(catalog, episode),
                url_for("site.audio", name="season-1/03-chapters-test.mp3"),
            ),
            (urls.artwork(catalog.show), url_for("site.show_file", name="artwork.jpg")),
            (
                urls.show_file(catalog, episode.image),
                url_for("site.show_file", name="season-1/cover.jpg"),
            ),
            (urls.chapters(episode), url_for("site.chapters_json", slug=episode.slug)),
            (
                urls.chapter_image(episode, 2, middle),
                url_for("site.chapter_image", slug=episode.slug, number=2, extension="png"),
            ),
            (urls.search(), url_for("site.search_page")),
            (urls.search("a b", 2), url_for("site.search_page", q="a b", page=2)),
            (urls.sitemap(), url_for("site.sitemap")),
            (urls.static("site.js"), url_for("static", filename="site.js")),
            (urls.embed(episode), url_for("sharing.embed", slug=episode.slug)),
            (urls.oembed(episode), url_for("sharing.episode_oembed", slug=episode.slug)),
            (urls.poster(), url_for("sharing.poster")),
            (urls.thumbnail(320), url_for("sharing.show_thumbnail", pixels=320)),
            (
                urls.thumbnail(320, episode),
                url_for("sharing.episode_thumbnail", slug=episode.slug, pixels=320),
            ),
        ]
    for ours, flasks in pairs:
        assert ours == flasks


def test_a_transcript_path_names_its_format(show_dir: Path) -> None:
    catalog = load(show_dir)
    by_slug = {e.slug: urls.transcript(e) for e in catalog.episodes}
    assert by_slug["s2-01-access-to-care"] == "/episodes/s2-01-access-to-care/transcript.srt"
    assert by_slug["s3-01-trust-in-medicine"] == "/episodes/s3-01-trust-in-medicine/transcript.vtt"


def test_absolute_urls_put_the_base_before_the_same_paths(show_dir: Path) -> None:
    catalog = load(show_dir)
    episode = catalog.episodes[0]
    site = Urls(catalog, "https://x.example/show/")
    assert site.home == "https://x.example/show/"
    assert site.episode(episode) == "https://x.example/show" + urls.episode(episode)
    assert site.enclosure(episode) == "https://x.example/show" + urls.audio(catalog, episode)
    cdn = Urls(catalog, "https://x.example", "https://cdn.example/m/")
    assert cdn.enclosure(episode) == "https://cdn.example/m/" + urls.audio_path(catalog, episode)
    links = Urls(catalog, "/mounted")
    assert links.season(1) == "/mounted/seasons/1/"
