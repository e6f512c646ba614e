"""Chapters: one source (YAML, else the audio's own) into JSON Chapters, Podlove and the page."""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import podcastparser
import pytest
from bs4 import BeautifulSoup
from flask.testing import FlaskClient
from lxml import etree
from mutagen.id3 import ID3
from PIL import Image
from support.chapters_oracle import validate_json
from support.clock import NOW

from podcast.errors import CatalogError, Severity
from podcast.model import Chapter, Episode
from podcast.read.catalog import load
from podcast.render import chapters, feed
from podcast.render.feedext import PSC_NS
from podcast.site.app import create_app

BASE = "https://offthecharts.example"
SLUG = "s1-03-chapters-test"
EPISODE_YAML = """\
title: Chapters test
season: 1
episode: 3
published: 2022-03-01T06:00:00-06:00
guid: 6a4c1f0e-52b8-4a0e-9d7e-3c1f4f1b2a10
"""


@pytest.fixture
def chaptered(show_dir: Path, data_dir: Path, write: Callable[[str, str], Path]) -> Path:
    """tests/data/chapters.mp3 (CTOC + three CHAP frames, the second with an APIC) as an episode."""
    shutil.copy(data_dir / "chapters.mp3", show_dir / "season-1" / "03-chapters-test.mp3")
    return write("season-1/03-chapters-test.yaml", EPISODE_YAML)


def fresh_client(show_dir: Path) -> FlaskClient:
    """A client on an app that loads the show as it is now (apps read the catalog once)."""
    return create_app(
        {"EPISODES_ROOT": show_dir, "CLOCK": lambda: NOW, "BASE_URL": BASE}
    ).test_client()


def episode(show_dir: Path, slug: str = SLUG) -> Episode:
    found = load(show_dir).find(slug)
    assert found is not None
    return found


def embedded_picture(path: Path) -> bytes:
    """The APIC inside CHAP 'ch2', read straight with mutagen."""
    (frame,) = [f for f in ID3(path).getall("CHAP") if f.element_id == "ch2"]
    return bytes(frame.sub_frames.getall("APIC")[0].data)


# --- the MP3's own chapters ----------------------------------------------------------------------


def test_audio_chapters_are_read_with_their_picture(chaptered: Path, show_dir: Path) -> None:
    found = episode(show_dir)
    assert found.chapters == ()  # nothing in the YAML: the audio's chapters are the source
    assert [(c.start, c.title, c.embedded_image) for c in found.all_chapters] == [
        (timedelta(0), "Intro", None),
        (timedelta(seconds=1), "Middle", "image/jpeg"),
        (timedelta(seconds=2), "End", None),
    ]


