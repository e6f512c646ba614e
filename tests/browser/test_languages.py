"""Transcripts in other languages in Chromium: the page is in its language, the switch works."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.slow  # run by CI; skipped by `pytest -m "not slow"`
EPISODE = "/episodes/s1-02-what-health-equity-means/"  # English and Spanish transcripts
SPANISH = f"{EPISODE}transcript/es/"


def test_the_spanish_transcript_page_is_marked_spanish(page: Any, base_url: str) -> None:
    page.goto(base_url + SPANISH)
    assert page.evaluate("document.documentElement.lang") == "es"
    assert page.locator("h1").inner_text() == "Qué significa la equidad en salud"
    first = page.locator(".cue .cue-text").first
    assert first.inner_text().startswith("En este episodio de muestra")
    # the site's own English words are marked English for screen readers
    assert page.locator("header.site-header").get_attribute("lang") == "en-us"
    assert page.evaluate("getComputedStyle(document.querySelector('.languages')).display") != "none"


def test_the_language_switch_goes_to_spanish_and_back(page: Any, base_url: str) -> None:
    page.goto(base_url + EPISODE)
    page.locator("#transcript nav.languages").get_by_role("link", name="Español").click()
    page.wait_for_url(base_url + SPANISH)
    assert page.evaluate("document.documentElement.lang") == "es"
    assert page.locator("nav.languages [aria-current=page]").inner_text() == "Español"
    page.locator("nav.languages").get_by_role("link", name="English").click()
    page.wait_for_url(f"{base_url}{EPISODE}transcript/en-us/")
    assert page.evaluate("document.documentElement.lang") == "en-us"
    first = page.locator(".cue .cue-text").first
    assert first.inner_text().startswith("In this sample episode")


def test_a_spanish_cue_seeks_the_player(page: Any, base_url: str) -> None:
    page.goto(base_url + SPANISH)
    page.locator(".player.is-enhanced").wait_for()
    page.locator("#cue-2 .cue-time").click()
    page.wait_for_function("document.querySelector('#player').currentTime >= 4.2", timeout=10_000)
