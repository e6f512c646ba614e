"""Read one episode's YAML and the files it names (audio, transcript, images) into an Episode."""

from __future__ import annotations

import dataclasses
import re
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import yaml

from podcast.errors import AudioError, Problem, Severity
from podcast.model import (
    Audio,
    Chapter,
    Episode,
    Show,
    Transcript,
    double_encoded,
    parse_timestamp,
    slugify,
)
from podcast.read import languages, schema, variants, when
from podcast.read.audio import AUDIO_EXTENSIONS, EXTENSIONS_BY_MIME
from podcast.read.paths import (
    SEASON_DIR,
    inside,
    is_file,
    links_outside,
    referenced,
    usable_sibling,
)
from podcast.read.remote import remote_audio, soundbites
from podcast.read.show import read_person
from podcast.read.yamlfile import Fields, read_mapping

K, C = schema.EpisodeKeys, schema.ChapterKeys
TRANSCRIPT_TYPES = {".vtt": "text/vtt", ".srt": "application/x-subrip"}
CHAPTER_IMAGES = frozenset({".jpg", ".jpeg", ".png"})
# Before 1970 there were no podcasts (nor Unix time); past 2200 is a typo, and years near
# 1 or 9999 overflow as soon as a time zone is applied.
EARLIEST_YEAR, LATEST_YEAR = 1970, 2200


Prober = Callable[[Path], Audio]


def load_episode(
    path: Path, root: Path, show: Show | None, problems: list[Problem], prober: Prober
) -> tuple[Episode, Fields] | None:
    """The episode `path` describes and its keys, or None when it has errors (in `problems`)."""
    if links_outside(root, path, problems):
        return None
    fields = read_mapping(path, problems)
    if fields is None:
        return None
    before = len(problems)
    season = _season(path, fields)
    number = K.episode.read(fields)
    if number is not None and number < 1:
        fields.error("episode", "'episode' should be 1 or more", "number episodes from 1")
    kind = K.type.read(fields)
    guid = _guid(fields)
    published = _published(fields, show)
    if fields.has(K.enclosure.name):  # audio kept at its old host: the YAML is the source
        audio = remote_audio(fields)
        if fields.has(K.audio.name):
            fields.error("audio", "both 'audio' and 'enclosure' name the audio", "keep one")
    else:
        audio = _audio(path, root, fields, problems, prober)
    language = show.language if show else "en"
    episode_fields = dict(
        title=K.title.read(fields),
        summary=K.summary.read(fields),
        notes=K.notes.read(fields),
        explicit=K.explicit.read(fields),
        guests=tuple(read_person(f, "guest") for f in K.guests.items(fields)),
        chapters=_chapters(fields, root),
        transcripts=_transcripts(path, root, fields, language),
        image=_image(path, root, fields),
        low_bandwidth=_low_bandwidth(path, root, fields, problems, prober),
        guid_is_permalink=K.guid_is_permalink.read(fields),
        soundbites=soundbites(fields),
        draft=K.draft.read(fields),
    )
    K.warn_unknown(fields)
    if (
        audio is None
        or published is None
        or season is None
        or any(p.severity is Severity.ERROR for p in problems[before:])
    ):
        return None
    episode = Episode(
        source=path,
        slug=slugify(f"s{season}-{path.stem}"),
        season=season,
        number=number,
        type=kind,
        guid=guid,
        published=published,
        audio=audio,
        lines=fields.key_lines(),
        **episode_fields,  # type: ignore[arg-type]
    )
    return episode, fields


def _guid(fields: Fields) -> str:
    try:
        given = fields.raw(K.guid.name)
    except (ValueError, OverflowError, yaml.YAMLError):
        given = None  # the read below reports it
    # A fresh UUID to copy, where one is wanted: making one reads the OS's random source,
    # which was 3 % of reading an episode that has its guid.
    wanted = not isinstance(given, str) or not given.strip()
    hint = f"add 'guid: {uuid.uuid4()}' and never change it" if wanted else ""
    guid = K.guid.read(fields, hint=hint)
    if double_encoded(guid) is not None:  # apps would disagree on which episode this is
        fields.error(
            "guid",
            "the guid reads differently in different podcast apps (it looks "
            "like text decoded twice)",
            "use an ASCII guid, e.g. a UUID",
        )
    return guid


