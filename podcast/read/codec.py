"""The JSON form of what the read stage caches on disk: probes (`Audio`), and loaded episodes
with the problems loading them reported.

Explicit rather than generic: each type's fields are named once here, so what is written is easy
to check, and decoding (every warm load, ~1,000 entries) does no type inspection. Every value is
checked for its exact type as it is read, so a cache from other code, hand-edited or truncated
raises `StaleEntry` and is read afresh, never misread; a field added to the model changes the
caches' fingerprints (`read.probe_cache`, `read.memory`), so an old cache is dropped whole.

Paths are written relative to the episodes folder when they are inside it, so a folder reached
by another spelling (a symlink) reads back under the spelling it was loaded by.
"""

from __future__ import annotations

import dataclasses
import os
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from podcast.errors import Problem, Severity
from podcast.model import Audio, Chapter, Episode, EpisodeType, Person, Soundbite, Tags, Transcript


class StaleEntry(Exception):
    """A cached value that no longer fits the model; it is read again from the files."""


# --- audio ------------------------------------------------------------------------------------


def encode_audio(audio: Audio) -> dict[str, Any]:
    """A probe's JSON form, without its path and URL (the cache key names the file)."""
    return {
        "size": audio.size,
        "mime": audio.mime,
        "duration": _encode_timedelta(audio.duration),
        "bitrate": audio.bitrate,
        "sample_rate": audio.sample_rate,
        "channels": audio.channels,
        "codec": audio.codec,
        "duration_exact": audio.duration_exact,
        "vbr_without_header": audio.vbr_without_header,
        "tags": [getattr(audio.tags, name) for name in _TAG_FIELDS],
        "chapters": [_encode_chapter(c, None) for c in audio.chapters],
        "frames_digest": audio.frames_digest,
    }


def decode_audio(data: Any, path: Path | None, url: str | None = None) -> Audio:
    """The `Audio` that `encode_audio` wrote, for the file at `path` (or at `url`)."""
    if type(data) is not dict or data.keys() != _AUDIO_KEYS:
        raise StaleEntry("not a probe")
    tags = data["tags"]
    if type(tags) is not list or len(tags) != len(_TAG_FIELDS):
        raise StaleEntry("not tags")
    return Audio(
        path=path,
        size=_expect(int, data["size"]),
        mime=_expect(str, data["mime"]),
        duration=_decode_timedelta(data["duration"]),
        bitrate=_expect(int, data["bitrate"]),
        sample_rate=_expect(int, data["sample_rate"]),
        channels=_expect(int, data["channels"]),
        codec=_expect(str, data["codec"]),
        duration_exact=_expect(bool, data["duration_exact"]),
        vbr_without_header=_expect(bool, data["vbr_without_header"]),
        tags=Tags(*(_optional(kind, value) for kind, value in zip(_TAG_TYPES, tags, strict=True))),
        chapters=tuple(_decode_chapter(c, None) for c in _list(data["chapters"])),
        url=url,
        frames_digest=_optional(str, data["frames_digest"]),
    )


_TAG_FIELDS = tuple(f.name for f in dataclasses.fields(Tags))
_TAG_TYPES = tuple(int if name == "track" else str for name in _TAG_FIELDS)
_AUDIO_KEYS = {f.name for f in dataclasses.fields(Audio)} - {"path", "url"}


# --- episodes and problems --------------------------------------------------------------------


def encode_episode(episode: Episode, root: Path) -> dict[str, Any]:
    """A loaded episode's JSON form; paths inside `root` are written relative to it."""
    return {
        "source": encode_path(episode.source, root),
        "slug": episode.slug,
        "title": episode.title,
        "season": episode.season,
        "number": episode.number,
        "published": _encode_datetime(episode.published),
        "type": episode.type.value,
        "guid": episode.guid,
        "audio": _encode_located_audio(episode.audio, root),
        "summary": episode.summary,
        "notes": episode.notes,
        "explicit": episode.explicit,
        "guests": [dataclasses.astuple(p) for p in episode.guests],
        "chapters": [_encode_chapter(c, root) for c in episode.chapters],
        "transcripts": [_encode_transcript(t, root) for t in episode.transcripts],
        "image": encode_path(episode.image, root) if episode.image else None,
        "low_bandwidth": (
            _encode_located_audio(episode.low_bandwidth, root) if episode.low_bandwidth else None
        ),
        "guid_is_permalink": episode.guid_is_permalink,
        "soundbites": [
            [_encode_timedelta(s.start), _encode_timedelta(s.duration), s.title]
            for s in episode.soundbites
        ],
        "draft": episode.draft,
        "lines": dict(episode.lines),
    }


