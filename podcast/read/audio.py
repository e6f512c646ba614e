"""Probe audio files with mutagen: size, real container type, duration, chapters, and tags."""

from __future__ import annotations

import stat
from datetime import timedelta
from pathlib import Path
from typing import Any

import mutagen
from mutagen.id3 import CHAP, CTOC, ID3, TIT2, WXXX
from mutagen.mp3 import MP3, BitrateMode, MPEGInfo
from mutagen.mp4 import MP4

from podcast.errors import AudioError
from podcast.model import Audio, Chapter, Tags
from podcast.read import mpeg, same_audio

# Container class name → MIME type podcast apps expect; Apple lists audio/x-m4a for AAC in MP4.
MIME_BY_KIND = {
    "MP3": "audio/mpeg",
    "EasyMP3": "audio/mpeg",
    "MP4": "audio/x-m4a",
    "EasyMP4": "audio/x-m4a",
    "OggOpus": "audio/ogg",
    "OggVorbis": "audio/ogg",
    "OggFLAC": "audio/ogg",
    "OggSpeex": "audio/ogg",
    "FLAC": "audio/flac",
    "WAVE": "audio/wav",
    "AIFF": "audio/aiff",
    "AAC": "audio/aac",
}
# The extensions a file of each MIME type should carry; a mismatch confuses apps and CDNs.
EXTENSIONS_BY_MIME = {
    "audio/mpeg": {".mp3"},
    "audio/x-m4a": {".m4a", ".mp4", ".m4b"},
    "audio/ogg": {".ogg", ".opus", ".oga"},
    "audio/flac": {".flac"},
    "audio/wav": {".wav"},
    "audio/aiff": {".aif", ".aiff"},
    "audio/aac": {".aac"},
}
AUDIO_EXTENSIONS = frozenset(ext for exts in EXTENSIONS_BY_MIME.values() for ext in exts)


def probe(path: Path, tags: bool = False) -> Audio:
    """Read an audio file's real type, exact size, duration and chapters, and with `tags` its
    title, artist, date, track, comment and cover type (only `add` and `import` use those: a
    catalog leaves them empty, and an MP3's cover and text frames are most of its parse)."""
    size = _size(path)
    try:
        parsed = _open(path, tags)
    except (mutagen.MutagenError, OSError, ValueError, EOFError) as exc:
        reason = str(exc) or "corrupt or truncated"
        raise AudioError(path, f"not readable as audio ({reason})", _REENCODE) from exc
    if parsed is None or parsed.info is None:
        raise AudioError(path, "not an audio file mutagen recognises", _REENCODE)
    kind = type(parsed).__name__
    mime = MIME_BY_KIND.get(kind)
    if mime is None:
        raise AudioError(path, f"{kind} audio is not a podcast format", _REENCODE)
    found = read_tags(parsed) if tags else Tags()
    return _audio(path, size, mime, kind, parsed.info, found, read_chapters(parsed))


def _audio(
    path: Path,
    size: int,
    mime: str,
    kind: str,
    info: Any,
    tags: Tags,
    chapters: tuple[Chapter, ...],
) -> Audio:
    """The probe of a parsed file: its stream info checked, an MP3's length counted."""
    if getattr(info, "sketchy", False) or not info.length or info.length <= 0:
        raise AudioError(path, "no playable audio stream found (corrupt or truncated?)", _REENCODE)
    length, exact, vbr_no_header = float(info.length), True, False
    bitrate = int(getattr(info, "bitrate", 0) or 0)
    digest = None
    if isinstance(info, MPEGInfo):
        length, exact, vbr_no_header = _mp3_length(path, info, size)
        if vbr_no_header:  # the first frame's bitrate says nothing about the file's
            bitrate = round((size - info.frame_offset) * 8 / length)
        digest = same_audio.signature(path)  # cached with the probe: no reopening to compare
    return Audio(
        path=path,
        size=size,
        mime=mime,
        duration=timedelta(seconds=length),
        bitrate=bitrate,
        sample_rate=int(getattr(info, "sample_rate", 0) or 0),
        channels=int(getattr(info, "channels", 0) or 0),
        codec=getattr(info, "codec", "") or kind,
        duration_exact=exact,
        vbr_without_header=vbr_no_header,
        tags=tags,
        chapters=chapters,
        frames_digest=digest,
    )


