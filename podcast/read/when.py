"""The show's one time zone: what a bare date means, and how to say a time to the producer.

A bare date (`2026-11-20`) means the show's release hour that day in the show's zone, as
docs/producers.md promises. A time without a zone stays refused (is `06:00` the show's, the
laptop's or UTC?), and every refusal's hint lists values the same command accepts.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from podcast.errors import PodcastError
from podcast.read.yamlfile import Fields

DEFAULT_RELEASE_HOUR = time(6, 0)
BARE_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
RELEASE_HOUR = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


class WhenError(PodcastError):
    """A publication time that cannot be read; the message ends with accepted examples."""


def release_time(day: date, zone: tzinfo, hour: time = DEFAULT_RELEASE_HOUR) -> datetime:
    """`day` at the release hour in `zone` (06:00 America/Chicago is 06:00-06:00 in winter)."""
    return datetime.combine(day, hour, tzinfo=zone)


def from_text(text: str) -> date | datetime:
    """A bare `YYYY-MM-DD` as a date, anything else as an ISO 8601 time; ValueError if neither."""
    cleaned = text.strip()
    if BARE_DATE.fullmatch(cleaned):
        return date.fromisoformat(cleaned)
    if BARE_DATE.match(cleaned) and cleaned[10:11] not in ("T", "t", " "):
        # Python reads 2026-11-20-06:00 as 06:00, though it looks like an offset: ask instead
        raise ValueError(f"no 'T' between the date and the time in {cleaned!r}")
    return datetime.fromisoformat(cleaned)


def parse_when(
    text: str, zone: tzinfo, hour: time = DEFAULT_RELEASE_HOUR, now: datetime | None = None
) -> datetime:
    """`now`, a bare date (the release hour in `zone`) or an ISO 8601 time with its zone."""
    cleaned = text.strip()
    if cleaned.lower() == "now":
        return (now or datetime.now(UTC)).astimezone(zone).replace(microsecond=0)
    try:
        value = from_text(cleaned)
    except ValueError:
        value = None
    if isinstance(value, datetime) and value.utcoffset() is not None:
        return value
    if value is not None and not isinstance(value, datetime):
        return release_time(value, zone, hour)
    problem = "has no time zone" if isinstance(value, datetime) else "is not a date or time"
    raise WhenError(f"'{text}' {problem}; write {examples(text, zone, hour, now)}")


def examples(
    text: str, zone: tzinfo, hour: time = DEFAULT_RELEASE_HOUR, now: datetime | None = None
) -> str:
    """Values `parse_when` accepts, on the day `text` starts with (else today), at its time."""
    day = (now or datetime.now(UTC)).astimezone(zone).date()
    meant: datetime | None = None
    try:
        value = from_text(text[:10])
        day = value if not isinstance(value, datetime) else day
        found = from_text(text)
        meant = found if isinstance(found, datetime) and found.tzinfo is None else None
    except ValueError:
        pass
    choices = [f"{day.isoformat()} ({hour:%H:%M} {zone_name(zone)})"]
    if meant is not None:
        choices.append(meant.replace(tzinfo=zone).isoformat())
    choices.append(release_time(day, zone, hour).isoformat())
    unique = list(dict.fromkeys(choices))
    return ", ".join(unique[:-1]) + " or " + unique[-1]


def zone_name(zone: tzinfo | None) -> str:
    """`America/Chicago` for a zoneinfo zone, else what the zone calls itself."""
    if zone is None:
        return "UTC"
    return str(getattr(zone, "key", None) or zone.tzname(None) or zone)


def shown(moment: datetime, zone: tzinfo | None) -> str:
    """`2026-11-20 06:00 CST (America/Chicago)`: a time as the producer reads it."""
    local = moment.astimezone(zone) if zone is not None else moment
    label = f" ({zone_name(zone)})" if zone is not None else ""
    return f"{local:%Y-%m-%d %H:%M} {local.tzname() or local.strftime('%z')}{label}"


def local_zone() -> tzinfo:
    """This machine's zone: for shows whose show.yaml names none."""
    return datetime.now().astimezone().tzinfo or UTC


# --- show.yaml's keys ----------------------------------------------------------------------


def show_zone(fields: Fields) -> tzinfo | None:
    """`timezone:` as a zoneinfo zone; an unknown name is an error naming the closest."""
    name = fields.get("timezone", str)
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        fields.error(
            "timezone",
            f"'{name}' is not a time zone name",
            "write an IANA name such as America/Chicago or Europe/Berlin",
        )
        return None


def show_release_hour(fields: Fields) -> time:
    """`release_hour: 6` or `release_hour: "06:30"`: the time a bare date means."""
    value = fields.raw("release_hour") if fields.has("release_hour") else None
    if value is None:
        return DEFAULT_RELEASE_HOUR
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 23:
        return time(value, 0)
    match = RELEASE_HOUR.match(value.strip()) if isinstance(value, str) else None
    if match:
        return time(int(match.group(1)), int(match.group(2)))
    fields.error(
        "release_hour",
        f"'release_hour' is {value!r}, not an hour of the day",
        'write release_hour: 6, or release_hour: "06:30" in quotes',
    )
    return DEFAULT_RELEASE_HOUR
