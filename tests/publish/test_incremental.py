"""Incremental builds: only what changed is written, and the result equals a clean build."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import pytest
from flask import Flask
from support.clock import NOW

from podcast.publish import build as export
from podcast.publish import static_search
from podcast.site.app import create_app

BASE = "https://example.org/otc"


def make_app(root: Path) -> Flask:
    return create_app({"EPISODES_ROOT": root, "CLOCK": lambda: NOW, "BASE_URL": BASE})


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def stamps(folder: Path) -> dict[str, int]:
    return {
        p.relative_to(folder).as_posix(): p.stat().st_mtime_ns
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def assert_same_as_clean(show_dir: Path, out: Path, tmp_path: Path) -> None:
    clean = tmp_path / "clean"
    export.build(make_app(show_dir), clean, BASE)
    assert tree(out) == tree(clean)


@pytest.fixture
def out(show_dir: Path, tmp_path: Path) -> Path:
    site = tmp_path / "site"
    export.build(make_app(show_dir), site, BASE)
    return site


def an_episode_yaml(show_dir: Path) -> Path:
    return sorted(show_dir.glob("season-*/*.yaml"))[0]


def test_a_no_op_build_writes_nothing_and_swaps_nothing(
    show_dir: Path, out: Path, tmp_path: Path
) -> None:
    before, inode = stamps(out), out.stat().st_ino
    report = export.build(make_app(show_dir), out, BASE)
    assert report.unchanged and report.written == []
    assert stamps(out) == before
    assert out.stat().st_ino == inode  # the very same folder: no swap
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".site.")]  # no staging left
    assert_same_as_clean(show_dir, out, tmp_path)


def test_editing_one_episode_rewrites_only_the_files_that_show_it(
    show_dir: Path, out: Path, tmp_path: Path
) -> None:
    yaml = an_episode_yaml(show_dir)
    yaml.write_text(yaml.read_text("utf-8").replace("title:", "title: Edited —", 1), "utf-8")
    before = stamps(out)
    report = export.build(make_app(show_dir), out, BASE)
    assert not report.unchanged
    after = stamps(out)
    changed = {path for path in after if before.get(path) != after[path]} - {export.MARKER}
    assert changed == set(report.written)
    assert "feed.xml" in changed or any(p.endswith(".xml") for p in changed)
    assert 0 < len(changed) < len(after) / 2
    assert not any(p.endswith((".mp3", ".m4a", ".jpg", ".css")) for p in changed)
    assert_same_as_clean(show_dir, out, tmp_path)


def test_removing_one_episode_matches_a_clean_build(
    show_dir: Path, out: Path, tmp_path: Path
) -> None:
    yaml = an_episode_yaml(show_dir)
    audio = [p for p in yaml.parent.glob(yaml.stem + ".*") if p != yaml]
    before = set(tree(out))
    for path in [yaml, *audio]:
        path.unlink()
    report = export.build(make_app(show_dir), out, BASE)
    assert not report.unchanged
    # Pagefind names its index files by their content: a smaller index has new names. The
    # pages themselves only go, and assert_same_as_clean compares the index too, byte by byte.
    assert not_search_index(tree(out)) < not_search_index(before)
    assert_same_as_clean(show_dir, out, tmp_path)


def not_search_index(paths: Iterable[str]) -> set[str]:
    return {path for path in paths if not path.startswith(f"{static_search.FOLDER}/")}


def test_audio_is_hard_linked_from_the_episodes_folder(show_dir: Path, out: Path) -> None:
    audio = [p for p in out.rglob("*") if p.suffix in (".mp3", ".m4a")]
    assert audio
    sources = {(p.stat().st_dev, p.stat().st_ino) for p in show_dir.rglob("*") if p.is_file()}
    assert all((os.stat(p).st_dev, os.stat(p).st_ino) in sources for p in audio)