def decode_episode(data: Any, root: Path) -> Episode:
    """The `Episode` that `encode_episode` wrote for the folder `root`."""
    if type(data) is not dict or data.keys() != _EPISODE_KEYS:
        raise StaleEntry("not an episode")
    image, low = data["image"], data["low_bandwidth"]
    return Episode(
        source=decode_path(data["source"], root),
        slug=_expect(str, data["slug"]),
        title=_expect(str, data["title"]),
        season=_expect(int, data["season"]),
        number=_optional(int, data["number"]),
        published=_decode_datetime(data["published"]),
        type=EpisodeType(_expect(str, data["type"])),
        guid=_expect(str, data["guid"]),
        audio=_decode_located_audio(data["audio"], root),
        summary=_expect(str, data["summary"]),
        notes=_expect(str, data["notes"]),
        explicit=_optional(bool, data["explicit"]),
        guests=tuple(_decode_person(p) for p in _list(data["guests"])),
        chapters=tuple(_decode_chapter(c, root) for c in _list(data["chapters"])),
        transcripts=tuple(_decode_transcript(t, root) for t in _list(data["transcripts"])),
        image=None if image is None else decode_path(image, root),
        low_bandwidth=None if low is None else _decode_located_audio(low, root),
        guid_is_permalink=_expect(bool, data["guid_is_permalink"]),
        soundbites=tuple(_decode_soundbite(s) for s in _list(data["soundbites"])),
        draft=_expect(bool, data["draft"]),
        lines=_decode_lines(data["lines"]),
    )


_EPISODE_KEYS = {f.name for f in dataclasses.fields(Episode)}


def encode_problem(problem: Problem, root: Path) -> list[Any]:
    path = None if problem.path is None else encode_path(problem.path, root)
    return [path, problem.line, problem.message, problem.hint, problem.severity.value, problem.rule]


def decode_problem(data: Any, root: Path) -> Problem:
    if type(data) is not list or len(data) != 6:
        raise StaleEntry("not a problem")
    path, line, message, hint, severity, rule = data
    return Problem(
        None if path is None else decode_path(path, root),
        _optional(int, line),
        _expect(str, message),
        _expect(str, hint),
        Severity(_expect(str, severity)),
        _expect(str, rule),
    )


def _encode_located_audio(audio: Audio, root: Path) -> list[Any]:
    path = None if audio.path is None else encode_path(audio.path, root)
    return [path, audio.url, encode_audio(audio)]


def _decode_located_audio(data: Any, root: Path) -> Audio:
    if type(data) is not list or len(data) != 3:
        raise StaleEntry("not an episode's audio")
    path, url, probe = data
    return decode_audio(probe, None if path is None else decode_path(path, root), url)


def _decode_person(data: Any) -> Person:
    if type(data) is not list or len(data) != len(_PERSON_TYPES):
        raise StaleEntry("not a person")
    return Person(*(_expect(kind, value) for kind, value in zip(_PERSON_TYPES, data, strict=True)))


_PERSON_TYPES: tuple[type | tuple[type | None, ...], ...] = (
    str,
    str,
    str,
    str,
    (str, None),
    (str, None),
)


def _encode_transcript(transcript: Transcript, root: Path) -> list[Any]:
    t = transcript
    return [encode_path(t.path, root), t.mime, t.language, t.tag, t.title, t.summary]


def _decode_transcript(data: Any, root: Path) -> Transcript:
    if type(data) is not list or len(data) != 6:
        raise StaleEntry("not a transcript")
    path, *texts = data
    return Transcript(decode_path(path, root), *(_expect(str, text) for text in texts))


