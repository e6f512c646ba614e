"""The low-data copy in Chromium: the player switches to it at the same moment, and remembers."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from support.servers import Gunicorn, factory

from podcast.publish.lowdata import make_low_bandwidth
from podcast.read.catalog import default_root

from .chromium import ARTIFACTS, WAIT_MS

pytestmark = pytest.mark.slow  # run by CI; skipped by `pytest -m "not slow"`
STEM = "season-1/01-why-we-call-it-an-emergency"
EPISODE = "/episodes/s1-01-why-we-call-it-an-emergency/"
PLAYER = "document.querySelector('#player')"


@pytest.fixture(scope="module")
def low_data_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """gunicorn serving a copy of the shipped show where one episode has a low-data copy."""
    root = tmp_path_factory.mktemp("lowdata") / "episodes"
    shutil.copytree(default_root(), root)
    make_low_bandwidth(root / f"{STEM}.mp3")
    ARTIFACTS.mkdir(exist_ok=True)
    app = factory({"EPISODES_ROOT": root}, test_clock=True)
    with Gunicorn(root, ARTIFACTS / "server-lowdata.log", app) as server:
        yield server.url


def source(page: Any) -> str:
    return str(page.evaluate(f"{PLAYER}.currentSrc"))


def test_the_player_switches_to_the_low_data_copy_and_remembers(
    page: Any, low_data_url: str
) -> None:
    page.goto(low_data_url + EPISODE)
    page.locator(".player.is-enhanced").wait_for()
    caption = page.locator(".player figcaption").inner_text()
    assert "Low-data version (" in caption and "mono 32 kbps" in caption
    page.locator("#player").evaluate("p => { p.muted = true; }")
    page.wait_for_function(f"{PLAYER}.readyState >= 1", timeout=WAIT_MS)
    page.evaluate(f"{PLAYER}.currentTime = 5")
    page.locator("[data-action=speed]").select_option("1.5")
    toggle = page.locator("[data-action=low-data]")
    toggle.click()
    assert toggle.get_attribute("aria-pressed") == "true"
    page.wait_for_function(f"{PLAYER}.currentSrc.endsWith('.low.mp3')", timeout=WAIT_MS)
    page.wait_for_function(
        f"Math.abs({PLAYER}.currentTime - 5) < 0.5 && {PLAYER}.playbackRate === 1.5",
        timeout=WAIT_MS,
    )
    page.reload()
    page.locator(".player.is-enhanced").wait_for()
    assert page.locator("[data-action=low-data]").get_attribute("aria-pressed") == "true"
    assert source(page).endswith(f"{STEM}.low.mp3")
    page.locator("[data-action=low-data]").click()
    page.wait_for_function(f"{PLAYER}.currentSrc.endsWith('{STEM}.mp3')", timeout=WAIT_MS)
