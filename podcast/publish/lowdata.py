"""The low-data copy of an episode: a small spoken-word MP3 beside the audio (`01-topic.low.mp3`).

Mono MP3 at 32 kbps and 22.05 kHz, constant bitrate: about 14 MB an hour, a quarter of a
128 kbps file. Opus would sound better at 16–24 kbps, but Apple Podcasts and iOS's own player
do not play Ogg Opus, and the listeners this is for are often on iPhones with metered data;
MP3 plays in every app and browser, and CBR keeps its duration exact and seeking accurate.
Debian's ffmpeg (libmp3lame) encodes it; the copy appears whole or not at all.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from podcast.errors import PodcastError
from podcast.files import sibling
from podcast.read.variants import LOW_BANDWIDTH

BITRATE = "32k"
SAMPLE_RATE = "22050"  # speech needs little above 8 kHz; LAME's 32 kbps mono tier expects this
TIMEOUT = 3600  # seconds: a three-hour episode encodes in about a minute on one core


class LowDataError(PodcastError):
    """The low-data copy could not be made."""


def low_bandwidth_path(audio_path: Path) -> Path:
    """Where the low-data copy of `audio_path` goes: `STEM.low.mp3` beside it."""
    return audio_path.with_name(f"{audio_path.stem}.{LOW_BANDWIDTH}.mp3")


def make_low_bandwidth(audio_path: Path) -> Path:
    """Encode the low-data copy of `audio_path` beside it; LowDataError if that fails."""
    target = low_bandwidth_path(audio_path)
    if target.exists() or target.is_symlink():
        raise LowDataError(f"{target.name} already exists; nothing was changed")
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        raise LowDataError(
            "ffmpeg is needed for --low-bandwidth: install it (apt-get install ffmpeg)"
        )
    temp = sibling(target, "tmp")
    try:
        _encode(ffmpeg, audio_path, temp)
        os.link(temp, target)  # a link never replaces a file that appeared meanwhile
    finally:
        temp.unlink(missing_ok=True)
    return target


def _encode(ffmpeg: str, source: Path, target: Path) -> None:
    """Run ffmpeg: the first audio stream, mono, 32 kbps CBR MP3, tags and chapters kept."""
    command = [
        ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error", "-i", str(source),
        "-map", "0:a:0", "-ac", "1", "-ar", SAMPLE_RATE,
        "-c:a", "libmp3lame", "-b:a", BITRATE, "-id3v2_version", "3", "-f", "mp3", str(target),
    ]  # fmt: skip
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired as exc:
        raise LowDataError(f"ffmpeg took over {TIMEOUT} s on {source.name}") from exc
    if done.returncode != 0:
        reason = done.stderr.strip().splitlines()[-1:] or ["no message"]
        raise LowDataError(f"ffmpeg could not encode {source.name}: {reason[0]}")