def _decode_soundbite(data: Any) -> Soundbite:
    if type(data) is not list or len(data) != 3:
        raise StaleEntry("not a soundbite")
    start, duration, title = data
    return Soundbite(_decode_timedelta(start), _decode_timedelta(duration), _expect(str, title))


def _encode_chapter(chapter: Chapter, root: Path | None) -> list[Any]:
    image: Any = chapter.image
    if isinstance(image, Path):  # a file; a plain string is a URL
        image = {"path": encode_path(image, root) if root else str(image)}
    start = _encode_timedelta(chapter.start)
    return [start, chapter.title, chapter.url, image, chapter.embedded_image, chapter.line]


def _decode_chapter(data: Any, root: Path | None) -> Chapter:
    if type(data) is not list or len(data) != 6:
        raise StaleEntry("not a chapter")
    start, title, url, image, embedded, line = data
    if type(image) is dict and image.keys() == {"path"}:
        text = _expect(str, image["path"])
        image = decode_path(text, root) if root else Path(text)
    return Chapter(
        _decode_timedelta(start),
        _expect(str, title),
        _optional(str, url),
        image if isinstance(image, Path) else _optional(str, image),
        _optional(str, embedded),
        _optional(int, line),
    )


def _decode_lines(data: Any) -> dict[str, int]:
    if type(data) is not dict or not all(type(v) is int for v in data.values()):
        raise StaleEntry("not key lines")
    return data


# --- values -----------------------------------------------------------------------------------


def encode_path(path: Path, root: Path) -> str:
    """Relative to `root` when inside it (written with a leading "./"), else absolute."""
    text, folder = os.fspath(path), os.fspath(root).rstrip("/")
    if os.sep == "/" and folder.startswith("/") and text != folder:
        # Path.relative_to by string work (on POSIX a path's text is its parts joined by
        # "/"): a cold load writes five paths an episode, and relative_to was 3 % of it
        return "./" + text[len(folder) + 1 :] if text.startswith(folder + "/") else text
    try:
        return "./" + path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def decode_path(data: Any, root: Path) -> Path:
    """The path `encode_path` wrote for the folder `root`."""
    text = _expect(str, data)
    return root / text[2:] if text.startswith("./") else Path(text)


def _encode_datetime(value: datetime) -> list[Any]:
    """ISO 8601 and, for a time in a named zone, the zone: it reads back as the same object."""
    zone = value.tzinfo.key if isinstance(value.tzinfo, ZoneInfo) else None
    return [value.isoformat(), zone]


def _decode_datetime(data: Any) -> datetime:
    if type(data) is not list or len(data) != 2:
        raise StaleEntry("not a time")
    text, zone = _expect(str, data[0]), _optional(str, data[1])
    try:
        value = datetime.fromisoformat(text)
        named = ZoneInfo(zone) if zone else None
    except (ValueError, ZoneInfoNotFoundError) as exc:
        raise StaleEntry("not a time") from exc
    if value.tzinfo is None:
        raise StaleEntry("a time without its zone")
    return value.astimezone(named) if named else value


def _encode_timedelta(value: timedelta) -> list[int]:
    return [value.days, value.seconds, value.microseconds]  # exact: no float rounding


def _decode_timedelta(data: Any) -> timedelta:
    if not (type(data) is list and len(data) == 3 and all(type(n) is int for n in data)):
        raise StaleEntry("not a duration")
    return timedelta(days=data[0], seconds=data[1], microseconds=data[2])


def _list(data: Any) -> list[Any]:
    if type(data) is not list:
        raise StaleEntry("not a list")
    return data


def _expect(kind: type | tuple[type | None, ...], data: Any) -> Any:
    """`data` if it is exactly of `kind` (JSON's true is not 1, and 1 is not "1")."""
    if type(data) is kind:
        return data
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if not any(data is None if k is None else type(data) is k for k in kinds):
        raise StaleEntry(f"expected {kinds}, found {type(data).__name__}")
    return data


def _optional(kind: type, data: Any) -> Any:
    return None if data is None else _expect(kind, data)