def _season(path: Path, fields: Fields) -> int | None:
    season = K.season.read(fields)
    folder = SEASON_DIR.match(path.parent.name)
    if season is None and folder:
        return int(folder.group(1))
    if season is None:
        if not fields.has(K.season.name):
            fields.error(None, "missing required key 'season'", K.season.hint)
        return None
    if season < 1:
        fields.error("season", "'season' should be 1 or more", "number seasons from 1")
        return None
    if folder and int(folder.group(1)) != season:
        fields.warn(
            "season",
            f"season {season} is in folder '{path.parent.name}'",
            "move the file to its season's folder, or fix 'season'",
        )
    return season


def _published(fields: Fields, show: Show | None) -> datetime | None:
    if not fields.has(K.published.name):
        fields.error(None, "missing required key 'published'", K.published.hint)
        return None
    try:
        value = K.published.read(fields)
    except (ValueError, OverflowError) as exc:
        fields.error(
            "published", f"'published' is not a real date ({exc})", "check the day and month"
        )
        return None
    if isinstance(value, str):
        try:
            value = when.from_text(value)
        except ValueError:
            fields.error(
                "published",
                f"'published' is not an ISO 8601 date and time: {value!r}",
                "write e.g. 2024-05-01T06:00:00-05:00",
            )
            return None
    zone = show.timezone if show else None
    if show and zone and isinstance(value, date) and not isinstance(value, datetime):
        value = when.release_time(value, zone, show.release_hour)  # a bare date: the release hour
    if isinstance(value, date) and not isinstance(value, datetime):
        fields.error(
            "published",
            "'published' has a date but no time and zone",
            f"write e.g. {value.isoformat()}T06:00:00-05:00, or set 'timezone:' in show.yaml",
        )
        return None
    if not isinstance(value, datetime):
        fields.error(
            "published",
            "'published' should be a date and time",
            "write e.g. 2024-05-01T06:00:00-05:00",
        )
        return None
    if value.tzinfo is None or value.utcoffset() is None:
        fields.error(
            "published",
            "'published' has no time zone, so apps would guess the hour",
            f"add the zone, e.g. {value.isoformat()}-05:00 or {value.isoformat()}Z",
        )
        return None
    try:  # far-off years with a zone overflow datetime once converted to UTC
        utc = value.astimezone(UTC)
    except OverflowError:
        utc = None
    if utc is None or not EARLIEST_YEAR <= utc.year <= LATEST_YEAR:
        fields.error(
            "published",
            f"'published' is in the year {value.year}",
            f"check the year: it should be between {EARLIEST_YEAR} and {LATEST_YEAR}",
        )
        return None
    if value.year < 2000:
        fields.warn("published", f"'published' is in {value.year}", "check the year")
    return value


def _audio(
    path: Path, root: Path, fields: Fields, problems: list[Problem], prober: Prober
) -> Audio | None:
    before = len(problems)
    audio_path = referenced(path, root, fields, K.audio.name, AUDIO_EXTENSIONS)
    if audio_path is None:
        if len(problems) == before and not fields.has(K.audio.name):
            fields.error(
                None,
                f"no audio file found for {path.name}",
                f"put {path.stem}.mp3 (or .m4a) beside it, or add 'audio: file.mp3'",
            )
        return None
    try:
        audio = prober(audio_path)
    except AudioError as exc:
        problems.append(Problem(exc.path, None, exc.message, exc.hint))
        return None
    if audio_path.suffix.lower() not in EXTENSIONS_BY_MIME[audio.mime]:
        problems.append(
            Problem(
                audio_path,
                None,
                f"the file is {audio.mime} but named '{audio_path.suffix}'",
                "export it in the format its name says (`podcast add` refuses it too)",
            )
        )
    if audio.vbr_without_header:
        problems.append(
            Problem(
                audio_path,
                None,
                "VBR MP3 without a Xing/VBRI header: apps estimate its duration and seek badly",
                "re-export as CBR, or with a Xing header (LAME writes one)",
                Severity.WARNING,
            )
        )
    return audio


def _transcript(path: Path, root: Path, fields: Fields, language: str) -> Transcript | None:
    found = referenced(path, root, fields, K.transcript.name, set(TRANSCRIPT_TYPES))
    if found is None:
        return None
    mime = TRANSCRIPT_TYPES.get(found.suffix.lower())
    if mime is None:
        fields.error(
            "transcript",
            f"transcript '{found.name}' is not WebVTT or SRT",
            "use a .vtt or .srt file",
        )
        return None
    return Transcript(found, mime, language)


