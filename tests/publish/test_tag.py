"""Tagging writes the episode's metadata into its audio without touching a decoded sample."""

from __future__ import annotations

import base64
import dataclasses
import time
from datetime import timedelta
from pathlib import Path

import feedparser
import mutagen
import pytest
from mutagen.flac import FLAC, Picture
from mutagen.id3 import ID3
from mutagen.mp4 import MP4
from support.audio import decoded_md5
from support.clock import NOW
from support.scratch import DATA, Scratch, run_cli, snapshot

from podcast.model import Catalog, Episode
from podcast.publish.tag import TagError, metadata, tag_file
from podcast.read import audio as audio_module
from podcast.read import catalog as catalog_module
from podcast.render import feed

CHAPTERS = [
    {"start": "00:00:00", "title": "Opening"},
    {"start": "00:00:01.5", "title": "The middle", "url": "https://example.org/middle"},
]


def scratch_with(tmp_path: Path, source: str, **changes: object) -> tuple[Catalog, Episode]:
    """A scratch show whose one episode's audio is the committed file `source`."""
    scratch = Scratch.create(tmp_path / "show")
    scratch.path("season-1/01-first.mp3").unlink()
    name = "01-first" + Path(source).suffix
    scratch.audio(f"season-1/{name}", source)
    scratch.episode(audio=name, **changes)
    catalog = catalog_module.load(scratch.root)
    return catalog, catalog.episodes[0]


def tag(catalog: Catalog, episode: Episode) -> Path:
    tag_file(episode.audio.path, metadata(episode, catalog.show))
    return episode.audio.path


@pytest.mark.parametrize(
    "source", ["cbr.mp3", "chapters.mp3", "tagged.m4a", "voice.ogg", "voice.opus", "voice.flac"]
)
def test_tagging_leaves_the_decoded_audio_identical(tmp_path: Path, source: str) -> None:
    catalog, episode = scratch_with(tmp_path, source, chapters=CHAPTERS)
    before = decoded_md5(DATA / source)
    path = tag(catalog, episode)
    assert decoded_md5(path) == before
    assert path.read_bytes() != (DATA / source).read_bytes()


def test_mp3_gets_id3v24_with_the_episode_and_show(tmp_path: Path) -> None:
    catalog, episode = scratch_with(tmp_path, "cbr.mp3", title="Trust, again", season=2, episode=5)
    tags = ID3(tag(catalog, episode))
    assert tags.version == (2, 4, 0)
    assert tags["TIT2"].text == ["Trust, again"]
    assert tags["TALB"].text == ["Scratch Show"]
    assert tags["TPE1"].text == ["Tester"]  # no hosts in the scratch show: its author
    assert str(tags["TDRC"].text[0]) == "2024-01-09"
    assert (tags["TPOS"].text, tags["TRCK"].text) == (["2"], ["5"])
    comments = tags.getall("COMM")
    assert [c.text for c in comments] == [["The first episode."]]
    covers = tags.getall("APIC")
    assert len(covers) == 1 and covers[0].type == 3
    assert covers[0].data == catalog.show.artwork.read_bytes()


def test_hosts_become_the_artists(tmp_path: Path) -> None:
    catalog, episode = scratch_with(tmp_path, "cbr.mp3")
    Scratch(catalog.root).show(hosts=[{"name": "Dr. One"}, {"name": "Dr. Two"}])
    catalog = catalog_module.load(catalog.root)
    tags = ID3(tag(catalog, catalog.episodes[0]))
    assert tags["TPE1"].text == ["Dr. One", "Dr. Two"]


def test_mp3_chapters_become_chap_frames_that_read_back_as_the_feeds(tmp_path: Path) -> None:
    catalog, episode = scratch_with(tmp_path, "chapters.mp3", chapters=CHAPTERS)
    path = tag(catalog, episode)
    tags = ID3(path)
    chaps = sorted(tags.getall("CHAP"), key=lambda f: f.start_time)
    assert [(c.start_time, c.end_time) for c in chaps] == [(0, 1500), (1500, 3030)]
    assert chaps[1].sub_frames.getall("WXXX")[0].url == "https://example.org/middle"
    (toc,) = tags.getall("CTOC")
    assert toc.child_element_ids == [c.element_id for c in chaps]
    read_back = audio_module.probe(path).chapters  # how the catalog (and apps) read them
    assert [(c.start, c.title, c.url) for c in read_back] == [
        (timedelta(0), "Opening", None),
        (timedelta(seconds=1.5), "The middle", "https://example.org/middle"),
    ]


