"""The static export: what the live app serves, byte for byte, written atomically."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import feedparser
import podcastparser
import pytest
from bs4 import BeautifulSoup
from flask import Flask
from lxml import etree
from support.clock import NOW

from podcast.publish import build as export
from podcast.publish import build_mirror, freeze, static_search
from podcast.site.app import create_app

BASE = "https://example.org/otc"
ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"


def make_app(root: Path, **config: object) -> Flask:
    return create_app({"EPISODES_ROOT": root, "CLOCK": lambda: NOW, "BASE_URL": BASE, **config})


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def built(show_dir: Path, tmp_path: Path) -> Path:
    out = tmp_path / "site"
    export.build(make_app(show_dir), out, BASE)
    return out


def test_the_export_holds_every_page_feed_audio_and_artwork(built: Path, show_dir: Path) -> None:
    files = set(tree(built))
    assert {
        "index.html",
        "feed.xml",
        "artwork.jpg",
        "404.html",
        "static/style.css",
        "seasons/1/index.html",
        "seasons/2/index.html",
        "seasons/3/index.html",
        "episodes/s1-01-why-we-call-it-an-emergency/index.html",
        "audio/season-2/01-access-to-care.m4a",
    } <= files
    audio = sorted(p.relative_to(show_dir).as_posix() for p in show_dir.glob("season-*/*.m*"))
    assert sorted(f.removeprefix("audio/") for f in files if f.startswith("audio/")) == audio
    episode_pages = [f for f in files if re.fullmatch(r"episodes/[^/]+/index\.html", f)]
    assert len(episode_pages) == 7  # each episode's own page (its embed/ page is counted apart)
    # Routes the export module knows nothing about are found by following links:
    assert "episodes/s1-02-what-health-equity-means/chapters.json" in files
    assert "episodes/s2-01-access-to-care/transcript.srt" in files


def test_every_file_matches_the_live_app_byte_for_byte(built: Path, show_dir: Path) -> None:
    live = make_app(show_dir).test_client()
    for name, body in tree(built).items():
        if name in (export.MARKER, freeze.NOT_FOUND_PAGE):
            continue
        if name.startswith(f"{static_search.FOLDER}/"):
            continue  # the static search index: the live site answers search on the server
        url = "/" + name.removesuffix("index.html")
        with live.get(url, base_url=BASE + "/") as response:
            assert response.status_code == 200, url
            assert response.data == body, url
    with live.get("/nothing-here/", base_url=BASE + "/") as response:
        assert response.data == (built / freeze.NOT_FOUND_PAGE).read_bytes()


def test_every_internal_link_resolves_to_an_exported_file(built: Path) -> None:
    for page in built.rglob("*.html"):
        soup = BeautifulSoup(page.read_bytes(), "html.parser")
        for tag in soup.find_all(href=True) + soup.find_all(src=True):
            url = (tag.get("href") or tag.get("src")).split("#")[0]
            if url.startswith(BASE):
                url = url.removeprefix(BASE)
            elif not url.startswith("/otc/"):
                continue
            path = url.removeprefix("/otc")
            target = built / freeze.local_path(path or "/")
            assert target.is_file(), f"{page.relative_to(built)} links to missing {url}"


def test_the_exported_feed_parses_in_feedparser_and_podcastparser(built: Path) -> None:
    data = (built / "feed.xml").read_bytes()
    parsed = feedparser.parse(data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert len(parsed.entries) == 7
    podcast = podcastparser.parse(BASE + "/feed.xml", __import__("io").BytesIO(data))
    for episode in podcast["episodes"]:
        (enclosure,) = episode["enclosures"]
        local = built / enclosure["url"].removeprefix(BASE + "/")
        assert enclosure["url"].startswith(BASE + "/audio/")
        assert local.stat().st_size == enclosure["file_size"]


def test_two_builds_of_an_unchanged_catalog_are_identical(show_dir: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    export.build(make_app(show_dir), first, BASE)
    build_mirror.forget(show_dir)  # the second renders every page too, rather than reuse them
    export.build(make_app(show_dir), second, BASE)
    assert tree(first) == tree(second)


def test_a_media_cdn_serves_enclosures_with_local_lengths(show_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    export.build(make_app(show_dir, MEDIA_BASE_URL="https://media.example/otc"), out, BASE)
    root = etree.fromstring((out / "feed.xml").read_bytes())
    for item in root.iter("item"):
        enclosure = item.find("enclosure")
        url = enclosure.get("url")
        assert url.startswith("https://media.example/otc/")
        local = out / "audio" / url.removeprefix("https://media.example/otc/")
        assert int(enclosure.get("length")) == local.stat().st_size  # still exported
        assert item.find(f"{{{ITUNES}}}duration").text.isdigit()


def test_a_rebuild_replaces_the_previous_build(show_dir: Path, built: Path) -> None:
    (show_dir / "season-3" / "02-community-voices.yaml").unlink()
    export.build(make_app(show_dir), built, BASE)
    assert not (built / "episodes" / "s3-02-community-voices").exists()
    assert not (built / "audio" / "season-3" / "02-community-voices.mp3").exists()
    assert [p.name for p in built.parent.iterdir() if p.name.startswith(".")] == []


def test_a_link_in_the_notes_is_the_producers_not_a_page_to_export(
    show_dir: Path, built: Path
) -> None:
    # Issue 11: notes may link to any page on the site's host; the site does not answer for it.
    notes = show_dir / "season-1" / "02-what-health-equity-means.yaml"
    notes.write_text(
        notes.read_text().replace(
            "Learn more about HealthPartners", f"See [the other page]({BASE}/missing/). Learn"
        )
    )
    export.build(make_app(show_dir), built, BASE)
    page = built / "episodes" / "s1-02-what-health-equity-means" / "index.html"
    assert f'href="{BASE}/missing/"' in page.read_text()
    assert not (built / "missing").exists()
    assert [p.name for p in built.parent.iterdir() if p.name.startswith(".")] == []


def test_a_folder_that_is_not_a_build_is_never_replaced(show_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "documents"
    out.mkdir()
    (out / "thesis.txt").write_text("irreplaceable")
    with pytest.raises(export.ExportError, match="not made by `podcast build`"):
        export.build(make_app(show_dir), out, BASE)
    assert tree(out) == {"thesis.txt": b"irreplaceable"}
    with pytest.raises(export.ExportError, match="holds the episodes folder"):
        export.build(make_app(show_dir), show_dir.parent, BASE)


def test_routes_that_are_not_pages_are_left_out(show_dir: Path, tmp_path: Path) -> None:
    app = make_app(show_dir)
    app.add_url_rule("/find", "find", lambda: ("give me a query", 400))
    app.add_url_rule("/about/", "about", lambda: "<p>About <a href='/otc/missing/'>x</a></p>")
    with pytest.raises(export.ExportError, match="/about/ links to /missing/"):
        export.build(app, tmp_path / "site", BASE)  # a broken link in a page still fails
    app = make_app(show_dir)
    app.add_url_rule("/find", "find", lambda: ("give me a query", 400))
    app.add_url_rule("/about/", "about", lambda: "<p>About <a href='/otc/'>home</a></p>")
    export.build(app, tmp_path / "site", BASE)
    assert (tmp_path / "site" / "about" / "index.html").is_file()  # a new route, found alone
    assert not (tmp_path / "site" / "find").exists()


@pytest.mark.parametrize("path", ["/a/../b", "/%2e%2e/x", "/a/..%2F..%2Fetc"])
def test_unsafe_paths_are_refused(path: str) -> None:
    with pytest.raises(export.ExportError):
        freeze.local_path(path)


def test_local_paths() -> None:
    assert str(freeze.local_path("/")) == "index.html"
    assert str(freeze.local_path("/seasons/1/")) == "seasons/1/index.html"
    assert str(freeze.local_path("/audio/season-1/a%20b.mp3")) == "audio/season-1/a b.mp3"


def test_a_build_killed_part_way_leaves_the_previous_out_intact(
    show_dir: Path, data_dir: Path, built: Path
) -> None:
    before = tree(built)
    for index in range(80):  # enough episodes that the build is still running when killed
        stem = show_dir / "season-3" / f"{index + 10:02d}-extra-{index}"
        shutil.copyfile(data_dir / "cbr.mp3", stem.with_suffix(".mp3"))
        stem.with_suffix(".yaml").write_text(
            f"title: Extra {index}\nepisode: {index + 10}\npublished: 2025-01-01T06:00:00Z\n"
            f"guid: extra-{index}\nsummary: An extra episode.\n",
            "utf-8",
        )
    command = [
        sys.executable,
        "-m",
        "podcast",
        "build",
        str(built),
        "--root",
        str(show_dir),
        "--base-url",
        BASE,
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    staging: list[Path] = []
    while not staging and process.poll() is None and time.monotonic() < deadline:
        staging = [p for p in built.parent.glob(".site.building-*") if any(p.rglob("*.html"))]
        time.sleep(0.01)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL
    assert staging, "the build never started writing"
    assert tree(built) == before


def test_a_build_clears_what_killed_builds_left_and_nothing_else(
    show_dir: Path, built: Path
) -> None:
    parent = built.parent
    marked = parent / ".site.building-0123456789ab"
    marked.mkdir()
    (marked / export.MARKER).write_text("")
    (marked / "index.html").write_text("half a build")
    retired = parent / ".site.old-0123456789ab"
    retired.mkdir()
    (retired / export.MARKER).write_text("")
    (parent / ".site.building-aaaaaaaaaaaa").mkdir()  # killed before its marker was written
    foreign = parent / ".site.building-bbbbbbbbbbbb"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("not ours: no marker")
    export.build(make_app(show_dir), built, BASE)
    hidden = sorted(p.name for p in parent.iterdir() if p.name.startswith("."))
    assert hidden == [".site.building-bbbbbbbbbbbb"]
    assert (foreign / "notes.txt").read_text() == "not ours: no marker"


def test_an_output_path_below_a_file_is_an_export_error(show_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("in the way")
    with pytest.raises(export.ExportError, match="could not write the site"):
        export.build(make_app(show_dir), tmp_path / "a-file" / "site", BASE)
    assert (tmp_path / "a-file").read_text() == "in the way"