def _open(path: Path, tags: bool) -> Any:
    """mutagen's reading of `path`: its MP3 class at once for an `.mp3` that opens as one.

    mutagen.File scores every format it knows before it reads (half the cost of a probe); for
    a file named .mp3 that starts with an ID3 tag or an MPEG layer-3 frame it would pick MP3
    anyway. Anything else (a WAV renamed .mp3 starts with RIFF) goes through mutagen.File.
    Without `tags`, mutagen parses only the chapter frames (`_CHAPTER_FRAMES`) and keeps the
    rest raw; a chapter with a picture is read again whole, for the picture's type.
    """
    if path.suffix.lower() == ".mp3":
        with path.open("rb") as stream:
            head = stream.read(3)
        if head == b"ID3" or head[:2] in _MPEG_LAYER3_SYNC:
            if tags:
                return MP3(path)
            parsed = MP3(path, known_frames=_CHAPTER_FRAMES, translate=False, load_v1=False)
            return MP3(path) if _chapter_pictures(parsed.tags) else parsed
    return mutagen.File(path)


_MPEG_LAYER3_SYNC = (b"\xff\xf2", b"\xff\xf3", b"\xff\xfa", b"\xff\xfb")
# What `read_chapters` reads of an ID3 tag: chapters, their order, titles and links.
_CHAPTER_FRAMES = {"CHAP": CHAP, "CTOC": CTOC, "TIT2": TIT2, "WXXX": WXXX}


def _chapter_pictures(tags: ID3 | None) -> bool:
    """Whether a chapter carries a picture (an APIC frame left raw by `_CHAPTER_FRAMES`)."""
    if tags is None:
        return False
    return any(
        raw[:4] == b"APIC"
        for frame in tags.getall("CHAP")
        for raw in getattr(frame.sub_frames, "unknown_frames", ())
    )


_REENCODE = "export the episode again as MP3 or AAC (M4A) from your editor"


def _size(path: Path) -> int:
    try:
        status = path.stat()
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise AudioError(path, f"cannot read the file ({reason})", "check the path") from exc
    if not stat.S_ISREG(status.st_mode):  # a pipe would block the reader; a device never ends
        raise AudioError(
            path,
            "not a regular file (a folder, pipe or device)",
            "put the exported audio file here",
        )
    size = status.st_size
    if size == 0:
        raise AudioError(path, "the file is empty (0 bytes)", _REENCODE)
    return size


def _mp3_length(path: Path, info: Any, size: int) -> tuple[float, bool, bool]:
    """(seconds, exact, vbr_without_header) for an MP3.

    With a Xing/VBRI header mutagen's length is exact. Without one mutagen (and every app)
    estimates from the first frame's bitrate, which is wrong for VBR: count the frames instead
    (`mpeg.scan`: from the size when the file is CBR, header by header when it is not).
    """
    if _has_vbr_header(info):
        return float(info.length), True, False
    try:
        frames = mpeg.scan(path, info.frame_offset, size)
    except (OSError, ValueError):
        frames = None
    if frames is None or frames.count == 0:  # not a stream we can count: mutagen's estimate
        return float(info.length), False, False
    return frames.seconds, True, frames.variable


def _has_vbr_header(info: Any) -> bool:
    """Whether mutagen's first frame carried a Xing/Info/VBRI header.

    mutagen copies that frame's attributes onto the info; `bitrate_mode` is set only by a header.
    """
    return info.bitrate_mode is not BitrateMode.UNKNOWN or "bitrate_mode" in vars(info)


def read_tags(parsed: Any) -> Tags:
    """Title, artist, date, track, comment and cover type from any tag format."""
    if isinstance(parsed.tags, ID3):
        return _id3_tags(parsed.tags)
    if isinstance(parsed, MP4) and parsed.tags is not None:
        return _mp4_tags(parsed.tags)
    if parsed.tags is not None and hasattr(parsed.tags, "get"):
        return _vorbis_tags(parsed)
    return Tags()


