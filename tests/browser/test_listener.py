"""The listener's site in headless Chromium: it lists, plays, seeks, searches and is accessible."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from support.clock import NOW
from support.servers import static_server

from podcast.read.catalog import default_root, load

from .chromium import ARTIFACTS, WAIT_MS

pytestmark = pytest.mark.slow  # run by CI; skipped by `pytest -m "not slow"`
CATALOG = load(default_root())
EPISODE = "s1-01-why-we-call-it-an-emergency"  # has a transcript of six cues
WITH_CHAPTERS = "s1-02-what-health-equity-means"  # chapters at 0, 4 and 8 seconds
PAGES = {
    "home": "/",
    "season": "/seasons/1/",
    "episode": f"/episodes/{EPISODE}/",
    "transcript in Spanish": f"/episodes/{WITH_CHAPTERS}/transcript/es/",
    "404": "/no-such-page/",
}
WIDTHS = (375, 1280)
# axe-core's tags for WCAG 2.0, 2.1 and 2.2 at levels A and AA.
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PLAYER = "document.querySelector('#player')"


def player(page: Any, expression: str) -> Any:
    """Evaluate `expression` with `p` bound to the episode's audio element."""
    return page.evaluate(f"(() => {{ const p = {PLAYER}; return {expression}; }})()")


def wait_player(page: Any, condition: str) -> None:
    """Wait (bounded) until `condition` holds for the audio element `p`."""
    page.wait_for_function(
        f"(() => {{ const p = {PLAYER}; return {condition}; }})()", timeout=WAIT_MS
    )


def test_home_lists_every_season_and_the_newest_episodes(page: Any, base_url: str) -> None:
    page.goto(base_url + "/")
    seasons = page.locator("#seasons .season-title").all_inner_texts()
    assert seasons == [
        "Season 3: Trust and community",
        "Season 2: Barriers and drivers",
        "Season 1: Naming the emergency",
    ]
    links = page.locator(".latest h2 a, #recent .episode-card a").evaluate_all(
        "links => links.map(a => new URL(a.href).pathname)"
    )
    # the shipped show is small: the latest and the recent list hold every episode, newest first
    assert links == [f"/episodes/{e.slug}/" for e in CATALOG.episodes]


@pytest.mark.parametrize("slug", [EPISODE, "s2-01-access-to-care"])  # MP3 and M4A/AAC
def test_an_episode_plays(page: Any, base_url: str, slug: str) -> None:
    page.goto(f"{base_url}/episodes/{slug}/")
    wait_player(page, "p.readyState >= 1")
    player(page, "p.play()")
    wait_player(page, "p.readyState >= 2 && !p.paused")
    start = player(page, "p.currentTime")
    wait_player(page, f"p.currentTime > {start} + 0.25")
    assert player(page, "p.error") is None


