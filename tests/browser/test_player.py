"""The player, the home page's hero, sharing and embedding, in headless Chromium."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from support.qr import decode_qr
from support.servers import static_server

from .chromium import WAIT_MS
from .test_listener import assert_axe_passes, player, wait_player

WITH_CHAPTERS = "s1-02-what-health-equity-means"  # chapters at 0, 4 and 8 seconds; 12 s long
EPISODE_PAGE = f"/episodes/{WITH_CHAPTERS}/"
EMBED = f"{EPISODE_PAGE}embed/"


def open_player(page: Any, url: str) -> None:
    """Load `url` and wait until the enhanced player knows the audio's length."""
    page.goto(url)
    page.locator(".player.is-enhanced").wait_for()
    player(page, "p.preload === 'none' && p.load()")
    wait_player(page, "p.readyState >= 1 && isFinite(p.duration)")


def test_the_latest_episode_is_in_the_first_viewport_of_a_phone(
    browser: Any, base_url: str
) -> None:
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, bypass_csp=True
    )
    try:
        page = context.new_page()
        page.goto(base_url + "/")
        hero = page.locator(".hero").bounding_box()
        assert hero["y"] >= 0 and hero["y"] + hero["height"] <= 844, hero
        for part in (".latest img", ".latest h2 a", ".latest .play"):
            box = page.locator(part).bounding_box()
            assert box["y"] + box["height"] <= 844, part
        # one tap plays the newest episode
        page.locator(".latest .play").tap()
        wait_player(page, "!p.paused && p.currentTime > 0")
        assert page.locator(".latest .play .label").inner_text() == "Pause"
    finally:
        context.close()


def test_skip_buttons_move_the_time_by_mouse(page: Any, base_url: str) -> None:
    open_player(page, base_url + EPISODE_PAGE)
    player(page, "(p.currentTime = 10, true)")
    page.get_by_role("button", name="Back 15 sec").click()
    wait_player(page, "p.currentTime < 0.5")  # 10 − 15 stops at the start
    player(page, "(p.currentTime = 2, true)")
    page.get_by_role("button", name="Forward 30 sec").click()
    wait_player(page, "p.currentTime > p.duration - 0.5")  # 2 + 30 stops at the end


def test_the_controls_work_from_the_keyboard_with_a_visible_focus(page: Any, base_url: str) -> None:
    open_player(page, base_url + EPISODE_PAGE)
    play = page.get_by_role("button", name="Play", exact=True)
    play.focus()
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.press("Space")
    wait_player(page, "!p.paused && p.currentTime > 0")
    page.get_by_role("button", name="Pause", exact=True).wait_for()
    page.keyboard.press("Enter")
    wait_player(page, "p.paused")
    player(page, "(p.currentTime = 9, true)")
    page.keyboard.press("Tab")  # the next control: back 15 seconds
    assert page.evaluate("document.activeElement.textContent").strip() == "↺ Back 15 sec"
    page.keyboard.press("Enter")
    wait_player(page, "p.currentTime < 0.5")
    speed = page.get_by_label("Speed")
    speed.focus()
    page.keyboard.press("ArrowDown")  # 1× → 1.25×
    wait_player(page, "p.playbackRate === 1.25")


def test_speed_changes_the_playback_rate_and_is_kept(page: Any, base_url: str) -> None:
    open_player(page, base_url + EPISODE_PAGE)
    for rate in ("0.75", "2", "1.5"):
        page.get_by_label("Speed").select_option(rate)
        wait_player(page, f"p.playbackRate === {rate}")
    open_player(page, base_url + "/episodes/s1-01-why-we-call-it-an-emergency/")
    assert player(page, "p.playbackRate") == 1.5  # the listener's speed, on every episode


def test_a_chapter_mark_seeks_and_the_chapter_is_announced_once(page: Any, base_url: str) -> None:
    open_player(page, base_url + EPISODE_PAGE)
    marks = page.locator(".chapter-mark")
    assert marks.count() == 3
    widths = marks.evaluate_all("ms => ms.map(m => m.getBoundingClientRect().width)")
    assert all(width > 10 for width in widths), widths  # laid out along the episode's length
    # the player's live regions: the chapter (changes only) and the answer to "copy link"
    regions = page.locator(".player [aria-live], .player [role=status]")
    assert regions.evaluate_all("rs => rs.map(r => r.className)") == [
        "now-chapter",
        "share-status",
    ]
    live = page.locator(".now-chapter")
    assert live.inner_text().startswith("Chapter 1 of 3")
    wait_player(page, "(p.play(), !p.paused && p.currentTime > 0.5)")
    assert live.inner_text().startswith("Chapter 1 of 3")  # time passing says nothing
    player(page, "p.pause()")
    page.get_by_role("button", name="Chapter 2: ", exact=False).click()
    wait_player(page, "Math.abs(p.currentTime - 4) < 1")
    page.wait_for_function(
        "document.querySelector('.now-chapter').textContent.startsWith('Chapter 2 of 3')"
    )
    assert marks.nth(1).get_attribute("aria-current") == "true"


