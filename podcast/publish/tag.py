"""Write an episode's metadata into its audio file, so apps that read the file see the feed.

ID3v2.4 for MP3 (chapters as CHAP frames under one CTOC, each with its title and a WXXX link),
MP4 atoms for M4A, Vorbis comments for Ogg (Opus, Vorbis) and FLAC, where the cover is a
METADATA_BLOCK_PICTURE and chapters follow the CHAPTERnnn convention that AntennaPod reads.
mutagen reads MP4 chapters but cannot write them (neither QuickTime chapter tracks nor Nero
`chpl`): for an M4A with chapters in its YAML, ffmpeg first copies the audio stream untouched
(`-c copy`) into a new MP4 carrying them; without ffmpeg the file keeps the chapters it has.

Only tags change: mutagen rewrites the tag header (and, for Ogg, the comment packet's pages),
never an audio frame. The file is replaced whole: a temporary copy beside it is tagged, then
renamed over it, so a reader sees the old file or the new one.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import mutagen
from mutagen import id3
from mutagen.flac import FLAC, Picture
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4, MP4Cover
from PIL import Image

from podcast.errors import PodcastError
from podcast.files import sibling
from podcast.model import Catalog, Chapter, Episode, Show
from podcast.read.audio import picture_mime

FRONT_COVER = 3  # the picture type both ID3 APIC and FLAC pictures use for a front cover
TOC_ID = "toc"


class TagError(PodcastError):
    """The audio could not be tagged; the file is unchanged."""


@dataclass(frozen=True, slots=True)
class Metadata:
    """What goes into the file: the episode as the feed describes it."""

    title: str
    album: str
    artists: tuple[str, ...]
    published: datetime
    season: int
    number: int | None
    comment: str
    language: str
    cover: Path | None
    chapters: tuple[Chapter, ...]  # empty: keep the chapters the file has
    duration: timedelta


@dataclass(frozen=True, slots=True)
class Tagged:
    """What `tag_file` did: the tag format written and the file's size before and after."""

    path: Path
    format: str
    size_before: int
    size_after: int
    chapters: int
    notes: tuple[str, ...] = ()


def metadata(episode: Episode, show: Show) -> Metadata:
    """The tags for `episode`: hosts as artist (else the show's author), the show as album."""
    hosts = tuple(p.name for p in show.hosts) or (show.author,)
    return Metadata(
        title=episode.title,
        album=show.title,
        artists=hosts,
        published=episode.published,
        season=episode.season,
        number=episode.number,
        comment=episode.summary,
        language=show.language,
        cover=episode.image or show.artwork,
        chapters=episode.chapters,
        duration=episode.audio.duration,
    )


