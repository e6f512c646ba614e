"""The media files: audio apps play poorly or time out on, low-data copies of other audio,
and file names an enclosure or image URL cannot carry."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path, PurePath

from podcast.checks.context import Context, problem
from podcast.errors import Problem, Severity
from podcast.model import Episode, Show

LOW_BANDWIDTH_SLACK = 1.0  # seconds a low-data copy may differ from the episode (encoder padding)
FORMATS_APPS_PLAY = frozenset({"audio/mpeg", "audio/x-m4a"})  # MP3 and AAC play everywhere
USUAL_SAMPLE_RATES = frozenset({44100, 48000})
# (lowest, highest) usual bit rates in bit/s: below, speech smears; above, a download wastes data
BITRATE_RANGES = {"audio/ogg": (16_000, 256_000)}
DEFAULT_BITRATE_RANGE = (32_000, 320_000)


def check_audio(context: Context) -> Iterator[Problem]:
    """Formats apps play poorly, unusual bit or sample rates, enclosures too large."""
    for episode in context.catalog.episodes:
        audio, source = episode.audio, episode
        name = audio.path.name if audio.path else audio.url
        if audio.mime not in FORMATS_APPS_PLAY:
            yield problem(
                "audio-format",
                source,
                "audio",
                f"{name} is {audio.mime} ({audio.codec}); Apple Podcasts and many "
                "apps do not play it",
                "export MP3 or AAC (M4A) as well, and use that",
                Severity.WARNING,
            )
        low, high = BITRATE_RANGES.get(audio.mime, DEFAULT_BITRATE_RANGE)
        if audio.bitrate and not low <= audio.bitrate <= high:
            yield problem(
                "audio-bitrate",
                source,
                "audio",
                f"{name} has an unusual bit rate of {audio.bitrate // 1000} kbit/s",
                f"export at {low // 1000}–{high // 1000} kbit/s (64 for speech mono, 128 stereo)",
                Severity.WARNING,
            )
        if audio.sample_rate and audio.sample_rate not in USUAL_SAMPLE_RATES:
            yield problem(
                "audio-sample-rate",
                source,
                "audio",
                f"{name} has an unusual sample rate of {audio.sample_rate} Hz",
                "export at 44100 Hz (some players resample badly)",
                Severity.WARNING,
            )
        if audio.size > context.max_audio_bytes:
            yield problem(
                "audio-size",
                source,
                "audio",
                f"{name} is {audio.size / 1e6:.0f} MB; the limit is "
                f"{context.max_audio_bytes / 1e6:.0f} MB",
                "export at a lower bit rate, or split the episode",
                Severity.WARNING,
            )


def check_low_bandwidth(context: Context) -> Iterator[Problem]:
    """A low-data copy that is not as long as the episode (a copy of other audio, or cut)."""
    for episode in context.catalog.episodes:
        low = episode.low_bandwidth
        if low is None or low.path is None:
            continue
        gap = abs(low.duration - episode.audio.duration).total_seconds()
        if gap > LOW_BANDWIDTH_SLACK:
            yield Problem(
                low.path,
                None,
                f"the low-data copy is {low.seconds} s long, the episode {episode.audio.seconds} s",
                f"remake it from the final audio (delete {low.path.name}; `podcast add "
                "--low-bandwidth` makes one)",
                Severity.WARNING,
                "low-bandwidth-duration",
            )


def check_file_names(context: Context) -> Iterator[Problem]:
    """Apple: file names in enclosure and image URLs must be ASCII."""
    catalog = context.catalog
    files: list[tuple[Path, Show | Episode, str]] = [
        (catalog.show.artwork, catalog.show, "artwork")
    ]
    for episode in catalog.episodes:
        if episode.audio.path is not None:  # a kept URL is the old host's to name
            files.append((episode.audio.path, episode, "audio"))
        if episode.image is not None:
            files.append((episode.image, episode, "image"))
        files += [(t.path, episode, "transcript") for t in episode.transcripts]
        if episode.low_bandwidth is not None and episode.low_bandwidth.path is not None:
            files.append((episode.low_bandwidth.path, episode, "audio"))
    inside = os.path.join(catalog.root, "")  # the root's own name is not in any URL
    for path, source, key in files:
        name = os.fspath(path)
        if name.isascii():  # nearly every file: no Path arithmetic
            continue
        relative = PurePath(name[len(inside) :] if name.startswith(inside) else name)
        if not relative.as_posix().isascii():
            yield problem(
                "file-name-ascii",
                source,
                key,
                f"'{relative.as_posix()}' has non-ASCII characters",
                "rename it with plain letters, digits and hyphens (`podcast add` does this)",
            )
