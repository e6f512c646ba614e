"""Read the few ID3v2 frames a probe needs straight from the tag's bytes, or say "ask mutagen".

mutagen builds a Python object for every frame and field of a tag (about 0.4 ms for a tag
with a cover and two chapters, most of a cold `check`). A probe needs six text frames, the
first comment, the cover's MIME type and the chapters: `read` walks the frame headers,
decodes only those, and skips the rest (the cover's bytes included) by their sizes.

It is deliberately narrow: ID3v2.3 and v2.4 without unsynchronisation, extended headers,
compressed or encrypted frames, duplicate frames or anything it cannot decode exactly. For
all of that it returns None and the caller uses mutagen, so the answer never differs from
mutagen's; tests/read/test_id3.py compares the two on every kind of tag.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from mutagen.id3 import ID3TimeStamp

from podcast.model import Chapter, Tags

HEADER = 10
_TEXT_FRAMES = ("TIT2", "TPE1", "TALB", "TDRC", "TRCK")
# v2.3 dates are split over frames mutagen merges into TDRC; a v2.2-style or odd tag too.
_ASK_MUTAGEN = {"TYER", "TDAT", "TIME", "TORY", "TRDA", "IPLS", "TDOR"}
_FRAME_ID = re.compile(rb"[A-Z0-9]{4}")
_ENCODINGS = ("latin-1", "utf-16", "utf-16-be", "utf-8")
_TERMINATORS = (b"\x00", b"\x00\x00", b"\x00\x00", b"\x00")
# Frame flags that change how the data reads (v2.3: compression, encryption, grouping;
# v2.4: grouping, compression, encryption, unsynchronisation, data length indicator).
_FLAGS = {3: 0x00E0, 4: 0x004F}


class AskMutagen(Exception):
    """The tag uses something `read` does not decode; mutagen reads it instead."""


@dataclass(frozen=True, slots=True)
class Found:
    """What the tag says: its tags and its chapters (CTOC order)."""

    tags: Tags
    chapters: tuple[Chapter, ...]


def tag_size(header: bytes) -> int | None:
    """The whole tag's size (header included) if `header` opens an ID3v2 tag, else None."""
    if len(header) < HEADER or header[:3] != b"ID3" or any(b & 0x80 for b in header[6:10]):
        return None
    return _synchsafe(header[6:10]) + HEADER


def read(tag: bytes) -> Found | None:
    """The tags and chapters in a whole ID3v2 tag (header included); None: ask mutagen."""
    version, flags = tag[3], tag[5]
    if version not in (3, 4) or flags & 0xFF:  # unsynchronised, extended, experimental…
        return None
    try:
        frames = _frames(tag[HEADER:], version)
        return Found(_tags(frames), _chapters(frames, version))
    except (AskMutagen, UnicodeDecodeError, ValueError, IndexError):
        return None


def _synchsafe(data: bytes) -> int:
    return data[0] << 21 | data[1] << 14 | data[2] << 7 | data[3]


def _frames(data: bytes, version: int) -> dict[str, bytes]:
    """Frame data by mutagen's hash key (TIT2, COMM:desc:lang, CHAP:id…), in file order."""
    found: dict[str, bytes] = {}
    position = 0
    while position + HEADER <= len(data):
        name = data[position : position + 4]
        if name == b"\x00\x00\x00\x00":
            break  # padding
        if not _FRAME_ID.fullmatch(name):
            raise AskMutagen("not a frame")
        raw_size = data[position + 4 : position + 8]
        if version == 4 and any(b & 0x80 for b in raw_size):
            raise AskMutagen("an iTunes-style frame size")
        size = _synchsafe(raw_size) if version == 4 else int.from_bytes(raw_size, "big")
        start, position = position + HEADER, position + HEADER + size
        if position > len(data):
            raise AskMutagen("a frame past the tag's end")
        frame_id = name.decode("ascii")
        if frame_id in _ASK_MUTAGEN:
            raise AskMutagen(frame_id)
        if size == 0 or not _wanted(frame_id):
            continue
        if int.from_bytes(data[start - 2 : start], "big") & _FLAGS[version]:
            raise AskMutagen("a compressed or encrypted frame")
        key = _hash_key(frame_id, data[start:position])
        if key in found:
            raise AskMutagen("a duplicate frame")
        found[key] = data[start:position]
    return found


def _wanted(frame_id: str) -> bool:
    return frame_id in _TEXT_FRAMES or frame_id in ("COMM", "APIC", "CHAP", "CTOC", "WXXX")


def _hash_key(frame_id: str, data: bytes) -> str:
    """mutagen's key for a frame: two comments with different descriptions are both kept."""
    if frame_id == "COMM":  # encoding, language, description, text
        description, _ = _text(data[0], data[4:])
        return f"COMM:{description}:{data[1:4].decode('latin-1')}"
    if frame_id == "APIC":  # encoding, MIME type, picture type, description, data
        _, rest = _text(0, data[1:])
        return f"APIC:{_text(data[0], rest[1:])[0]}"
    if frame_id == "WXXX":  # encoding, description, URL
        return f"WXXX:{_text(data[0], data[1:])[0]}"
    if frame_id in ("CHAP", "CTOC"):  # element id first
        return f"{frame_id}:{_text(0, data)[0]}"
    return frame_id


