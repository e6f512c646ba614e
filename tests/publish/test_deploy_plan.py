"""The deploy plan from a real build in a folder: types, kinds, the cap, a foreign manifest."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from podcast.publish import deploy as core
from podcast.site.app import create_app

BASE = "https://listen.example.org"


@pytest.fixture
def items(show_dir: Path, tmp_path: Path) -> dict[str, core.Item]:
    """The shipped show built into a folder and scanned."""
    site = core.stage(show_dir, tmp_path / "site", BASE, None)
    return core.scan(site, core.CachePolicy())


def test_kinds_order_media_then_pages_then_feed(items: dict[str, core.Item]) -> None:
    plan = core.make_plan(items, None, 10)
    kinds = [item.kind for item, _ in plan.uploads]
    assert kinds == sorted(kinds) and plan.uploads[-1][0].key == "feed.xml"
    assert items["episodes/s1-01-why-we-call-it-an-emergency/chapters.json"].kind is core.Kind.MEDIA
    assert items["sitemap.xml"].kind is core.Kind.PAGE
    assert items["sitemap.xml"].headers.content_type == "application/xml"


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
