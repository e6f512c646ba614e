"""The report: one plain mapping built from the tally, shown as a table, JSON, CSV or the
methodology disclosure the IAB asks for. Nothing in it can name an address: listeners are
only ever counted."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from podcast.model import Catalog
from podcast.stats.agents import lists_version
from podcast.stats.count import DAY, LATE_TOLERANCE, Tally, day_of
from podcast.stats.targets import Target

Report = dict[str, Any]
SPANS = (1, 7, 30)
GUIDELINES = "IAB Tech Lab Podcast Measurement Technical Guidelines v2.3"


def build(tally: Tally, found: list[Target], catalog: Catalog) -> Report:
    """The whole report as a JSON-ready mapping."""
    start, end = tally.first_seen, tally.last_seen
    return {
        "show": catalog.show.title,
        "period": {
            "from": _instant(start),
            "to": _instant(end),
        },
        "window": tally.window,
        "downloads": sum(tally.downloads.values()),
        "unique_listeners": len(tally.listeners),
        "episodes": [_episode(tally, target, start, end) for target in _by_date(found)],
        "days": [
            {"day": day, "downloads": n, "unique_listeners": tally.listeners_by_day[day]}
            for day, n in sorted(tally.by_day.items())
        ],
        "episode_days": [
            {"guid": found[i].episode.guid, "day": day, "downloads": n}
            for (i, day), n in sorted(tally.by_episode_day.items(), key=lambda x: x[0][1])
        ],
        "apps": _ranked(tally.by_app),
        "devices": _ranked(tally.by_device),
        "feed_fetches": tally.feed_fetches,
        "audio_requests": tally.audio_requests,
        "other_requests": tally.other_requests,
        "files": [vars(f) for f in tally.files],
        "methodology": _methodology(tally, found),
    }


def _instant(moment: float | None) -> str | None:
    return None if moment is None else datetime.fromtimestamp(moment, UTC).isoformat()


def _by_date(found: list[Target]) -> list[Target]:
    return sorted(found, key=lambda t: t.episode.published, reverse=True)


def _episode(tally: Tally, target: Target, start: float | None, end: float | None) -> Report:
    episode = target.episode
    published = episode.published.timestamp()
    days = tally.first_days.get(target.index, Counter())
    entry: Report = {
        "guid": episode.guid,
        "title": episode.title,
        "published": episode.published.isoformat(),
        "downloads": tally.downloads[target.index],
    }
    for span in SPANS:
        over = published + span * DAY
        seen = start is not None and end is not None and start < over and end >= published
        entry[f"first_{span}_days"] = days.get(span, 0) if seen else None
        entry[f"first_{span}_days_complete"] = bool(
            seen and start <= published and end >= over  # type: ignore[operator]
        )
    entry["threshold_bytes"] = target.threshold
    return entry


def _ranked(counts: dict[str, int]) -> list[Report]:
    total = sum(counts.values()) or 1
    return [
        {"name": name, "downloads": n, "share": round(n / total, 4)}
        for name, n in sorted(counts.items(), key=lambda x: (-x[1], x[0]))
    ]


def _methodology(tally: Tally, found: list[Target]) -> Report:
    return {
        "guidelines": GUIDELINES,
        "window": tally.window,
        "late_lines_tolerated_seconds": int(LATE_TOLERANCE),
        "listener": "IP address (IPv6 cut to its /64) + User-Agent, kept only as a salted hash",
        "threshold": "ID3/container header + 60 s of audio at the file's bitrate; "
        "the whole file when the episode is shorter than a minute",
        "partial_requests": "the union of the byte ranges one listener fetched of one episode "
        "in the window (overlapping retries count once)",
        "thresholds": {t.episode.guid: t.threshold for t in found},
        "user_agent_lists": f"OPAWG user-agents-v2 (bots, apps, libraries, browsers): "
        f"{lists_version()}",
        "max_downloads_per_address": tally.max_per_ip,
        "flagged_addresses": tally.flagged_addresses,
        "data_centre_networks": tally.networks,
        "excluded": dict(sorted(tally.excluded.items(), key=lambda x: -x[1])),
        "bots": dict(sorted(tally.bots.items(), key=lambda x: -x[1])),
        "unparsable_lines": sum(f.unparsable for f in tally.files),
        "not_counted": "feed fetches, pages and other files; streams that never reach the "
        "threshold; requests the logs do not hold (caches, other hosts)",
    }


def as_json(report: Report) -> str:
    """The report as indented JSON."""
    return json.dumps(report, indent=2, ensure_ascii=False)


def as_csv(report: Report) -> str:
    """One row per episode, for a spreadsheet."""
    out = io.StringIO()
    columns = ["guid", "title", "published", "downloads"] + [f"first_{s}_days" for s in SPANS]
    writer = csv.DictWriter(out, columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(report["episodes"])
    return out.getvalue()


def summary(report: Report) -> str:
    """The first line: what was counted, over which period, by which window."""
    period = report["period"]
    if period["from"] is None:
        return "No dated podcast requests in these logs."
    first, last = period["from"][:10], period["to"][:10]
    return (
        f"{report['show']}: {report['downloads']} downloads by "
        f"{report['unique_listeners']} unique listeners, {first} to {last} (UTC); "
        f"window: {report['window']}"
    )


def as_table(report: Report) -> str:
    """A plain-text report a producer can read: episodes, days, apps, files."""
    lines = [summary(report), ""]
    lines += _grid(
        ["Episode", "Published", "Downloads", "Day 1", "Days 1-7", "Days 1-30"],
        [
            [e["title"][:48], e["published"][:10], str(e["downloads"])]
            + [span_text(e, s) for s in SPANS]
            for e in report["episodes"]
        ],
    )
    lines += ["", "* the logs cover only part of the span since publication; – none of it", ""]
    lines += _grid(
        ["Day", "Downloads", "Unique listeners"],
        [[d["day"], str(d["downloads"]), str(d["unique_listeners"])] for d in report["days"]],
    )
    lines.append("")
    lines += _grid(
        ["App", "Downloads", "Share"],
        [[a["name"], str(a["downloads"]), f"{a['share']:.0%}"] for a in report["apps"][:15]],
    )
    lines += ["", _files(report), f"Feed fetches (not downloads): {report['feed_fetches']}"]
    return "\n".join(lines)


def span_text(entry: Report, span: int) -> str:
    """A first-N-days figure: `12`, `12*` when the logs hold part of the span, `–` for none."""
    value = entry[f"first_{span}_days"]
    if value is None:
        return "–"
    return str(value) if entry[f"first_{span}_days_complete"] else f"{value}*"


def _grid(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = [c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True)]
        return "  ".join([first, *rest]).rstrip()

    return [line(header), line(["-" * w for w in widths]), *map(line, rows)]


def _files(report: Report) -> str:
    parts = []
    for f in report["files"]:
        text = f"{f['name']}: {f['format']}, {f['lines']} lines, {f['unparsable']} unparsable"
        if f["first_unparsable"]:
            text += " (lines " + ", ".join(map(str, f["first_unparsable"])) + ")"
        if f["problem"]:
            text += f"; {f['problem']}"
        parts.append(text)
    return "\n".join(parts)


def methodology(report: Report) -> str:
    """The disclosure: window, threshold, lists and versions, every exclusion with its count."""
    m = report["methodology"]
    lines = [
        f"Method: {m['guidelines']}.",
        f"Window: {m['window']}, the same for duplicates, partial requests and addresses; "
        f"lines up to {m['late_lines_tolerated_seconds'] // 3600} h out of order join their "
        "window.",
        f"Listener: {m['listener']}.",
        f"Download: {m['threshold']}; partial requests: {m['partial_requests']}.",
        f"Bots: {m['user_agent_lists']}, first match wins; Apple Watch re-downloads excluded.",
        f"Implausible addresses: more than {m['max_downloads_per_address']} downloads from one "
        f"address in a window; {m['flagged_addresses']} address(es) flagged.",
        f"Data-centre networks excluded: {m['data_centre_networks'] or 'none given'}.",
        f"Unparsable lines: {m['unparsable_lines']}. Not counted: {m['not_counted']}.",
        "Thresholds (bytes): "
        + ", ".join(f"{e['title'][:30]} {e['threshold_bytes']}" for e in report["episodes"]),
        "Excluded requests:",
    ]
    lines += [f"  {reason}: {n}" for reason, n in m["excluded"].items()] or ["  none"]
    if m["bots"]:
        lines.append("Bots seen: " + ", ".join(f"{k} {v}" for k, v in m["bots"].items()))
    return "\n".join(lines)


def no_requests(report: Report) -> str | None:
    """What to say when no request fetched an episode's audio, else None."""
    if report["audio_requests"]:
        return None
    seen = report["feed_fetches"] + report["other_requests"]
    return (
        f"No podcast requests in these logs: none of {seen} requests fetched an episode's "
        "audio. Are these the logs of the server the feed's enclosure URLs point at?"
    )


__all__ = ["as_csv", "as_json", "as_table", "build", "day_of", "methodology", "no_requests"]
