"""The deploy plan from a real build in a folder: types, kinds, the cap, a foreign manifest."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup
from lxml import etree

from podcast.publish import deploy as core
from podcast.site.app import create_app

BASE = "https://listen.example.org"


@pytest.fixture
def items(show_dir: Path, tmp_path: Path) -> dict[str, core.Item]:
    """The shipped show built into a folder and scanned."""
    site = core.stage(show_dir, tmp_path / "site", BASE, None)
    return core.scan(site, core.CachePolicy())


def test_kinds_order_media_search_static_pages_then_feed_sitemap_robots(
    items: dict[str, core.Item],
) -> None:
    plan = core.make_plan(items, None, 10)
    kinds = [item.kind for item, _ in plan.uploads]
    assert kinds == sorted(kinds)
    assert [item.key for item, _ in plan.uploads][-3:] == ["feed.xml", "sitemap.xml", "robots.txt"]
    assert items["episodes/s1-01-why-we-call-it-an-emergency/chapters.json"].kind is core.Kind.MEDIA
    assert items["static/search.js"].kind is core.Kind.STATIC
    assert items["index.html"].kind is core.Kind.PAGE
    assert items["sitemap.xml"].kind is core.Kind.SITEMAP
    assert items["sitemap.xml"].headers.content_type == "application/xml"
    search = {k: i.kind for k, i in items.items() if k.startswith("pagefind/")}
    entry = {k for k in search if k.endswith((".js", ".css", "/pagefind-entry.json"))}
    assert {"pagefind/pagefind.js", "pagefind/pagefind-entry.json"} <= entry
    assert {search[k] for k in entry} == {core.Kind.SEARCH_ENTRY}
    assert {search[k] for k in set(search) - entry} == {core.Kind.SEARCH_INDEX}
    assert {k.split("/")[1] for k in set(search) - entry} >= {"fragment", "index"}


def test_every_file_a_page_or_search_entry_names_goes_up_before_it(
    items: dict[str, core.Item],
) -> None:
    checked = 0
    for key, item in items.items():
        for named in names(key, item, items):
            checked += 1
            page = items[named].kind is core.Kind.PAGE or named == "feed.xml"
            if key.endswith(".html") and page:
                continue  # pages (and oEmbed) name each other and the feed, which names them
            assert items[named].kind < item.kind, (key, named)
    assert checked > 100  # the oracle found links: pages to media, static files and pages


def names(key: str, item: core.Item, items: dict[str, core.Item]) -> set[str]:
    """The built files `item` names: a page's links and sources, the Pagefind entry's
    per-language metadata and wasm, the feed's enclosures and images, the sitemap's pages."""
    text = item.source.read_bytes()
    if key == "pagefind/pagefind-entry.json":
        languages = json.loads(text)["languages"].values()
        found = {f"pagefind/pagefind.{lang['hash']}.pf_meta" for lang in languages}
        return found | {f"pagefind/wasm.{lang['wasm']}.pagefind" for lang in languages}
    if key.endswith(".html"):
        soup = BeautifulSoup(text, "html.parser")
        links = [t.get("href") or t.get("src") for t in soup.find_all(["a", "link", "script"])]
        links += [t["src"] for t in soup.find_all(["img", "audio", "source"]) if t.get("src")]
    elif key.endswith(".xml"):
        links = [e.text or e.get("url") or e.get("href") for e in etree.fromstring(text).iter()]
    else:
        return set()
    return {found for link in links if (found := _built(link, items)) is not None} - {key}


def _built(link: str | None, items: dict[str, core.Item]) -> str | None:
    """The built file a link names, if it is one of this site's."""
    if not link or "://" in link and not link.startswith(BASE):
        return None
    path = unquote(urlsplit(link.removeprefix(BASE)).path).lstrip("/")
    for key in (path, path + "index.html", path + "/index.html"):
        if key in items:
            return key
    return None


def test_over_the_cap_nothing_is_deleted(items: dict[str, core.Item]) -> None:
    first = core.make_plan(items, None, 10)
    manifest = {key: {"sha256": i.sha256, "size": i.size} for key, i in first.items.items()}
    manifest.update({f"old/{n}.html": {"sha256": "x", "size": 1} for n in range(3)})
    body = json.dumps({"format": 1, "files": manifest}).encode()
    assert core.make_plan(items, body, 3).deletions == [f"old/{n}.html" for n in range(3)]
    capped = core.make_plan(items, body, 2)
    assert capped.deletions == [] and len(capped.held) == 3 and capped.uploads == []


def test_a_manifest_this_version_did_not_write_is_an_error(items: dict[str, core.Item]) -> None:
    with pytest.raises(core.DeployError, match="remove it"):
        core.make_plan(items, b"<html>not ours</html>", 10)


def test_the_feed_is_cached_as_long_as_the_live_server_says(items: dict[str, core.Item]) -> None:
    seconds = create_app().config["FEED_MAX_AGE"]
    assert items["feed.xml"].headers.cache_control == f"public, max-age={seconds}"


def test_recorded_hashes_are_reused_only_for_the_same_file(show_dir: Path, tmp_path: Path) -> None:
    site = core.stage(show_dir, tmp_path / "site", BASE, None)
    hashes = core.hashes_file(site)
    first = core.scan(site, core.CachePolicy(), hashes)
    assert hashes.is_file() and not hashes.is_relative_to(site)
    assert {k: i.sha256 for k, i in first.items()} == {
        k: hashlib.sha256(i.source.read_bytes()).hexdigest() for k, i in first.items()
    }
    page = site / "robots.txt"
    page.unlink()  # replaced, as a build replaces a file: a new inode, same size
    page.write_text("x" * first["robots.txt"].size)
    again = core.scan(site, core.CachePolicy(), hashes)
    assert again["robots.txt"].sha256 == hashlib.sha256(page.read_bytes()).hexdigest()
    assert again["robots.txt"].sha256 != first["robots.txt"].sha256
    assert {k: i.sha256 for k, i in again.items() if k != "robots.txt"} == {
        k: i.sha256 for k, i in first.items() if k != "robots.txt"
    }
