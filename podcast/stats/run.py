"""The `podcast stats` pipeline: catalog → episode targets, logs → count → report."""

from __future__ import annotations

from pathlib import Path

from podcast.read.catalog import load
from podcast.stats import count, logformats, report, targets
from podcast.stats.logformats import LogError


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
