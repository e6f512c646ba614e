"""Read what an episode's YAML says instead of a file: `enclosure:` (audio kept at its old host,
from `podcast import --media keep`) and `soundbites:`.

No local file to probe, so the YAML is the source: the url, length, type and duration are
written once by the importer and used unchanged by the feed and site.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import yaml

from podcast.model import Audio, Soundbite, parse_timestamp
from podcast.read import schema
from podcast.read.yamlfile import Fields

K, R, S = schema.EpisodeKeys, schema.EnclosureKeys, schema.SoundbiteKeys


def remote_audio(fields: Fields) -> Audio | None:
    """The `enclosure:` mapping as an Audio without a file; None (with problems) if incomplete."""
    enclosure = K.enclosure.child(fields)
    if enclosure is None:
        return None
    R.warn_unknown(enclosure)
    url = R.url.read(enclosure)
    length = R.length.read(enclosure)
    mime = R.type.read(enclosure).strip().lower()
    duration = _time(enclosure, R.duration.name, _raw(enclosure, R.duration.name))
    if not mime.startswith(("audio/", "video/")):  # kept as the old feed had it, if media
        enclosure.error("type", f"enclosure type '{mime}' is not audio", "write e.g. audio/mpeg")
        return None
    if length < 1:
        enclosure.error("length", "enclosure 'length' should be its size in bytes", "write it")
        return None
    if url is None or duration is None:
        if url is None and not enclosure.has(R.url.name):
            enclosure.error(None, "missing required key 'url'", R.url.hint)
        return None
    return Audio(None, length, mime, duration, 0, 0, 0, "", url=url)


def soundbites(fields: Fields) -> tuple[Soundbite, ...]:
    """Each entry of `soundbites:` with a start and a duration that are times."""
    found = []
    for item in K.soundbites.items(fields):
        S.warn_unknown(item)
        start = _time(item, S.start.name, _raw(item, S.start.name))
        duration = _time(item, S.duration.name, _raw(item, S.duration.name))
        if start is not None and duration is not None:
            found.append(Soundbite(start, duration, S.title.read(item)))
    return tuple(found)


def _raw(fields: Fields, key: str) -> Any:
    """The value as YAML constructs it; a string when YAML cannot (a malformed timestamp)."""
    try:
        return fields.raw(key)
    except (ValueError, OverflowError, yaml.YAMLError):
        return ""


def _time(fields: Fields, key: str, value: Any) -> timedelta | None:
    """A time written as seconds or `HH:MM:SS(.mmm)`; an error naming the key otherwise."""
    if value is None:
        fields.error(None, f"missing required key '{key}'", f"add '{key}: \"00:00:30\"'")
        return None
    if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
        return timedelta(seconds=value)  # YAML 1.1 also reads 01:30 as 90 (sexagesimal)
    if isinstance(value, str):
        try:
            return parse_timestamp(value)
        except (ValueError, OverflowError, yaml.YAMLError):
            pass
    fields.error(key, f"'{key}' is not a time: {value!r}", 'write it quoted as "HH:MM:SS"')
    return None
