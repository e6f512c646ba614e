"""Transcripts: WebVTT and SRT files read into timed cues with speakers, for pages and search."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from podcast.errors import PodcastError, Problem, Severity
from podcast.model import Episode

MAX_BYTES = 5_000_000  # a three-hour transcript is about 200 KB
_TIME = r"(?:(\d+):)?([0-5]\d):([0-5]\d)[.,](\d{3})"
_TIMING = re.compile(rf"^\s*{_TIME}\s+-->\s+{_TIME}(?:\s+.*)?$")
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?\s+([^>]+)>")
_TAG = re.compile(r"</?[a-z][^>]*>|<\d[\d:.]*>", re.IGNORECASE)
# SRT has no voice tags; transcript services start a cue with "Name:" when the speaker changes.
_SRT_SPEAKER = re.compile(r"^((?:[A-Z][\w.'’-]*)(?:\s+[A-Z][\w.'’-]*){0,3}):\s+(\S.*)$", re.S)


@dataclass(frozen=True, slots=True)
class Cue:
    """One timed piece of text; `speaker` carries over from the cue that named them."""

    start: float
    end: float
    text: str
    speaker: str | None = None


class TranscriptError(PodcastError):
    """A transcript file that cannot be read as WebVTT or SRT."""

    def __init__(self, path: Path, line: int | None, message: str, hint: str) -> None:
        self.problem = Problem(path, line, message, hint, rule="transcript-format")
        super().__init__(str(self.problem))


def parse(path: Path) -> tuple[Cue, ...]:
    """The cues of a `.vtt` or `.srt` file, in file order; TranscriptError if malformed."""
    stat = path.stat()
    return _parse_cached(path, stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=256)
def _parse_cached(path: Path, size: int, mtime_ns: int) -> tuple[Cue, ...]:
    # size and mtime are in the key so an edited transcript is read again
    if size > MAX_BYTES:
        raise TranscriptError(
            path,
            None,
            f"the transcript is {size:,} bytes; the limit is {MAX_BYTES:,}",
            "split it or check that it is a transcript",
        )
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TranscriptError(
            path, None, f"not UTF-8 text (byte {exc.start})", "save the transcript as UTF-8"
        ) from exc
    if path.suffix.lower() == ".srt":
        return parse_srt(text, path)
    return parse_vtt(text, path)


def parse_vtt(text: str, path: Path) -> tuple[Cue, ...]:
    """Cues of a WebVTT document (voice spans give speakers; NOTE/STYLE/REGION are skipped)."""
    lines = _lines(text)
    if not lines or not re.match(r"^WEBVTT(?:[ \t].*)?$", lines[0]):
        raise TranscriptError(
            path,
            1,
            "a WebVTT file must start with the line 'WEBVTT'",
            "add 'WEBVTT' and a blank line at the top, or name it .srt",
        )
    cues: list[Cue] = []
    speaker: str | None = None
    for start_line, block in _blocks(lines):
        if start_line == 1 or re.match(r"^(NOTE|STYLE|REGION)(\s|$)", block[0]):
            continue
        # an optional cue identifier may come before the timing line
        timing = 1 if "-->" not in block[0] and len(block) > 1 and "-->" in block[1] else 0
        start, end = _timing(block[timing], path, start_line + timing)
        payload = "\n".join(block[timing + 1 :])
        voice = _VOICE.search(payload)
        if voice:
            speaker = voice.group(1).strip()
        cues.append(Cue(start, end, _plain(payload), speaker))
    return tuple(cues)


def parse_srt(text: str, path: Path) -> tuple[Cue, ...]:
    """Cues of a SubRip document (a leading `Name:` gives the speaker)."""
    cues: list[Cue] = []
    speaker: str | None = None
    for start_line, block in _blocks(_lines(text)):
        timing = 1 if block[0].strip().isdigit() and len(block) > 1 else 0
        start, end = _timing(block[timing], path, start_line + timing)
        payload = _plain("\n".join(block[timing + 1 :]))
        named = _SRT_SPEAKER.match(payload)
        if named:
            speaker, payload = named.group(1), named.group(2)
        cues.append(Cue(start, end, payload, speaker))
    return tuple(cues)


def _lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _blocks(lines: list[str]) -> list[tuple[int, list[str]]]:
    """Blank-line separated blocks with the 1-based line each starts on."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    for number, line in enumerate(lines, 1):
        if line.strip():
            if not current:
                blocks.append((number, current))
            current.append(line)
        else:
            current = []
    return blocks


def _timing(line: str, path: Path, number: int) -> tuple[float, float]:
    match = _TIMING.match(line)
    if not match:
        raise TranscriptError(
            path,
            number,
            f"expected a cue timing, found {line.strip()!r}",
            "write cue times as 00:01:02.500 --> 00:01:05.000",
        )
    start, end = _seconds(*match.groups()[:4]), _seconds(*match.groups()[4:])
    if end < start:
        raise TranscriptError(
            path, number, "the cue ends before it starts", "swap or correct the two times"
        )
    return start, end


def _seconds(hours: str | None, minutes: str, seconds: str, millis: str) -> float:
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + int(millis) / 1000


def _plain(payload: str) -> str:
    """Cue text without markup (voice, class, timestamp tags) and with entities decoded."""
    text = html.unescape(_TAG.sub("", payload))
    return " ".join(text.split())


def clock(seconds: float) -> str:
    """`MM:SS`, or `H:MM:SS` past the hour, for cue timestamps on the page."""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    return (
        f"{hours}:{rest // 60:02d}:{rest % 60:02d}"
        if hours
        else f"{rest // 60:02d}:{rest % 60:02d}"
    )


def seconds_text(seconds: float) -> str:
    """`0.25` or `4`: a cue start for `#t=` links and `data-start` attributes."""
    millis = round(seconds * 1000)
    return str(millis // 1000) if millis % 1000 == 0 else str(millis / 1000)


def plain_text(cues: tuple[Cue, ...]) -> str:
    """The transcript as plain text, one cue per line, for search indexes."""
    return "\n".join(f"{c.speaker}: {c.text}" if c.speaker else c.text for c in cues)


def problems(episode: Episode) -> tuple[Problem, ...]:
    """Transcripts apps cannot read, or that do not fit the episode's audio (every language)."""
    duration = episode.audio.duration.total_seconds()
    return tuple(p for t in episode.transcripts for p in _file_problems(t.path, duration))


def _file_problems(path: Path, duration: float) -> tuple[Problem, ...]:
    """A transcript file that cannot be read, has no cues, or outlasts the audio."""
    try:
        cues = parse(path)
    except TranscriptError as exc:
        return (exc.problem,)
    except OSError as exc:
        hint = "check that the file exists and is readable"
        return (Problem(path, None, f"cannot read ({exc.strerror})", hint),)
    if not cues:
        return (
            Problem(
                path,
                None,
                "the transcript has no cues",
                "add the timed text",
                Severity.WARNING,
                "transcript-empty",
            ),
        )
    if cues[-1].start >= duration:
        return (
            Problem(
                path,
                None,
                f"the last cue starts at {clock(cues[-1].start)}, "
                f"after the audio ends ({clock(duration)})",
                "is this the transcript of this episode's final audio?",
                Severity.WARNING,
                "transcript-duration",
            ),
        )
    return ()
