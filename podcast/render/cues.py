"""Transcript cues as the episode page and search show them: numbered, read by one parser.

The page anchors each cue as `#cue-N` and search links there, so both take their cues from
`read_cues`, which reads with `read.transcripts.parse` and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from podcast.read import transcripts


@dataclass(frozen=True, slots=True)
class Cue:
    """One timed line of a transcript; `number` is its 1-based position (the page's `#cue-N`)."""

    number: int
    start: float
    speaker: str  # carried over from the cue that named them, as the parser reads it
    text: str


CueReader = Callable[[Path], tuple[Cue, ...]]


def read_cues(path: Path) -> tuple[Cue, ...]:
    """The cues of a WebVTT or SRT file; a file the parser refuses has none (`check` says why)."""
    try:
        parsed = transcripts.parse(path)
    except (transcripts.TranscriptError, OSError):
        return ()
    return tuple(
        Cue(number, cue.start, cue.speaker or "", cue.text) for number, cue in enumerate(parsed, 1)
    )


def spoken_text(cues: tuple[Cue, ...]) -> str:
    """All the words spoken, without timings or speakers' names: what search indexes."""
    return " ".join(cue.text for cue in cues)
