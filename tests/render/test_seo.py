"""Structured-data helpers that need no HTTP: ISO durations, sitemap XML."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from lxml import etree

from podcast.model import group_seasons
from podcast.read.catalog import load
from podcast.render.seo import series, sitemap
from podcast.render.times import iso_duration
from podcast.render.urls import Urls


def test_iso_duration() -> None:
    assert iso_duration(timedelta(0)) == "PT0S"
    assert iso_duration(timedelta(seconds=12.6)) == "PT13S"
    assert iso_duration(timedelta(minutes=5)) == "PT5M"
    assert iso_duration(timedelta(hours=1, seconds=3)) == "PT1H3S"


def test_sitemap_is_valid_sitemaps_xml(show_dir: Path) -> None:
    catalog = load(show_dir)
    now = datetime(2026, 11, 1, tzinfo=UTC)
    body = sitemap(
        Urls(catalog, "https://x.example"), group_seasons(catalog.show, catalog.visible(now))
    )
    root = etree.fromstring(body)
    assert body.startswith(b"<?xml")
    urls = root.findall("{http://www.sitemaps.org/schemas/sitemap/0.9}url")
    assert (
        urls[0].findtext("{http://www.sitemaps.org/schemas/sitemap/0.9}loc") == "https://x.example/"
    )
    assert urls[0].findtext("{http://www.sitemaps.org/schemas/sitemap/0.9}lastmod") == "2026-01-13"


def test_series_names_hosts_and_feed(show_dir: Path) -> None:
    catalog = load(show_dir)
    data = series(catalog.show, Urls(catalog, "https://x.example"))
    assert data["webFeed"] == "https://x.example/feed.xml"
    assert [a["name"] for a in data["actor"]] == ["Dr. Kari Haley", "Dr. Steven Jackson"]
    assert data["genre"] == ["Health & Fitness > Medicine", "Society & Culture"]
