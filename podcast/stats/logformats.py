"""Read access logs: open plain, gzip'd or stdin, recognise the format, split lines into hits.

A hit is a plain tuple, the cheapest thing Python makes per line:
(ip, time text, method, path, status, bytes sent, referer, user agent, range header), any of
them None when the format does not log it. Times are parsed later, only for audio requests.
"""

from __future__ import annotations

import gzip
import io
import itertools
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO
from urllib.parse import unquote

from podcast.errors import PodcastError

Hit = tuple[str | None, ...]
IP, TIME, METHOD, PATH, STATUS, SENT, REFERER, AGENT, RANGE = range(9)
SNIFF_LINES = 50  # lines read to recognise a file's format
MONTHS = {m: i for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), 1)}
_QUOTED = r'"([^"\\]*(?:\\.[^"\\]*)*)"'  # unrolled: no per-character alternation
_REQUEST = r'"(?:([^" ]+) ([^" ]+)[^"]*|[^"]*)"'
# nginx/Apache combined, optionally followed by the Range header (the `podcast` format, which
# is also what gunicorn.conf.py's access_log_format writes).
COMBINED = re.compile(
    rf"(\S+) \S+ \S+ \[([^\]]+)\] {_REQUEST} (\d{{3}}) (\d+|-) {_QUOTED} {_QUOTED}"
    rf"(?: {_QUOTED})?"
)
S3 = re.compile(
    rf"\S+ \S+ \[([^\]]+)\] (\S+) \S+ \S+ [A-Z]+\.[A-Z_.]+ \S+ {_REQUEST} (\d{{3}}|-) \S+ "
    rf"(\d+|-) \S+ \S+ \S+ {_QUOTED} {_QUOTED}"
)
CLOUDFRONT_FIELDS = (
    "date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status "
    "cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id "
    "x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher "
    "x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields c-port "
    "time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len "
    "sc-range-start sc-range-end"
).split()


class LogError(PodcastError):
    """A log that cannot be read at all: missing, unreadable, binary or of an unknown format."""


@dataclass
class LogFormat:
    """One access-log format: how to recognise a line, split it, and read its time."""

    name: str
    description: str
    split: Callable[[str], Hit | None]
    when: Callable[[str], float]


@dataclass
class LogFile:
    """An opened log: its name, its recognised format and its lines (sniffed ones included)."""

    name: str
    format: LogFormat
    head: list[str]  # the lines read to recognise the format (still in `lines`)
    lines: Iterable[str]
    text: io.TextIOWrapper | None = None
    problem: str = ""  # why reading stopped early, if it did

    def close(self) -> None:
        """Close the file (stdin is only let go of, not closed)."""
        if self.text is not None:
            if self.name == "-":
                self.text.detach()
            else:
                self.text.close()
            self.text = None


_MINUTES: dict[str, float] = {}  # "10/Oct/2000:13:55 -0700" → Unix seconds: lines share minutes


def clf_time(text: str) -> float:
    """`10/Oct/2000:13:55:36 -0700` (common log format) as Unix seconds; NaN if malformed."""
    minute = text[:17] + text[20:]
    base = _MINUTES.get(minute)
    try:
        if base is None:
            base = _clf_minute(text)
            if len(_MINUTES) > 10_000:
                _MINUTES.clear()
            _MINUTES[minute] = base
        return base + int(text[18:20])
    except (KeyError, ValueError, IndexError):
        return float("nan")


def _clf_minute(text: str) -> float:
    day, month, year = int(text[0:2]), MONTHS[text[3:6]], int(text[7:11])
    hour, minute = int(text[12:14]), int(text[15:17])
    if text[11] != ":" or text[20] != " " or len(text) != 26:
        raise ValueError(text)
    sign = -1 if text[21] == "-" else 1
    offset = sign * (int(text[22:24]) * 3600 + int(text[24:26]) * 60)
    return datetime(year, month, day, hour, minute, tzinfo=UTC).timestamp() - offset


def iso_time(text: str) -> float:
    """`2019-12-04 21:02:31` (CloudFront's date and time, UTC) as Unix seconds."""
    try:
        return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()
    except ValueError:
        return float("nan")


def _split_combined(line: str) -> Hit | None:
    """Split on quotes (fast), checking the shape; the regex for anything unusual."""
    parts = line.split('"')
    count = len(parts)
    if (count == 7 or count == 9) and parts[4] == " " and (count == 7 or parts[6] == " "):
        head, numbers = parts[0], parts[2].split()
        start = head.find(" [")
        request = parts[1].split(" ", 2)
        if (
            head.endswith("] ")
            and start > 0
            and len(numbers) == 2
            and len(request) >= 2
            and not parts[-1].strip()
        ):
            ip, when = head[: head.find(" ")], head[start + 2 : -2]
            status, sent = numbers
            span = parts[7] if count == 9 else None
            return (ip, when, request[0], request[1], status, sent, parts[3], parts[5], span)
    match = COMBINED.match(line)
    return match.groups() if match else None


def _split_s3(line: str) -> Hit | None:
    match = S3.match(line)
    if match is None:
        return None
    when, ip, method, path, status, sent, referer, agent = match.groups()
    return (ip, when, method, path, status, sent, referer, agent, None)


