"""same_audio: one recording is found again under other tags; other recordings are not."""

from __future__ import annotations

import shutil
from pathlib import Path

from mutagen.id3 import APIC, ID3, TIT2
from support.audio import tone

from podcast.read.audio import probe
from podcast.read.probe_cache import ProbeCache
from podcast.read.same_audio import repeats, same_recording, signature

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


def test_an_mp3s_signature_is_its_frames_whatever_its_tags(tmp_path: Path) -> None:
    source = DATA / "cbr.mp3"
    tagged = retagged(source, tmp_path / "tagged.mp3", "Episode one", 93_000)
    with_v1 = tmp_path / "v1.mp3"
    with_v1.write_bytes(tagged.read_bytes() + b"TAG" + bytes(125))  # an ID3v1 tag at the end
    other = tone(tmp_path / "other.mp3", seconds=4, frequency=300, codec=["-c:a", "libmp3lame"])
    assert signature(source) is not None
    assert signature(source) == signature(tagged) == signature(with_v1)
    assert signature(other) not in (None, signature(source))
    assert signature(DATA / "tagged.m4a") is None  # compared pair by pair instead
    assert signature(tmp_path / "missing.mp3") is None


def test_repeats_names_each_copy_with_the_first_of_its_recording(tmp_path: Path) -> None:
    source = DATA / "cbr.mp3"
    low = tone(tmp_path / "low.mp3", seconds=4, frequency=300, codec=["-c:a", "libmp3lame"])
    files = [
        source,
        low,
        retagged(source, tmp_path / "a.mp3", "A", 93_000),
        retagged(low, tmp_path / "b.mp3", "B", 10),
        retagged(source, tmp_path / "c.mp3", "C", 10),
    ]
    assert list(repeats(files)) == [(2, 0), (3, 1), (4, 0)]
    m4a = [DATA / "tagged.m4a", shutil.copy(DATA / "tagged.m4a", tmp_path / "copy.m4a")]
    assert list(repeats([Path(p) for p in m4a])) == [(1, 0)]  # pair by pair


def test_the_probe_takes_each_mp3s_signature_and_its_cache_keeps_it(tmp_path: Path) -> None:
    first = retagged(DATA / "cbr.mp3", tmp_path / "a.mp3", "A", 93_000)
    second = retagged(DATA / "cbr.mp3", tmp_path / "b.mp3", "B", 10)
    probes = ProbeCache(tmp_path)
    taken = [probes(first).frames_digest, probes(second).frames_digest]
    assert taken == [signature(first), signature(second)] and taken[0] is not None
    probes.save()
    again = ProbeCache(tmp_path)
    assert [again(first).frames_digest, again(second).frames_digest] == taken
    assert again.hits == 2
    first.unlink()
    second.unlink()  # what the probe took is enough: no file is opened to compare them
    assert list(repeats([first, second], taken)) == [(1, 0)]
    assert list(repeats([first, second])) == []  # taken here, from files that are gone
    assert probe(DATA / "tagged.m4a").frames_digest is None
