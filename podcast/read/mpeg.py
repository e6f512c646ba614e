"""Count an MP3's frames from their 4-byte headers, without one Python object per frame.

A file without a Xing/VBRI header says nothing about its length. If it is CBR, its length is
exact from its size and the first frame's bitrate. Three ways, cheapest first:

1. Sampling (`_grid_count`): a CBR stream's frame k starts at k times the average frame size
   (the padding bit keeps that average exact), so a few bytes read where frames must start
   (one every 256 KB, and the last, which must end where the audio does) confirm it. An
   hour-long episode costs a hundred reads of a frame's size, not reading 30 MB.
2. Counting (`_constant_count`): every frame shares the first one's header bytes but the
   padding bit; one compiled-pattern pass over the file counts them (a CBR file whose encoder
   pads differently, or that carries junk between frames).
3. Walking (`_walk`): a VBR file, header by header over the file's bytes.

A sample that misses (another bitrate, junk, a cut) only sends the file to the exact ways.
"""

from __future__ import annotations

import mmap
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import BinaryIO

# kbit/s by bitrate index, for (MPEG-1?, layer); MPEG-2/2.5 share one table per layer group.
_BITRATES = {
    (True, 1): (0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),
    (True, 2): (0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),
    (True, 3): (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    (False, 1): (0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
    (False, 2): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_BITRATES[(False, 3)] = _BITRATES[(False, 2)]
_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}
CHUNK = 1 << 20
SPACING = 1 << 18  # bytes between sampled frames in `_grid_count`
SAMPLES = 16  # and at least this many samples in a short file


@dataclass(frozen=True, slots=True)
class Frames:
    """What a scan found: frames, samples per frame, sample rate, and whether bitrates vary."""

    count: int
    samples: int
    sample_rate: int
    variable: bool

    @property
    def seconds(self) -> float:
        """The stream's length from its frame count."""
        return self.count * self.samples / self.sample_rate


def header(b1: int, b2: int) -> tuple[int, int, int, int, int] | None:
    """(frame bytes without padding, padding bytes, samples, sample rate, bits per second) of a
    header, or None.

    `b1` and `b2` are the header's second and third bytes; free-format (index 0) is None.
    """
    version, layer, index, rate = (b1 >> 3) & 3, 4 - ((b1 >> 1) & 3), b2 >> 4, (b2 >> 2) & 3
    if b1 & 0xE0 != 0xE0 or version == 1 or layer == 4 or index in (0, 15) or rate == 3:
        return None
    mpeg1 = version == 3
    bitrate = _BITRATES[(mpeg1, layer)][index] * 1000
    sample_rate = _RATES[version][rate]
    samples = 384 if layer == 1 else 1152 if mpeg1 or layer == 2 else 576
    slot = 4 if layer == 1 else 1
    frame = (samples // 8 * bitrate // sample_rate) * slot
    return frame, slot, samples, sample_rate, bitrate


@cache
def _lengths() -> list[tuple[int, int, int, int, int] | None]:
    """`header` for every (second, third) header byte pair, indexed `b1 << 8 | b2`.

    A second byte below 0xE0 lacks the sync bits: only the top 8,192 pairs are computed, on
    the first scan (a warm `check` never scans, and it starts a process each time).
    """
    table: list[tuple[int, int, int, int, int] | None] = [None] * 0xE000
    table += [header(b1, b2) for b1 in range(0xE0, 0x100) for b2 in range(256)]
    return table


def audio_end(fileobj: BinaryIO, size: int) -> int:
    """Where the MPEG stream ends: before an ID3v1 tag and an APEv2 tag at the end, if any."""
    fileobj.seek(max(0, size - 160))
    tail = fileobj.read()
    end = size
    if tail[-128:-125] == b"TAG":
        end -= 128
    footer = tail[len(tail) - (size - end) - 32 : len(tail) - (size - end)]
    if footer[:8] == b"APETAGEX":
        end -= int.from_bytes(footer[12:16], "little") + (32 if footer[23] & 0x80 else 0)
    return max(end, 0)


def scan(path: Path, start: int, size: int) -> Frames | None:
    """The frames of the stream whose first frame is at `start`; None if none is there.

    The file is read unbuffered: the samples are a few hundred bytes each, and a buffered
    reader fills 8 KB at every seek (most of a short file, read in pieces).
    """
    with path.open("rb", buffering=0) as fileobj:
        end = audio_end(fileobj, size)
        fileobj.seek(start)
        first = fileobj.read(4)
        if len(first) < 4 or first[0] != 0xFF or _lengths()[first[1] << 8 | first[2]] is None:
            return None
        counted = _grid_count(fileobj, start, end, first)
        if counted is None:
            counted = _constant_count(fileobj, start, end, first)
        if counted is not None:
            return counted
        with mmap.mmap(fileobj.fileno(), 0, access=mmap.ACCESS_READ) as data:
            return _walk(data, start, end)


def _grid_count(fileobj: BinaryIO, start: int, end: int, first: bytes) -> Frames | None:
    """The frame count from the size, if sampled frames sit where a constant bitrate puts them.

    Each sample must hold the first frame's header (but for padding) within a few bytes of
    k times the average frame size, and the frame after it too; the last frame must end where
    the audio does. Anything else is None: the caller counts exactly.
    """
    length, slot, samples, rate, bitrate = _lengths()[first[1] << 8 | first[2]] or (0, 0, 0, 0, 0)
    # A CBR frame's average size is samples * bitrate / (8 * rate) bytes exactly (the padding
    # bit keeps it so); integers, as the ratio of these two.
    per_frames, per_bytes = samples * bitrate, 8 * rate
    audio = end - start
    count = (2 * audio * per_bytes + per_frames) // (2 * per_frames)  # rounded
    if count < 3 or abs(audio * per_bytes - count * per_frames) > slot * per_bytes:
        return None
    step = max(1, min(SPACING * per_bytes // per_frames, count // SAMPLES))
    sync, base, tolerance = bytes((0xFF, first[1])), first[2] & 0xFD, 2 * slot
    for index in [*range(1, count - 1, step), count - 1]:
        near = start + index * per_frames // per_bytes - tolerance
        fileobj.seek(near)
        window = fileobj.read(2 * tolerance + length + 2 * slot + 4)
        last = index == count - 1
        ends = _frame_ends(window, sync, base, 2 * tolerance + 1, length, slot, last)
        if ends is None or (last and near + ends != end):
            return None
    return Frames(count, samples, rate, variable=False)


def _frame_ends(
    window: bytes, sync: bytes, base: int, within: int, length: int, slot: int, last: bool
) -> int | None:
    """Where, in `window`, the frame starting in its first `within` bytes ends: its header
    must be `sync` then `base` but for the padding bit, and so must the next one's unless it
    is the `last`."""
    offset = window.find(sync, 0, within + 1)
    while offset >= 0 and offset + 2 < len(window):
        if window[offset + 2] & 0xFD == base:
            ends = offset + length + (slot if window[offset + 2] & 2 else 0)
            following = window[ends : ends + 3]
            if last or (
                len(following) == 3 and following[:2] == sync and following[2] & 0xFD == base
            ):
                return ends
        offset = window.find(sync, offset + 1, within + 1)
    return None


def _constant_count(fileobj: BinaryIO, start: int, end: int, first: bytes) -> Frames | None:
    """The frame count if every header matches the first one's but for padding (CBR)."""
    length, slot, samples, rate, _ = _lengths()[first[1] << 8 | first[2]] or (0, 0, 0, 0, 0)
    base = first[2] & 0xFD  # every field but the padding bit stays put in a CBR stream
    padded = bytes((0xFF, first[1], base | 2))
    # One pass of a compiled pattern: bytes.count of a 3-byte needle starting 0xFF runs at a
    # fraction of the speed on MPEG data, which is full of 0xFF bytes.
    both = re.compile(re.escape(padded[:2]) + b"[" + re.escape(bytes((base, base | 2))) + b"]")
    counts = [0, 0]
    fileobj.seek(start)
    position, carry = start, b""
    while position < end:
        chunk = carry + fileobj.read(min(CHUNK, end - position))
        if len(chunk) == len(carry):
            break
        position += len(chunk) - len(carry)
        found = both.findall(chunk)
        with_padding = found.count(padded)
        counts[0] += len(found) - with_padding
        counts[1] += with_padding
        carry = chunk[-2:]
    by_size = round((end - start - counts[1] * slot) / length)
    # Header-like bytes inside the audio inflate the count, frames of another bitrate shrink it;
    # either way a quarter second's worth of frames apart sends the file to the exact walk.
    if abs(sum(counts) - by_size) > max(2, rate // samples // 4):
        return None
    return Frames(by_size, samples, rate, variable=False)


def _walk(data: mmap.mmap, start: int, end: int) -> Frames:
    """Jump from header to header; a gap is skipped to the next run of three valid frames."""
    lengths, first = _lengths(), data[start + 1] << 8 | data[start + 2]
    _, _, samples, rate, _ = lengths[first] or (0, 0, 0, 0, 0)
    stream = (data[start + 1], data[start + 2] & 0x0C)  # version, layer, rate: fixed
    count, bitrates, position = 0, set(), start
    while position + 4 <= end:
        b1, b2 = data[position + 1], data[position + 2]
        found = lengths[b1 << 8 | b2] if data[position] == 0xFF else None
        if found is None or (b1, b2 & 0x0C) != stream:
            position = _resync(data, position + 1, end, stream)
            continue
        length, slot = found[0], found[1]
        count += 1
        bitrates.add(b2 >> 4)
        position += length + (slot if b2 & 2 else 0)
    return Frames(count, samples, rate, variable=len(bitrates) > 1)


def _resync(data: mmap.mmap, position: int, end: int, stream: tuple[int, int]) -> int:
    """The next offset where three frames of the same stream follow each other, or `end`."""
    lengths = _lengths()
    while True:
        position = data.find(b"\xff", position, end)
        if position < 0:
            return end
        probe, ok = position, True
        for _ in range(3):
            if probe + 4 > end:
                return end
            b1, b2 = data[probe + 1], data[probe + 2]
            found = lengths[b1 << 8 | b2] if data[probe] == 0xFF else None
            if found is None or (b1, b2 & 0x0C) != stream:
                ok = False
                break
            probe += found[0] + (found[1] if b2 & 2 else 0)
        if ok:
            return position
        position += 1