def test_without_yaml_chapters_the_files_own_chapters_stay(tmp_path: Path) -> None:
    catalog, episode = scratch_with(tmp_path, "chapters.mp3")
    before = audio_module.probe(episode.audio.path).chapters
    after = audio_module.probe(tag(catalog, episode)).chapters
    assert after == before and len(after) == 3


def test_m4a_gets_mp4_atoms(tmp_path: Path) -> None:
    catalog, episode = scratch_with(tmp_path, "tagged.m4a", episode=7)
    tags = MP4(tag(catalog, episode)).tags
    assert tags is not None
    assert tags["\xa9nam"] == ["First light"]
    assert tags["\xa9alb"] == ["Scratch Show"]
    assert tags["\xa9day"] == ["2024-01-09"]
    assert tags["trkn"] == [(7, 0)] and tags["disk"] == [(1, 0)]
    assert tags["\xa9cmt"] == ["The first episode."]
    assert bytes(tags["covr"][0]) == catalog.show.artwork.read_bytes()


def test_m4a_chapters_are_written_by_a_stream_copy_and_read_back(tmp_path: Path) -> None:
    tricky = [*CHAPTERS, {"start": "00:00:02", "title": "Q&A; a=b #1"}]
    catalog, episode = scratch_with(tmp_path, "tagged.m4a", chapters=tricky)
    samples = decoded_md5(episode.audio.path)
    path = tag(catalog, episode)
    assert decoded_md5(path) == samples
    read_back = audio_module.probe(path).chapters
    assert [(c.start, c.title) for c in read_back] == [
        (timedelta(0), "Opening"),
        (timedelta(seconds=1.5), "The middle"),
        (timedelta(seconds=2), "Q&A; a=b #1"),
    ]
    tags = MP4(path).tags
    assert tags is not None and tags["\xa9nam"] == ["First light"] and "covr" in tags


@pytest.mark.parametrize("source", ["voice.ogg", "voice.opus"])
def test_ogg_gets_vorbis_comments_with_a_picture_block_and_chapters(
    tmp_path: Path, source: str
) -> None:
    catalog, episode = scratch_with(tmp_path, source, chapters=CHAPTERS)
    tags = mutagen.File(tag(catalog, episode)).tags
    assert tags["title"] == ["First light"]
    assert tags["album"] == ["Scratch Show"]
    assert tags["date"] == ["2024-01-09"]
    assert (tags["discnumber"], tags["tracknumber"]) == (["1"], ["1"])
    assert tags["comment"] == ["The first episode."]
    picture = Picture(base64.b64decode(tags["metadata_block_picture"][0]))
    assert picture.type == 3 and picture.mime == "image/jpeg"
    assert picture.data == catalog.show.artwork.read_bytes()
    assert (tags["chapter001"], tags["chapter001name"]) == (["00:00:00.000"], ["Opening"])
    assert tags["chapter002"] == ["00:00:01.500"]
    assert tags["chapter002url"] == ["https://example.org/middle"]


def test_flac_gets_a_native_picture(tmp_path: Path) -> None:
    catalog, episode = scratch_with(tmp_path, "voice.flac")
    flac = FLAC(tag(catalog, episode))
    assert flac.tags is not None and flac.tags["title"] == ["First light"]
    assert [p.type for p in flac.pictures] == [3]


def test_tagging_twice_gives_the_same_bytes(tmp_path: Path) -> None:
    catalog, episode = scratch_with(tmp_path, "cbr.mp3", chapters=CHAPTERS)
    first = tag(catalog, episode).read_bytes()
    assert tag(catalog, episode).read_bytes() == first


def test_the_catalog_sees_the_new_length(tmp_path: Path) -> None:
    catalog, episode = scratch_with(tmp_path, "cbr.mp3")
    path = tag(catalog, episode)
    reloaded = catalog_module.load(catalog.root).episodes[0]
    assert reloaded.audio.size == path.stat().st_size != episode.audio.size


def test_an_untaggable_file_is_left_alone(tmp_path: Path) -> None:
    catalog, episode = scratch_with(tmp_path, "voice.wav")
    before = episode.audio.path.read_bytes()
    with pytest.raises(TagError, match="voice|01-first.wav"):
        tag(catalog, episode)
    assert episode.audio.path.read_bytes() == before
    assert sorted(p.name for p in episode.audio.path.parent.iterdir()) == [
        "01-first.wav",
        "01-first.yaml",
    ]


# --- podcast tag ------------------------------------------------------------------------------


