"""Whether two audio files hold the same recording, whatever their tags say.

`podcast add` and `podcast tag` rewrite an episode's tags (a cover, chapters, the title), so an
episode's file no longer has the bytes of the export it was made from: comparing whole files
would miss the same export added twice. The audio frames are never touched by tagging, so the
same recording shows as the same bytes in the middle of both files, shifted by the change in
tag size. `same_recording` reads a few small excerpts of one file and looks for each of them
near the same distance from the end of the other: reading kilobytes, not whole episodes.
"""

from __future__ import annotations

import filecmp
import os
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