def _transcripts(path: Path, root: Path, fields: Fields, language: str) -> tuple[Transcript, ...]:
    """The plain transcript, then one per STEM.TAG.vtt/.srt, with their translated titles."""
    primary = _transcript(path, root, fields, language)
    found = [primary] if primary else []
    for tag, other in variants.tagged(path):
        mime = TRANSCRIPT_TYPES.get(other.suffix.lower())
        if mime is None or not usable_sibling(root, other, fields):
            continue
        if not languages.well_formed(tag):
            fields.error(
                None,
                f"'{other.name}': '{tag}' is not a BCP 47 language tag",
                f"name transcripts in other languages {path.stem}.es{other.suffix}, "
                f"{path.stem}.so{other.suffix}, {path.stem}.hmn{other.suffix}",
            )
        elif any(t.language.lower() == tag.lower() for t in found):
            fields.error(None, f"two transcripts in '{tag}': {other.name}", "keep one of them")
        else:
            found.append(Transcript(other, mime, tag, tag))
    return _translated(tuple(found), fields)


def _translated(found: tuple[Transcript, ...], fields: Fields) -> tuple[Transcript, ...]:
    """`translations: {es: {title, summary}}` put on the transcripts in those languages."""
    translations = fields.child(K.translations.name)
    if translations is None:
        return found
    by_language = {t.language.lower(): t for t in found}
    for tag in translations.nodes:
        entry = translations.child(tag)
        if entry is None:
            continue
        schema.TranslationKeys.warn_unknown(entry)
        if tag.lower() not in by_language:
            translations.warn(
                tag,
                f"no transcript in '{tag}' to show this translation with",
                "add the transcript file, or check the language tag",
            )
            continue
        by_language[tag.lower()] = dataclasses.replace(
            by_language[tag.lower()],
            title=schema.TranslationKeys.title.read(entry),
            summary=schema.TranslationKeys.summary.read(entry),
        )
    return tuple(by_language[t.language.lower()] for t in found)


def _low_bandwidth(
    path: Path, root: Path, fields: Fields, problems: list[Problem], prober: Prober
) -> Audio | None:
    """The low-data copy of the audio (STEM.low.mp3 beside the YAML), probed, if there is one."""
    for tag, other in variants.tagged(path):
        if tag != variants.LOW_BANDWIDTH or other.suffix.lower() not in AUDIO_EXTENSIONS:
            continue
        if not usable_sibling(root, other, fields):
            return None
        try:
            return prober(other)
        except AudioError as exc:
            problems.append(Problem(exc.path, None, exc.message, exc.hint))
    return None


def _image(path: Path, root: Path, fields: Fields) -> Path | None:
    return (
        referenced(path, root, fields, K.image.name, CHAPTER_IMAGES)
        if fields.has(K.image.name)
        else None
    )


def _chapters(fields: Fields, root: Path) -> tuple[Chapter, ...]:
    chapters = []
    for item in K.chapters.items(fields):
        C.warn_unknown(item)
        start = _chapter_start(item)
        title = C.title.read(item)
        url = C.url.read(item)
        if start is not None:
            chapters.append(Chapter(start, title, url, _chapter_image(item, root), line=item.line))
    return tuple(chapters)


def _chapter_image(item: Fields, root: Path) -> str | Path | None:
    """An http(s) URL as written, or an image file beside the YAML (kept inside root)."""
    name = C.image.read(item)
    if not name:
        return None
    if re.match(r"^https?://", name):
        return name
    found = inside(root, item.path.parent, name)
    if found is None or not is_file(found) or found.suffix.lower() not in CHAPTER_IMAGES:
        item.error(
            "image",
            f"chapter image '{name}' is not a JPEG or PNG file in the episodes folder",
            "put the image beside the episode, or use an https:// URL",
        )
        return None
    return found


def _chapter_start(item: Fields) -> timedelta | None:
    if not item.has(C.start.name):
        item.error(None, "chapter without 'start'", C.start.hint)
        return None
    try:
        value = C.start.read(item)
    except (ValueError, OverflowError, yaml.YAMLError):
        value = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:  # YAML 1.1 reads 01:30 as 90 (sexagesimal)
            return _chapter_offset(timedelta(seconds=value))
        except (ValueError, OverflowError):
            pass
    elif isinstance(value, str):
        try:
            return _chapter_offset(parse_timestamp(value))
        except (ValueError, OverflowError):
            pass
    item.error("start", "the chapter's start is not a time", 'write it quoted as "HH:MM:SS"')
    return None


def _chapter_offset(start: timedelta) -> timedelta:
    if not timedelta(0) <= start < timedelta(days=1):
        raise ValueError("a chapter starts within the first day")
    return start
