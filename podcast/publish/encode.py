"""Encode a WAV, AIFF or FLAC master into audio every podcast app plays: MP3 or AAC (M4A).

Debian's ffmpeg does the work in a subprocess: libmp3lame and ffmpeg's native AAC-LC encoder
are the encoders podcast hosts themselves use, the same binary already measures loudness, and
a subprocess streams an hour-long master in bounded memory. PyAV would bind the same libraries
but adds a compiled wheel for what one well-known command line does.

Spoken-word settings: 44.1 kHz, mono stays mono and anything wider becomes stereo; MP3 at
96 kbit/s mono or 128 kbit/s stereo (CBR, with a Xing/Info header so durations are exact), AAC-LC
at 64 kbit/s mono or 128 kbit/s stereo. Output is bit-exact (no encoder version string), so the
same master always gives the same file.
"""

from __future__ import annotations

import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path

from podcast.errors import PodcastError

MASTERS = frozenset({"audio/wav", "audio/aiff", "audio/flac"})  # what apps do not play
SAMPLE_RATE = 44100


class EncodeError(PodcastError):
    """ffmpeg could not encode the master; nothing was written."""


@dataclass(frozen=True, slots=True)
class Encoding:
    """One target format: file extension, ffmpeg muxer and codec, bit rates in kbit/s."""

    suffix: str
    muxer: str
    codec: str
    mono_kbps: int
    stereo_kbps: int


ENCODINGS = {
    "mp3": Encoding(".mp3", "mp3", "libmp3lame", 96, 128),
    "aac": Encoding(".m4a", "ipod", "aac", 64, 128),
}


def arguments(source: Path, output: Path, name: str, channels: int) -> list[str]:
    """The ffmpeg command that encodes `source` into `output` as `name` ("mp3" or "aac")."""
    encoding = ENCODINGS[name]
    mono = channels == 1
    kbps = encoding.mono_kbps if mono else encoding.stereo_kbps
    command = ["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(source)]
    command += ["-map", "0:a:0", "-map_metadata", "-1", "-map_chapters", "-1"]
    command += ["-ac", "1" if mono else "2", "-ar", str(SAMPLE_RATE)]
    command += ["-c:a", encoding.codec, "-b:a", f"{kbps}k"]
    command += ["-fflags", "+bitexact", "-flags:a", "+bitexact", "-f", encoding.muxer]
    return command + [str(output)]


def encode(source: Path, output: Path, name: str, channels: int) -> None:
    """Encode `source` into `output` (a temporary file the caller renames into place)."""
    try:
        done = subprocess.run(
            arguments(source, output, name, channels), capture_output=True, text=True
        )
    except FileNotFoundError as exc:
        raise EncodeError(
            "encoding needs ffmpeg, which is not installed (Debian/Ubuntu: apt-get install ffmpeg)"
        ) from exc
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise EncodeError(f"ffmpeg could not encode {source.name}: {reason}")


def suggestion(source: Path, root: Path) -> str:
    """The `podcast add` command that encodes `source` on its way in."""
    return shlex.join(["podcast", "add", str(source), "--root", str(root), "--encode", "mp3"])
