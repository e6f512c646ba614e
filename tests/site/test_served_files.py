"""Every file the site serves goes through one containment check, made at request time.

A file of the show swapped for a symlink to a place outside the episodes folder after the app
has loaded must answer 404, before a reload and after one, whatever kind of file it is.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import NOW
from flask import Flask
from lxml import etree
from PIL import Image

from podcast.site.app import create_app

BASE = "https://offthecharts.example"
EMERGENCY = "s1-01-why-we-call-it-an-emergency"
TRANSCRIPT = Path("season-1/01-why-we-call-it-an-emergency.vtt")
SECRET = b"WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nnot for listeners\n"
CHAPTERED = """\
title: Chapters test
season: 1
episode: 3
published: 2022-03-01T06:00:00-06:00
guid: 6a4c1f0e-52b8-4a0e-9d7e-3c1f4f1b2a10
image: cover.jpg
"""
CHAPTERED_SLUG = "s1-03-chapters-test"


def make_app(show_dir: Path) -> Flask:
    """The app on the scratch show; the folder is swept only when a test asks."""
    return create_app(
        {"EPISODES_ROOT": show_dir, "CLOCK": lambda: NOW, "BASE_URL": BASE, "RELOAD_INTERVAL": None}
    )


def swap_for_link(path: Path, outside: Path) -> None:
    """Replace a file of the show by a symlink to `outside`, which holds the secret."""
    outside.write_bytes(SECRET)
    path.unlink()
    path.symlink_to(outside)


def reload(app: Flask) -> None:
    """Whatever the reload makes of the change (it may refuse it and keep the old catalog)."""
    store = app.extensions["catalog"]
    store.sweep()
    store.sweep()


@pytest.fixture
def chaptered(show_dir: Path, data_dir: Path, write: Callable[[str, str], Path]) -> Path:
    """An episode with an image, a local chapter image and the MP3's embedded chapter picture."""
    shutil.copy(data_dir / "chapters.mp3", show_dir / "season-1" / "03-chapters-test.mp3")
    Image.new("RGB", (1400, 1400), "teal").save(show_dir / "season-1" / "cover.jpg")
    Image.new("RGB", (40, 30), "teal").save(show_dir / "season-1" / "middle.png")
    return write("season-1/03-chapters-test.yaml", CHAPTERED)


def test_a_transcript_swapped_for_a_link_outside_is_404_before_and_after_a_reload(
    show_dir: Path, tmp_path: Path
) -> None:
    app = make_app(show_dir)
    client = app.test_client()
    url = f"/episodes/{EMERGENCY}/transcript.vtt"
    with client.get(url) as response:
        assert response.status_code == 200
    swap_for_link(show_dir / TRANSCRIPT, tmp_path / "secret.vtt")
    for _ in ("loaded", "reloaded"):
        with client.get(url) as response:
            assert response.status_code == 404
            assert b"not for listeners" not in response.data
        reload(app)


def test_the_page_never_shows_cues_read_through_a_link_outside(
    show_dir: Path, tmp_path: Path
) -> None:
    app = make_app(show_dir)
    swap_for_link(show_dir / TRANSCRIPT, tmp_path / "secret.vtt")
    page = app.test_client().get(f"/episodes/{EMERGENCY}/")
    assert page.status_code == 200
    assert b"not for listeners" not in page.data
    assert BeautifulSoup(page.data, "lxml").select("#transcript .cue") == []


def test_the_artwork_swapped_for_a_link_outside_is_404(show_dir: Path, tmp_path: Path) -> None:
    client = make_app(show_dir).test_client()
    swap_for_link(show_dir / "artwork.jpg", tmp_path / "secret.jpg")
    with client.get("/artwork.jpg") as response:
        assert response.status_code == 404


def test_an_episode_image_is_served_where_the_feed_links_it(
    chaptered: Path, show_dir: Path, tmp_path: Path
) -> None:
    client = make_app(show_dir).test_client()
    feed = etree.fromstring(client.get("/feed.xml").data)
    (href,) = feed.xpath(
        "//item[title='Chapters test']/itunes:image/@href",
        namespaces={"itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd"},
    )
    path = href.removeprefix(BASE)
    with client.get(path) as response:
        assert response.status_code == 200 and response.mimetype == "image/jpeg"
        assert response.data == (show_dir / "season-1" / "cover.jpg").read_bytes()
    swap_for_link(show_dir / "season-1" / "cover.jpg", tmp_path / "secret.jpg")
    with client.get(path) as response:
        assert response.status_code == 404


def test_a_local_chapter_image_swapped_for_a_link_outside_is_404(
    chaptered: Path, show_dir: Path, tmp_path: Path
) -> None:
    chaptered.write_text(
        CHAPTERED + "chapters:\n"
        '  - {start: "00:00:00", title: Start}\n'
        '  - {start: "00:00:01", title: Middle, image: middle.png}\n'
        '  - {start: "00:00:02", title: End}\n',
        encoding="utf-8",
    )
    client = make_app(show_dir).test_client()
    url = f"/episodes/{CHAPTERED_SLUG}/chapters/2.png"
    with client.get(url) as response:
        assert response.status_code == 200 and response.mimetype == "image/png"
        assert response.headers["Access-Control-Allow-Origin"] == "*"
    swap_for_link(show_dir / "season-1" / "middle.png", tmp_path / "secret.png")
    with client.get(url) as response:
        assert response.status_code == 404
        assert b"not for listeners" not in response.data


def test_an_embedded_chapter_picture_is_not_read_from_audio_linked_outside(
    chaptered: Path, show_dir: Path, tmp_path: Path, data_dir: Path
) -> None:
    client = make_app(show_dir).test_client()
    url = f"/episodes/{CHAPTERED_SLUG}/chapters/2.jpg"
    # not fetched before the swap: the bytes read then would be answered from memory, rightly
    outside = tmp_path / "outside.mp3"
    shutil.copy(data_dir / "chapters.mp3", outside)  # the same frames: only the place differs
    audio = show_dir / "season-1" / "03-chapters-test.mp3"
    audio.unlink()
    audio.symlink_to(outside)
    assert client.get(url).status_code == 404
