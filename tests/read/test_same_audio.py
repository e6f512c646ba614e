"""same_audio: one recording is found again under other tags; other recordings are not."""

from __future__ import annotations

import shutil
from pathlib import Path

from mutagen.id3 import APIC, ID3, TIT2
from support.audio import tone

from podcast.read.same_audio import same_recording

DATA = Path(__file__).resolve().parent.parent / "data"


def retagged(source: Path, target: Path, title: str, cover: int) -> Path:
    shutil.copy(source, target)
    tags = ID3()
    tags.add(TIT2(encoding=3, text=[title]))
    tags.add(APIC(encoding=3, mime="image/jpeg", type=3, data=b"\xff\xd8" + bytes(cover)))
    tags.save(target, v2_version=4)
    return target


def test_the_same_recording_under_other_tags_is_the_same(tmp_path: Path) -> None:
    source = DATA / "cbr.mp3"
    tagged = retagged(source, tmp_path / "tagged.mp3", "Episode one", 93_000)
    assert tagged.read_bytes() != source.read_bytes()
    assert same_recording(source, tagged) and same_recording(tagged, source)
    other = retagged(source, tmp_path / "other.mp3", "Another title", 10)
    assert same_recording(tagged, other)


def test_other_recordings_are_not_the_same(tmp_path: Path) -> None:
    low = tone(tmp_path / "low.mp3", seconds=4, frequency=300, codec=["-c:a", "libmp3lame"])
    high = tone(tmp_path / "high.mp3", seconds=4, frequency=900, codec=["-c:a", "libmp3lame"])
    assert not same_recording(low, high)
    assert not same_recording(low, tmp_path / "missing.mp3")
    assert same_recording(low, low)
