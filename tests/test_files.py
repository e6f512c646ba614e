"""files.cache_dir: one per-user cache place, keyed by real path, never created by asking;
files.read_regular: bounded reads of regular files only."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from podcast.files import NotARegularFile, cache_dir, read_regular


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


@pytest.mark.parametrize("size", [0, 1, 99, 100, 101, 5000])
def test_read_regular_reads_at_most_one_byte_past_the_limit(tmp_path: Path, size: int) -> None:
    path = tmp_path / "file"
    path.write_bytes(bytes(range(256)) * 20)
    path.write_bytes(path.read_bytes()[:size])
    assert read_regular(path, 100) == path.read_bytes()[:101]


def test_read_regular_reads_on_past_a_size_that_is_wrong() -> None:
    """/proc files are regular and say they hold 0 bytes: the size only starts the read."""
    status = Path("/proc/self/status")
    assert status.stat().st_size == 0
    found = read_regular(status, 100_000)
    assert found.startswith(b"Name:") and b"VmRSS" in found
    assert len(read_regular(status, 10)) == 11


def test_read_regular_refuses_what_is_not_a_file(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(NotARegularFile):  # and opening it did not wait for a writer
        read_regular(fifo, 100)
    with pytest.raises(OSError):
        read_regular(tmp_path, 100)