def test_the_position_is_remembered_on_this_device(page: Any, base_url: str) -> None:
    open_player(page, base_url + EPISODE_PAGE)
    player(page, "(p.currentTime = 6.4, p.pause(), p.dispatchEvent(new Event('pause')), true)")
    page.reload()
    page.locator(".player.is-enhanced").wait_for()
    wait_player(page, "Math.abs(p.currentTime - 6) < 0.5")


def test_the_copied_moment_link_opens_at_that_time(context: Any, page: Any, base_url: str) -> None:
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url)
    open_player(page, base_url + EPISODE_PAGE)
    player(page, "(p.currentTime = 7.6, true)")
    page.get_by_role("button", name="Copy link at this moment").click()
    page.locator(".share-status .moment-link").wait_for()
    link = page.evaluate("navigator.clipboard.readText()")
    assert link == f"{base_url}{EPISODE_PAGE}#t=7"
    assert page.locator(".share-status .moment-link").get_attribute("href") == link
    other = context.new_page()
    other.goto(link)
    wait_player(other, "p.readyState >= 1 && Math.abs(p.currentTime - 7) < 0.5")


def test_lock_screen_controls_name_the_episode_and_show_its_artwork(
    page: Any, base_url: str
) -> None:
    open_player(page, base_url + EPISODE_PAGE)
    metadata = page.evaluate(
        """() => { const m = navigator.mediaSession.metadata;
                   return {title: m.title, artist: m.artist,
                           artwork: m.artwork.map(a => a.src)}; }"""
    )
    assert metadata["title"] == "What health equity means"
    assert metadata["artist"].startswith("Off the Charts")
    assert metadata["artwork"] == [base_url + "/artwork.jpg"]


def test_the_embed_plays_inside_a_frame_on_another_origin(
    browser: Any, base_url: str, tmp_path: Path
) -> None:
    (tmp_path / "index.html").write_text(
        "<!doctype html><html lang='en'><title>A blog post</title>"
        f"<iframe src='{base_url}{EMBED}' title='Player' width='640' height='240'></iframe>",
        encoding="utf-8",
    )
    with static_server(tmp_path) as parent:
        assert parent.split(":")[-1] != base_url.split(":")[-1]  # another origin
        context = browser.new_context()  # the site's own headers enforced, as for readers
        try:
            page = context.new_page()
            page.goto(parent + "/")
            frame = page.frame_locator("iframe")
            frame.get_by_role("button", name="Play", exact=True).click()
            frame.get_by_role("button", name="Pause", exact=True).wait_for()
            embedded = next(f for f in page.frames if f.url.endswith(EMBED))
            # the frame's own policy forbids eval, so wait_for_function cannot poll in it
            for _ in range(WAIT_MS // 100):
                if embedded.evaluate("document.getElementById('player').currentTime") > 0.25:
                    break
                page.wait_for_timeout(100)
            else:
                pytest.fail("the embedded player never advanced")
        finally:
            context.close()


def test_the_episode_page_itself_refuses_to_be_framed(
    browser: Any, base_url: str, tmp_path: Path
) -> None:
    (tmp_path / "index.html").write_text(
        f"<!doctype html><iframe src='{base_url}{EPISODE_PAGE}' title='x'></iframe>",
        encoding="utf-8",
    )
    with static_server(tmp_path) as parent:
        context = browser.new_context()
        try:
            page = context.new_page()
            page.goto(parent + "/")
            framed = page.frame_locator("iframe").locator(".player")
            assert framed.count() == 0  # blocked by frame-ancestors 'none' / X-Frame-Options
        finally:
            context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", [EMBED, "/poster/", "/", EPISODE_PAGE])
def test_axe_finds_no_wcag_aa_violations(
    page: Any, base_url: str, axe_source: str, path: str, scheme: str
) -> None:
    page.emulate_media(color_scheme=scheme)
    page.goto(base_url + path)
    page.locator(".player.is-enhanced, .poster").first.wait_for()
    assert_axe_passes(page, axe_source)


def test_the_poster_qr_code_scans_to_the_shows_page(
    page: Any, base_url: str, tmp_path: Path
) -> None:
    page.goto(base_url + "/poster/")
    page.locator(".qr svg").screenshot(path=str(tmp_path / "qr.png"))
    assert decode_qr(tmp_path / "qr.png") == base_url + "/"


def test_without_javascript_the_player_is_the_browsers_own(browser: Any, base_url: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(base_url + EPISODE_PAGE)
        assert page.locator("audio#player[controls]").is_visible()
        assert not page.locator(".controls").is_visible()  # no buttons that could not work
        assert not page.locator(".chapter-bar").is_visible()
        assert page.locator("#chapters a.chapter-link").count() == 3
    finally:
        context.close()
