"""id3.read gives exactly what mutagen's ID3 reader gives, or hands the tag back to mutagen.

Each case writes a real tag with mutagen onto a copy of a real MP3, then compares the probe's
tags and chapters with what `audio.read_tags`/`read_chapters` make of mutagen's own parse.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from mutagen.id3 import (
    APIC,
    CHAP,
    COMM,
    CTOC,
    ID3,
    TALB,
    TDRC,
    TIT2,
    TPE1,
    TRCK,
    TYER,
    WXXX,
    CTOCFlags,
    Frame,
)
from mutagen.mp3 import MP3

from podcast.read import audio, id3

JPEG = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 40
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _chapters(with_toc: bool = True, extra: list[Frame] | None = None) -> list[Frame]:
    frames: list[Frame] = [
        CHAP(
            element_id="b",
            start_time=1500,
            end_time=3000,
            sub_frames=[TIT2(encoding=1, text=["Second  "]), APIC(mime="image/png", data=PNG)],
        ),
        CHAP(
            element_id="a",
            start_time=0,
            end_time=1500,
            sub_frames=[WXXX(encoding=3, desc="", url="https://example.org/a")],
        ),
        *(extra or []),
    ]
    if with_toc:
        frames.append(
            CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL, child_element_ids=["b", "a"])
        )
    return frames


def _full(encoding: int) -> list[Frame]:
    return [
        TIT2(encoding=encoding, text=[" Title é ", "second value"]),
        TPE1(encoding=encoding, text=["Artist ü" if encoding == 0 else "Artist ☃"]),
        TALB(encoding=encoding, text=["Album"]),
        TDRC(encoding=encoding, text=["2024-03-05T06:00"]),
        TRCK(encoding=encoding, text=["4/12"]),
        COMM(encoding=encoding, lang="eng", desc="", text=["First comment"]),
        COMM(encoding=encoding, lang="deu", desc="other", text=["Zweiter"]),
        APIC(encoding=encoding, mime="image/jpeg", type=3, desc="cover", data=JPEG),
        APIC(encoding=encoding, mime="image/png", type=4, desc="back", data=PNG),
    ]


# (frames, ID3 version, whether id3.read decodes it itself rather than asking mutagen)
CASES: dict[str, tuple[list[Frame], int, bool]] = {
    "v2.4 utf-8": (_full(3), 4, True),
    "v2.4 utf-16": (_full(1), 4, True),
    "v2.4 utf-16be": (_full(2), 4, True),
    "v2.4 latin-1": (_full(0), 4, True),
    "v2.3 utf-16": (_full(1), 3, True),
    "v2.3 latin-1": (_full(0), 3, True),
    "chapters in CTOC order": (_chapters(), 4, True),
    "chapters by start time": (_chapters(with_toc=False), 4, True),
    "v2.3 chapters": (_chapters(), 3, True),
    "chapter url with a description": (
        _chapters(
            extra=[
                CHAP(
                    element_id="c",
                    start_time=2000,
                    end_time=2500,
                    sub_frames=[WXXX(desc="x", url="https://e.org")],
                )
            ]
        ),
        4,
        True,
    ),
    "empty and blank texts": (
        [TIT2(encoding=3, text=[""]), TPE1(encoding=3, text=["  "])],
        4,
        True,
    ),
    "odd dates": ([TDRC(encoding=3, text=["2024"]), TRCK(encoding=3, text=["x/3"])], 4, True),
    "no frames": ([], 4, True),
    "v2.3 year": ([TIT2(encoding=1, text=["Old"]), TYER(encoding=1, text=["2019"])], 3, False),
}


def _write(path: Path, frames: list[Frame], version: int) -> None:
    tags = ID3()
    for frame in frames:
        tags.add(frame)
    tags.save(path, v2_version=version)


def _mutagen_reading(path: Path) -> tuple[object, object]:
    parsed = MP3(path)
    return audio.read_tags(parsed), audio.read_chapters(parsed)


@pytest.mark.parametrize("name", CASES)
def test_the_quick_reader_agrees_with_mutagen(data_dir: Path, tmp_path: Path, name: str) -> None:
    frames, version, decoded = CASES[name]
    path = tmp_path / "episode.mp3"
    shutil.copyfile(data_dir / "cbr.mp3", path)
    ID3(path).delete()
    _write(path, frames, version)
    tag = path.read_bytes()
    size = id3.tag_size(tag)
    assert size is not None
    found = id3.read(tag[:size])
    assert (found is not None) == decoded  # a case meant for the quick reader must reach it
    if found is not None:
        assert (found.tags, found.chapters) == _mutagen_reading(path)
    probed = audio.probe(path)
    assert (probed.tags, probed.chapters) == _mutagen_reading(path)


def _unsynchronised(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[5] |= 0x80  # the whole tag claims unsynchronisation: mutagen undoes it, we do not
    path.write_bytes(bytes(data))


def _id3v1(path: Path) -> None:
    tail = b"TAG" + b"v1 title".ljust(30, b"\x00") + b"v1 artist".ljust(30, b"\x00")
    path.write_bytes(path.read_bytes() + tail + bytes(128 - len(tail)))


def _itunes_sizes(path: Path) -> None:
    tags = ID3()
    tags.add(TIT2(encoding=3, text=["x" * 300]))  # past 127 bytes the two size forms differ
    tags.save(path, v2_version=4)
    data = bytearray(path.read_bytes())
    at = data.index(b"TIT2") + 4
    size = int.from_bytes(data[at : at + 4], "big")
    plain = ((size >> 24) & 0x7F) << 21 | ((size >> 16) & 0x7F) << 14
    plain |= ((size >> 8) & 0x7F) << 7 | size & 0x7F
    data[at : at + 4] = plain.to_bytes(4, "big")
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    "damage",
    [_unsynchronised, _id3v1, _itunes_sizes],
    ids=["unsynchronised", "id3v1 at the end", "itunes frame sizes"],
)
def test_tags_the_quick_reader_leaves_to_mutagen_read_the_same(
    data_dir: Path, tmp_path: Path, damage: Callable[[Path], None]
) -> None:
    path = tmp_path / "episode.mp3"
    shutil.copyfile(data_dir / "chapters.mp3", path)
    damage(path)
    assert audio._quick_mp3(path, path.stat().st_size) is None
    probed = audio.probe(path)
    assert (probed.tags, probed.chapters) == _mutagen_reading(path)


@pytest.mark.parametrize("name", ["cbr.mp3", "vbr-xing.mp3", "vbr-noxing.mp3", "chapters.mp3"])
def test_the_quick_probe_equals_the_mutagen_probe(data_dir: Path, name: str) -> None:
    path = data_dir / name
    quick = audio._quick_mp3(path, path.stat().st_size)
    assert quick is not None
    parsed = MP3(path)
    reference = audio._audio(
        path, path.stat().st_size, "audio/mpeg", "MP3", parsed.info,
        audio.read_tags(parsed), audio.read_chapters(parsed),
    )  # fmt: skip
    assert quick == reference
