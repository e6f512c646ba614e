"""Times and durations, one formatter for each way an output writes them, all in one place."""

from __future__ import annotations

from datetime import datetime, timedelta

Moment = timedelta | float  # an offset into the audio: chapters have timedeltas, cues seconds


def _seconds(value: Moment) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _millis(value: Moment) -> int:
    return round(_seconds(value) * 1000)


def hms(value: Moment) -> str:
    """`01:02:03`: chapter lists in show notes (apps parse them), pages and check messages."""
    total = int(_seconds(value))
    return f"{total // 3600:02d}:{total % 3600 // 60:02d}:{total % 60:02d}"


def npt(value: Moment) -> str:
    """`01:02:03.500`: the Normal Play Time of Podlove Simple Chapters' `start`."""
    seconds, millis = divmod(_millis(value), 1000)
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}.{millis:03d}"


def seconds(value: Moment) -> int | float:
    """`4` or `3.612`: JSON Chapters' numbers, whole seconds whole, else to the millisecond."""
    millis = _millis(value)
    return millis // 1000 if millis % 1000 == 0 else millis / 1000


def seconds_text(value: Moment) -> str:
    """`4` or `3.612`: seconds for `#t=` links and `data-start` attributes."""
    return str(seconds(value))


def clock(value: Moment) -> str:
    """`02:05`, or `1:02:05` past the hour: a cue's time beside its text."""
    whole = int(_seconds(value))
    hours, rest = divmod(whole, 3600)
    minutes = f"{rest // 60:02d}:{rest % 60:02d}"
    return f"{hours}:{minutes}" if hours else minutes


def iso_duration(delta: timedelta) -> str:
    """`PT1H2M3S`: an ISO 8601 duration, as schema.org wants."""
    total = round(delta.total_seconds())
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    text = "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    return text + (f"{secs}S" if secs or text == "PT" else "")


def spoken_duration(delta: timedelta) -> str:
    """`45 sec`, `12 min` or `1 hr 5 min`: an episode's length for listeners."""
    if delta.total_seconds() < 60:
        return f"{round(delta.total_seconds())} sec"
    minutes = round(delta.total_seconds() / 60)
    return f"{minutes // 60} hr {minutes % 60} min" if minutes >= 60 else f"{minutes} min"


def long_date(moment: datetime) -> str:
    """`February 8, 2022`: a publication date for listeners."""
    return f"{moment:%B} {moment.day}, {moment:%Y}"
