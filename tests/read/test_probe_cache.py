"""The audio metadata cache: exact round trips, reuse of unchanged files, silent rebuilds."""

from __future__ import annotations

import dataclasses
import json
import multiprocessing
import os
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from support.scratch import tree

from podcast.model import Audio, Chapter
from podcast.read import catalog, codec, loader
from podcast.read import probe_cache as cache
from podcast.read.audio import probe

AUDIO_FILES = [
    "cbr.mp3",
    "vbr-xing.mp3",
    "vbr-noxing.mp3",
    "chapters.mp3",
    "tagged.m4a",
    "voice.opus",
    "voice.ogg",
    "voice.flac",
    "voice.wav",
    "wav-renamed.mp3",
]


class CountingProber:
    """The real probe, counting how often a file is actually opened."""

    def __init__(self) -> None:
        self.opened: list[Path] = []

    def __call__(self, path: Path) -> Audio:
        self.opened.append(path)
        return probe(path)


@pytest.mark.parametrize("name", AUDIO_FILES)
def test_every_probe_round_trips_exactly_through_json(data_dir: Path, name: str) -> None:
    original = probe(data_dir / name)
    text = json.dumps(codec.encode_audio(original))
    assert codec.decode_audio(json.loads(text), original.path) == original


def test_chapters_and_tags_survive_the_round_trip(data_dir: Path) -> None:
    original = probe(data_dir / "chapters.mp3")
    restored = codec.decode_audio(
        json.loads(json.dumps(codec.encode_audio(original))), original.path
    )
    assert [c.title for c in restored.chapters] == ["Intro", "Middle", "End"]
    assert restored.chapters[1].start.total_seconds() == 1.0
    assert restored.tags == original.tags


def test_fields_that_may_hold_text_or_a_path_keep_their_type(data_dir: Path) -> None:
    original = dataclasses.replace(
        probe(data_dir / "chapters.mp3"),
        chapters=(
            Chapter(timedelta(0), "Local picture", image=data_dir / "picture.jpg"),
            Chapter(timedelta(seconds=1.5), "Remote picture", image="https://example.org/a.jpg"),
        ),
    )
    restored = codec.decode_audio(
        json.loads(json.dumps(codec.encode_audio(original))), original.path
    )
    assert restored == original
    assert isinstance(restored.chapters[0].image, Path)
    assert isinstance(restored.chapters[1].image, str)


def test_second_load_opens_no_audio_and_gives_the_same_catalog(show_dir: Path) -> None:
    first_prober = CountingProber()
    first_cache = cache.ProbeCache(show_dir, prober=first_prober)
    first = catalog.load(show_dir, prober=first_cache)
    first_cache.save()
    assert len(first_prober.opened) == len(first.episodes)

    second_prober = CountingProber()
    second_cache = cache.ProbeCache(show_dir, prober=second_prober)
    second = catalog.load(show_dir, prober=second_cache)
    assert second_prober.opened == []
    assert second_cache.hits == len(second.episodes)
    assert second == first


def test_a_changed_file_is_probed_again(show_dir: Path, data_dir: Path) -> None:
    loader.load(show_dir)
    target = show_dir / "season-1" / "01-why-we-call-it-an-emergency.mp3"
    shutil.copyfile(data_dir / "chapters.mp3", target)  # new size and mtime
    prober = CountingProber()
    loaded = catalog.load(show_dir, prober=cache.ProbeCache(show_dir, prober=prober))
    assert prober.opened == [target]
    episode = next(e for e in loaded.episodes if e.audio.path == target)
    assert [c.title for c in episode.audio.chapters] == ["Intro", "Middle", "End"]


def test_touching_a_file_invalidates_its_entry(show_dir: Path) -> None:
    loader.load(show_dir)
    target = show_dir / "season-2" / "01-access-to-care.m4a"
    stat = target.stat()
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    prober = CountingProber()
    catalog.load(show_dir, prober=cache.ProbeCache(show_dir, prober=prober))
    assert prober.opened == [target]


def test_the_cache_file_lives_outside_the_show_and_is_written_whole(
    show_dir: Path, user_cache: Path
) -> None:
    loaded = loader.load(show_dir)
    path = cache.cache_path(show_dir)
    assert path.is_relative_to(user_cache)  # XDG_CACHE_HOME
    assert not path.is_relative_to(show_dir)
    document = json.loads(path.read_text("utf-8"))
    assert document["fingerprint"] == cache.fingerprint()
    assert set(document["entries"]) == {
        e.audio.path.relative_to(show_dir).as_posix() for e in loaded.episodes
    }
    assert [p.name for p in path.parent.iterdir()] == [cache.CACHE_FILE]  # no temp files left
    assert loader.load(show_dir) == loaded