def _text(encoding: int, data: bytes) -> tuple[str, bytes]:
    """One terminated string in `encoding` (an ID3 encoding byte) and the bytes after it."""
    terminator = _TERMINATORS[encoding]
    end = data.find(terminator)
    while len(terminator) == 2 and end >= 0 and end % 2:  # UTF-16 units start at even offsets
        end = data.find(terminator, end + 1)
    if end < 0:
        return _decode(encoding, data), b""
    return _decode(encoding, data[:end]), data[end + len(terminator) :]


def _decode(encoding: int, data: bytes) -> str:
    if encoding == 1 and not data:
        return ""
    if encoding == 1 and data[:2] not in (b"\xff\xfe", b"\xfe\xff"):
        raise AskMutagen("UTF-16 without a byte order mark")
    return data.decode(_ENCODINGS[encoding])


def _first_text(data: bytes) -> str:
    """The first string of a text frame as written (mutagen's `frame.text[0]`)."""
    if not data or data[0] > 3:
        raise AskMutagen("an unknown text encoding")
    return _text(data[0], data[1:])[0]


def _stripped(text: str) -> str | None:
    return text.strip() or None


def _tags(frames: dict[str, bytes]) -> Tags:
    values = {f: _first_text(frames[f]) for f in _TEXT_FRAMES if f in frames}
    date = values.get("TDRC")
    track = _stripped(values.get("TRCK", ""))
    head = track.split("/")[0].strip() if track else ""
    comments = [data for key, data in frames.items() if key.startswith("COMM:")]
    pictures = [data for key, data in frames.items() if key.startswith("APIC:")]
    return Tags(
        title=_stripped(values.get("TIT2", "")),
        artist=_stripped(values.get("TPE1", "")),
        album=_stripped(values.get("TALB", "")),
        date=_date(date) if date is not None else None,
        track=int(head) if head.isdigit() else None,
        comment=_comment(comments[0]) if comments else None,
        cover_mime=_text(0, pictures[0][1:])[0] if pictures else None,
    )


def _date(text: str) -> str | None:
    """mutagen's reading of a TDRC value: `2024-03-05T06:00` is `2024-03-05 06:00`."""
    return _stripped(str(ID3TimeStamp(text)))  # type: ignore[no-untyped-call]


def _comment(data: bytes) -> str | None:
    _, text = _text(data[0], data[4:])
    return _stripped(_first_text(bytes([data[0]]) + text))


def _chapters(frames: dict[str, bytes], version: int) -> tuple[Chapter, ...]:
    chaps = {key[5:]: data for key, data in frames.items() if key.startswith("CHAP:")}
    if not chaps:
        return ()
    parsed = {element_id: _chap(data, version) for element_id, data in chaps.items()}
    tocs = [data for key, data in frames.items() if key.startswith("CTOC:")]
    order = [i for i in (_toc(tocs[0]) if tocs else []) if i in parsed] or sorted(
        parsed, key=lambda i: parsed[i][0]
    )
    return tuple(
        Chapter(
            start=timedelta(milliseconds=parsed[element_id][0]),
            title=parsed[element_id][1] or f"Chapter {number}",
            url=parsed[element_id][2],
            embedded_image=parsed[element_id][3],
        )
        for number, element_id in enumerate(order, 1)
    )


def _chap(data: bytes, version: int) -> tuple[int, str | None, str | None, str | None]:
    """(start ms, title, url, embedded picture MIME) of a CHAP frame."""
    _, rest = _text(0, data)
    if len(rest) < 16:
        raise AskMutagen("a short CHAP frame")
    subframes = _frames(rest[16:], version)
    title = _stripped(_first_text(subframes["TIT2"])) if "TIT2" in subframes else None
    link = subframes.get("WXXX:")
    url = _text(0, _text(link[0], link[1:])[1])[0] if link else None
    pictures = [value for key, value in subframes.items() if key.startswith("APIC:")]
    return int.from_bytes(rest[:4], "big"), title, url, _picture_mime(pictures)


def _picture_mime(pictures: list[bytes]) -> str | None:
    if not pictures:
        return None
    _, rest = _text(0, pictures[0][1:])  # the declared MIME type is not trusted
    _, image = _text(pictures[0][0], rest[1:])
    if image.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if image.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    return None


def _toc(data: bytes) -> list[str]:
    """The child element ids of a CTOC frame."""
    _, rest = _text(0, data)
    count, rest = rest[1], rest[2:]
    children = []
    for _ in range(count):
        child, rest = _text(0, rest)
        children.append(child)
    return children
