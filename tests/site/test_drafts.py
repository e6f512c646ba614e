"""Drafts never reach listeners; the preview (`serve --drafts`) shows and serves them, marked."""

from __future__ import annotations

import shutil
from pathlib import Path

import feedparser
import pytest
from bs4 import BeautifulSoup
from flask.testing import FlaskClient
from support.clock import NOW

from podcast.site.app import create_app

DRAFT = (
    "title: Rough cut\nseason: 3\nepisode: 3\npublished: 2024-05-01\ndraft: true\n"
    "guid: 9a4c3a0e-0b1f-4a57-9a43-2d1f7e3c5b10\nsummary: Not ready.\n"
)
SCHEDULED = (
    "title: Coming soon\nseason: 3\nepisode: 4\npublished: 2026-11-20\n"
    "guid: 2f9d0c55-8a0e-4b8e-b7a2-8f1e3d2c4a60\nsummary: Out on the 20th.\n"
)


@pytest.fixture
def unreleased(show_dir: Path, data_dir: Path) -> Path:
    """The shipped show plus a draft (dated in the past) and an episode scheduled for later."""
    for stem, text in (("03-rough-cut", DRAFT), ("04-coming-soon", SCHEDULED)):
        shutil.copyfile(data_dir / "cbr.mp3", show_dir / "season-3" / f"{stem}.mp3")
        (show_dir / "season-3" / f"{stem}.yaml").write_text(text, "utf-8")
    return show_dir


def client_for(root: Path, drafts: bool) -> FlaskClient:
    config = {"EPISODES_ROOT": root, "CLOCK": lambda: NOW, "DRAFTS": drafts}
    return create_app({**config, "BASE_URL": "https://otc.example"}).test_client()


def titles(client: FlaskClient) -> list[str]:
    response = client.get("/feed.xml")
    assert response.status_code == 200
    return [entry.title for entry in feedparser.parse(response.data).entries]


def test_the_public_feed_has_neither_drafts_nor_scheduled(unreleased: Path) -> None:
    found = titles(client_for(unreleased, drafts=False))
    assert len(found) == 7 and "Rough cut" not in found and "Coming soon" not in found


def test_the_preview_feed_carries_them_so_an_app_can_play_them(unreleased: Path) -> None:
    client = client_for(unreleased, drafts=True)
    feed = feedparser.parse(client.get("/feed.xml").data)
    by_title = {entry.title: entry for entry in feed.entries}
    assert {"Rough cut", "Coming soon"} <= set(by_title)
    enclosure = by_title["Rough cut"].enclosures[0].href
    with client.get(enclosure.removeprefix("https://otc.example")) as audio:
        assert audio.status_code == 200 and audio.mimetype == "audio/mpeg"


def test_public_pages_and_audio_of_a_draft_answer_404(unreleased: Path) -> None:
    client = client_for(unreleased, drafts=False)
    assert client.get("/episodes/s3-03-rough-cut/").status_code == 404
    assert client.get("/audio/season-3/03-rough-cut.mp3").status_code == 404
    page = BeautifulSoup(client.get("/").data, "html.parser")
    assert not page.select(".badge-draft, .badge-scheduled")
    assert "Rough cut" not in page.get_text()


def test_the_preview_marks_drafts_and_scheduled_episodes(unreleased: Path) -> None:
    client = client_for(unreleased, drafts=True)
    home = BeautifulSoup(client.get("/").data, "html.parser")
    marks = {  # the latest episode is the hero above the cards, and carries its mark too
        card.select_one("h2, h3, h4").get_text(strip=True): card.select_one(
            ".badge-draft, .badge-scheduled"
        )
        for card in home.select(".episode-card, article.latest")
    }
    draft, scheduled = marks["Rough cut"], marks["Coming soon"]
    assert draft is not None and draft.get_text(strip=True) == "Draft"
    assert scheduled is not None and scheduled.get_text(strip=True).startswith("Scheduled for")
    assert marks["Community voices"] is None  # a live episode carries no mark
    page = BeautifulSoup(client.get("/episodes/s3-03-rough-cut/").data, "html.parser")
    assert page.select_one(".episode .badge-draft") is not None
