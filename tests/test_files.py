"""files.cache_dir: one per-user cache place, keyed by real path, never created by asking."""

from __future__ import annotations

from pathlib import Path

import pytest

from podcast.files import cache_dir


def test_cache_dir_is_under_xdg_cache_home_and_keyed_by_real_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    show = tmp_path / "show"
    show.mkdir()
    (tmp_path / "link").symlink_to(show)
    found = cache_dir("probe", show)
    assert found.is_relative_to(tmp_path / "cache" / "offthecharts-publisher" / "probe")
    assert cache_dir("probe", tmp_path / "link") == found
    assert cache_dir("probe", tmp_path / "other") != found
    assert cache_dir("loudness", show) != found
    assert not (tmp_path / "cache").exists()  # asking never writes
