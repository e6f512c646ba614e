"""Count downloads by the IAB Tech Lab Podcast Measurement Technical Guidelines (v2.3).

Each request is rejected by the first rule it meets, cheapest first: not an episode's audio
(feed fetches are tallied apart), not GET, HEAD, 304, any status but 200/206, outside
--since/--until, the `bytes=0-1` probe, a bot (OPAWG lists, Apple Watch included), a
data-centre address. What is left joins its listener's session for that episode in the
window: the byte intervals are joined (a union, so retries that overlap add nothing) and the
session counts once they cover the episode's threshold (targets.py); later requests in the
same window are duplicates. A download waits until its address's window closes: an address
with more downloads than --max-per-ip in one window is implausible and all of them are
excluded. State older than the window plus LATE_TOLERANCE is dropped, so memory follows the
listeners of one window, not the length of the log.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from podcast.stats.agents import Agent, Agents
from podcast.stats.listeners import Keys, Networks, network
from podcast.stats.logformats import (
    AGENT,
    IP,
    METHOD,
    PATH,
    RANGE,
    SENT,
    STATUS,
    TIME,
    LogError,
    LogFile,
)
from podcast.stats.targets import Paths, Target

DAY = 86_400.0
LATE_TOLERANCE = 6 * 3600.0  # how far out of order a line may come and still join its window
SWEEP_EVERY = 3600.0  # seconds of log time between sweeps of closed windows
WINDOWS = {"day": "calendar day (00:00-24:00 UTC)", "rolling": "rolling 24 hours"}


@dataclass(frozen=True)
class Options:
    """How to count: window, address threshold, time range, data-centre list, salt."""

    window: str = "day"
    max_per_ip: int = 100
    since: float | None = None
    until: float | None = None
    networks: Networks | None = None
    salt: bytes | None = None


Download = tuple[int, float, Agent, bytes]  # episode index, time, agent, listener key


@dataclass(slots=True)
class Session:
    """One listener's requests for one episode in one window."""

    start: float  # the window's start (calendar day, or the first request when rolling)
    first: float  # the first request's time
    intervals: list[list[int]] = field(default_factory=list)
    counted: bool = False


@dataclass
class FileReport:
    """What one log held: its format, lines, and where the lines it could not parse are."""

    name: str
    format: str
    lines: int = 0
    unparsable: int = 0
    first_unparsable: list[int] = field(default_factory=list)
    problem: str = ""


@dataclass
class Tally:
    """Everything counted: downloads by episode, day, app and device; every exclusion."""

    window: str
    max_per_ip: int
    downloads: Counter[int] = field(default_factory=Counter)
    by_episode_day: Counter[tuple[int, str]] = field(default_factory=Counter)
    by_day: Counter[str] = field(default_factory=Counter)
    by_app: Counter[str] = field(default_factory=Counter)
    by_device: Counter[str] = field(default_factory=Counter)
    first_days: dict[int, Counter[int]] = field(default_factory=dict)
    listeners_by_day: dict[str, int] = field(default_factory=dict)
    listeners: set[bytes] = field(default_factory=set)
    excluded: Counter[str] = field(default_factory=Counter)
    bots: Counter[str] = field(default_factory=Counter)
    feed_fetches: int = 0
    other_requests: int = 0
    audio_requests: int = 0
    flagged_addresses: int = 0
    first_seen: float | None = None
    last_seen: float | None = None
    files: list[FileReport] = field(default_factory=list)
    networks: int = 0


def day_of(moment: float) -> str:
    """The UTC calendar day of a Unix time, `YYYY-MM-DD`."""
    return datetime.fromtimestamp(moment, UTC).date().isoformat()


def interval(hit: tuple[str | None, ...], size: int) -> tuple[int, int] | None:
    """The bytes [start, end) this response carried, from its Range header and bytes sent."""
    sent_text = hit[SENT]
    if not sent_text or sent_text == "0" or sent_text == "-" or not sent_text.isdigit():
        return None  # the client went away before any of the body
    sent = int(sent_text)
    header = hit[RANGE]
    if hit[STATUS] != "206" or not header or not header.startswith("bytes="):
        return (0, min(sent, size))
    low, _, high = header[6:].split(",", 1)[0].strip().partition("-")
    if low.isdigit():
        start = int(low)
        end = int(high) + 1 if high.isdigit() else size
    elif high.isdigit():
        start, end = max(0, size - int(high)), size
    else:
        return None
    end = min(end, start + sent, size) if end > start else min(start + sent, size)
    return (start, end) if end > start else None


def covered(intervals: list[list[int]], start: int, end: int) -> int:
    """Add [start, end) to sorted, disjoint intervals in place; the bytes now covered."""
    if not intervals:
        intervals.append([start, end])
        return end - start
    intervals.append([start, end])
    intervals.sort()
    merged: list[list[int]] = []
    for low, high in intervals:
        if merged and low <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], high)
        else:
            merged.append([low, high])
    intervals[:] = merged
    return sum(high - low for low, high in merged)


