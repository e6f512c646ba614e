"""The catalog a build renders from answers every question as the loaded catalog does."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from pathlib import Path

from support.clock import NOW

from podcast.model import Catalog
from podcast.publish.build_catalog import BuildCatalog
from podcast.read import loader


def test_find_and_visible_agree_with_the_catalog(show_dir: Path) -> None:
    catalog = loader.load(show_dir)
    indexed = BuildCatalog.of(catalog)
    assert isinstance(indexed, Catalog)
    for episode in catalog.episodes:
        assert indexed.find(episode.slug) is catalog.find(episode.slug)
    assert indexed.find("no-such-episode") is None
    moments = [NOW, NOW, NOW - timedelta(days=3650), NOW, NOW + timedelta(days=3650)]
    for now in moments:  # the last instant asked is kept; another is computed afresh
        for drafts in (False, True, False):
            assert indexed.visible(now, drafts) == catalog.visible(now, drafts), (now, drafts)
    assert len(indexed.visible(NOW - timedelta(days=3650))) < len(indexed.visible(NOW))


def test_the_first_of_two_equal_slugs_is_found(show_dir: Path) -> None:
    catalog = loader.load(show_dir)
    twin = dataclasses.replace(catalog.episodes[1], slug=catalog.episodes[0].slug)
    doubled = dataclasses.replace(catalog, episodes=(catalog.episodes[0], twin))
    assert BuildCatalog.of(doubled).find(twin.slug) is doubled.find(twin.slug)
    assert BuildCatalog.of(doubled).find(twin.slug) is catalog.episodes[0]


def test_a_replaced_build_catalog_is_indexed_again(show_dir: Path) -> None:
    indexed = BuildCatalog.of(loader.load(show_dir))
    fewer = dataclasses.replace(indexed, episodes=indexed.episodes[1:])
    assert isinstance(fewer, BuildCatalog)
    assert fewer.find(indexed.episodes[0].slug) is None