@pytest.mark.parametrize(
    "garbage",
    [
        b"",
        b"\x00\xff not json",
        b"[1, 2]",
        b'{"entries": 5}',
        b'{"fingerprint": "old", "entries": {}}',
    ],
)
def test_a_corrupt_or_stale_cache_is_silently_rebuilt(show_dir: Path, garbage: bytes) -> None:
    path = cache.cache_path(show_dir)
    path.parent.mkdir(parents=True)
    path.write_bytes(garbage)
    loaded = loader.load(show_dir)
    assert len(loaded.episodes) == 7
    assert json.loads(path.read_text("utf-8"))["fingerprint"] == cache.fingerprint()


def test_an_entry_whose_shape_changed_is_probed_again(show_dir: Path) -> None:
    loader.load(show_dir)
    path = cache.cache_path(show_dir)
    document = json.loads(path.read_text("utf-8"))
    key = "season-1/01-why-we-call-it-an-emergency.mp3"
    document["entries"][key]["audio"]["duration"] = 12.5  # a float where a triple belongs
    document["entries"]["season-3/02-community-voices.mp3"]["audio"]["tags"].pop()  # one short
    path.write_text(json.dumps(document), "utf-8")
    prober = CountingProber()
    catalog.load(show_dir, prober=cache.ProbeCache(show_dir, prober=prober))
    assert sorted(p.relative_to(show_dir).as_posix() for p in prober.opened) == [
        key,
        "season-3/02-community-voices.mp3",
    ]


def test_an_unwritable_cache_location_only_costs_speed(show_dir: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    probes = cache.ProbeCache(show_dir, path=blocker / "audio-v1.json")
    loaded = catalog.load(show_dir, prober=probes)
    probes.save()  # must not raise
    assert len(loaded.episodes) == 7
    assert blocker.read_text() == "a file where the cache folder should be"


def test_the_shipped_show_is_cached_but_never_written_to() -> None:
    root = catalog.default_root()
    before = tree(root)
    loader.load(root)
    assert tree(root) == before
    assert cache.cache_path(root).is_file()  # the checkout's own show is fast too


def test_the_cache_is_saved_even_when_the_load_fails(show_dir: Path) -> None:
    (show_dir / "season-1" / "01-why-we-call-it-an-emergency.yaml").write_text("title: [", "utf-8")
    with pytest.raises(catalog.CatalogError):
        loader.load(show_dir)
    entries = json.loads((cache.cache_path(show_dir)).read_text())["entries"]
    assert len(entries) == 6


# --- probing a cold cache in worker processes -------------------------------------------------


def test_likely_audio_finds_every_episodes_audio(show_dir: Path) -> None:
    loaded = catalog.load(show_dir)
    assert sorted(cache.likely_audio(show_dir)) == sorted(e.audio.path for e in loaded.episodes)


def test_probes_made_in_workers_give_the_catalog_a_serial_load_gives(
    show_dir: Path, forking: bool
) -> None:
    probes = cache.ProbeCache(show_dir)
    probes.prefetch(cache.likely_audio(show_dir), workers=2, minimum=1)
    assert bool(multiprocessing.active_children()) == forking  # the workers are probing
    assert catalog.load(show_dir, prober=probes) == catalog.load(show_dir)
    assert probes.misses == 7 and probes.hits == 0
    probes.close()
    probes.save()
    again = cache.ProbeCache(show_dir)
    catalog.load(show_dir, prober=again)
    assert again.hits == 7  # what the workers probed was saved like any probe


@pytest.mark.usefixtures("forking")
def test_worker_probes_keep_the_loaders_spelling_of_each_path(
    show_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(show_dir.parent)
    probes = cache.ProbeCache(Path(show_dir.name))
    probes.prefetch(cache.likely_audio(Path(show_dir.name)), workers=2, minimum=1)
    loaded = catalog.load(Path(show_dir.name), prober=probes)
    probes.close()
    assert probes.misses == 7
    assert loaded == catalog.load(show_dir)
    assert all(e.audio.path.is_absolute() for e in loaded.episodes)


@pytest.mark.usefixtures("forking")
def test_a_file_changed_after_the_workers_probed_it_is_probed_again(
    show_dir: Path, data_dir: Path
) -> None:
    probes = cache.ProbeCache(show_dir)
    probes.prefetch(cache.likely_audio(show_dir), workers=2, minimum=1)
    target = show_dir / "season-1" / "01-why-we-call-it-an-emergency.mp3"
    shutil.copyfile(data_dir / "chapters.mp3", target)
    os.utime(target, ns=(1, 1))  # certainly not the mtime a worker may have seen
    loaded = catalog.load(show_dir, prober=probes)
    probes.close()
    episode = next(e for e in loaded.episodes if e.audio.path == target)
    assert [c.title for c in episode.audio.chapters] == ["Intro", "Middle", "End"]