def test_mp3_chapters_round_trip_into_json_chapters(chaptered: Path, client: FlaskClient) -> None:
    response = client.get(f"/episodes/{SLUG}/chapters.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json+chapters"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    document = json.loads(response.data)
    assert validate_json(document) == []
    assert document["title"] == "Chapters test"
    assert document["fileName"] == "03-chapters-test.mp3"
    assert document["chapters"] == [
        {"startTime": 0, "title": "Intro"},
        {"startTime": 1, "title": "Middle", "img": f"{BASE}/episodes/{SLUG}/chapters/2.jpg"},
        {"startTime": 2, "title": "End"},
    ]


def test_embedded_chapter_image_is_served(
    chaptered: Path, client: FlaskClient, data_dir: Path
) -> None:
    response = client.get(f"/episodes/{SLUG}/chapters/2.jpg")
    assert response.status_code == 200
    assert response.mimetype == "image/jpeg"
    assert response.data == embedded_picture(data_dir / "chapters.mp3")
    assert Image.open(io.BytesIO(response.data)).size == (64, 64)
    for missing in ("1.jpg", "2.png", "4.jpg", "0.jpg"):
        assert client.get(f"/episodes/{SLUG}/chapters/{missing}").status_code == 404, missing


def test_mp3_chapters_round_trip_into_podlove_chapters(chaptered: Path, show_dir: Path) -> None:
    xml = feed.build(load(show_dir), BASE, NOW)
    (item,) = etree.fromstring(xml).xpath("//item[title='Chapters test']")
    marks = item.findall(f"{{{PSC_NS}}}chapters/{{{PSC_NS}}}chapter")
    assert [(m.get("start"), m.get("title"), m.get("image")) for m in marks] == [
        ("00:00:00.000", "Intro", None),
        ("00:00:01.000", "Middle", f"{BASE}/episodes/{SLUG}/chapters/2.jpg"),
        ("00:00:02.000", "End", None),
    ]
    parsed = podcastparser.parse(f"{BASE}/feed.xml", io.BytesIO(xml))
    (entry,) = [e for e in parsed["episodes"] if e["title"] == "Chapters test"]
    assert entry["chapters"] == [
        {"start": 0, "title": "Intro"},
        {"start": 1, "title": "Middle", "image": f"{BASE}/episodes/{SLUG}/chapters/2.jpg"},
        {"start": 2, "title": "End"},
    ]


# --- chapters written in the YAML ------------------------------------------------------------


def test_yaml_chapters_win_over_the_audio_and_take_local_images(
    chaptered: Path, show_dir: Path, write: Callable[[str, str], Path]
) -> None:
    Image.new("RGB", (40, 30), "teal").save(show_dir / "season-1" / "middle.png")
    write(
        "season-1/03-chapters-test.yaml",
        EPISODE_YAML + "chapters:\n"
        '  - {start: "00:00:00", title: Start, url: "https://example.org/start"}\n'
        '  - {start: "00:00:01.5", title: Half, image: middle.png}\n'
        '  - {start: "00:00:02", title: Late, image: "https://example.org/late.jpg"}\n',
    )
    client = fresh_client(show_dir)
    document = json.loads(client.get(f"/episodes/{SLUG}/chapters.json").data)
    assert validate_json(document) == []
    assert document["chapters"] == [
        {"startTime": 0, "title": "Start", "url": "https://example.org/start"},
        {"startTime": 1.5, "title": "Half", "img": f"{BASE}/episodes/{SLUG}/chapters/2.png"},
        {"startTime": 2, "title": "Late", "img": "https://example.org/late.jpg"},
    ]
    with client.get(f"/episodes/{SLUG}/chapters/2.png") as served:  # a file: close it
        assert served.mimetype == "image/png"
        assert served.data == (show_dir / "season-1" / "middle.png").read_bytes()
    assert client.get(f"/episodes/{SLUG}/chapters/3.jpg").status_code == 404  # lives elsewhere


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('  - {start: "00:00:00", title: A, image: nowhere.jpg}\n', "chapter image 'nowhere.jpg'"),
        ('  - {start: "00:00:00", title: A, image: ../../etc.jpg}\n', "chapter image"),
        ('  - {start: "00:00:00", title: A, url: "javascript:alert(1)"}\n', "'url' is not"),
    ],
)
def test_bad_chapter_links_are_errors_with_a_line(
    show_dir: Path, write: Callable[[str, str], Path], line: str, message: str
) -> None:
    path = write("season-1/02-what-health-equity-means.yaml", _yaml_without_chapters(show_dir))
    path.write_text(path.read_text(encoding="utf-8") + "chapters:\n" + line, encoding="utf-8")
    with pytest.raises(CatalogError) as caught:
        load(show_dir)
    (problem,) = caught.value.problems
    assert message in problem.message
    assert problem.path == path
    assert problem.line == path.read_text(encoding="utf-8").count("\n")  # the chapter's line


def _yaml_without_chapters(show_dir: Path) -> str:
    text = (show_dir / "season-1" / "02-what-health-equity-means.yaml").read_text("utf-8")
    return text.split("chapters:")[0]


# --- JSON Chapters 1.2 rules ----------------------------------------------------------------


def test_the_specs_own_example_is_valid() -> None:
    example = {
        "version": "1.2.0",
        "author": "John Doe",
        "chapters": [
            {"startTime": 0, "title": "Intro"},
            {"startTime": 168, "title": "Hearing Aids", "img": "https://example.com/a.jpg"},
            {
                "startTime": 4826,
                "img": "https://example.com/parisfrance.jpg",
                "toc": False,
                "location": {"name": "Eiffel Tower, Paris", "geo": "geo:42.34,-70.96"},
            },
            {"startTime": 6089.5, "endTime": 6100, "title": "Outro"},
        ],
    }
    assert validate_json(example) == []


@pytest.mark.parametrize(
    ("document", "error"),
    [
        ([], "not a JSON object"),
        ({"chapters": []}, "'version'"),
        ({"version": 1.2, "chapters": []}, "'version'"),
        ({"version": "1.2.0"}, "'chapters' should be an array"),
        ({"version": "1.2.0", "chapters": [{"title": "x"}]}, "startTime"),
        ({"version": "1.2.0", "chapters": [{"startTime": True}]}, "startTime"),
        ({"version": "1.2.0", "chapters": [{"startTime": -1}]}, "startTime"),
        ({"version": "1.2.0", "chapters": [{"startTime": 5}, {"startTime": 2}]}, "not after"),
        ({"version": "1.2.0", "chapters": [{"startTime": 5}, {"startTime": 5}]}, "not after"),
        ({"version": "1.2.0", "chapters": [{"startTime": 0, "title": 3}]}, "title"),
        ({"version": "1.2.0", "chapters": [{"startTime": 0, "toc": "no"}]}, "toc"),
        ({"version": "1.2.0", "chapters": [{"startTime": 9, "endTime": 3}]}, "endTime"),
        ({"version": "1.2.0", "chapters": [{"startTime": 0, "location": {"name": "x"}}]}, "geo"),
        ({"version": "1.2.0", "title": ["x"], "chapters": []}, "'title' should be a string"),
        ({"version": "1.2.0", "chapters": ["00:00"]}, "not an object"),
    ],
)
def test_json_chapter_rules(document: Any, error: str) -> None:
    errors = validate_json(document)
    assert any(error in e for e in errors), errors


