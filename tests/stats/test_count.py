"""Each IAB rule against a log written here, with the count worked out by hand.

The long episode (conftest.long_show) is 1,439,475 bytes: a 2,493-byte ID3 tag and 90 s of
128 kbit/s audio, so a download needs 2,493 + 60 × 16,000 = 962,493 bytes. The shipped
episodes are under a minute: a download needs the whole file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from podcast.stats.count import Options
from podcast.stats.listeners import Networks
from podcast.stats.run import stats
from podcast.stats.targets import Target
from stats.logs import (
    GOOGLEBOT,
    IPHONE,
    OVERCAST,
    POCKETCASTS,
    PODCASTS,
    SPOTIFY,
    WATCH,
    line,
    when,
)

SIZE, THRESHOLD = 1_439_475, 962_493
SHORT = "/audio/season-1/01-why-we-call-it-an-emergency.mp3"
SHORT_SIZE = 80_878


def run(show: Path, tmp_path: Path, lines: list[str], **options: Any) -> dict[str, Any]:
    """Count these log lines against the show and return the report."""
    log = tmp_path / "access.log"
    log.write_text("".join(lines), encoding="utf-8")
    return stats(show, [str(log)], Options(**options))


def long_downloads(report: dict[str, Any]) -> int:
    return next(e["downloads"] for e in report["episodes"] if e["title"] == "A long talk")


def part(start: int, end: int, **kw: Any) -> str:
    """A 206 for bytes start..end inclusive, all of it sent."""
    return line(status=206, sent=end - start + 1, byte_range=f"bytes={start}-{end}", **kw)


def test_the_threshold_is_header_plus_one_minute(long_target: Target) -> None:
    assert (long_target.size, long_target.header, long_target.threshold) == (
        SIZE,
        2_493,
        THRESHOLD,
    )


def test_ios_probe_then_full_request_is_one_download(long_show: Path, tmp_path: Path) -> None:
    lines = [
        line(agent=IPHONE, status=206, sent=2, byte_range="bytes=0-1"),
        line(agent=IPHONE, status=206, sent=SIZE, byte_range="bytes=0-", at=when(second=1)),
    ]
    report = run(long_show, tmp_path, lines)
    assert long_downloads(report) == 1
    assert report["methodology"]["excluded"] == {"bytes=0-1 probe": 1}


def test_the_probe_alone_is_not_a_download(long_show: Path, tmp_path: Path) -> None:
    report = run(long_show, tmp_path, [line(status=206, sent=2, byte_range="bytes=0-1")])
    assert long_downloads(report) == 0


def test_play_pause_play_ranges_join(long_show: Path, tmp_path: Path) -> None:
    # 0..499,999 then 500,000..999,999: 1,000,000 bytes together, over the threshold
    lines = [part(0, 499_999), part(500_000, 999_999, at=when(minute=20))]
    assert long_downloads(run(long_show, tmp_path, lines)) == 1


def test_overlapping_retries_are_a_union_not_a_sum(long_show: Path, tmp_path: Path) -> None:
    # 1.8 MB were sent, but only bytes 0..899,999 are covered: short of 962,493
    lines = [part(0, 599_999), part(0, 599_999), part(300_000, 899_999)]
    report = run(long_show, tmp_path, lines)
    assert long_downloads(report) == 0
    assert report["methodology"]["excluded"] == {"partial: short of header + 1 minute": 1}


def test_the_threshold_byte_exactly(long_show: Path, tmp_path: Path) -> None:
    short = part(0, THRESHOLD - 2, ip="192.0.2.1")  # 962,492 bytes: one short
    exact = part(0, THRESHOLD - 1, ip="192.0.2.2")  # 962,493 bytes
    assert long_downloads(run(long_show, tmp_path, [short, exact])) == 1


def test_a_range_the_client_aborted_counts_what_was_sent(long_show: Path, tmp_path: Path) -> None:
    aborted = line(status=206, sent=100_000, byte_range="bytes=0-")
    assert long_downloads(run(long_show, tmp_path, [aborted])) == 0


def test_a_200_counts_when_the_file_was_sent(long_show: Path, tmp_path: Path) -> None:
    full = line(status=200, sent=SIZE, byte_range="", ip="192.0.2.1")
    aborted = line(status=200, sent=50_000, byte_range="", ip="192.0.2.2")
    assert long_downloads(run(long_show, tmp_path, [full, aborted])) == 1


def test_many_apps_behind_one_address(long_show: Path, tmp_path: Path) -> None:
    apps = [PODCASTS, OVERCAST, SPOTIFY, POCKETCASTS]
    lines = [line(agent=agent, sent=SIZE, byte_range="") for agent in apps]
    report = run(long_show, tmp_path, lines)
    assert long_downloads(report) == 4
    names = {a["name"] for a in report["apps"]}
    assert {"Apple Podcasts", "Overcast", "Spotify", "Pocket Casts"} <= names


def test_ipv6_privacy_addresses_in_one_64_are_one_listener(long_show: Path, tmp_path: Path) -> None:
    same = ["2001:db8:1:2::a", "2001:db8:1:2:ffff:1:2:3", "2001:db8:1:2:abcd::9"]
    lines = [line(ip=ip, sent=SIZE, byte_range="") for ip in same]
    lines.append(line(ip="2001:db8:1:3::a", sent=SIZE, byte_range=""))  # another /64
    assert long_downloads(run(long_show, tmp_path, lines)) == 2


def test_ranges_from_one_64_join(long_show: Path, tmp_path: Path) -> None:
    lines = [part(0, 499_999, ip="2001:db8::1"), part(500_000, 999_999, ip="2001:db8::2")]
    assert long_downloads(run(long_show, tmp_path, lines)) == 1


def test_bots_and_the_apple_watch_are_excluded(long_show: Path, tmp_path: Path) -> None:
    lines = [
        line(agent=GOOGLEBOT, sent=SIZE, byte_range=""),
        line(agent=WATCH, sent=SIZE, byte_range=""),
        line(agent="python-requests/2.31.0", sent=SIZE, byte_range=""),
        line(agent=PODCASTS, sent=SIZE, byte_range=""),
    ]
    report = run(long_show, tmp_path, lines)
    assert long_downloads(report) == 1
    assert report["methodology"]["excluded"]["bot (OPAWG list)"] == 3
    assert report["methodology"]["bots"]["Apple Podcasts (Watch)"] == 1


def test_head_304_and_404_are_not_downloads(long_show: Path, tmp_path: Path) -> None:
    lines = [
        line(method="HEAD", sent=0, byte_range=""),
        line(status=304, sent=0, byte_range=""),
        line(status=404, sent=153, byte_range=""),
        line(method="POST", status=200, sent=SIZE, byte_range=""),
    ]
    report = run(long_show, tmp_path, lines)
    assert long_downloads(report) == 0
    assert report["methodology"]["excluded"] == {
        "HEAD request": 1,
        "304 Not Modified": 1,
        "status other than 200/206": 1,
        "not a GET request": 1,
    }


def test_feed_fetches_are_not_downloads(long_show: Path, tmp_path: Path) -> None:
    lines = [line(path="/feed.xml", sent=9000, byte_range=""), line(path="/", byte_range="")]
    report = run(long_show, tmp_path, lines)
    assert report["downloads"] == 0
    assert (report["feed_fetches"], report["other_requests"], report["audio_requests"]) == (1, 1, 0)


def test_duplicates_in_a_calendar_day_count_once(long_show: Path, tmp_path: Path) -> None:
    lines = [
        line(sent=SIZE, byte_range="", at=when(2, 8)),
        line(sent=SIZE, byte_range="", at=when(2, 20)),
        line(sent=SIZE, byte_range="", at=when(3, 8)),  # the next day: a new download
    ]
    report = run(long_show, tmp_path, lines)
    assert long_downloads(report) == 2
    assert report["methodology"]["excluded"] == {"duplicate in the window": 1}


def test_the_window_choice_changes_the_count(long_show: Path, tmp_path: Path) -> None:
    lines = [
        line(sent=SIZE, byte_range="", at=when(2, 23)),
        line(sent=SIZE, byte_range="", at=when(3, 1)),
    ]
    assert long_downloads(run(long_show, tmp_path, lines, window="day")) == 2
    assert long_downloads(run(long_show, tmp_path, lines, window="rolling")) == 1


def test_an_implausible_address_is_excluded(long_show: Path, tmp_path: Path) -> None:
    agents = [f"Overcast/3.0 (+http://overcast.fm/; iOS podcast app) n{i}" for i in range(5)]
    lines = [line(agent=a, sent=SIZE, byte_range="") for a in agents]
    flagged = run(long_show, tmp_path, lines, max_per_ip=4)
    assert long_downloads(flagged) == 0
    assert flagged["methodology"]["flagged_addresses"] == 1
    assert long_downloads(run(long_show, tmp_path, lines, max_per_ip=5)) == 5


def test_data_centre_networks_are_excluded(long_show: Path, tmp_path: Path) -> None:
    lines = [
        line(ip="198.51.100.20", sent=SIZE, byte_range=""),
        line(ip="2001:db8:ff::1", sent=SIZE, byte_range=""),
        line(ip="192.0.2.1", sent=SIZE, byte_range=""),
    ]
    networks = Networks(["198.51.100.0/24", "2001:db8:ff::/48"])
    report = run(long_show, tmp_path, lines, networks=networks)
    assert long_downloads(report) == 1
    assert report["methodology"]["excluded"] == {"data-centre address (--exclude-cidrs)": 2}


def test_an_episode_under_a_minute_needs_the_whole_file(long_show: Path, tmp_path: Path) -> None:
    lines = [
        line(path=SHORT, status=206, sent=SHORT_SIZE - 1, byte_range="bytes=0-", ip="192.0.2.1"),
        line(path=SHORT, status=206, sent=SHORT_SIZE, byte_range="bytes=0-", ip="192.0.2.2"),
    ]
    report = run(long_show, tmp_path, lines)
    assert next(e["downloads"] for e in report["episodes"] if "emergency" in e["title"]) == 1


def test_out_of_order_lines_count_the_same(long_show: Path, tmp_path: Path) -> None:
    lines = [part(500_000, 999_999, at=when(hour=11)), part(0, 499_999, at=when(hour=10))]
    lines += [line(ip="192.0.2.9", sent=SIZE, byte_range="", at=when(hour=9))]
    assert long_downloads(run(long_show, tmp_path, lines)) == 2


def test_since_and_until_bound_the_count(long_show: Path, tmp_path: Path) -> None:
    lines = [line(sent=SIZE, byte_range="", at=when(day)) for day in (2, 3, 4)]
    start, end = when(3, 0).timestamp(), when(4, 0).timestamp()
    report = run(long_show, tmp_path, lines, since=start, until=end)
    assert long_downloads(report) == 1
    assert report["methodology"]["excluded"]["outside --since/--until"] == 2


def test_downloads_in_the_first_days(long_show: Path, tmp_path: Path) -> None:
    # published 2026-03-01 06:00 UTC; listeners on day 1, day 5 and day 20
    ats = [when(1, 12), when(5, 12), when(20, 12)]
    lines = [line(ip=f"192.0.2.{i}", sent=SIZE, byte_range="", at=a) for i, a in enumerate(ats)]
    episode = next(
        e for e in run(long_show, tmp_path, lines)["episodes"] if e["title"] == "A long talk"
    )
    assert (episode["first_1_days"], episode["first_7_days"], episode["first_30_days"]) == (1, 2, 3)


def test_per_day_and_unique_listeners(long_show: Path, tmp_path: Path) -> None:
    lines = [
        line(ip="192.0.2.1", sent=SIZE, byte_range="", at=when(2)),
        line(ip="192.0.2.1", path=SHORT, sent=SHORT_SIZE, byte_range="", at=when(2)),
        line(ip="192.0.2.2", sent=SIZE, byte_range="", at=when(3)),
        line(ip="192.0.2.1", sent=SIZE, byte_range="", at=when(3)),
    ]
    report = run(long_show, tmp_path, lines)
    assert report["days"] == [
        {"day": "2026-03-02", "downloads": 2, "unique_listeners": 1},
        {"day": "2026-03-03", "downloads": 2, "unique_listeners": 2},
    ]
    assert (report["downloads"], report["unique_listeners"]) == (4, 2)


@pytest.mark.parametrize("window", ["day", "rolling"])
def test_windows_are_named(long_show: Path, tmp_path: Path, window: str) -> None:
    report = run(long_show, tmp_path, [line(sent=SIZE, byte_range="")], window=window)
    assert report["window"] == report["methodology"]["window"]
    assert ("calendar" in report["window"]) == (window == "day")


def test_a_late_line_joins_yesterdays_window(long_show: Path, tmp_path: Path) -> None:
    # yesterday's first half, today's full download, then yesterday's second half, late
    lines = [
        part(0, 499_999, at=when(2, 23, 50)),
        line(sent=SIZE, byte_range="", at=when(3, 0, 10)),
        part(500_000, 999_999, at=when(2, 23, 59)),
    ]
    report = run(long_show, tmp_path, lines)
    assert [d["downloads"] for d in report["days"]] == [1, 1]


def test_a_response_with_no_body_is_not_a_download(long_show: Path, tmp_path: Path) -> None:
    lines = [line(sent=0, byte_range=""), line(status=206, sent="-", byte_range="bytes=0-")]
    report = run(long_show, tmp_path, lines)
    assert long_downloads(report) == 0
    assert report["methodology"]["excluded"] == {"no bytes sent": 2}


def test_requests_by_media_base_url_and_full_urls(long_show: Path, tmp_path: Path) -> None:
    cdn = "/podcast/season-4/01-a-long-talk.mp3"
    lines = [
        line(path=cdn, sent=SIZE, byte_range="", ip="192.0.2.1"),
        line(path=cdn + "?utm_source=feed", sent=SIZE, byte_range="", ip="192.0.2.2"),
        line(path="/audio/season-4/01-a-long-talk%2Emp3", sent=SIZE, byte_range="", ip="192.0.2.3"),
        line(
            path="/audio/season-4/01-a-long-talk.mp3.bak", sent=SIZE, byte_range="", ip="192.0.2.4"
        ),
        line(path="/other-show/01-a-long-talk.mp3", sent=SIZE, byte_range="", ip="192.0.2.5"),
    ]
    assert long_downloads(run(long_show, tmp_path, lines)) == 3


def test_an_ipv4_mapped_address_is_its_ipv4_listener(long_show: Path, tmp_path: Path) -> None:
    lines = [part(0, 499_999, ip="192.0.2.1"), part(500_000, 999_999, ip="::ffff:192.0.2.1")]
    assert long_downloads(run(long_show, tmp_path, lines)) == 1
