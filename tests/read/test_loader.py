"""The one loader: a reload, or a later process, reads only the episodes whose files changed,
and reports exactly what a fresh load would."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from podcast.model import Audio
from podcast.read import catalog
from podcast.read.loader import Loader
from podcast.read.memory import CACHE_FILE, EpisodeMemory

# --- reloading: unchanged episode files are not read again ------------------------------------


def test_a_reload_with_nothing_changed_reads_no_episode(show_dir: Path) -> None:
    reloader = Loader(show_dir)
    first = reloader.load()
    assert (reloader.read, reloader.recalled) == (7, 0)
    second = reloader.load()
    assert (reloader.read, reloader.recalled) == (0, 7)
    assert second == first == catalog.load(show_dir)


def test_a_reload_reads_only_the_changed_episode(show_dir: Path) -> None:
    reloader = Loader(show_dir)
    reloader.load()
    path = show_dir / "season-2" / "01-access-to-care.yaml"
    path.write_text(path.read_text("utf-8").replace("title: Access to care", "title: Access"))
    reloaded = reloader.load()
    assert (reloader.read, reloader.recalled) == (1, 6)
    assert reloaded.find("s2-01-access-to-care").title == "Access"
    assert reloaded == catalog.load(show_dir)


def test_a_new_file_beside_an_episode_is_seen(show_dir: Path) -> None:
    reloader = Loader(show_dir)
    reloader.load()
    (show_dir / "season-2" / "01-access-to-care.srt").unlink()
    (show_dir / "season-2" / "01-access-to-care.vtt").write_text(
        "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nHello.\n", "utf-8"
    )
    reloaded = reloader.load()
    assert reloader.read == 2  # the season's folder changed: both its episodes are read again
    assert reloaded.find("s2-01-access-to-care").transcript.path.suffix == ".vtt"


def test_a_reload_reports_what_a_fresh_load_would(show_dir: Path) -> None:
    first = show_dir / "season-1" / "00-trailer-a-conversation-starts-here.yaml"
    later = show_dir / "season-3" / "02-community-voices.yaml"
    with later.open("a") as handle:
        handle.write("colour: blue\n")  # an unknown key: a warning that must survive reloads
    reloader = Loader(show_dir)
    assert [w.line for w in reloader.load().warnings] == [20]
    assert [w.line for w in reloader.load().warnings] == [20]
    guid = later.read_text("utf-8").split("guid: ")[1].split("\n")[0]
    first.write_text(
        first.read_text("utf-8").replace(
            "guid: eb23caba-4c7d-46b5-b1fd-9d96ef1eb8eb", f"guid: {guid}"
        )
    )
    with pytest.raises(catalog.CatalogError) as raised:
        reloader.load()
    with pytest.raises(catalog.CatalogError) as fresh:
        catalog.load(show_dir)
    assert raised.value.problems == fresh.value.problems
    assert any(
        p.path == later and p.line == 6 and "duplicate guid" in p.message
        for p in raised.value.problems
    )


def test_a_changed_show_reads_every_episode_again(show_dir: Path) -> None:
    reloader = Loader(show_dir)
    reloader.load()
    show = show_dir / "show.yaml"
    show.write_text(show.read_text("utf-8").replace("language: en-us", "language: en-gb"))
    reloaded = reloader.load()
    assert reloader.read == 7
    assert {e.transcript.language for e in reloaded.episodes} == {"en-gb"}


def test_a_deleted_audio_file_is_an_error_on_reload(show_dir: Path) -> None:
    reloader = Loader(show_dir)
    reloader.load()
    (show_dir / "season-3" / "01-trust-in-medicine.m4a").unlink()
    with pytest.raises(catalog.CatalogError, match="no audio file found"):
        reloader.load()


# --- a later process: the memory in the user's cache directory --------------------------------


def test_a_later_process_recalls_every_unchanged_episode_as_a_fresh_load_reads_it(
    show_dir: Path,
) -> None:
    first = Loader(show_dir).load()
    later = Loader(show_dir)  # a new process: nothing in memory but the file
    recalled = later.load()
    assert (later.read, later.recalled) == (0, 7)
    fresh = catalog.load(show_dir)
    assert recalled == first == fresh
    for mine, theirs in zip(recalled.episodes, fresh.episodes, strict=True):
        assert dict(mine.lines) == dict(theirs.lines)  # not compared by ==, but placed problems
        assert repr(mine.published) == repr(theirs.published)  # the same zone, not an offset
    assert recalled.warnings == fresh.warnings


def test_an_edit_that_keeps_size_and_mtime_is_still_read(show_dir: Path) -> None:
    """The YAML is recalled by its content: an edit within the timestamp's granularity counts."""
    Loader(show_dir).load()
    path = show_dir / "season-2" / "01-access-to-care.yaml"
    before = path.stat()
    path.write_text(
        path.read_text("utf-8").replace("title: Access to care", "title: Access to cure")
    )
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    later = Loader(show_dir)
    assert later.load().find("s2-01-access-to-care").title == "Access to cure"
    assert later.read == 1