def tag_file(path: Path, meta: Metadata) -> Tagged:
    """Replace `path` with a tagged copy of itself (temporary copy beside it, then rename)."""
    before = path.stat().st_size
    temp = sibling(path, "tag")
    try:
        shutil.copy2(path, temp)
        notes = _mp4_chapters(temp, meta, path.name)
        kind = write_tags(temp, meta, path.name)
        with temp.open("rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)
    return Tagged(path, kind, before, path.stat().st_size, len(meta.chapters), notes)


def write_tags(path: Path, meta: Metadata, name: str | None = None) -> str:
    """Write `meta` into the file at `path` in place; the name of the tag format written.

    `name` is the file to name in errors when `path` is a temporary copy of it.
    """
    name = name or path.name
    parsed = _parse(path, name)
    if isinstance(parsed, MP3):
        _write_id3(path, parsed, meta)
        return "ID3v2.4"
    if isinstance(parsed, MP4):
        _write_mp4(parsed, meta)
        return "MP4"
    if parsed is not None and type(parsed).__name__.startswith(("Ogg", "FLAC")):
        _write_vorbis(parsed, meta)
        return "Vorbis comments"
    kind = type(parsed).__name__ if parsed is not None else "unknown"
    raise TagError(f"{name}: {kind} audio cannot carry tags here; encode it as MP3 or AAC")


def _parse(path: Path, name: str) -> Any:
    try:
        return mutagen.File(path)
    except (mutagen.MutagenError, OSError) as exc:
        raise TagError(f"{name}: not readable as audio ({exc})") from exc


# --- MP3: ID3v2.4 ----------------------------------------------------------------------------


def _write_id3(path: Path, parsed: MP3, meta: Metadata) -> None:
    if parsed.tags is None:
        parsed.add_tags()
    tags: Any = parsed.tags
    tags.setall("TIT2", [id3.TIT2(encoding=3, text=meta.title)])
    tags.setall("TALB", [id3.TALB(encoding=3, text=meta.album)])
    tags.setall("TPE1", [id3.TPE1(encoding=3, text=list(meta.artists))])
    tags.setall("TDRC", [id3.TDRC(encoding=3, text=meta.published.date().isoformat())])
    tags.setall("TPOS", [id3.TPOS(encoding=3, text=str(meta.season))])
    tags.delall("TRCK")
    if meta.number is not None:
        tags.add(id3.TRCK(encoding=3, text=str(meta.number)))
    tags.setall(
        "COMM", [id3.COMM(encoding=3, lang=_id3_language(meta), desc="", text=meta.comment)]
    )
    if meta.cover is not None:
        data, mime = _picture(meta.cover)
        tags.setall("APIC", [id3.APIC(encoding=3, mime=mime, type=FRONT_COVER, desc="", data=data)])
    if meta.chapters:
        _id3_chapters(tags, meta.chapters, meta.duration)
    tags.save(path, v2_version=4)


def _id3_language(meta: Metadata) -> str:
    """ISO 639-2 code for COMM; 'XXX' (unknown) outside the few the show is likely to use."""
    codes = {"en": "eng", "es": "spa", "fr": "fra", "de": "deu", "so": "som", "hmn": "hmn"}
    return codes.get(meta.language.split("-")[0].lower(), "XXX")


def _id3_chapters(tags: Any, chapters: tuple[Chapter, ...], duration: timedelta) -> None:
    """CHAP frames (title, link) in one ordered top-level CTOC, replacing the file's own."""
    tags.delall("CHAP")
    tags.delall("CTOC")
    ids = [f"chp{number}" for number in range(len(chapters))]
    ends = [c.start for c in chapters[1:]] + [max(duration, chapters[-1].start)]
    for element_id, chapter, end in zip(ids, chapters, ends, strict=True):
        frames: list[Any] = [id3.TIT2(encoding=3, text=chapter.title)]
        if chapter.url:
            frames.append(id3.WXXX(encoding=3, desc="", url=chapter.url))
        if isinstance(chapter.image, Path):
            data, mime = _picture(chapter.image)
            frames.append(id3.APIC(encoding=3, mime=mime, type=0, desc="", data=data))
        tags.add(
            id3.CHAP(
                element_id=element_id,
                start_time=_ms(chapter.start),
                end_time=_ms(end),
                sub_frames=frames,
            )
        )
    tags.add(
        id3.CTOC(
            element_id=TOC_ID,
            flags=id3.CTOCFlags.TOP_LEVEL | id3.CTOCFlags.ORDERED,
            child_element_ids=ids,
            sub_frames=[id3.TIT2(encoding=3, text="Chapters")],
        )
    )


def _ms(moment: timedelta) -> int:
    return round(moment.total_seconds() * 1000)


# --- M4A: MP4 atoms --------------------------------------------------------------------------


def _mp4_chapters(path: Path, meta: Metadata, name: str) -> tuple[str, ...]:
    """Put the YAML's chapters into an M4A at `path` by an ffmpeg stream copy; notes if not."""
    if not meta.chapters or not isinstance(_parse(path, name), MP4):
        return ()
    chapters, output = sibling(path, "chapters"), sibling(path, "remux")
    try:
        chapters.write_text(_ffmetadata(meta.chapters, meta.duration), encoding="utf-8")
        command = ["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(path), "-i", str(chapters)]
        command += ["-map", "0:a", "-map_metadata", "0", "-map_chapters", "1", "-c", "copy"]
        command += ["-fflags", "+bitexact", "-f", "ipod", str(output)]
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            return (f"{name}: chapters not written (ffmpeg: {done.stderr.strip()[-200:]})",)
        os.replace(output, path)
    except FileNotFoundError:
        return (f"{name}: chapters not written: writing M4A chapters needs ffmpeg",)
    finally:
        chapters.unlink(missing_ok=True)
        output.unlink(missing_ok=True)
    return ()


def _ffmetadata(chapters: tuple[Chapter, ...], duration: timedelta) -> str:
    """ffmpeg's FFMETADATA1 text for `chapters` (=, ;, #, \\ and newlines escaped)."""
    ends = [c.start for c in chapters[1:]] + [max(duration, chapters[-1].start)]
    lines = [";FFMETADATA1"]
    for chapter, end in zip(chapters, ends, strict=True):
        title = re.sub(r"([=;#\\\n])", r"\\\1", chapter.title)
        lines += ["[CHAPTER]", "TIMEBASE=1/1000", f"START={_ms(chapter.start)}"]
        lines += [f"END={_ms(end)}", f"title={title}"]
    return "\n".join(lines) + "\n"


def _write_mp4(parsed: MP4, meta: Metadata) -> None:
    if parsed.tags is None:
        parsed.add_tags()
    tags: Any = parsed.tags
    tags["\xa9nam"] = [meta.title]
    tags["\xa9alb"] = [meta.album]
    tags["\xa9ART"] = list(meta.artists)
    tags["\xa9day"] = [meta.published.date().isoformat()]
    tags["disk"] = [(meta.season, 0)]
    tags.pop("trkn", None)
    if meta.number is not None:
        tags["trkn"] = [(meta.number, 0)]
    tags["\xa9cmt"] = [meta.comment]
    tags["desc"] = [meta.comment]  # iTunes shows a podcast episode's description from here
    if meta.cover is not None:
        data, mime = _picture(meta.cover)
        kind = MP4Cover.FORMAT_PNG if mime == "image/png" else MP4Cover.FORMAT_JPEG
        tags["covr"] = [MP4Cover(data, imageformat=kind)]
    parsed.save()


# --- Ogg and FLAC: Vorbis comments -----------------------------------------------------------


def _write_vorbis(parsed: Any, meta: Metadata) -> None:
    if parsed.tags is None:
        parsed.add_tags()
    tags = parsed.tags
    tags["TITLE"] = [meta.title]
    tags["ALBUM"] = [meta.album]
    tags["ARTIST"] = list(meta.artists)
    tags["DATE"] = [meta.published.date().isoformat()]
    tags["DISCNUMBER"] = [str(meta.season)]
    if "TRACKNUMBER" in tags:  # VCommentDict has no pop(key, default)
        del tags["TRACKNUMBER"]
    if meta.number is not None:
        tags["TRACKNUMBER"] = [str(meta.number)]
    tags["COMMENT"] = [meta.comment]
    if meta.cover is not None:
        _vorbis_cover(parsed, meta.cover)
    if meta.chapters:
        _vorbis_chapters(tags, meta.chapters)
    parsed.save()


def _vorbis_cover(parsed: Any, cover: Path) -> None:
    """A FLAC picture block: native in FLAC, base64 in METADATA_BLOCK_PICTURE in Ogg."""
    picture = Picture()
    picture.data, picture.mime = _picture(cover)
    picture.type = FRONT_COVER
    with Image.open(cover) as image:
        picture.width, picture.height = image.size
        picture.depth = 24
    if isinstance(parsed, FLAC):
        parsed.clear_pictures()
        parsed.add_picture(picture)
        return
    parsed.tags["METADATA_BLOCK_PICTURE"] = [base64.b64encode(picture.write()).decode("ascii")]


def _vorbis_chapters(tags: Any, chapters: tuple[Chapter, ...]) -> None:
    """CHAPTER001=HH:MM:SS.mmm, CHAPTER001NAME and CHAPTER001URL, replacing the file's own."""
    for key in [k for k in tags.keys() if k.upper().startswith("CHAPTER")]:
        del tags[key]
    for number, chapter in enumerate(chapters, 1):
        key = f"CHAPTER{number:03d}"
        tags[key] = [_clock(chapter.start)]
        tags[key + "NAME"] = [chapter.title]
        if chapter.url:
            tags[key + "URL"] = [chapter.url]


def _clock(moment: timedelta) -> str:
    milliseconds = _ms(moment)
    seconds, ms = divmod(milliseconds, 1000)
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}.{ms:03d}"


def _picture(path: Path) -> tuple[bytes, str]:
    """An image's bytes and real MIME type (JPEG or PNG), for a cover or chapter picture."""
    data = path.read_bytes()
    mime = picture_mime(data)
    if mime is None:
        raise TagError(f"{path.name} is not a JPEG or PNG image; it cannot be embedded")
    return data, mime


def tag_episodes(
    catalog: Catalog, episodes: Iterable[Episode]
) -> tuple[list[Tagged], list[TagError]]:
    """Tag each episode's audio from its YAML; files that cannot be tagged are skipped."""
    done, skipped = [], []
    for episode in episodes:
        try:
            if episode.audio.path is None:
                raise TagError(f"{episode.slug}: its audio is kept at {episode.audio.url}")
            done.append(tag_file(episode.audio.path, metadata(episode, catalog.show)))
        except TagError as exc:
            skipped.append(exc)
    return done, skipped
