"""The deploy plan from a real build in a folder: types, kinds, the cap, a foreign manifest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from podcast.publish import deploy as core

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
