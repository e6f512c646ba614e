"""Every time format, from its one formatter: chapters and cues alike, in every output."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from podcast.render import times


@pytest.mark.parametrize(
    ("value", "hms", "npt", "text", "clock"),
    [
        (timedelta(0), "00:00:00", "00:00:00.000", "0", "00:00"),
        (0.25, "00:00:00", "00:00:00.250", "0.25", "00:00"),
        (timedelta(seconds=3.612), "00:00:03", "00:00:03.612", "3.612", "00:03"),
        (754.9, "00:12:34", "00:12:34.900", "754.9", "12:34"),
        (timedelta(hours=1, minutes=2, seconds=3), "01:02:03", "01:02:03.000", "3723", "1:02:03"),
    ],
)
def test_offsets_into_the_audio(
    value: timedelta | float, hms: str, npt: str, text: str, clock: str
) -> None:
    assert times.hms(value) == hms
    assert times.npt(value) == npt
    assert times.seconds_text(value) == text
    assert times.clock(value) == clock


def test_json_chapters_keep_whole_seconds_whole() -> None:
    assert times.seconds(timedelta(seconds=4)) == 4 and isinstance(times.seconds(4.0), int)
    assert times.seconds(timedelta(milliseconds=1500)) == 1.5


def test_durations_and_dates_for_listeners_and_schema_org() -> None:
    assert times.spoken_duration(timedelta(seconds=45)) == "45 sec"
    assert times.spoken_duration(timedelta(minutes=12, seconds=20)) == "12 min"
    assert times.spoken_duration(timedelta(hours=1, minutes=5)) == "1 hr 5 min"
    assert times.iso_duration(timedelta(hours=1, seconds=3)) == "PT1H3S"
    assert times.long_date(datetime(2022, 2, 8, 6, tzinfo=UTC)) == "February 8, 2022"