class CloudFront:
    """CloudFront standard logs: tab-separated, columns named by a `#Fields:` line."""

    def __init__(self) -> None:
        self.columns = {name: i for i, name in enumerate(CLOUDFRONT_FIELDS)}

    def split(self, line: str) -> Hit | None:
        """One tab-separated line as a hit; a `#Fields:` line renames the columns."""
        if line.startswith("#"):
            if line.startswith("#Fields:"):
                self.columns = {n: i for i, n in enumerate(line[8:].split())}
            return ()
        cells = line.rstrip("\r\n").split("\t")
        col = self.columns
        try:
            when = f"{cells[col['date']]} {cells[col['time']]}"
            status, path = cells[col["sc-status"]], cells[col["cs-uri-stem"]]
            hit: list[str | None] = [
                cells[col["c-ip"]],
                when,
                cells[col["cs-method"]],
                path,
                status,
            ]
            hit += [cells[col["sc-bytes"]], cells[col["cs(Referer)"]]]
            hit += [unquote(unquote(cells[col["cs(User-Agent)"]]))]
        except (IndexError, KeyError):
            return None
        hit.append(self._range(cells))
        return tuple(hit) if status.isdigit() and len(when) == 19 else None

    def _range(self, cells: list[str]) -> str | None:
        start, end = self.columns.get("sc-range-start"), self.columns.get("sc-range-end")
        if start is None or end is None or end >= len(cells) or cells[start] == "-":
            return None
        return f"bytes={cells[start]}-{cells[end]}"


def formats() -> list[LogFormat]:
    """Every format this reads, in the order they are tried."""
    cloudfront = CloudFront()
    return [
        LogFormat(
            "cloudfront", "CloudFront standard log (tab-separated)", cloudfront.split, iso_time
        ),
        LogFormat("s3", "S3 server access log", _split_s3, clf_time),
        LogFormat(
            "podcast",
            "nginx/Apache combined + Range header (also gunicorn.conf.py)",
            _split_combined,
            clf_time,
        ),
        LogFormat(
            "combined",
            "nginx/Apache combined (no Range: partial requests counted conservatively)",
            _split_combined,
            clf_time,
        ),
    ]


def known_formats() -> str:
    """The formats this reads, for error messages."""
    return ", ".join(f"{f.name} ({f.description})" for f in formats())


def open_log(name: str) -> LogFile:
    """Open a log file (or `-` for stdin), gunzip it if needed and recognise its format."""
    stream = _binary(name)
    head = _peek(name, stream)
    if head[:2] == b"\x1f\x8b":
        stream = _gunzip(name, stream)
        head = _peek(name, stream)
    if b"\x00" in head:
        if name != "-":
            stream.close()
        raise LogError(f"{name}: a binary file, not an access log (give the log's text file)")
    text = io.TextIOWrapper(stream, encoding="utf-8", errors="replace", newline="")
    sniffed, problem = _sniff(text)
    try:
        found = _recognise(name, sniffed)
    except LogError:
        LogFile(name, formats()[2], [], [], text).close()
        raise
    rest = _chain(sniffed, text) if not problem else sniffed
    return LogFile(name, found, sniffed, rest, text, problem)


def _gunzip(name: str, stream: io.BufferedReader) -> io.BufferedReader:
    if name == "-":
        return io.BufferedReader(gzip.GzipFile(fileobj=stream))
    stream.close()
    return io.BufferedReader(gzip.open(Path(name), "rb"))


def _sniff(text: IO[str]) -> tuple[list[str], str]:
    """The first lines, and a problem when the file ends early (a truncated gzip)."""
    sniffed: list[str] = []
    try:
        for line in text:
            sniffed.append(line)
            if len(sniffed) >= SNIFF_LINES:
                break
    except (OSError, EOFError) as exc:
        return sniffed, f"stopped reading after line {len(sniffed)}: {exc}"
    return sniffed, ""


def _binary(name: str) -> io.BufferedReader:
    if name == "-":
        raw = sys.stdin.buffer
        return raw if isinstance(raw, io.BufferedReader) else io.BufferedReader(raw)  # type: ignore[arg-type]
    try:
        return open(Path(name), "rb")  # noqa: SIM115 - streamed by the caller, closed at exit
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise LogError(f"{name}: cannot read the log ({reason}); check the path") from None


def _peek(name: str, stream: io.BufferedReader) -> bytes:
    try:
        return stream.peek(8192)[:8192]
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise LogError(f"{name}: a damaged gzip file ({exc})") from None


def _recognise(name: str, lines: list[str]) -> LogFormat:
    """The format most of the first lines parse as; `podcast` when they carry a Range field."""
    content = [line for line in lines if line.strip()]
    if not content:
        return formats()[2]
    best, best_score = None, 0
    for candidate in formats():
        hits = [candidate.split(line) for line in content]
        score = sum(1 for hit in hits if hit is not None)
        if candidate.name == "podcast":
            score = sum(1 for hit in hits if hit and hit[RANGE] is not None) and score
        if score > best_score:
            best, best_score = candidate, score
    if best is None:
        raise LogError(
            f"{name}: not an access log format this knows; known formats: {known_formats()}"
        )
    return best


def _chain(first: list[str], rest: IO[str]) -> Iterator[str]:
    return itertools.chain(first, rest)