def test_keyboard_alone_reaches_and_operates_the_player(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/episodes/{EPISODE}/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")  # the skip link moves focus to the main content
    assert page.evaluate("document.activeElement.id") == "content"
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "player":
            break
    else:
        pytest.fail("Tab never reached the audio player")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "the focused player shows no focus ring"
    page.keyboard.press("Space")
    wait_player(page, "!p.paused && p.currentTime > 0")
    page.keyboard.press("Space")
    wait_player(page, "p.paused")


def test_keyboard_follows_links_with_a_visible_focus(page: Any, base_url: str) -> None:
    page.goto(base_url + "/")
    target = f"/episodes/{CATALOG.episodes[0].slug}/"
    for _ in range(60):
        page.keyboard.press("Tab")
        href = page.evaluate("document.activeElement.getAttribute('href')")
        if href == target:
            break
    else:
        pytest.fail(f"Tab never reached the link to {target}")
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{target}")
    assert page.locator("h1").inner_text() == CATALOG.episodes[0].title


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", [*PAGES, "search"])
def test_no_horizontal_scroll_and_screenshots(
    browser: Any, base_url: str, name: str, width: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": 800})
    try:
        page = context.new_page()
        page.goto(base_url + PAGES.get(name, "/search/?q=health+equity"))
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{name} at {width} px scrolls sideways by {overflow} px"
        if name in ("home", "season", "episode"):
            page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
        if name == "episode" and width == 375:
            page.emulate_media(color_scheme="dark")
            page.screenshot(path=str(ARTIFACTS / "episode-375-dark.png"), full_page=True)
    finally:
        context.close()


AXE_PAGES = {
    **PAGES,
    "search results": "/search/?q=health+equity",
    "cue from a search": f"/episodes/{EPISODE}/#cue-2",
}


def assert_axe_passes(page: Any, axe_source: str) -> None:
    """Run axe-core's WCAG 2.2 A/AA rules on the loaded page; fail listing each violation."""
    page.add_script_tag(content=axe_source)
    report = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_AA
    )
    violations = [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in report["violations"]
    ]
    assert violations == [], json.dumps(violations, indent=2)
    assert report["passes"], "axe ran no rule at all"


@pytest.mark.parametrize("name", AXE_PAGES)
def test_axe_finds_no_wcag_aa_violations(
    page: Any, base_url: str, axe_source: str, name: str
) -> None:
    page.goto(base_url + AXE_PAGES[name])
    assert_axe_passes(page, axe_source)


@pytest.mark.parametrize("name", ["home", "episode", "search results", "cue from a search"])
def test_axe_finds_no_violations_in_dark_mode(
    page: Any, base_url: str, axe_source: str, name: str
) -> None:
    page.emulate_media(color_scheme="dark")
    page.goto(base_url + AXE_PAGES[name])
    background = page.evaluate("getComputedStyle(document.documentElement).backgroundColor")
    assert background == "rgb(16, 22, 31)", "the dark palette did not apply"
    assert_axe_passes(page, axe_source)


def test_pages_satisfy_their_own_content_security_policy(browser: Any, base_url: str) -> None:
    context = browser.new_context()  # CSP enforced, as for listeners
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        for path in (*PAGES.values(), "/search/?q=care"):
            page.goto(base_url + path)
        assert [e for e in errors if "404" not in e] == []
    finally:
        context.close()


def test_chapter_link_seeks_the_player(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/episodes/{WITH_CHAPTERS}/")
    links = page.locator("a.chapter-link[data-start]")
    assert links.count() >= 2, "episode.html lists no chapter links (a.chapter-link[data-start])"
    wait_player(page, "p.readyState >= 1")
    second = links.nth(1)
    start = float(second.get_attribute("data-start"))
    assert second.get_attribute("href").endswith(f"#t={second.get_attribute('data-start')}")
    second.click()
    wait_player(page, f"Math.abs(p.currentTime - {start}) < 1")


def test_transcript_cue_seeks_the_player_and_is_marked_current(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/episodes/{EPISODE}/")
    cues = page.locator("#transcript .cue[data-start]")
    assert cues.count() > 3, "episode.html shows no transcript cues (#transcript .cue)"
    assert page.locator("#transcript .cue a.cue-time").count() == cues.count()
    wait_player(page, "p.readyState >= 1")
    cue = cues.nth(3)
    start = float(cue.get_attribute("data-start"))
    cue.locator("a.cue-time").click()
    wait_player(page, f"p.currentTime >= {start} - 0.5")
    page.wait_for_function(
        "i => document.querySelectorAll('#transcript .cue')[i]"
        ".getAttribute('aria-current') === 'true'",
        arg=3,
        timeout=WAIT_MS,
    )


def test_search_works_without_javascript(browser: Any, base_url: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(base_url + "/")
        page.get_by_role("searchbox", name="Search episodes").fill("transportation")
        page.keyboard.press("Enter")
        page.wait_for_url("**/search/?q=transportation")
        results = page.locator(".result h3 a")
        assert results.all_inner_texts() == ["Access to care"]
        cue_link = page.locator(".result a.cue-link").first
        href = cue_link.get_attribute("href")
        assert href == "/episodes/s2-01-access-to-care/#cue-2"
        cue_link.locator(".timestamp").click()
        page.wait_for_url("**/episodes/s2-01-access-to-care/#cue-2")
        assert page.locator("#cue-2").count() == 1, "search links to #cue-2; the page has none"
        assert "transportation" in page.locator("#cue-2").inner_text()
    finally:
        context.close()


def test_copy_feed_url_button(context: Any, page: Any, base_url: str) -> None:
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url)
    page.goto(base_url + "/")
    button = page.get_by_role("button", name="Copy feed URL")
    button.click()
    page.get_by_role("status").filter(has_text="copied").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == base_url + "/feed.xml"


def test_reduced_motion_turns_off_smooth_scrolling(page: Any, base_url: str) -> None:
    page.goto(base_url + "/")
    style = "getComputedStyle(document.documentElement).scrollBehavior"
    assert page.evaluate(style) == "smooth"
    page.emulate_media(reduced_motion="reduce")
    assert page.evaluate(style) == "auto"


def test_episode_page_weighs_under_100_kb_without_audio(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/episodes/{EPISODE}/", wait_until="load")
    # After "load" the browser's own resource timings list everything the page fetched.
    sizes = page.evaluate(
        """() => [...performance.getEntriesByType('navigation'),
                  ...performance.getEntriesByType('resource')]
            .filter(e => !new URL(e.name).pathname.startsWith('/audio/'))
            .map(e => [new URL(e.name).pathname, e.decodedBodySize])"""
    )
    total = sum(size for _, size in sizes)
    assert total < 100 * 1024, f"{total} bytes: {sizes}"
    paths = [path for path, _ in sizes]
    assert {"/static/style.css", "/static/site.js", "/static/player.js"} <= set(paths), paths


def test_a_static_copy_says_it_cannot_search(browser: Any, show_root: Path, tmp_path: Path) -> None:
    from podcast.publish import build as export
    from podcast.site.app import create_app

    app = create_app({"EPISODES_ROOT": show_root, "CLOCK": lambda: NOW})
    export.build(app, tmp_path / "site", "http://127.0.0.1/")
    assert (tmp_path / "site" / "search" / "index.html").is_file()
    with static_server(tmp_path / "site") as address:
        context = browser.new_context()
        try:
            page = context.new_page()
            page.goto(address + "/search/?q=care")
            note = page.locator(".static-note")
            note.wait_for()
            assert "cannot search" in note.inner_text()
            assert page.locator(".result").count() == 0
        finally:
            context.close()
