"""The export's Pagefind index: written with the pages, of the episode pages only, and reused."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from flask import Flask
from support.clock import NOW

from podcast.publish import build as export
from podcast.publish import build_mirror, static_search
from podcast.read.catalog import load
from podcast.site.app import create_app

BASE = "https://example.org/otc"


def make_app(root: Path) -> Flask:
    return create_app({"EPISODES_ROOT": root, "CLOCK": lambda: NOW, "BASE_URL": BASE})


def test_the_export_has_an_index_of_every_episode_page_in_the_show_language(
    show_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    export.build(make_app(show_dir), out, BASE)
    bundle = out / static_search.FOLDER
    assert (bundle / "pagefind.js").is_file()
    entry = json.loads((bundle / "pagefind-entry.json").read_text("utf-8"))
    catalog = load(show_dir)
    # Only pages marked data-pagefind-body are indexed (episodes and their transcript pages,
    # not the home page or 404), each in its page's language
    marked: dict[str, int] = {}
    for page in out.rglob("*.html"):
        html = page.read_text("utf-8")
        if "data-pagefind-body" in html:
            found = re.search(r'<html lang="([^"]+)"', html)
            assert found is not None
            marked[found.group(1).lower()] = marked.get(found.group(1).lower(), 0) + 1
    assert marked[catalog.show.language.lower()] >= len(catalog.episodes)
    assert {name: index["page_count"] for name, index in entry["languages"].items()} == marked
    assert list(entry["languages"]) == sorted(entry["languages"])  # the same order every build
    search_page = (out / "search" / "index.html").read_text("utf-8")
    assert 'data-static-index="/otc/pagefind/"' in search_page
    assert search_page.count('type="search"') == 1  # one search box on the search page


def test_an_unchanged_site_keeps_its_index_and_an_edit_reindexes(
    show_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    export.build(make_app(show_dir), out, BASE)
    entry = out / static_search.FOLDER / "pagefind-entry.json"
    before = entry.read_bytes()
    yaml = sorted(show_dir.glob("season-*/*.yaml"))[0]
    yaml.write_text(yaml.read_text("utf-8").replace("title:", "title: Zeppelins —", 1), "utf-8")
    report = export.build(make_app(show_dir), out, BASE)
    assert entry.read_bytes() != before  # a new index, named by its new content
    assert any(path.startswith(f"{static_search.FOLDER}/") for path in report.written)


def test_a_missing_pagefind_binary_is_a_clear_error_and_out_stays(
    show_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "site"
    export.build(make_app(show_dir), out, BASE)
    before = sorted(p.relative_to(out) for p in out.rglob("*"))
    (show_dir / "season-1").joinpath("00-trailer-a-conversation-starts-here.yaml").unlink()
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tmp_path / "no-such-pagefind"))
    with pytest.raises(
        static_search.StaticSearchError, match="could not run pagefind.*pagefind\\[bin\\]"
    ):
        export.build(make_app(show_dir), out, BASE)
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".site.")]


def test_the_index_is_the_same_written_in_memory_or_on_disk(
    show_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pagefind's files are written in memory where there is room (copied into the site, as
    they cannot be linked from there), else in TMPDIR (linked): the same index either way,
    and an edit that keeps most of it still links the unchanged files from the last build."""
    in_memory = tmp_path / "in-memory"
    export.build(make_app(show_dir), in_memory, BASE)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    on_disk = tmp_path / "on-disk"
    build_mirror.forget(show_dir)  # else the new folder reuses the first build's index
    export.build(make_app(show_dir), on_disk, BASE)

    def index(out: Path) -> dict[str, bytes]:
        folder = out / static_search.FOLDER
        return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*.*")}

    assert index(in_memory) == index(on_disk)
    assert list(scratch.iterdir()) == []  # nothing left behind
    before = {p: p.stat().st_ino for p in (in_memory / static_search.FOLDER).rglob("*.*")}
    yaml = sorted(show_dir.glob("season-*/*.yaml"))[0]
    yaml.write_text(yaml.read_text("utf-8").replace("title:", "title: Zeppelins —", 1), "utf-8")
    monkeypatch.delenv("TMPDIR")
    export.build(make_app(show_dir), in_memory, BASE)
    after = {p: p.stat().st_ino for p in (in_memory / static_search.FOLDER).rglob("*.*")}
    kept = [p for p, inode in after.items() if before.get(p) == inode]
    assert len(kept) > len(after) / 2, "unchanged index files are the last build's, linked"