def test_warnings_and_their_lines_survive_a_later_process(show_dir: Path) -> None:
    later_yaml = show_dir / "season-3" / "02-community-voices.yaml"
    with later_yaml.open("a") as handle:
        handle.write("colour: blue\n")
    fresh = catalog.load(show_dir).warnings
    Loader(show_dir).load()
    assert Loader(show_dir).load().warnings == fresh
    assert [w.line for w in fresh] == [20]


@pytest.mark.parametrize(
    "content",
    [b"", b"{", b"[]", b'{"fingerprint": "x"}', b"\xff\xfe", b'{"episodes": 3}', b"\n\n\t\n"],
)
def test_a_corrupt_or_foreign_memory_is_ignored(show_dir: Path, content: bytes) -> None:
    Loader(show_dir).load()
    path = EpisodeMemory(show_dir).path
    assert path is not None and path.name == CACHE_FILE
    path.write_bytes(content)
    later = Loader(show_dir)
    assert later.load() == catalog.load(show_dir)
    assert later.read == 7
    assert Loader(show_dir).load() == catalog.load(show_dir)  # and it was written afresh


def _memory_lines(show_dir: Path) -> tuple[Path, list[bytes]]:
    """The memory's file after a load, and its lines: the fingerprint, then an episode each."""
    Loader(show_dir).load()
    path = EpisodeMemory(show_dir).path
    assert path is not None
    lines = path.read_bytes().splitlines()
    assert len(lines) == 8 and all(b"\t" in line for line in lines[1:])
    return path, lines


def test_a_tampered_entry_is_read_again_not_believed(show_dir: Path) -> None:
    path, lines = _memory_lines(show_dir)
    facts, data = lines[1].split(b"\t")
    episode = json.loads(data)
    episode["episode"]["season"] = "two"  # not an int: the codec refuses it
    lines[1] = facts + b"\t" + json.dumps(episode).encode()
    lines[2] = lines[2].split(b"\t")[0] + b"\t" + b"[" * 100_000  # past any parser's nesting
    lines[3] = lines[3].replace(b"\t", b" ")  # no episode's part
    path.write_bytes(b"\n".join(lines))
    later = Loader(show_dir)
    assert later.load() == catalog.load(show_dir)
    assert (later.read, later.recalled) == (3, 4)


def test_an_unchanged_episode_is_written_back_as_it_was_read(show_dir: Path) -> None:
    """Saving after one episode changed re-encodes only that one; the memory of an older form
    is removed once the new one is written."""
    path, lines = _memory_lines(show_dir)
    old = path.parent / "episodes-v1.json"
    old.write_text("{}")
    edited = catalog.episode_files(show_dir)[0]
    edited.write_text(edited.read_text("utf-8").replace("title:", "title: Changed", 1), "utf-8")
    later = Loader(show_dir)
    later.load()
    assert (later.read, later.recalled) == (1, 6)
    now = path.read_bytes().splitlines()
    assert sorted(set(now) - set(lines)) == [line for line in now if b"Changed" in line]
    assert len(now) == len(lines) and not old.exists()


def test_the_folder_reached_by_another_name_is_read_under_that_name(
    show_dir: Path, tmp_path: Path
) -> None:
    Loader(show_dir).load()
    link = tmp_path / "linked"
    link.symlink_to(show_dir)
    through_link = Loader(link)
    loaded = through_link.load()
    assert all(e.source.is_relative_to(link) for e in loaded.episodes)
    assert loaded == catalog.load(link)
    # One folder, one memory (the cache is keyed by the real path): either name recalls it
    assert (through_link.read, through_link.recalled) == (0, 7)
    again = Loader(show_dir)
    assert again.load() == catalog.load(show_dir)
    assert (again.read, again.recalled) == (0, 7)


def test_a_copied_show_is_read_under_its_own_paths(show_dir: Path, tmp_path: Path) -> None:
    Loader(show_dir).load()
    copy = tmp_path / "copy"
    shutil.copytree(show_dir, copy)
    loaded = Loader(copy).load()
    assert all(e.source.is_relative_to(copy) for e in loaded.episodes)
    assert all(e.audio.path is None or e.audio.path.is_relative_to(copy) for e in loaded.episodes)


def test_a_yaml_saved_while_it_is_being_loaded_is_read_again_next_time(show_dir: Path) -> None:
    """The memory keeps the digest of the bytes it parsed, not of the file as it is after."""
    from podcast.read.audio import probe

    path = show_dir / "season-2" / "01-access-to-care.yaml"
    saved: list[Path] = []

    def saving_meanwhile(audio: Path) -> Audio:
        if audio.stem == path.stem and not saved:  # the producer saves while this file loads
            path.write_text(path.read_text("utf-8").replace("title: Access to care", "title: New"))
            saved.append(audio)
        return probe(audio)

    first = Loader(show_dir, prober=saving_meanwhile).load()
    assert saved and first.find("s2-01-access-to-care").title == "Access to care"
    assert Loader(show_dir).load().find("s2-01-access-to-care").title == "New"