def test_every_shipped_chapters_file_follows_the_rules(client: FlaskClient, show_dir: Path) -> None:
    served = 0
    for found in load(show_dir).episodes:
        response = client.get(f"/episodes/{found.slug}/chapters.json")
        if not found.all_chapters:
            assert response.status_code == 404
            continue
        assert validate_json(json.loads(response.data)) == []
        served += 1
    assert served == 3


# --- `podcast check` rules -------------------------------------------------------------------


def with_chapters(found: Episode, *marks: tuple[float, str]) -> Episode:
    from dataclasses import replace

    made = tuple(Chapter(timedelta(seconds=s), t) for s, t in marks)
    return replace(found, chapters=made)


def test_shipped_chapters_pass(show_dir: Path) -> None:
    for found in load(show_dir).episodes:
        assert chapters.problems(found) == (), found.slug


def test_chapter_rules(show_dir: Path) -> None:
    base = episode(show_dir, "s1-02-what-health-equity-means")  # 11.9 s of audio
    bad = with_chapters(base, (0, "Opening"), (6, "Later"), (4, "Earlier"), (30, "Past"), (8, " "))
    found = {(p.rule, p.severity) for p in chapters.problems(bad)}
    assert found == {
        ("chapters-order", Severity.ERROR),
        ("chapters-duration", Severity.ERROR),
        ("chapters-title", Severity.ERROR),
    }
    problem = next(p for p in chapters.problems(bad) if p.rule == "chapters-duration")
    assert problem.path == base.source
    assert "00:00:30" in problem.message and "00:00:11" in problem.message


@pytest.mark.parametrize(
    "marks", [((0, "A"), (5, "B")), ((1, "A"), (4, "B"), (8, "C"))], ids=["two", "late-start"]
)
def test_apple_needs_three_timestamps_from_zero(
    show_dir: Path, marks: tuple[tuple[float, str], ...]
) -> None:
    base = episode(show_dir, "s1-02-what-health-equity-means")
    (problem,) = chapters.problems(with_chapters(base, *marks))
    assert (problem.rule, problem.severity) == ("chapters-notes", Severity.WARNING)


def test_audio_chapter_problems_name_the_audio_file(chaptered: Path, show_dir: Path) -> None:
    from dataclasses import replace

    found = episode(show_dir)
    short = replace(found, audio=replace(found.audio, duration=timedelta(seconds=1.5)))
    (problem,) = chapters.problems(short)
    assert problem.rule == "chapters-duration"
    assert problem.path == found.audio.path


# --- show notes and the page ---------------------------------------------------------------


def test_notes_list_escapes_titles() -> None:
    html = chapters.notes_html((Chapter(timedelta(0), "<b>Intro</b> & more"),))
    assert "<li>00:00:00 &lt;b&gt;Intro&lt;/b&gt; &amp; more</li>" in html
    assert chapters.notes_html(()) == ""


def test_page_chapter_links_follow_the_markup_contract(client: FlaskClient) -> None:
    page = BeautifulSoup(client.get("/episodes/s1-01-why-we-call-it-an-emergency/").data, "lxml")
    items = page.select("#chapters ol.chapters > li")
    assert len(items) == 3
    expected = [("0", "00:00:00", "Welcome"), ("3.612", "00:00:03", "Why an emergency")]
    for li, (seconds, stamp, title) in zip(items, expected, strict=False):
        link = li.find("a", class_="chapter-link")
        assert link["href"] == f"#t={seconds}"
        assert link["data-start"] == seconds
        assert link.get_text() == stamp
        assert li.get_text(" ", strip=True) == f"{stamp} {title}"


def test_page_shows_embedded_chapter_images(chaptered: Path, client: FlaskClient) -> None:
    page = BeautifulSoup(client.get(f"/episodes/{SLUG}/").data, "lxml")
    images = page.select("#chapters img")
    assert [i["src"] for i in images] == [f"/episodes/{SLUG}/chapters/2.jpg"]
    assert images[0]["alt"] == ""  # the title beside it says what it is


def test_drafts_have_no_chapters_yet(
    show_dir: Path, write: Callable[[str, str], Path], data_dir: Path
) -> None:
    shutil.copy(data_dir / "chapters.mp3", show_dir / "season-1" / "03-chapters-test.mp3")
    (show_dir / "season-1" / "03-chapters-test.vtt").write_text("WEBVTT\n", encoding="utf-8")
    write("season-1/03-chapters-test.yaml", EPISODE_YAML.replace("2022-03-01", "2099-03-01"))
    client = fresh_client(show_dir)
    assert client.get(f"/episodes/{SLUG}/").status_code == 404
    for path in ("chapters.json", "chapters/2.jpg", "transcript.vtt"):
        assert client.get(f"/episodes/{SLUG}/{path}").status_code == 404, path
