"""Show notes remembered across runs (render.notes_memory): what a build's renderers are given."""

from __future__ import annotations

import filecmp
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from podcast.cli import cli
from podcast.model import Catalog
from podcast.read.catalog import load
from podcast.render import notes, notes_memory

BASE = ("--base-url", "https://offthecharts.example")


def _with_notes(catalog: Catalog) -> set[str]:
    return {episode.notes for episode in catalog.episodes if episode.notes}


def _stored(root: Path) -> dict[str, object]:
    document: dict[str, object] = json.loads(notes_memory.cache_path(root).read_text("utf-8"))
    return document


def _store(root: Path, document: dict[str, object]) -> None:
    notes_memory.cache_path(root).write_text(json.dumps(document), "utf-8")


def test_every_episode_gets_the_rendering_it_would_get_now(show_dir: Path) -> None:
    catalog = load(show_dir)
    notes_memory.recall(catalog)
    for markdown in _with_notes(catalog):
        assert notes.to_html(markdown) == notes.render_html(markdown)
    document = _stored(show_dir)
    assert document["fingerprint"] == notes_memory.fingerprint()
    assert document["entries"] == {
        notes_memory.key(m): notes.render_html(m) for m in _with_notes(catalog)
    }


def test_a_remembered_rendering_is_used_instead_of_rendering_again(show_dir: Path) -> None:
    catalog = load(show_dir)
    markdown = sorted(_with_notes(catalog))[0]
    notes_memory.recall(catalog)
    document = _stored(show_dir)
    document["entries"][notes_memory.key(markdown)] = "<p>Remembered</p>"  # type: ignore[index]
    _store(show_dir, document)
    notes_memory.recall(catalog)
    assert notes.to_html(markdown) == "<p>Remembered</p>"
    assert notes.to_text(markdown) == "Remembered"


@pytest.mark.parametrize(
    "tampered",
    [
        '<p onclick="steal()">Hi</p>',
        "<p>Hi</p><script>steal()</script>",
        '<p><a href="javascript:steal()">Hi</a></p>',
        '<p><a href="https://example.org">Hi</a></p>',  # sanitizing adds rel=…: not as stored
        7,
    ],
)
def test_a_remembered_rendering_that_sanitizing_would_change_is_rendered_again(
    show_dir: Path, tampered: object
) -> None:
    catalog = load(show_dir)
    markdown = sorted(_with_notes(catalog))[0]
    notes_memory.recall(catalog)
    document = _stored(show_dir)
    document["entries"][notes_memory.key(markdown)] = tampered  # type: ignore[index]
    _store(show_dir, document)
    notes_memory.recall(catalog)
    assert notes.to_html(markdown) == notes.render_html(markdown)
    assert _stored(show_dir)["entries"][notes_memory.key(markdown)] == notes.render_html(  # type: ignore[index]
        markdown
    )


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[1, 2]",
        '{"fingerprint": "written by other code", "entries": {}}',
        '{"entries": {}}',
        '{"fingerprint": "%s", "entries": [1]}',
    ],
)
def test_a_cache_that_cannot_be_used_is_rebuilt(show_dir: Path, text: str) -> None:
    catalog = load(show_dir)
    path = notes_memory.cache_path(show_dir)
    path.parent.mkdir(parents=True)
    path.write_text(text.replace("%s", notes_memory.fingerprint()), "utf-8")
    notes_memory.recall(catalog)
    assert len(_stored(show_dir)["entries"]) == len(_with_notes(catalog))  # type: ignore[arg-type]
    for markdown in _with_notes(catalog):
        assert notes.to_html(markdown) == notes.render_html(markdown)


def test_the_file_keeps_only_the_notes_the_show_has(show_dir: Path) -> None:
    catalog = load(show_dir)
    notes_memory.recall(catalog)
    document = _stored(show_dir)
    document["entries"][notes_memory.key("An episode since removed.")] = "<p>Gone</p>"  # type: ignore[index]
    _store(show_dir, document)
    notes_memory.recall(catalog)
    assert notes_memory.key("An episode since removed.") not in _stored(show_dir)["entries"]  # type: ignore[operator]


def test_an_unwritable_cache_directory_only_costs_time(
    show_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache directory would be")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    catalog = load(show_dir)
    notes_memory.recall(catalog)
    for markdown in _with_notes(catalog):
        assert notes.to_html(markdown) == notes.render_html(markdown)


def test_a_build_with_remembered_notes_equals_one_without(show_dir: Path, tmp_path: Path) -> None:
    """The first build renders the notes and remembers them; the second recalls them (its
    renderers fork with them) and must write the same bytes."""
    runner = CliRunner()
    outs = [tmp_path / "first", tmp_path / "second"]
    for out in outs:
        result = runner.invoke(cli, ["build", str(out), "--root", str(show_dir), *BASE])
        assert result.exit_code == 0, result.output
    assert notes_memory.cache_path(show_dir).is_file()
    compared = filecmp.dircmp(outs[0], outs[1], ignore=[])
    assert _differences(compared) == []


def test_a_build_uses_the_remembered_notes_in_every_renderer(
    show_dir: Path, tmp_path: Path
) -> None:
    catalog = load(show_dir)
    episode = next(e for e in catalog.episodes if e.notes and not e.draft)
    notes_memory.recall(catalog)
    document = _stored(show_dir)
    document["entries"][notes_memory.key(episode.notes)] = "<p>Remembered by the memory</p>"  # type: ignore[index]
    _store(show_dir, document)
    out = tmp_path / "site"
    result = CliRunner().invoke(cli, ["build", str(out), "--root", str(show_dir), *BASE])
    assert result.exit_code == 0, result.output
    assert "Remembered by the memory" in (out / "feed.xml").read_text("utf-8")


def _differences(compared: filecmp.dircmp[str]) -> list[str]:
    found = [*compared.left_only, *compared.right_only, *compared.diff_files, *compared.funny_files]
    for sub in compared.subdirs.values():
        found += _differences(sub)
    return found
