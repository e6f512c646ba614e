"""paths.inside: real paths resolved once per load, never carried into the next one."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from podcast.errors import CatalogError
from podcast.read import catalog


def test_a_folder_replaced_by_a_link_outside_is_refused_on_the_next_load(
    show_dir: Path, tmp_path: Path
) -> None:
    assert len(catalog.load(show_dir).episodes) == 7
    outside = tmp_path / "outside-season"
    shutil.move(show_dir / "season-1", outside)
    (show_dir / "season-1").symlink_to(outside, target_is_directory=True)
    with pytest.raises(CatalogError) as caught:
        catalog.load(show_dir)
    assert any("outside the episodes folder" in p.message for p in caught.value.problems)


def test_an_audio_file_replaced_by_a_link_outside_is_refused_on_the_next_load(
    show_dir: Path, tmp_path: Path
) -> None:
    catalog.load(show_dir)
    audio = show_dir / "season-2" / "01-access-to-care.m4a"
    outside = tmp_path / "elsewhere.m4a"
    shutil.move(audio, outside)
    audio.symlink_to(outside)
    with pytest.raises(CatalogError) as caught:
        catalog.load(show_dir)
    assert any("link to a place outside" in p.message for p in caught.value.problems)