class Count:
    """The streaming count over one set of logs (see the module docstring for the rules)."""

    def __init__(self, found: list[Target], options: Options) -> None:
        self.paths = Paths(found)
        self.published = {t.index: t.episode.published.timestamp() for t in found}
        self.options = options
        self.by_day = options.window == "day"
        self.keys = Keys(options.salt)
        self.agents = Agents()
        self.tally = Tally(WINDOWS[options.window], options.max_per_ip)
        self.tally.networks = len(options.networks) if options.networks else 0
        self.sessions: dict[tuple[bytes, int, float | None], Session] = {}
        self.pending: dict[tuple[bytes, float], list[Download]] = {}
        self.address_window: dict[bytes, float] = {}
        # window starts by hour, so a sweep visits only the windows it closes
        self.opened: dict[int, list[tuple[bytes, int, float | None]]] = {}
        self.pending_opened: dict[int, list[tuple[bytes, float]]] = {}
        # committed downloads, by (episode, day number, app, device, age bucket)
        self.counted: Counter[tuple[int, int, str, str, int]] = Counter()
        self.day_listeners: dict[int, set[bytes]] = {}
        self.newest, self.oldest = float("-inf"), float("inf")
        self.swept = float("-inf")

    def read(self, log: LogFile) -> None:
        """Count every line of one log; unparsable lines are counted, never fatal."""
        report = FileReport(log.name, log.format.name, problem=log.problem)
        self.tally.files.append(report)
        split, when, request = log.format.split, log.format.when, self.request
        number = 0
        try:
            for number, line in enumerate(log.lines, 1):  # noqa: B007
                hit = split(line)
                if hit:
                    request(hit, when)
                elif hit is None and line.strip():
                    report.unparsable += 1
                    if len(report.first_unparsable) < 5:
                        report.first_unparsable.append(number)
        except (OSError, EOFError) as exc:
            report.problem = f"stopped reading after line {number}: {exc}"
        finally:
            report.lines = number
            log.close()

    def request(self, hit: tuple[str | None, ...], when: Callable[[str], float]) -> None:
        """Apply the rules to one parsed request."""
        path = hit[PATH]
        tally = self.tally
        target = self.paths.episode(path) if path else None
        if target is None:
            if path and self.paths.is_feed(path):
                tally.feed_fetches += 1
            else:
                tally.other_requests += 1
            return
        tally.audio_requests += 1
        if hit[METHOD] != "GET" or (hit[STATUS] != "206" and hit[STATUS] != "200"):
            tally.excluded[_status_rule(hit)] += 1
            return
        moment = when(hit[TIME] or "")
        if moment != moment:  # NaN: a time this cannot read
            tally.excluded["time not readable"] += 1
            return
        if moment > self.newest:
            self.newest = moment
            if moment - self.swept >= SWEEP_EVERY:
                self.swept = moment
                self.sweep(moment - DAY - LATE_TOLERANCE)
        if moment < self.oldest:
            self.oldest = moment
        options = self.options
        if (options.since is not None and moment < options.since) or (
            options.until is not None and moment >= options.until
        ):
            tally.excluded["outside --since/--until"] += 1
            return
        # the rules that need no state: probe, bot, data centre, empty response
        if hit[RANGE] == "bytes=0-1" or (hit[STATUS] == "206" and hit[SENT] == "2"):
            tally.excluded["bytes=0-1 probe"] += 1
            return
        user_agent = hit[AGENT] or ""
        agent = self.agents.known.get(user_agent) or self.agents.classify(user_agent)
        if agent.bot:
            tally.excluded["bot (OPAWG list)"] += 1
            tally.bots[agent.name] += 1
            return
        ip = hit[IP] or ""
        if options.networks is not None and ip in options.networks:
            tally.excluded["data-centre address (--exclude-cidrs)"] += 1
            return
        span = interval(hit, target.size)
        if span is None:
            tally.excluded["no bytes sent"] += 1
            return
        net = network(ip)
        self._session(self.keys.listener(net, user_agent), net, target, moment, span, agent)

    def _session(
        self,
        listener: bytes,
        net: bytes,
        target: Target,
        moment: float,
        span: tuple[int, int],
        agent: Agent,
    ) -> None:
        # a calendar day is part of the key, so a late line for yesterday finds yesterday's
        # session; a rolling window replaces the listener's session once 24 h are over
        day = moment - moment % DAY if self.by_day else None
        key = (listener, target.index, day)
        session = self.sessions.get(key)
        if session is None or (day is None and not self._same_window(session.start, moment)):
            if session is not None and not session.counted:
                self.tally.excluded["partial: short of header + 1 minute"] += 1
            start = moment if day is None else day
            session = self.sessions[key] = Session(start, moment)
            self.opened.setdefault(int(start // 3600), []).append(key)
        elif session.counted:
            self.tally.excluded["duplicate in the window"] += 1
            return
        elif moment < session.first:
            session.first = moment
        if covered(session.intervals, *span) >= target.threshold:
            session.counted = True
            session.intervals = []
            self._download(self.keys.address(net), session, target, agent, listener)

    def _same_window(self, start: float, moment: float) -> bool:
        return start - LATE_TOLERANCE <= moment < start + DAY

    def _download(
        self, address: bytes, session: Session, target: Target, agent: Agent, listener: bytes
    ) -> None:
        if self.by_day:
            start = session.start
        else:
            start = self.address_window.get(address, session.first)
            if not start <= session.first < start + DAY:
                start = session.first
            self.address_window[address] = start
        window = (address, start)
        waiting = self.pending.get(window)
        if waiting is None:
            waiting = self.pending[window] = []
            self.pending_opened.setdefault(int(start // 3600), []).append(window)
        waiting.append((target.index, session.first, agent, listener))

    def sweep(self, before: float) -> None:
        """Close every window that started before `before`: commit or flag its downloads."""
        hour = before // 3600 if before != float("inf") else float("inf")
        for opened in [h for h in self.opened if h < hour]:
            for key in self.opened.pop(opened):
                session = self.sessions.get(key)
                if session is not None and session.start < before:
                    del self.sessions[key]
                    if not session.counted:
                        self.tally.excluded["partial: short of header + 1 minute"] += 1
        for opened in [h for h in self.pending_opened if h < hour]:
            for window in self.pending_opened.pop(opened):
                if window in self.pending:
                    self._commit(self.pending.pop(window))
        if len(self.address_window) > 2 * len(self.pending) + 1000:
            stale = [a for a, s in self.address_window.items() if s < before]
            for address in stale:
                del self.address_window[address]
        self._close_days(before)

    def _commit(self, downloads: list[Download]) -> None:
        tally = self.tally
        if len(downloads) > self.options.max_per_ip:
            tally.flagged_addresses += 1
            tally.excluded["implausible address (> --max-per-ip downloads)"] += len(downloads)
            return
        counted, published, listeners = self.counted, self.published, tally.listeners
        for index, moment, agent, listener in downloads:
            day = int(moment // DAY)
            age = moment - published[index]
            bucket = next((span for span in (1, 7, 30) if 0 <= age < span * DAY), 0)
            counted[(index, day, agent.name, agent.device or "Unknown", bucket)] += 1
            self.day_listeners.setdefault(day, set()).add(listener)
            listeners.add(listener)

    def _close_days(self, before: float) -> None:
        """Keep only the number of a closed day's listeners, not their keys."""
        for day in [d for d in self.day_listeners if (d + 2) * DAY < before]:
            self.tally.listeners_by_day[day_of(day * DAY)] = len(self.day_listeners.pop(day))

    def finish(self) -> Tally:
        """Close every window left open and return the tally."""
        self.sweep(float("inf"))
        if self.oldest <= self.newest:
            self.tally.first_seen, self.tally.last_seen = self.oldest, self.newest
        for day, keys in self.day_listeners.items():
            self.tally.listeners_by_day[day_of(day * DAY)] = len(keys)
        tally, names = self.tally, {d: day_of(d * DAY) for _, d, *_ in self.counted}
        for (index, day, app, device, bucket), n in self.counted.items():
            tally.downloads[index] += n
            tally.by_episode_day[(index, names[day])] += n
            tally.by_day[names[day]] += n
            tally.by_app[app] += n
            tally.by_device[device] += n
            spans = tally.first_days.setdefault(index, Counter())
            for span in (1, 7, 30):
                spans[span] += n if 0 < bucket <= span else 0
        return tally


def _status_rule(hit: tuple[str | None, ...]) -> str:
    method, status = hit[METHOD], hit[STATUS]
    if method == "HEAD":
        return "HEAD request"
    if method != "GET":
        return "not a GET request"
    if status == "304":
        return "304 Not Modified"
    if status != "200" and status != "206":
        return "status other than 200/206"
    return ""


def count(logs: Iterable[LogFile], found: list[Target], options: Options) -> Tally:
    """Count the downloads in these logs, read in the order of their first timestamps."""
    counter = Count(found, options)
    for log in logs:
        counter.read(log)
    return counter.finish()


def in_time_order(logs: list[LogFile]) -> Iterator[LogFile]:
    """Logs sorted by their first readable timestamp (rotated logs come newest first)."""

    def first(log: LogFile) -> float:
        for line in log.head:
            hit = log.format.split(line)
            if hit and hit[TIME]:
                moment = log.format.when(hit[TIME] or "")
                if moment == moment:
                    return moment
        return float("inf")

    yield from sorted(logs, key=first)


__all__ = ["LogError", "Options", "Tally", "count", "day_of", "in_time_order"]
