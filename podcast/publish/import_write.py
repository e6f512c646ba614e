"""Turn the old feed's channel and items into this project's show.yaml and episode YAML text."""

from __future__ import annotations

import difflib
import json
import re
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import nh3
import yaml
from markdownify import markdownify

from podcast.model import parse_timestamp, slugify
from podcast.publish.import_source import (
    SourceChapter,
    SourceItem,
    SourcePerson,
    SourceShow,
    SourceSoundbite,
)
from podcast.read.show import LANGUAGE, apple_categories
from podcast.render.notes import ALLOWED_ATTRIBUTES, ALLOWED_TAGS

# Apple's names before 2019 → the 2019 category that took their place
RETIRED = {
    "Arts & Entertainment": "Arts",
    "Audio Blogs": "Society & Culture",
    "Games & Hobbies": "Leisure",
    "Government & Organizations": "Government",
    "Health": "Health & Fitness",
    "News & Politics": "News",
    "Podcasting": "Technology",
    "Science & Medicine": "Science",
    "Sports & Recreation": "Sports",
}


def category(name: str, sub: str | None) -> tuple[str | None, str | None]:
    """The Apple 2019 category for an old feed's one, and a warning when it had to change."""
    known = apple_categories()
    wanted = f"{name} > {sub}" if sub else name
    for parent, subs in known.items():  # a subcategory that moved (Medicine → Health & Fitness)
        if sub and sub in subs and parent != name and name not in known:
            return f"{parent} > {sub}", f"category '{wanted}' is retired; using '{parent} > {sub}'"
    new = name if name in known else RETIRED.get(name)
    if new is None:
        close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.5)
        if not close:
            return None, f"category '{wanted}' is not an Apple category; dropped"
        new = close[0]
    if sub and sub in known[new]:
        result = f"{new} > {sub}"
    else:
        result = new
    return result, None if result == wanted else f"category '{wanted}' → '{result}'"


def notes_markdown(html: str) -> str:
    """Show notes as Markdown: the HTML sanitized as notes are, then converted."""
    clean = nh3.clean(
        html,
        tags=set(ALLOWED_TAGS) | {"h1", "h5", "h6", "div", "span"},
        attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
        url_schemes={"http", "https", "mailto"},
    )
    if "<" not in clean:
        return " ".join(clean.split()) if "\n" not in clean.strip() else clean.strip()
    text: str = markdownify(clean, heading_style="ATX", bullets="-", strip=["div", "span"])
    lines = [line.rstrip() for line in text.strip().splitlines()]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


def page_slug(item: SourceItem, shared_links: set[str]) -> str:
    """The slug of the old episode page (its URL's last segment), else one from the title."""
    link = item.link or ""
    if link and link not in shared_links:
        segments = [s for s in urlsplit(link).path.split("/") if s]
        if segments:
            last = (
                segments[-1].rsplit(".", 1)[0] if segments[-1].endswith(".html") else segments[-1]
            )
            slug = slugify(last)
            if slug != "episode" and not slug.isdigit():
                return slug
    return slugify(item.title)


def without_number(slug: str, season: int, number: int | None, kind: str) -> str:
    """The slug without the number or type its file name already starts with.

    `episode_stem` puts `07-` (or `trailer-`) first, so `ep-7-topic`, `s1-07-topic`,
    `s01e07-topic` and `7-topic` all become `topic`: one number in `07-topic.mp3`.
    """
    if number is not None:
        prefix = rf"(?:s0*{season}-?)?(?:(?:e|ep|episode|no|number)-?)?0*{number}"
    else:
        prefix = re.escape(kind)
    return re.sub(rf"^{prefix}(-(?=[a-z0-9])|$)", "", slug, count=1)


def file_slug(item: SourceItem, shared_links: set[str], season: int, number: int | None) -> str:
    """The slug in the episode's file name: the old page's, else the title's, numbers dropped.

    A page named only by its number (`/episode-7`) gives way to the title, so the file is
    `07-topic`, never `07-episode-7`; the redirect map still maps the old page.
    """
    kind = item.episode_type or "full"
    for slug in (page_slug(item, shared_links), slugify(item.title)):
        rest = without_number(slug, season, number, kind)
        if rest:
            return rest
    return page_slug(item, shared_links)


def chapter_start(text: str) -> str | None:
    """`HH:MM:SS.mmm` for a chapter start written as a timestamp or seconds; None if neither."""
    try:
        start = parse_timestamp(text)
    except ValueError:
        return None
    total, millis = int(start.total_seconds()), start.microseconds // 1000
    clock = f"{total // 3600:02d}:{total % 3600 // 60:02d}:{total % 60:02d}"
    return clock + (f".{millis:03d}" if millis else "")


def chapters_from_json(data: bytes) -> list[dict[str, str]]:
    """Podcasting 2.0 JSON chapters as YAML `chapters:` entries."""
    document = json.loads(data)
    found = []
    for chapter in document.get("chapters", []) if isinstance(document, dict) else []:
        if not isinstance(chapter, dict) or chapter.get("toc") is False:
            continue
        start = chapter_start(str(chapter.get("startTime", "")))
        if start is not None:
            found.append(
                _chapter(start, chapter.get("title"), chapter.get("url"), chapter.get("img"))
            )
    return found


def chapters_from_podlove(chapters: tuple[SourceChapter, ...]) -> list[dict[str, str]]:
    """Podlove simple chapters as YAML `chapters:` entries."""
    found = []
    for chapter in chapters:
        start = chapter_start(chapter.start)
        if start is not None:
            found.append(_chapter(start, chapter.title, chapter.href, chapter.image))
    return found


