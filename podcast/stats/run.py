"""The `podcast stats` pipeline: catalog → episode targets, logs → count → report."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from podcast.read.catalog import load
from podcast.stats import count, logformats, report, targets
from podcast.stats.listeners import read_networks
from podcast.stats.logformats import LogError

FORMATS = {"table": report.as_table, "json": report.as_json, "csv": report.as_csv}
Said = tuple[str, bool]  # a line to print, and whether it goes to stderr


@dataclass(frozen=True, slots=True)
class Request:
    """What `podcast stats` was asked (its options, by name): the show, the logs, how to count,
    what to print."""

    root: Path
    logs: tuple[str, ...]
    output: str  # a key of FORMATS
    html_path: Path | None
    since: datetime | None  # the first day counted
    until: datetime | None  # the last day counted (inclusive)
    window: str  # a key of count.WINDOWS
    max_per_ip: int
    exclude_cidrs: Path | None
    methodology: bool


def stats_report(request: Request) -> Iterator[Said]:
    """Count, then the report on stdout; a notice, the disclosure (unless it follows a table)
    and the HTML report's path on stderr, so stdout holds only data for a script."""
    result = stats(request.root, list(request.logs), counting(request))
    if (empty := report.no_requests(result)) is not None:
        yield empty, True
    yield FORMATS[request.output](result), False
    if request.methodology:
        yield "\n" + report.methodology(result), request.output != "table"
    if request.html_path is not None:
        from podcast.stats import html  # pygal loads only when a chart is wanted

        html.write(result, request.html_path)
        yield f"Wrote {request.html_path}", True


def counting(request: Request) -> count.Options:
    """The counting rules asked for: window, cap per address, days, networks left out."""
    networks = read_networks(request.exclude_cidrs) if request.exclude_cidrs else None
    since, until = _midnight(request.since), _midnight(request.until, 1)
    return count.Options(request.window, request.max_per_ip, since, until, networks)


def _midnight(value: datetime | None, after: int = 0) -> float | None:
    """Midnight UTC of the day given (or of the day after, for an inclusive --until)."""
    if value is None:
        return None
    day = date(value.year, value.month, value.day) + timedelta(days=after)
    return datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()


def stats(root: Path, logs: list[str], options: count.Options) -> report.Report:
    """Count the downloads of the show in `root` over these logs (`-` is stdin)."""
    if logs.count("-") > 1:
        raise LogError("stdin (`-`) can be given once")
    catalog = load(root)
    found = targets.targets(catalog)
    opened = _open_all(logs)
    tally = count.count(count.in_time_order(opened), found, options)
    return report.build(tally, found, catalog)


def _open_all(logs: list[str]) -> list[logformats.LogFile]:
    """Open every log first, so a missing one fails before any counting; all problems at once."""
    opened, problems = [], []
    for name in logs:
        try:
            opened.append(logformats.open_log(name))
        except LogError as exc:
            problems.append(str(exc))
    if problems:
        for log in opened:
            log.close()
        raise LogError("\n".join(problems))
    return opened
