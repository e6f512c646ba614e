"""Helpers for the stats tests: real MP3s of any length and log lines of each format."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from mutagen.id3 import ID3, TIT2

FRAME = b"\xff\xfb\x90\xc0"  # MPEG-1 Layer III, 128 kbit/s, 44.1 kHz, mono, no padding
FRAME_BYTES = 417  # 144 * 128000 // 44100
FRAME_SECONDS = 1152 / 44100
LONG_PATH = "season-4/01-a-long-talk.mp3"
IPHONE = "AppleCoreMedia/1.0.0.20E252 (iPhone; U; CPU OS 16_4_1 like Mac OS X; en_us)"
PODCASTS = "Podcasts/1650.20 CFNetwork/1404.0.5 Darwin/22.3.0"
OVERCAST = "Overcast/3.0 (+http://overcast.fm/; iOS podcast app)"
SPOTIFY = "Spotify/8.8.12 iOS/16.4.1 (iPhone15,2)"
POCKETCASTS = "Pocket Casts"
WATCH = "atc/1.0 watchOS/7.1 model/Watch5,1 hwp/t8006 build/18R590 (6; dt:201)"
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


def silent_mp3(path: Path, seconds: float) -> Path:
    """A real MP3 of silence (CBR 128 kbit/s frames, zero side info) with an ID3v2 tag."""
    frames = int(seconds / FRAME_SECONDS) + 1
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes((FRAME + bytes(FRAME_BYTES - 4)) * frames)
    tags = ID3()
    tags.add(TIT2(encoding=3, text="A long talk"))
    tags.save(path)
    return path


def clf(moment: datetime) -> str:
    """Common-log-format time."""
    return moment.strftime("%d/%b/%Y:%H:%M:%S +0000")


def when(day: int = 2, hour: int = 10, minute: int = 0, second: int = 0) -> datetime:
    """A time in March 2026 (after the long episode's publication)."""
    return datetime(2026, 3, day, hour, minute, second, tzinfo=UTC)


LineMaker = Callable[..., str]


def line(
    ip: str = "203.0.113.7",
    at: datetime | None = None,
    path: str = "/audio/" + LONG_PATH,
    status: int = 200,
    sent: int | str = 0,
    agent: str = PODCASTS,
    byte_range: str | None = None,
    method: str = "GET",
) -> str:
    """One line of the `podcast` format (combined + Range); Range omitted when None and
    the combined flavour is wanted (pass byte_range="" for an absent header: `-`)."""
    moment = clf(at or when())
    text = f'{ip} - - [{moment}] "{method} {path} HTTP/1.1" {status} {sent} "-" "{agent}"'
    if byte_range is not None:
        text += f' "{byte_range or "-"}"'
    return text + "\n"
