"""Real audio for the tests: tones at a known loudness made with ffmpeg, and decoded checksums."""

from __future__ import annotations

import subprocess
from pathlib import Path


def decoded_md5(path: Path) -> str:
    """The MD5 of the decoded audio samples, whatever the tags and container pages hold."""
    result = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-map", "0:a", "-f", "md5", "-"],
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout.strip()


def tone(
    path: Path,
    seconds: float = 3,
    volume_db: float = 0,
    frequency: int = 1000,
    rate: int = 44100,
    codec: list[str] | None = None,
) -> Path:
    """A sine tone of `seconds` at `volume_db` relative to ffmpeg's default amplitude (1/8).

    Encoded as `path`'s extension implies, or with the ffmpeg `codec` arguments given.
    """
    source = f"sine=frequency={frequency}:sample_rate={rate}:duration={seconds}"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", source]
        + ["-af", f"volume={volume_db}dB", *(codec or []), str(path)],
        check=True,
    )
    return path
