"""Episodes read ahead in worker processes give the catalog, the problems and the caches a
serial load gives, and what changed after a worker read it is read again."""

from __future__ import annotations

import json
import shutil
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest

from podcast.errors import CatalogError
from podcast.read import catalog
from podcast.read.ahead import Ahead
from podcast.read.loader import Loader
from podcast.read.memory import EpisodeMemory
from podcast.read.probe_cache import ProbeCache

EXTRA = 70  # more episodes than the chunks a worker is given, so both sides read some


@pytest.fixture
def big_show(show_dir: Path) -> Path:
    """The shipped show with a fourth season of EXTRA more episodes, each with its own audio
    and transcript (copies of episode 1's, which the loader reads as any other)."""
    source = show_dir / "season-1" / "01-why-we-call-it-an-emergency"
    folder = show_dir / "season-4"
    folder.mkdir()
    for number in range(1, EXTRA + 1):
        stem = folder / f"{number:02d}-part-{number}"
        shutil.copyfile(source.with_suffix(".mp3"), stem.with_suffix(".mp3"))
        shutil.copyfile(source.with_suffix(".vtt"), stem.with_suffix(".vtt"))
        guid = uuid.uuid5(uuid.NAMESPACE_URL, f"part-{number}")
        stem.with_suffix(".yaml").write_text(
            f"title: Part {number}\nseason: 4\nepisode: {number}\n"
            f"published: 2024-01-{number % 28 + 1:02d}T06:00:00-06:00\n"
            f"guid: {guid}\nsummary: Part {number} of a long season.\n"
            f"notes: A conversation, part {number}.\n",
            encoding="utf-8",
        )
    return show_dir


def _ahead_load(root: Path, **options: object) -> tuple[catalog.Catalog, Ahead, list[Path]]:
    """A load whose episodes are read ahead in one worker, as `Loader.load` does cold."""
    memory, probes = EpisodeMemory(root), ProbeCache(root)
    memory.start()
    stepped: list[Path] = []
    paths = catalog.episode_files(root)
    ahead = Ahead(root, memory, probes, paths, 1, stepped.append, minimum=1)
    try:
        if options.get("then"):
            options["then"]()  # type: ignore[operator]
        loaded = catalog.load(root, prober=probes, memo=ahead)
    finally:
        ahead.close()
        probes.save()
        memory.save()
    return loaded, ahead, stepped


def test_episodes_read_ahead_give_what_a_serial_load_gives(big_show: Path, forking: bool) -> None:
    loaded, ahead, stepped = _ahead_load(big_show)
    fresh = catalog.load(big_show)
    assert loaded == fresh
    for mine, theirs in zip(loaded.episodes, fresh.episodes, strict=True):
        assert dict(mine.lines) == dict(theirs.lines)  # not compared by ==, but placed problems
        assert repr(mine.published) == repr(theirs.published)  # the same zone, not an offset
    assert loaded.warnings == fresh.warnings
    assert ahead.started == forking
    assert ahead.memory.read == EXTRA + 7 and ahead.memory.recalled == 0
    if forking:
        assert 0 < ahead.delivered < EXTRA + 7  # the worker read some, this process the rest
        assert sorted(stepped) == catalog.episode_files(big_show)  # one progress step each
    later = Loader(big_show)  # what the worker read was saved as if read here
    assert later.load() == fresh
    assert (later.read, later.recalled) == (0, EXTRA + 7)
    assert later.probes.misses == 0


def test_an_episode_with_errors_is_reported_as_a_serial_load_reports_it(
    big_show: Path, forking: bool
) -> None:
    broken = big_show / "season-4" / "40-part-40.yaml"
    broken.write_text(broken.read_text().replace("season: 4", "season: forty"))
    with pytest.raises(CatalogError) as ahead_error:
        _ahead_load(big_show)
    with pytest.raises(CatalogError) as serial_error:
        catalog.load(big_show)
    assert ahead_error.value.problems == serial_error.value.problems
    assert any(p.path == broken for p in ahead_error.value.problems)


@pytest.mark.usefixtures("forking")
def test_an_episode_edited_after_a_worker_read_it_is_read_again(big_show: Path) -> None:
    edited = big_show / "season-4" / "02-part-2.yaml"

    def edit() -> None:
        time.sleep(0.5)  # the worker has read it (it is in the first chunk) by now
        edited.write_text(edited.read_text().replace("title: Part 2", "title: Part two"))

    loaded, _, _ = _ahead_load(big_show, then=edit)
    assert next(e for e in loaded.episodes if e.source == edited).title == "Part two"
    assert loaded == catalog.load(big_show)


def test_an_exported_episode_is_recalled_elsewhere_as_read_there(show_dir: Path) -> None:
    """What a worker hands over (`export`) is adopted as a fresh read, checked like a recall."""
    there = EpisodeMemory(show_dir, persist=False)
    catalog.load(show_dir, memo=there)
    here = EpisodeMemory(show_dir, persist=False)
    for path in catalog.episode_files(show_dir):
        entry = there.export(path)
        assert entry is not None and here.adopt(entry)
    for not_one in (b'{"path": "x.yaml"}', b'{"path": "x.yaml"}\t{}', b"\t", b"[]\t[]"):
        assert not here.adopt(not_one)  # not an entry: refused, never an error
    assert catalog.load(show_dir, memo=here) == catalog.load(show_dir)
    assert (here.read, here.recalled) == (7, 0)


def test_a_worker_reads_audio_from_the_probe_cache_when_only_the_memory_is_cold(
    big_show: Path, forking: bool
) -> None:
    Loader(big_show).load()
    memory_file = EpisodeMemory(big_show).path
    assert memory_file is not None
    memory_file.unlink()  # as after an upgrade that changes what the memory keeps
    probes_file = ProbeCache(big_show).path
    cached = json.loads(probes_file.read_bytes())
    for entry in cached["entries"].values():  # a length no probe gives: only the cache says it
        entry["audio"]["duration"] = [0, 1234, 0]
    probes_file.write_text(json.dumps(cached))
    loaded, ahead, _ = _ahead_load(big_show)
    assert {e.audio.duration for e in loaded.episodes} == {timedelta(seconds=1234)}
    assert ahead.probes.misses == 0
    assert (ahead.delivered > 0) == forking
