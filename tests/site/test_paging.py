"""Pages that don't grow with the catalog: the home page and season pages at 1,000 and 5,000."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from flask.testing import FlaskClient
from lxml import etree
from support.clock import NOW
from support.scratch import Scratch

from podcast.model import Catalog, newest_first
from podcast.publish import build as export
from podcast.read.catalog import load
from podcast.render import paging
from podcast.site.app import create_app

BASE = "https://example.org"
LIMIT = 100_000  # bytes: the home page's budget at any size of catalog
SITEMAP = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def big_catalog(root: Path, count: int, per_season: int) -> Catalog:
    """`count` episodes, daily, `per_season` to a season: copies of one really loaded episode."""
    scratch = Scratch.create(root)
    scratch.episode(notes="Notes that a listener reads.\n\n- a point\n- another point")
    loaded = load(root)
    (first,) = loaded.episodes
    episodes = [
        dataclasses.replace(
            first,
            slug=f"s{n // per_season + 1}-{n % per_season + 1:04d}-topic-{n}",
            title=f"Topic number {n}: what the clinic learned this week",
            season=n // per_season + 1,
            number=n % per_season + 1,
            guid=str(uuid.UUID(int=n + 1)),
            published=first.published + timedelta(days=n),
            summary=f"A conversation about topic {n} and what it means for patients.",
        )
        for n in range(count)
    ]
    return dataclasses.replace(loaded, episodes=newest_first(episodes))


def client_for(catalog: Catalog) -> FlaskClient:
    config = {"EPISODES_ROOT": catalog.root, "CLOCK": lambda: NOW + timedelta(days=20_000)}
    app = create_app({**config, "BASE_URL": BASE, "RELOAD_INTERVAL": None}, catalog=catalog)
    return app.test_client()


def page(client: FlaskClient, url: str) -> tuple[int, BeautifulSoup]:
    response = client.get(url)
    assert response.status_code == 200, url
    return len(response.data), BeautifulSoup(response.data, "html.parser")


@pytest.mark.parametrize(("count", "per_season"), [(1_000, 1_000), (5_000, 100)])
def test_the_home_page_stays_small_however_big_the_catalog(
    tmp_path: Path, count: int, per_season: int
) -> None:
    catalog = big_catalog(tmp_path / "show", count, per_season)
    client = client_for(catalog)
    size, home = page(client, "/")
    assert size <= LIMIT, f"the home page is {size:,} bytes at {count:,} episodes"
    newest = catalog.episodes
    latest = home.select_one(".latest h2 a")
    assert latest is not None and latest["href"] == f"/episodes/{newest[0].slug}/"
    recent = [a["href"] for a in home.select("#recent .episode-card h3 a")]
    assert recent == [f"/episodes/{e.slug}/" for e in newest[1 : paging.HOME_EPISODES + 1]]
    seasons = [a["href"] for a in home.select("#seasons .season-title a")]
    assert seasons == [f"/seasons/{n}/" for n in range(count // per_season, 0, -1)]


def test_a_season_pages_through_every_episode_once_newest_first(tmp_path: Path) -> None:
    catalog = big_catalog(tmp_path / "show", 1_000, 1_000)
    client = client_for(catalog)
    url: str | None = "/seasons/1/"
    seen: list[str] = []
    pages = 0
    while url is not None:
        size, html = page(client, url)
        assert size <= LIMIT, f"{url} is {size:,} bytes"
        seen += [a["href"] for a in html.select(".episode-card h2 a, .episode-card h3 a")]
        pages += 1
        older = html.select_one("nav.pager a[rel=next]")
        newer = html.select_one("nav.pager a[rel=prev]")
        assert (newer is None) == (pages == 1)
        if newer is not None:
            assert newer["href"] == (
                "/seasons/1/" if pages == 2 else f"/seasons/1/page/{pages - 1}/"
            )
        url = older["href"] if older is not None else None
    assert pages == 1_000 // paging.SEASON_PAGE
    assert seen == [f"/episodes/{e.slug}/" for e in catalog.episodes]
    assert client.get(f"/seasons/1/page/{pages + 1}/").status_code == 404
    assert client.get("/seasons/1/page/1/").status_code == 404  # page 1 is /seasons/1/
    assert client.get("/seasons/1/page/0/").status_code == 404


def test_the_sitemap_lists_every_page_of_every_season(tmp_path: Path) -> None:
    catalog = big_catalog(tmp_path / "show", 250, 100)
    sitemap = etree.fromstring(client_for(catalog).get("/sitemap.xml").data)
    locations = set(sitemap.xpath("//s:loc/text()", namespaces=SITEMAP))
    pages = {f"{BASE}/seasons/{n}/" for n in (1, 2, 3)} | {
        f"{BASE}/seasons/1/page/2/",
        f"{BASE}/seasons/2/page/2/",
    }
    assert pages <= locations
    assert f"{BASE}/seasons/3/page/2/" not in locations  # 50 episodes: one page
    assert len(locations) == 1 + 5 + 250


def test_the_static_export_holds_the_later_pages(tmp_path: Path) -> None:
    show = Scratch.create(tmp_path / "show")
    for n in range(2, paging.SEASON_PAGE + 3):  # one page and a bit
        show.episode(
            f"season-1/{n:02d}-more.yaml",
            with_audio=True,
            title=f"More {n}",
            episode=n,
            guid=str(uuid.UUID(int=n)),
        )
    app = create_app({"EPISODES_ROOT": show.root, "CLOCK": lambda: NOW, "BASE_URL": BASE})
    out = tmp_path / "site"
    export.build(app, out, BASE)
    later = out / "seasons/1/page/2/index.html"
    assert later.is_file()
    cards = BeautifulSoup(later.read_bytes(), "html.parser").select(".episode-card")
    assert len(cards) == paging.SEASON_PAGE + 2 - paging.SEASON_PAGE