def _chapter(start: str, title: Any, url: Any, image: Any) -> dict[str, str]:
    entry = {"start": start, "title": str(title or "").strip() or "Chapter"}
    for key, value in (("url", url), ("image", image)):
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            entry[key] = value
    return entry


def soundbites(bites: tuple[SourceSoundbite, ...]) -> tuple[list[dict[str, str]], list[str]]:
    """podcast:soundbite tags as YAML `soundbites:` entries, and a note for each one dropped."""
    found, dropped = [], []
    for bite in bites:
        start, duration = _seconds(bite.start), _seconds(bite.duration)
        if start is None or duration is None or duration <= 0:
            dropped.append(
                f"soundbite '{bite.title}' (startTime={bite.start!r}, "
                f"duration={bite.duration!r}) not imported: its times are not seconds"
            )
            continue
        entry = {"start": _clock(start), "duration": _clock(duration)}
        found.append(entry | ({"title": bite.title} if bite.title else {}))
    return found, dropped


def _seconds(text: str) -> float | None:
    """The spec's seconds (decimals allowed); None when not a number."""
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value >= 0 and value == value and value != float("inf") else None


def _clock(seconds: float) -> str:
    """`HH:MM:SS(.mmm)`, as chapters are written."""
    millis = round(seconds * 1000)
    total, rest = divmod(millis, 1000)
    clock = f"{total // 3600:02d}:{total % 3600 // 60:02d}:{total % 60:02d}"
    return clock + (f".{rest:03d}" if rest else "")


def duration_text(text: str | None) -> str | None:
    """An itunes:duration (`HH:MM:SS`, `MM:SS` or seconds) as `HH:MM:SS`; None if not one."""
    try:
        seconds = parse_timestamp(text or "").total_seconds()
    except (ValueError, OverflowError):
        return None
    return _clock(seconds) if seconds > 0 else None


def person(source: SourcePerson) -> dict[str, str]:
    """A podcast:person as a YAML host or guest entry."""
    entry = {"name": source.name, "role": source.role, "group": source.group}
    for key, value in (("href", source.href), ("img", source.img)):
        if value and value.startswith(("http://", "https://")):
            entry[key] = value
    return entry


def show_fields(
    show: SourceShow, artwork: str, podcast_guid: str, previous_feed_url: str | None
) -> tuple[dict[str, Any], list[str]]:
    """show.yaml's keys for the old channel, and the warnings mapping it gave."""
    warnings = []
    categories = []
    for name, sub in show.categories:
        mapped, warning = category(name, sub)
        if warning:
            warnings.append(warning)
        if mapped and mapped not in categories:
            categories.append(mapped)
    language = (show.language or "en").strip().lower()
    if not LANGUAGE.match(language):
        warnings.append(f"language '{show.language}' is not a language code; using 'en'")
        language = "en"
    email = show.owner_email
    if not email:
        email = "owner@example.org"
        warnings.append("the feed has no itunes:owner email; show.yaml says owner@example.org")
    fields: dict[str, Any] = {
        "title": show.title or "Untitled show",
        "description": notes_markdown(show.description) or show.title,
        "language": language,
        "author": show.author or show.owner_name or show.title,
        "owner": {"name": show.owner_name or show.author or show.title, "email": email},
        "artwork": artwork,
        "categories": categories or ["Society & Culture"],
        "explicit": bool(show.explicit),
        "type": show.type if show.type in ("episodic", "serial") else "episodic",
    }
    if not categories:
        warnings.append("the feed names no Apple category; show.yaml says Society & Culture")
    if show.copyright:
        fields["copyright"] = show.copyright
    hosts = [person(p) for p in show.persons if p.role == "host"]
    if hosts:
        fields["hosts"] = hosts
    if show.link and show.link.startswith(("http://", "https://")):
        fields["links"] = {"website": show.link}
    if show.funding:
        fields["funding"] = dict(show.funding)
    fields["locked"] = True if show.locked is None else show.locked
    fields["podcast_guid"] = podcast_guid
    if previous_feed_url:
        fields["previous_feed_url"] = previous_feed_url
    return fields, warnings


def yaml_text(fields: dict[str, Any], comments: list[str]) -> str:
    """YAML for `fields`, in their order, after `# comment` lines; notes as a literal block."""
    body = yaml.dump(fields, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    return "".join(f"# {c}\n" for c in comments) + body


class _Dumper(yaml.SafeDumper):
    """Multi-line text as `|` blocks, times as ISO 8601 with their own offset."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _time(dumper: yaml.SafeDumper, value: datetime) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:timestamp", value.isoformat())


_Dumper.add_representer(str, _text)
_Dumper.add_representer(datetime, _time)


def vtt_from_json(data: bytes) -> str | None:
    """A Podcasting 2.0 JSON transcript as WebVTT (speakers as voice tags); None if empty."""
    document = json.loads(data)
    segments = document.get("segments", []) if isinstance(document, dict) else []
    cues = []
    for segment in segments:
        if not isinstance(segment, dict):
            continue
        try:
            start, end = float(segment["startTime"]), float(segment["endTime"])
        except (KeyError, TypeError, ValueError):
            continue
        body = " ".join(str(segment.get("body", "")).split())
        speaker = " ".join(str(segment.get("speaker") or "").split()).replace(">", "")
        if body and end > start >= 0:
            text = f"<v {speaker}>{body}" if speaker else body
            cues.append(f"{_cue_time(start)} --> {_cue_time(end)}\n{text}")
    return "WEBVTT\n\n" + "\n\n".join(cues) + "\n" if cues else None


def _cue_time(seconds: float) -> str:
    millis = round(seconds * 1000)
    hours, minutes, secs = millis // 3_600_000, millis // 60_000 % 60, millis // 1000 % 60
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis % 1000:03d}"
