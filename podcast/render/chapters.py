"""Chapters from one source (episode YAML, else the audio's own) into every format.

JSON Chapters 1.2 for podcast:chapters, the show-notes chapter list Apple and others read,
the images of chapters (files beside the YAML or pictures inside ID3 CHAP frames), and the
rules `podcast check` applies to chapters.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import mutagen
from mutagen.id3 import ID3

from podcast.errors import Problem, Severity
from podcast.model import Chapter, Episode, Show
from podcast.read.audio import picture_mime
from podcast.render.times import hms, seconds
from podcast.render.urls import IMAGE_EXTENSIONS, Urls, chapter_image_name

JSON_VERSION = "1.2.0"
JSON_TYPE = "application/json+chapters"  # what the JSON Chapters spec asks servers to send


@dataclass(frozen=True, slots=True)
class ChapterImage:
    """A chapter's picture: its bytes and MIME type."""

    data: bytes
    mime: str

    @property
    def extension(self) -> str:
        """`jpg` or `png`."""
        return IMAGE_EXTENSIONS[self.mime]


def served_image(episode: Episode, number: int, name: str) -> Chapter | None:
    """Chapter `number` (1-based) if the site serves its own image under `name` (`2.jpg`)."""
    chapters = episode.all_chapters
    if not 1 <= number <= len(chapters) or chapter_image_name(number, chapters[number - 1]) != name:
        return None
    return chapters[number - 1]


def image_mime(chapter: Chapter) -> str | None:
    """The MIME type of the chapter's own image: a local file's, or the embedded picture's."""
    if isinstance(chapter.image, Path):
        extension = chapter.image.suffix.lower().lstrip(".").replace("jpeg", "jpg")
        return next((m for m, e in IMAGE_EXTENSIONS.items() if e == extension), None)
    return chapter.embedded_image if chapter.image is None else None


def embedded_image(audio_path: Path, chapter: Chapter) -> ChapterImage | None:
    """The picture inside the audio's CHAP frame for `chapter`, if it is a JPEG or PNG."""
    try:
        data = _embedded_picture(audio_path, chapter.start)
    except (OSError, mutagen.MutagenError):
        return None  # the file changed since the catalog was read; a reload will tell
    mime = picture_mime(data or b"")
    return ChapterImage(data, mime) if data and mime else None


def _embedded_picture(audio_path: Path, start: timedelta) -> bytes | None:
    """The APIC picture inside the CHAP frame starting at `start` (the probe's chapters came
    from the same frames, so their millisecond starts match exactly)."""
    parsed = mutagen.File(audio_path)
    if parsed is None or not isinstance(parsed.tags, ID3):
        return None
    millis = round(start.total_seconds() * 1000)
    for frame in parsed.tags.getall("CHAP"):  # type: ignore[no-untyped-call]
        pictures = frame.sub_frames.getall("APIC")
        if frame.start_time == millis and pictures:
            return bytes(pictures[0].data)
    return None


def json_chapters(show: Show, episode: Episode, urls: Urls) -> dict[str, Any]:
    """The episode's chapters as a JSON Chapters 1.2 document, its links absolute."""
    entries = []
    for number, chapter in enumerate(episode.all_chapters, 1):
        entry: dict[str, Any] = {"startTime": seconds(chapter.start), "title": chapter.title}
        picture = urls.chapter_image(episode, number, chapter)
        if picture:
            entry["img"] = picture
        if chapter.url:
            entry["url"] = chapter.url
        entries.append(entry)
    return {
        "version": JSON_VERSION,
        "title": episode.title,
        "podcastName": show.title,
        "author": show.author,
        "fileName": _file_name(episode),
        "chapters": entries,
    }


def _file_name(episode: Episode) -> str:
    """The audio's file name: local, or the last segment of the URL it stays at."""
    if episode.audio.path is not None:
        return episode.audio.path.name
    return urlsplit(episode.audio.url or "").path.rsplit("/", 1)[-1]


def notes_html(chapters: tuple[Chapter, ...]) -> str:
    """A chapter list for show notes: one `HH:MM:SS Title` line per chapter, as apps parse."""
    if not chapters:
        return ""
    # one line each, so apps that strip the tags still see a timestamp at each line's start
    items = "".join(f"<li>{hms(c.start)} {html.escape(c.title)}</li>\n" for c in chapters)
    return f"\n<p>Chapters:</p>\n<ul>\n{items}</ul>"


def problems(episode: Episode) -> tuple[Problem, ...]:
    """Chapters apps would misplay: untitled, out of order, past the audio's end, too few."""
    chapters = episode.all_chapters
    if not chapters:
        return ()
    source = episode.source if episode.chapters else episode.audio.path or episode.source
    end = hms(episode.audio.duration)
    found = []

    def add(
        rule: str,
        message: str,
        hint: str,
        severity: Severity = Severity.ERROR,
        line: int | None = None,  # a chapter's own line; None for the list as a whole
    ) -> None:
        found.append(Problem(source, line, message, hint, severity, rule))

    for number, chapter in enumerate(chapters, 1):
        at = hms(chapter.start)
        if not chapter.title.strip():
            add(
                "chapters-title",
                f"chapter {number} (at {at}) has no title",
                "give every chapter a short title",
                line=chapter.line,
            )
        if number > 1 and chapter.start <= chapters[number - 2].start:
            add(
                "chapters-order",
                f"chapter {number} '{chapter.title}' starts at {at}, not "
                f"after chapter {number - 1}",
                "list chapters in the order they play",
                line=chapter.line,
            )
        if chapter.start >= episode.audio.duration:
            add(
                "chapters-duration",
                f"chapter {number} '{chapter.title}' starts at {at}, after the audio ends ({end})",
                "fix the start time or remove the chapter",
                line=chapter.line,
            )
    if len(chapters) < 3 or chapters[0].start != timedelta(0):
        add(
            "chapters-notes",
            "apps turn show-notes timestamps into chapters only when there "
            "are at least three, the first at 00:00:00",
            "start the first chapter at 00:00:00 and mark at least three",
            Severity.WARNING,
        )
    return tuple(found)