def _first(values: Any) -> str | None:
    if not values:
        return None
    value = values[0] if isinstance(values, list) else values
    text = str(value).strip()
    return text or None


def _track(text: str | None) -> int | None:
    if not text:
        return None
    head = text.split("/")[0].strip()
    return int(head) if head.isdigit() else None


def _id3_tags(tags: ID3) -> Tags:
    def text(frame_id: str) -> str | None:
        frame = tags.get(frame_id)
        return _first(frame.text) if frame is not None else None

    comments = tags.getall("COMM")
    pictures = tags.getall("APIC")
    return Tags(
        title=text("TIT2"),
        artist=text("TPE1"),
        album=text("TALB"),
        date=text("TDRC") or text("TYER"),
        track=_track(text("TRCK")),
        comment=_first(comments[0].text) if comments else None,
        cover_mime=pictures[0].mime if pictures else None,
    )


def _mp4_tags(tags: Any) -> Tags:
    track = tags.get("trkn")
    covers = tags.get("covr") or []
    cover_mime = None
    if covers:
        cover_mime = "image/png" if covers[0].imageformat == covers[0].FORMAT_PNG else "image/jpeg"
    return Tags(
        title=_first(tags.get("\xa9nam")),
        artist=_first(tags.get("\xa9ART")),
        album=_first(tags.get("\xa9alb")),
        date=_first(tags.get("\xa9day")),
        track=int(track[0][0]) if track and track[0][0] else None,
        comment=_first(tags.get("\xa9cmt")) or _first(tags.get("desc")),
        cover_mime=cover_mime,
    )


def _vorbis_tags(parsed: Any) -> Tags:
    tags = parsed.tags
    pictures = getattr(parsed, "pictures", None) or []
    has_block = bool(tags.get("metadata_block_picture"))
    cover_mime = pictures[0].mime if pictures else ("image/jpeg" if has_block else None)
    return Tags(
        title=_first(tags.get("title")),
        artist=_first(tags.get("artist")),
        album=_first(tags.get("album")),
        date=_first(tags.get("date")),
        track=_track(_first(tags.get("tracknumber"))),
        comment=_first(tags.get("comment")) or _first(tags.get("description")),
        cover_mime=cover_mime,
    )


def read_chapters(parsed: Any) -> tuple[Chapter, ...]:
    """Chapters embedded in the audio: ID3 CHAP frames (CTOC order) or MP4 chapters."""
    if isinstance(parsed.tags, ID3):
        return _id3_chapters(parsed.tags)
    if isinstance(parsed, MP4) and parsed.chapters:
        return tuple(
            Chapter(start=timedelta(seconds=c.start), title=c.title or f"Chapter {i}")
            for i, c in enumerate(parsed.chapters, 1)
        )
    return ()


def _id3_chapters(tags: ID3) -> tuple[Chapter, ...]:
    chaps = {frame.element_id: frame for frame in tags.getall("CHAP")}
    if not chaps:
        return ()
    order = [frame.child_element_ids for frame in tags.getall("CTOC")]
    ids = [i for i in (order[0] if order else []) if i in chaps] or sorted(
        chaps, key=lambda i: chaps[i].start_time
    )
    chapters = []
    for number, element_id in enumerate(ids, 1):
        frame = chaps[element_id]
        title = frame.sub_frames.get("TIT2")
        url = frame.sub_frames.get("WXXX:") or frame.sub_frames.get("WXXX")
        pictures = frame.sub_frames.getall("APIC")
        chapters.append(
            Chapter(
                start=timedelta(milliseconds=frame.start_time),
                title=(_first(title.text) if title is not None else None) or f"Chapter {number}",
                url=url.url if url is not None else None,
                embedded_image=picture_mime(pictures[0].data) if pictures else None,
            )
        )
    return tuple(chapters)


def picture_mime(data: bytes) -> str | None:
    """`image/jpeg` or `image/png` from an embedded picture's bytes (its declared type lies)."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    return None
