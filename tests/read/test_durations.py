"""Probed durations against the decoded length, on one-hour files of every kind (ffmpeg)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from podcast.read.audio import probe

pytestmark = [
    pytest.mark.slow,
    # a local edit loop may lack ffmpeg; CI installs it (.ci/apt-packages.txt), so there it fails
    pytest.mark.skipif(
        shutil.which("ffmpeg") is None and not os.environ.get("CI"), reason="needs ffmpeg"
    ),
]
RATE = 16000  # low and mono keeps an hour quick to encode; still real encoder output
# Speech-like: noise whose loudness swings, so a VBR encoder really varies its bitrate.
SOURCE = (
    f"anoisesrc=color=pink:amplitude=0.4:sample_rate={RATE},"
    "volume='0.2+0.8*abs(sin(t/2))':eval=frame"
)
KINDS = {
    "cbr-noxing.mp3": ["-c:a", "libmp3lame", "-b:a", "32k", "-write_xing", "0"],
    "cbr-info.mp3": ["-c:a", "libmp3lame", "-b:a", "32k"],
    "vbr-xing.mp3": ["-c:a", "libmp3lame", "-q:a", "6"],
    "vbr-noxing.mp3": ["-c:a", "libmp3lame", "-q:a", "6", "-write_xing", "0"],
    "voice.m4a": ["-c:a", "aac", "-b:a", "32k"],
    "voice.opus": ["-c:a", "libopus", "-b:a", "24k"],
}


@pytest.fixture(scope="module")
def hour_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hour")
    for name, codec in KINDS.items():
        command = ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", SOURCE, "-t", "3600", "-ac", "1"]
        subprocess.run([*command, *codec, str(folder / name)], check=True, timeout=900)
    return folder


def decoded_seconds(path: Path) -> float:
    """The length of what ffmpeg decodes: 16-bit mono samples counted."""
    command = ["ffmpeg", "-v", "error", "-i", str(path), "-f", "s16le", "-ac", "1", "-"]
    command[command.index("-ac") : command.index("-ac")] = ["-ar", str(RATE)]
    with subprocess.Popen(command, stdout=subprocess.PIPE) as process:
        assert process.stdout is not None
        total = sum(len(chunk) for chunk in iter(lambda: process.stdout.read(1 << 20), b""))
    assert process.returncode == 0
    return total / 2 / RATE


@pytest.mark.parametrize("name", sorted(KINDS))
def test_duration_is_within_half_a_second_of_the_decoded_length(
    hour_files: Path, name: str
) -> None:
    audio = probe(hour_files / name)
    assert audio.duration_exact
    assert abs(audio.duration.total_seconds() - decoded_seconds(hour_files / name)) <= 0.5
    assert audio.duration.total_seconds() > 3590


@pytest.mark.parametrize("name", ["cbr-noxing.mp3", "cbr-info.mp3", "vbr-xing.mp3"])
def test_only_vbr_without_a_header_gets_the_warning_flag(hour_files: Path, name: str) -> None:
    assert not probe(hour_files / name).vbr_without_header


def test_vbr_without_a_header_is_flagged(hour_files: Path) -> None:
    audio = probe(hour_files / "vbr-noxing.mp3")
    assert audio.vbr_without_header


def test_tags_at_the_end_and_trailing_junk_do_not_count(hour_files: Path, tmp_path: Path) -> None:
    """An ID3v1 tag, an APEv2 tag and junk after the last frame add no seconds."""
    source = hour_files / "cbr-noxing.mp3"
    expected = probe(source).duration.total_seconds()
    ape_body = b"\x00" * 40
    ape = b"APETAGEX" + (2000).to_bytes(4, "little") + (len(ape_body) + 32).to_bytes(4, "little")
    ape += b"\x00" * 4 + b"\x00\x00\x00\x00" + b"\x00" * 8
    for suffix in (b"TAG" + b"\x00" * 125, ape_body + ape, b"junk" * 5000):
        copy = tmp_path / "tagged.mp3"
        copy.write_bytes(source.read_bytes() + suffix)
        assert probe(copy).duration.total_seconds() == pytest.approx(expected, abs=0.1)


def _mp3(folder: Path, name: str, seconds: int, bitrate: str) -> bytes:
    """A CBR MP3 without a Xing header or tags, 44.1 kHz mono: bare frames, to concatenate."""
    path = folder / name
    source = f"anoisesrc=color=pink:amplitude=0.4:sample_rate=44100:duration={seconds}"
    codec = ["-c:a", "libmp3lame", "-b:a", bitrate, "-write_xing", "0", "-id3v2_version", "0"]
    command = ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", source, "-ac", "1", *codec]
    subprocess.run([*command, str(path)], check=True, timeout=120)
    return path.read_bytes()


@pytest.mark.parametrize(
    "parts",
    [
        [(3, "128k"), (60, "64k")],  # an intro at another bitrate, joined with cat
        [(60, "64k"), (3, "128k")],  # an outro
        [(30, "64k"), (10, "128k"), (30, "64k")],  # a mid-roll at twice the bitrate
        [(30, "64k"), (10, "96k"), (30, "64k")],
    ],
)
def test_joined_cbr_files_of_other_bitrates_are_counted_exactly(
    tmp_path: Path, parts: list[tuple[int, str]]
) -> None:
    """Sampling may take a file for CBR only when every sample agrees: these must not pass as
    one bitrate, or the size would give the wrong length."""
    joined = tmp_path / "joined.mp3"
    joined.write_bytes(
        b"".join(_mp3(tmp_path, f"{i}.mp3", s, rate) for i, (s, rate) in enumerate(parts))
    )
    audio = probe(joined)
    expected = sum(seconds for seconds, _ in parts)
    assert abs(audio.duration.total_seconds() - expected) <= 0.5
    assert audio.vbr_without_header
