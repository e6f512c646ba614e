"""Whether two audio files hold the same recording, whatever their tags say.

`podcast add` and `podcast tag` rewrite an episode's tags (a cover, chapters, the title), so an
episode's file no longer has the bytes of the export it was made from: comparing whole files
would miss the same export added twice. The audio frames are never touched by tagging, so the
same recording shows as the same bytes in the middle of both files, shifted by the change in
tag size. `same_recording` reads a few small excerpts of one file and looks for each of them
near the same distance from the end of the other: reading kilobytes, not whole episodes.

Among many files of one type and length (a back catalog of same-length MP3s), comparing every
pair would read the catalog many times over: `repeats` keys each MP3 by a `signature` of the
same excerpts taken from its audio frames alone (after the ID3v2 tag, before an ID3v1 one),
which tags cannot change, so the same recording is found by a dictionary lookup. The probe
takes each MP3's signature while it has the file (`read.audio`), and the probe cache keeps it,
so a check of an unchanged catalog opens no file for this. Other types (whose tags may sit
anywhere) are compared pair by pair as before.
"""

from __future__ import annotations

import filecmp
import hashlib
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

EXCERPT = 512  # bytes: far too long to match by chance between two different recordings
# Where the excerpts are taken, as shares of the shorter file counted back from the end: the
# audio frames end a file (bar a 128-byte ID3v1 tag) while a tag with a cover may open it.
SHARES = (0.1, 0.25, 0.4)
SLACK = 256 * 1024  # bytes either side searched beyond the size difference (tags, padding)
MAX_TAG_CHANGE = 4 * 1024 * 1024  # a larger size difference is another recording


def could_match(first_size: int, second_size: int) -> bool:
    """Whether two sizes are close enough for one file to be the other retagged."""
    return abs(first_size - second_size) <= MAX_TAG_CHANGE


def same_recording(first: Path, second: Path) -> bool:
    """True when `second` holds `first`'s audio frames: the same bytes, or the same with other
    tags. False for unreadable files."""
    try:
        size, other = os.path.getsize(first), os.path.getsize(second)
        if size == other and filecmp.cmp(first, second, shallow=False):
            return True
        if not could_match(size, other) or size < 4 * EXCERPT:
            return False
        with first.open("rb") as a, second.open("rb") as b:
            return all(_found(a, b, size, other, share) for share in SHARES)
    except OSError:
        return False


def _found(a: BinaryIO, b: BinaryIO, size: int, other: int, share: float) -> bool:
    """Whether the excerpt of `a` at `share` back from its end is in `b` about as far back."""
    back = int(min(size, other) * share) + EXCERPT
    a.seek(size - back)
    excerpt = a.read(EXCERPT)
    reach = abs(other - size) + SLACK
    low = max(0, other - back - reach)
    b.seek(low)
    region = b.read(other - back + reach + EXCERPT - low)
    return len(excerpt) == EXCERPT and excerpt in region


def repeats(
    paths: Sequence[Path], known: Sequence[str | None] | None = None
) -> Iterator[tuple[int, int]]:
    """(i, j) for each file `paths[i]` holding the same recording as the earlier `paths[j]`
    (the first such), among files of one type and length. `known[i]`, where not None, is the
    `signature` of `paths[i]` taken earlier (by the probe); the others are taken here."""
    first_with: dict[str, int] = {}
    compared: list[int] = []  # files without a signature: compared pair by pair
    for index, path in enumerate(paths):
        key = (known[index] if known else None) or signature(path)
        if key is not None:
            earlier = first_with.setdefault(key, index)
            if earlier != index:
                yield index, earlier
            continue
        for earlier in compared:
            if same_recording(paths[earlier], path):
                yield index, earlier
                break
        compared.append(index)


def signature(path: Path) -> str | None:
    """A digest (hex) of an MP3's audio frames at SHARES of their length back from their end,
    which a new tag cannot change; None for other files, short or unreadable ones."""
    if path.suffix.lower() != ".mp3":
        return None
    try:
        with path.open("rb", buffering=0) as stream:  # each read 512 bytes, not a buffer's 8 KB
            size = os.fstat(stream.fileno()).st_size
            start = _id3v2_length(stream.read(10))
            stream.seek(max(0, size - 128))
            end = size - 128 if stream.read(3) == b"TAG" else size  # an ID3v1 tag ends it
            frames = end - start
            if frames < 4 * EXCERPT:
                return None
            digest = hashlib.sha256()
            for share in SHARES:
                stream.seek(end - int(frames * share) - EXCERPT)
                digest.update(stream.read(EXCERPT))
    except OSError:
        return None
    return digest.hexdigest()


def _id3v2_length(head: bytes) -> int:
    """The bytes an ID3v2 tag opening the file takes (header, body, footer); 0 without one."""
    if len(head) < 10 or head[:3] != b"ID3":
        return 0
    body = 0
    for byte in head[6:10]:  # a "syncsafe" integer: 7 bits a byte
        body = body << 7 | byte & 0x7F
    return 10 + body + (10 if head[5] & 0x10 else 0)
