"""The pre-publish gate: what Apple Podcasts, Spotify and podcast apps would reject or garble.

`run(catalog)` returns `Problem`s, each with a rule id, a severity, `path:line`, a message and a
fix hint. What the loader already refuses (unknown categories, a missing `explicit`, duplicate
guids or audio files, hence enclosure URLs, unreadable audio) and its warnings (VBR MP3 without
a Xing header) never reach here: `podcast check` reports them under the rule id `catalog`.
Each rule is a function of a `Context` in the module named for what it checks; add new ones to
`RULES`.
"""

from __future__ import annotations

from datetime import UTC, datetime

from podcast.checks import artwork, duplicates, media, numbering, schedule, show, text, timeline
from podcast.checks.context import MAX_AUDIO_BYTES, Context, Rule
from podcast.errors import Problem
from podcast.model import Catalog

RULES: tuple[Rule, ...] = (
    artwork.check_artwork,
    show.check_categories,
    show.check_owner,
    text.check_titles,
    text.check_title_source,
    text.check_descriptions,
    text.check_note_links,
    media.check_file_names,
    numbering.check_serial,
    numbering.check_seasons,
    numbering.check_numbering,
    duplicates.check_duplicates,
    media.check_audio,
    timeline.check_chapters,
    timeline.check_soundbites,
    timeline.check_transcripts,
    media.check_low_bandwidth,
    schedule.check_schedule,
)


def run(
    catalog: Catalog, now: datetime | None = None, max_audio_bytes: int = MAX_AUDIO_BYTES
) -> list[Problem]:
    """Every rule's findings on `catalog`, sorted by file, line and rule."""
    context = Context(catalog, now or datetime.now(UTC), max_audio_bytes)
    found = [problem for rule in RULES for problem in rule(context)]
    return sorted(found, key=sort_key)


def sort_key(problem: Problem) -> tuple[str, int, str, str]:
    """Order findings by file, line, rule and message, for stable output."""
    return (str(problem.path or ""), problem.line or 0, problem.rule, problem.message)