def test_tag_all_rewrites_the_tags_after_a_yaml_edit_and_the_feed_follows(
    tmp_path: Path,
) -> None:
    catalog, episode = scratch_with(tmp_path, "cbr.mp3", chapters=CHAPTERS)
    samples = decoded_md5(episode.audio.path)
    result = run_cli("tag", "--all", "--root", str(catalog.root))
    assert result.exit_code == 0, result.output
    assert "Tagged" in result.stdout and "01-first.mp3 (ID3v2.4)" in result.stdout
    Scratch(catalog.root).episode(audio="01-first.mp3", title="First light, revised")
    result = run_cli("tag", "1/1", "--root", str(catalog.root))  # SEASON/NUMBER
    assert result.exit_code == 0, result.output
    path = episode.audio.path
    assert ID3(path)["TIT2"].text == ["First light, revised"]
    assert decoded_md5(path) == samples
    assert len(ID3(path).getall("CHAP")) == 2  # none in the YAML now: the file keeps its own
    parsed = feedparser.parse(
        feed.build(catalog_module.load(catalog.root), "https://x.example", NOW)
    )
    assert int(parsed.entries[0].enclosures[0].length) == path.stat().st_size


def test_tag_needs_one_episode_or_all_and_names_the_closest_to_an_unknown_one(
    tmp_path: Path,
) -> None:
    catalog, _ = scratch_with(tmp_path, "cbr.mp3")
    before = snapshot(catalog.root)
    assert run_cli("tag", "--root", str(catalog.root)).exit_code == 2
    result = run_cli("tag", "s1-01-frist", "--root", str(catalog.root))
    assert result.exit_code == 1 and "closest: s1-01-first" in result.stderr
    assert snapshot(catalog.root) == before


def test_tag_skips_audio_that_cannot_carry_tags_and_tags_the_rest(tmp_path: Path) -> None:
    catalog, _ = scratch_with(tmp_path, "voice.wav")
    scratch = Scratch(catalog.root)
    scratch.audio("season-1/02-second.mp3")
    scratch.episode(
        "season-1/02-second.yaml", episode=2, guid="22222222-2222-4222-8222-222222222222"
    )
    result = run_cli("tag", "--all", "--root", str(catalog.root))
    assert result.exit_code == 0, result.output
    assert "Skipped 01-first.wav" in result.stderr
    assert ID3(scratch.path("season-1/02-second.mp3"))["TALB"].text == ["Scratch Show"]


def test_without_ffmpeg_an_m4a_is_tagged_and_the_missing_chapters_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalog, episode = scratch_with(tmp_path, "tagged.m4a", chapters=CHAPTERS)
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    result = run_cli("tag", "--all", "--root", str(catalog.root))
    assert result.exit_code == 0, result.output
    assert "01-first.m4a: chapters not written: writing M4A chapters needs ffmpeg" in result.stderr
    tags = MP4(episode.audio.path).tags
    assert tags is not None and tags["\xa9alb"] == ["Scratch Show"]


def test_a_failed_tagging_leaves_the_file_and_no_temporary_copy(tmp_path: Path) -> None:
    catalog, episode = scratch_with(tmp_path, "cbr.mp3")
    not_an_image = catalog.root / "cover.jpg"
    not_an_image.write_text("not a picture")
    meta = dataclasses.replace(metadata(episode, catalog.show), cover=not_an_image)
    before = episode.audio.path.read_bytes()
    with pytest.raises(TagError, match="cover.jpg is not a JPEG or PNG"):
        tag_file(episode.audio.path, meta)
    assert episode.audio.path.read_bytes() == before
    assert sorted(p.name for p in episode.audio.path.parent.iterdir()) == [
        "01-first.mp3",
        "01-first.yaml",
    ]


def test_a_running_site_serves_the_new_length_after_tagging(tmp_path: Path) -> None:
    from podcast.site.app import create_app

    catalog, episode = scratch_with(tmp_path, "cbr.mp3", chapters=CHAPTERS)
    config = {"EPISODES_ROOT": catalog.root, "RELOAD_INTERVAL": 0, "CLOCK": lambda: NOW}
    client = create_app({**config, "BASE_URL": "https://x.example"}).test_client()

    def served_length() -> int:
        entry = feedparser.parse(client.get("/feed.xml").data).entries[0]
        return int(entry.enclosures[0].length)

    assert served_length() == episode.audio.size
    tag(catalog, episode)
    deadline = time.monotonic() + 10
    while served_length() != episode.audio.path.stat().st_size and time.monotonic() < deadline:
        time.sleep(0.2)
    assert served_length() == episode.audio.path.stat().st_size != episode.audio.size
    with client.get(f"/audio/{episode.audio.path.relative_to(catalog.root)}") as audio:
        assert audio.status_code == 200 and audio.data == episode.audio.path.read_bytes()
