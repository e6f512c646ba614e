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

import mutagen
from mutagen.id3 import ID3

from podcast.errors import Problem, Severity
from podcast.model import Chapter, Episode, Show, format_timestamp
from podcast.read.audio import picture_mime
from podcast.render.urls import IMAGE_EXTENSIONS, Urls, chapter_image_name

JSON_VERSION = "1.2.0"
JSON_TYPE = "application/json+chapters"  # what the JSON Chapters spec asks servers to send
_TOP_LEVEL_TEXT = ("author", "title", "podcastName", "description", "fileName")
_CHAPTER_TEXT = ("title", "img", "url")


@dataclass(frozen=True, slots=True)
class ChapterImage:
    """A chapter's picture: its bytes and MIME type."""

    data: bytes
    mime: str

    @property
    def extension(self) -> str:
        """`jpg` or `png`."""
        return IMAGE_EXTENSIONS[self.mime]


def seconds(delta: timedelta) -> int | float:
    """Seconds as JSON Chapters want them: whole numbers stay whole, else millisecond floats."""
    millis = round(delta.total_seconds() * 1000)
    return millis // 1000 if millis % 1000 == 0 else millis / 1000


def seconds_text(delta: timedelta) -> str:
    """`4` or `3.612`: seconds for `#t=` links and `data-start` attributes."""
    return str(seconds(delta))


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
        "fileName": episode.audio.path.name,
        "chapters": entries,
    }


def validate_json(document: object) -> list[str]:
    """What breaks the JSON Chapters 1.2 rules in `document` (empty when it is valid)."""
    if not isinstance(document, dict):
        return ["the document is not a JSON object"]
    errors = []
    version = document.get("version")
    if not isinstance(version, str) or not version.startswith("1.2"):
        errors.append(f"'version' should be the string '1.2.0', not {version!r}")
    errors += [
        f"'{key}' should be a string"
        for key in _TOP_LEVEL_TEXT
        if key in document and not isinstance(document[key], str)
    ]
    if "waypoints" in document and not isinstance(document["waypoints"], bool):
        errors.append("'waypoints' should be true or false")
    chapters = document.get("chapters")
    if not isinstance(chapters, list):
        return [*errors, "'chapters' should be an array"]
    previous: float | None = None
    for index, chapter in enumerate(chapters):
        errors += _chapter_errors(index, chapter, previous)
        start = chapter.get("startTime") if isinstance(chapter, dict) else None
        if _is_number(start):
            previous = float(start)  # type: ignore[arg-type]
    return errors


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _chapter_errors(index: int, chapter: object, previous: float | None) -> list[str]:
    where = f"chapters[{index}]"
    if not isinstance(chapter, dict):
        return [f"{where} is not an object"]
    errors = []
    start = chapter.get("startTime")
    if not _is_number(start) or start < 0:  # type: ignore[operator]
        errors.append(f"{where}.startTime should be a number of seconds ≥ 0, not {start!r}")
    elif previous is not None and start <= previous:  # type: ignore[operator]
        errors.append(f"{where}.startTime {start} is not after the previous chapter's {previous}")
    errors += [
        f"{where}.{key} should be a string"
        for key in _CHAPTER_TEXT
        if key in chapter and not isinstance(chapter[key], str)
    ]
    if "toc" in chapter and not isinstance(chapter["toc"], bool):
        errors.append(f"{where}.toc should be true or false")
    end = chapter.get("endTime")
    if end is not None and (not _is_number(end) or (_is_number(start) and end < start)):
        errors.append(f"{where}.endTime should be a number of seconds ≥ startTime")
    location = chapter.get("location")
    if location is not None and not (
        isinstance(location, dict)
        and isinstance(location.get("name"), str)
        and isinstance(location.get("geo"), str)
    ):
        errors.append(f"{where}.location should be an object with 'name' and 'geo' strings")
    return errors


def notes_html(chapters: tuple[Chapter, ...]) -> str:
    """A chapter list for show notes: one `HH:MM:SS Title` line per chapter, as apps parse."""
    if not chapters:
        return ""
    # one line each, so apps that strip the tags still see a timestamp at each line's start
    items = "".join(
        f"<li>{format_timestamp(c.start)} {html.escape(c.title)}</li>\n" for c in chapters
    )
    return f"\n<p>Chapters:</p>\n<ul>\n{items}</ul>"


def problems(episode: Episode) -> tuple[Problem, ...]:
    """Chapters apps would misplay: untitled, out of order, past the audio's end, too few."""
    chapters = episode.all_chapters
    if not chapters:
        return ()
    source = episode.source if episode.chapters else episode.audio.path
    end = format_timestamp(episode.audio.duration)
    found = []

    def add(rule: str, message: str, hint: str, severity: Severity = Severity.ERROR) -> None:
        found.append(Problem(source, None, message, hint, severity, rule))

    for number, chapter in enumerate(chapters, 1):
        at = format_timestamp(chapter.start)
        if not chapter.title.strip():
            add(
                "chapters-title",
                f"chapter {number} (at {at}) has no title",
                "give every chapter a short title",
            )
        if number > 1 and chapter.start <= chapters[number - 2].start:
            add(
                "chapters-order",
                f"chapter {number} '{chapter.title}' starts at {at}, not "
                f"after chapter {number - 1}",
                "list chapters in the order they play",
            )
        if chapter.start >= episode.audio.duration:
            add(
                "chapters-duration",
                f"chapter {number} '{chapter.title}' starts at {at}, after the audio ends ({end})",
                "fix the start time or remove the chapter",
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
