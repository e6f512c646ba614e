"""audio.probe on real files: container types, exact sizes, durations, tags, chapters."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from podcast.errors import AudioError
from podcast.read.audio import probe


@pytest.mark.parametrize(
    ("name", "mime", "seconds"),
    [
        ("cbr.mp3", "audio/mpeg", 3.134694),
        ("vbr-xing.mp3", "audio/mpeg", 3.134694),
        ("tagged.m4a", "audio/x-m4a", 3.115737),
        ("voice.opus", "audio/ogg", 3.092521),
        ("voice.ogg", "audio/ogg", 3.092517),
        ("voice.flac", "audio/flac", 3.092517),
        ("voice.wav", "audio/wav", 3.0925),
    ],
)
def test_probe_reads_container_and_duration(
    data_dir: Path, name: str, mime: str, seconds: float
) -> None:
    audio = probe(data_dir / name)
    assert audio.mime == mime
    assert audio.size == (data_dir / name).stat().st_size
    assert audio.duration.total_seconds() == pytest.approx(seconds, abs=0.01)
    assert audio.duration_exact


def test_mime_comes_from_the_bytes_not_the_extension(data_dir: Path) -> None:
    assert probe(data_dir / "wav-renamed.mp3").mime == "audio/wav"


def test_vbr_without_xing_header_is_counted_frame_by_frame(data_dir: Path) -> None:
    audio = probe(data_dir / "vbr-noxing.mp3")
    # mutagen alone estimates 1.316 s from the first frame; the decoded length is 3.134694 s
    assert audio.duration.total_seconds() == pytest.approx(3.134694, abs=0.03)
    assert audio.vbr_without_header
    assert 40_000 < audio.bitrate < 120_000  # the file's average, not the first frame's 192k


def test_vbr_with_xing_header_is_not_flagged(data_dir: Path) -> None:
    assert not probe(data_dir / "vbr-xing.mp3").vbr_without_header


def test_id3_tags_and_cover(data_dir: Path) -> None:
    tags = probe(data_dir / "cbr.mp3", tags=True).tags
    assert (tags.title, tags.artist, tags.date, tags.track, tags.comment) == (
        "Tagged title",
        "Tag Artist",
        "2024-03-05",
        4,
        "A comment",
    )
    assert tags.cover_mime == "image/jpeg"


def test_mp4_tags(data_dir: Path) -> None:
    tags = probe(data_dir / "tagged.m4a", tags=True).tags
    assert (tags.title, tags.artist, tags.date, tags.track) == (
        "Tagged title",
        "Tag Artist",
        "2024-03-05",
        4,
    )
    assert tags.cover_mime == "image/jpeg"


def test_id3_chapters_in_ctoc_order(data_dir: Path) -> None:
    chapters = probe(data_dir / "chapters.mp3").chapters
    assert [(c.start.total_seconds(), c.title) for c in chapters] == [
        (0.0, "Intro"),
        (1.0, "Middle"),
        (2.0, "End"),
    ]


@pytest.mark.parametrize(
    "name",
    ["cbr.mp3", "chapters.mp3", "vbr-noxing.mp3", "vbr-xing.mp3", "tagged.m4a", "voice.opus"],
)
def test_a_catalog_probe_reads_all_but_the_tags(data_dir: Path, name: str) -> None:
    """Without tags mutagen parses only the chapter frames: nothing else may differ."""
    whole, catalog = probe(data_dir / name, tags=True), probe(data_dir / name)
    assert catalog.tags == type(whole.tags)()
    assert dataclasses.replace(catalog, tags=whole.tags) == whole


def test_a_chapter_picture_is_found_without_the_tags(data_dir: Path) -> None:
    """chapters.mp3's second chapter carries an APIC: its type is still known."""
    chapters = probe(data_dir / "chapters.mp3").chapters
    assert [c.embedded_image for c in chapters] == [None, "image/jpeg", None]


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("not-audio.mp3", "not readable as audio"),
        ("empty.mp3", "empty"),
        ("truncated.mp3", "not readable as audio"),
    ],
)
def test_bad_files_raise_audio_error_naming_the_file(data_dir: Path, name: str, words: str) -> None:
    with pytest.raises(AudioError) as caught:
        probe(data_dir / name)
    assert words in caught.value.message
    assert caught.value.path == data_dir / name
    assert caught.value.hint


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(AudioError, match="cannot read"):
        probe(tmp_path / "nothing.mp3")
