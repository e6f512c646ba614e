"""EPISODE on the command line: a slug, a YAML path or SEASON/NUMBER, else the closest names."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from podcast.errors import PodcastError
from podcast.model import Catalog
from podcast.read import catalog as catalog_module
from podcast.read.select import UnknownEpisode, pick


@pytest.fixture
def shipped(show_dir: Path) -> Catalog:
    return catalog_module.load(show_dir)


def test_a_slug_names_its_episode(shipped: Catalog) -> None:
    assert pick(shipped, "s2-01-access-to-care").source.name == "01-access-to-care.yaml"


def test_season_slash_number_names_its_episode(shipped: Catalog) -> None:
    episode = pick(shipped, "2/2")
    assert (episode.season, episode.number) == (2, 2)
    assert episode.slug == "s2-02-social-drivers-of-health"


def test_a_yaml_path_names_its_episode_from_the_working_folder_or_the_root(
    shipped: Catalog, show_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    absolute = show_dir / "season-3" / "01-trust-in-medicine.yaml"
    assert pick(shipped, str(absolute)).slug == "s3-01-trust-in-medicine"
    assert pick(shipped, "season-3/01-trust-in-medicine.yaml").slug == "s3-01-trust-in-medicine"
    monkeypatch.chdir(show_dir.parent)
    relative = os.path.join("episodes", "season-3", "01-trust-in-medicine.yaml")
    assert pick(shipped, relative).slug == "s3-01-trust-in-medicine"


def test_an_unknown_slug_lists_the_closest_episodes(shipped: Catalog) -> None:
    with pytest.raises(UnknownEpisode) as raised:
        pick(shipped, "s2-01-acess-to-car")
    assert raised.value.close[0] == "s2-01-access-to-care (2/1)"
    assert "s2-01-access-to-care (2/1)" in str(raised.value)
    assert isinstance(raised.value, PodcastError)  # the CLI prints it as `Error: …`


def test_a_misspelt_title_or_stem_points_at_the_episode(shipped: Catalog) -> None:
    with pytest.raises(UnknownEpisode) as by_title:
        pick(shipped, "trust in medicin")
    assert by_title.value.close[0].startswith("s3-01-trust-in-medicine")
    with pytest.raises(UnknownEpisode) as by_file:
        pick(shipped, "season-3/01-trust-in-medicne.yaml")
    assert by_file.value.close[0].startswith("s3-01-trust-in-medicine")


def test_a_number_that_does_not_exist_is_unknown(shipped: Catalog) -> None:
    with pytest.raises(UnknownEpisode, match="no episode '9/9'"):
        pick(shipped, "9/9")


def test_nothing_alike_says_how_to_name_an_episode(shipped: Catalog) -> None:
    with pytest.raises(UnknownEpisode) as raised:
        pick(shipped, "zzzzqqqq")
    assert raised.value.close == []
    assert "podcast list" in str(raised.value)
